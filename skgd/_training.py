"""The epoch loop: batches, kernel call, history, stopping rules.

Python runs once per epoch; everything per sample or per batch happens inside
the compiled kernel.
"""

import time
from dataclasses import dataclass

import numpy as np

from ._history import FitHistory
from ._jit import CompileTimeName
from ._kernels import EpochConfig, mean_loss, run_epoch
from .schedules import Adaptive

#: A loss this many times above the loss of the first epoch (or of the all-zero
#: model, whichever is larger) counts as divergence ...
DIVERGENCE_FACTOR = 1e4
#: ... and so does a loss this many times above the best one when the stopping
#: rule fires: the loss has been growing, not levelling off.
RISE_FACTOR = 2.0


@dataclass(frozen=True)
class EpochSettings:
    """How to run the epochs: the estimator's parameters, resolved."""

    loss: str
    optimizer: object  # an instance from skgd.optim
    schedule: object  # an instance from skgd.schedules
    batch_size: int
    learning_rate: float
    max_iter: int
    tol: float | None
    n_iter_no_change: int
    shuffle: bool
    fit_intercept: bool
    l2: float
    l1: float
    epsilon: float
    quantile: float
    record: str | None
    verbose: int
    first_epoch: int = 0  # epochs run by earlier partial_fit calls

    def kernel_config(self, batch_size):
        return EpochConfig(
            batch_size=batch_size,
            fit_intercept=self.fit_intercept,
            l2=self.l2,
            l1=self.l1,
            epsilon=self.epsilon,
            quantile=self.quantile,
            hyper=self.optimizer._hyperparameters(),
        )

    def penalty(self, W):
        """Each target's penalty at ``W`` (the intercept column is not penalised)."""
        coef = W[:, :-1].astype(np.float64)
        return self.l1 * np.abs(coef).sum(axis=1) + 0.5 * self.l2 * np.square(coef).sum(
            axis=1
        )


@dataclass
class EpochsResult:
    history: FitHistory
    stop_reason: (
        str  # "converged", "max_iter", "diverged", "early_stopping", "callback"
    )
    n_updates: int


def evaluate_loss(loss, X, Y, sample_weight, W, config):
    """Each target's weighted mean loss at ``W`` (float64, one per target)."""
    out = np.empty(W.shape[0])
    mean_loss(CompileTimeName(loss), X, Y, sample_weight, W, config, out)
    return out


class _StoppingRule:
    """scikit-learn's rule: stop after ``n_iter_no_change`` epochs without an
    improvement of at least ``tol`` over the best loss so far."""

    def __init__(self, tol, n_iter_no_change):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.best = np.inf
        self.count = 0

    def no_improvement(self, loss):
        if self.tol is None:
            return False
        self.count = self.count + 1 if loss > self.best - self.tol else 0
        self.best = min(self.best, loss)
        return self.count >= self.n_iter_no_change


class _Targets:
    """Each target's stopping state: a target stops (converges, stops early, or
    diverges and goes back to its best parameters) on its own, as in a separate
    fit. With the adaptive schedule, each target's step shrinks on its own."""

    def __init__(self, W, zero_model_loss, settings, early_stopping):
        n_targets = W.shape[0]
        self.settings = settings
        self.early_stopping = early_stopping
        self.active = np.ones(n_targets, dtype=bool)
        self.reasons = ["max_iter"] * n_targets
        self.rules = [
            _StoppingRule(settings.tol, settings.n_iter_no_change)
            for _ in range(n_targets)
        ]
        self.multipliers = np.ones(n_targets)  # the adaptive schedule's reductions
        self.best_loss = np.full(n_targets, np.inf)
        self.best_W = W.copy()  # at the start of the best training epoch
        self.best_val_loss = np.full(n_targets, np.inf)
        self.best_val_W = W.copy()  # at the end of the best validation epoch
        self.zero_model_loss = zero_model_loss
        self.reference = None

    def freeze_diverged(self, t, W):
        W[t] = self.best_W[t]
        self.active[t] = False
        self.reasons[t] = "diverged"

    def update(self, losses, val_losses, start_W, W):
        """Apply the rules after a recorded epoch whose losses are finite."""
        if self.reference is None:
            self.reference = np.maximum(losses, self.zero_model_loss)
        for t in np.flatnonzero(self.active):
            if losses[t] < self.best_loss[t]:
                # The loss was measured along the epoch, from its start.
                self.best_loss[t] = losses[t]
                self.best_W[t] = start_W[t]
            if self.early_stopping and val_losses[t] < self.best_val_loss[t]:
                self.best_val_loss[t] = val_losses[t]
                self.best_val_W[t] = W[t]
            monitored = val_losses[t] if self.early_stopping else losses[t]
            stalled = self.rules[t].no_improvement(monitored)
            if stalled and self._reduce_step(t):
                continue
            rising = stalled and losses[t] > RISE_FACTOR * self.best_loss[t]
            if losses[t] > DIVERGENCE_FACTOR * self.reference[t] or rising:
                self.freeze_diverged(t, W)
            elif stalled:
                self.active[t] = False
                self.reasons[t] = (
                    "early_stopping" if self.early_stopping else "converged"
                )

    def _reduce_step(self, t):
        """The adaptive schedule: a smaller step instead of a stop, while allowed."""
        schedule = self.settings.schedule
        if not isinstance(schedule, Adaptive):
            return False
        reduced = self.multipliers[t] * schedule.factor
        if reduced * self.settings.learning_rate < schedule.min_learning_rate:
            return False
        self.multipliers[t] = reduced
        self.rules[t].count = 0
        return True

    def stop_all(self, reason):
        for t in np.flatnonzero(self.active):
            self.reasons[t] = reason
        self.active[:] = False

    def restore_best_validation(self, W):
        for t, reason in enumerate(self.reasons):
            if reason != "diverged" and np.isfinite(self.best_val_loss[t]):
                W[t] = self.best_val_W[t]

    @property
    def stop_reason(self):
        for reason in ("diverged", "callback"):
            if reason in self.reasons:
                return reason
        if all(r == "early_stopping" for r in self.reasons):
            return "early_stopping"
        if all(r in ("converged", "early_stopping") for r in self.reasons):
            return "converged"
        return "max_iter"


