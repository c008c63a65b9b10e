"""The epoch loop: batches, kernel call, history, stopping rules.

Python runs once per epoch; everything per sample or per batch happens inside
the compiled kernel.
"""

import time
from dataclasses import dataclass

import numpy as np

from ._history import FitHistory
from ._kernels import empty_path, minibatch_epoch

#: A loss this many times above the loss of the first epoch (or of the all-zero
#: model, whichever is larger) counts as divergence ...
DIVERGENCE_FACTOR = 1e4
#: ... and so does a loss this many times above the best one when the stopping
#: rule fires: the loss has been growing, not levelling off.
RISE_FACTOR = 2.0


@dataclass(frozen=True)
class EpochSettings:
    """How to run the epochs: the estimator's parameters, resolved."""

    batch_size: int
    learning_rate: float
    max_iter: int
    tol: float | None
    n_iter_no_change: int
    shuffle: bool
    fit_intercept: bool
    record: str | None
    verbose: int


@dataclass
class EpochsResult:
    history: FitHistory
    stop_reason: str  # "converged", "max_iter" or "diverged"
    n_updates: int


class _StoppingRule:
    """scikit-learn's rule: stop after ``n_iter_no_change`` epochs without an
    improvement of at least ``tol`` over the best loss so far."""

    def __init__(self, tol, n_iter_no_change):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.best = np.inf
        self.count = 0

    def converged(self, loss):
        if self.tol is None:
            return False
        self.count = self.count + 1 if loss > self.best - self.tol else 0
        self.best = min(self.best, loss)
        return self.count >= self.n_iter_no_change


class _Targets:
    """Each target's stopping state: a target stops (converges, or diverges and
    goes back to its best parameters) on its own, as in a separate fit."""

    def __init__(self, coef, intercept, zero_model_loss, settings):
        n_targets = coef.shape[0]
        self.active = np.ones(n_targets, dtype=bool)
        self.reasons = ["max_iter"] * n_targets
        self.rules = [
            _StoppingRule(settings.tol, settings.n_iter_no_change)
            for _ in range(n_targets)
        ]
        self.best_loss = np.full(n_targets, np.inf)
        self.best_coef, self.best_intercept = coef.copy(), intercept.copy()
        self.zero_model_loss = zero_model_loss
        self.reference = None

    def freeze_diverged(self, t, coef, intercept):
        coef[t], intercept[t] = self.best_coef[t], self.best_intercept[t]
        self.active[t] = False
        self.reasons[t] = "diverged"

    def update(self, losses, start_coef, start_intercept, coef, intercept):
        """Apply the rules after a recorded epoch whose losses are finite."""
        if self.reference is None:
            self.reference = np.maximum(losses, self.zero_model_loss)
        for t in np.flatnonzero(self.active):
            if losses[t] < self.best_loss[t]:
                # The loss was measured along the epoch, from its start.
                self.best_loss[t] = losses[t]
                self.best_coef[t] = start_coef[t]
                self.best_intercept[t] = start_intercept[t]
            stopped = self.rules[t].converged(losses[t])
            exploded = losses[t] > DIVERGENCE_FACTOR * self.reference[t]
            if exploded or (stopped and losses[t] > RISE_FACTOR * self.best_loss[t]):
                self.freeze_diverged(t, coef, intercept)
            elif stopped:
                self.active[t] = False
                self.reasons[t] = "converged"

    @property
    def stop_reason(self):
        if "diverged" in self.reasons:
            return "diverged"
        return (
            "converged" if all(r == "converged" for r in self.reasons) else "max_iter"
        )


def run_epochs(X, Y, sample_weight, coef, intercept, settings, rng):
    """Run up to ``settings.max_iter`` epochs, updating ``coef`` and ``intercept``.

    Divergence of a target (a non-finite loss or parameter, a loss
    ``DIVERGENCE_FACTOR`` times too large, or a loss that grew to
    ``RISE_FACTOR`` times its best when the stopping rule fires) stops it and
    puts back its parameters from the start of its best epoch. An epoch that
    produced non-finite values is not recorded.
    """
    n_samples = X.shape[0]
    batch_size = min(settings.batch_size, n_samples)
    n_batches = -(-n_samples // batch_size)
    history = FitHistory(coef, intercept, settings.record)
    if settings.record == "update":
        coef_path = np.empty((n_batches,) + coef.shape, dtype=coef.dtype)
        intercept_path = np.empty((n_batches,) + intercept.shape, dtype=coef.dtype)
    else:
        coef_path, intercept_path = empty_path(coef)
    grad_coef = np.empty(coef.shape)
    grad_intercept = np.empty(intercept.shape)
    target_loss = np.empty(coef.shape[0])
    order = np.arange(n_samples)
    shuffle = settings.shuffle and batch_size < n_samples
    zero_model_loss = sample_weight @ np.square(Y, dtype=np.float64) / n_samples
    targets = _Targets(coef, intercept, zero_model_loss, settings)
    n_updates = 0
    start = time.perf_counter()
    for _ in range(settings.max_iter):
        if shuffle:
            order = rng.permutation(n_samples)
        start_coef, start_intercept = coef.copy(), intercept.copy()
        minibatch_epoch(
            X,
            Y,
            sample_weight,
            order,
            batch_size,
            coef,
            intercept,
            targets.active,
            settings.fit_intercept,
            settings.learning_rate,
            grad_coef,
            grad_intercept,
            target_loss,
            coef_path,
            intercept_path,
        )
        losses = target_loss / n_samples
        finite = (
            np.isfinite(losses) & np.isfinite(coef).all(axis=1) & np.isfinite(intercept)
        )
        if not finite.all():
            # Undo the epoch; the targets that blew up stop at their best, the
            # others run it again (with shuffling, on the next permutation).
            coef[...], intercept[...] = start_coef, start_intercept
            for t in np.flatnonzero(~finite):
                targets.freeze_diverged(t, coef, intercept)
            if not targets.active.any():
                break
            continue
        n_updates += n_batches
        history.add_epoch(
            loss=float(losses.sum()),
            learning_rate=settings.learning_rate,
            n_updates=n_updates,
            time=time.perf_counter() - start,
            coef=coef,
            intercept=intercept,
            coef_path=coef_path,
            intercept_path=intercept_path,
        )
        if settings.verbose:
            print(
                f"Epoch {history.n_epochs}, loss: {losses.sum():.6g}, "
                f"learning rate: {settings.learning_rate:.4g}, "
                f"time: {history.columns['time'][-1]:.3f} s"
            )
        targets.update(losses, start_coef, start_intercept, coef, intercept)
        if not targets.active.any():
            break
    return EpochsResult(history, targets.stop_reason, n_updates)