def run_epochs(
    X,
    Y,
    sample_weight,
    W,
    settings,
    rng,
    optimizer_state,
    validation=None,
    monitor=None,
):
    """Run up to ``settings.max_iter`` epochs, updating ``W`` in place.

    ``optimizer_state`` is ``(slots, count)`` and is updated in place.
    ``validation`` is ``(X_val, Y_val, sample_weight_val)`` for early stopping.
    ``monitor`` (scikit-learn's callbacks) hears of every epoch's beginning and
    end (``begin_epoch()``, ``end_epoch(W, history)``), and stops the fit when
    ``end_epoch`` returns true.

    Divergence of a target (a non-finite loss or parameter, a loss
    ``DIVERGENCE_FACTOR`` times too large, or a loss that grew to
    ``RISE_FACTOR`` times its best when the stopping rule fires) stops it and
    puts back its parameters from the start of its best epoch. An epoch that
    produced non-finite values is not recorded.
    """
    n_samples = X.shape[0]
    batch_size = min(settings.batch_size, n_samples)
    n_batches = -(-n_samples // batch_size)
    config = settings.kernel_config(batch_size)
    loss_name = CompileTimeName(settings.loss)
    rule = CompileTimeName(settings.optimizer._rule)
    slots, count = optimizer_state
    history = FitHistory(W, settings.record, validation is not None)
    n_path = n_batches if settings.record == "update" else 0
    path = np.empty((n_path,) + W.shape, dtype=W.dtype)
    grad = np.empty(W.shape)
    target_loss = np.empty(W.shape[0])
    order = np.arange(n_samples)
    shuffle = settings.shuffle and batch_size < n_samples
    zero_model_loss = evaluate_loss(
        settings.loss, X, Y, sample_weight, np.zeros_like(W), config
    )
    targets = _Targets(W, zero_model_loss, settings, validation is not None)
    n_updates = 0
    start = time.perf_counter()
    for epoch in range(settings.first_epoch, settings.first_epoch + settings.max_iter):
        if shuffle:
            order = rng.permutation(n_samples)
        start_W = W.copy()
        if monitor is not None:
            monitor.begin_epoch()
        learning_rate = (
            settings.learning_rate
            * settings.schedule.multiplier(epoch, settings.max_iter)
            * targets.multipliers
        )
        run_epoch(
            loss_name,
            rule,
            X,
            Y,
            sample_weight,
            order,
            W,
            targets.active,
            learning_rate,
            config,
            slots,
            count,
            grad,
            target_loss,
            path,
        )
        losses = target_loss / n_samples + settings.penalty(start_W)
        finite = np.isfinite(losses) & np.isfinite(W).all(axis=1)
        if not finite.all():
            # Undo the epoch; the targets that blew up stop at their best, the
            # others run it again (with shuffling, on the next permutation).
            W[...] = start_W
            for t in np.flatnonzero(~finite):
                targets.freeze_diverged(t, W)
            if monitor is not None:
                monitor.end_epoch(W, history)
            if not targets.active.any():
                break
            continue
        val_losses = None
        if validation is not None:
            val_losses = evaluate_loss(settings.loss, *validation, W, config)
        n_updates += n_batches
        step = float(learning_rate[targets.active].max())
        history.add_epoch(
            loss=float(losses.sum()),
            val_loss=None if val_losses is None else float(val_losses.sum()),
            learning_rate=step,
            n_updates=n_updates,
            time=time.perf_counter() - start,
            W=W,
            path=path,
        )
        if settings.verbose:
            print(history.describe_last_epoch())
        targets.update(losses, val_losses, start_W, W)
        if monitor is not None and monitor.end_epoch(W, history):
            targets.stop_all("callback")
        if not targets.active.any():
            break
    if validation is not None:
        targets.restore_best_validation(W)
    return EpochsResult(history, targets.stop_reason, n_updates)
