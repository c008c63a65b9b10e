"""The epoch loop: batches, kernel call, history, stopping rules.

Python runs once per epoch; everything per sample or per batch happens inside
the compiled kernel.
"""

import math
import time
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ._dask_chunks import DaskChunks
from ._history import FitHistory
from ._jit import CompileTimeName
from ._kernels import EpochConfig, accumulate_gradient, run_epoch
from ._losses import JOINT_LOSSES, SMOOTH_LOSSES, TRIVIAL_AT_ZERO
from ._rows import CSR, kernel_data
from ._sparse_kernels import lazy_sgd_epoch, sparse_epoch
from ._threads import ThreadedBatchEpoch, full_batch_epoch, n_batch_threads
from .schedules import Adaptive

#: A recorded loss this many times above the loss at the starting parameters
#: (or of the all-zero model, whichever is larger) is divergence at once.
DIVERGENCE_FACTOR = 1e4
#: A noisy fit (a stochastic solver, an adaptive optimizer, a non-smooth loss)
#: ending this many times above the larger of its start and the all-zero
#: model's loss diverged; one ending above its start but below that, with its
#: losses not rising, sits in its own noise (see ``_Targets``).
FAR_ABOVE = 2.0
#: The recent losses rise when their least-squares slope is this many standard
#: errors above zero (and the rise exceeds ``tol``) ...
RISING_T_STATISTIC = 3.0
#: ... over the last ``max(n_iter_no_change + 1, MIN_TREND_WINDOW)`` epochs.
MIN_TREND_WINDOW = 5
#: Losses within this fraction of the reference scale of the start are equal
#: (rounding, float32 parameters).
START_SLACK = 1e-6


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
    n_jobs: int | None = None  # threads of the batch solver (joblib's meaning)
    # partial_fit after earlier calls: the loss at the start is not measured
    # (the all-zero model's stands in for it) and the end is not judged.
    continued: bool = False
    # Bytes the parameter histories may take (see ``_history``).
    history_budget: float = math.inf

    @property
    def joint_targets(self):
        """Whether the loss couples the targets, which then stop together."""
        return self.loss in JOINT_LOSSES

    @property
    def trivial_at_zero(self):
        """Whether all-zero parameters minimise the loss trivially."""
        return self.loss in TRIVIAL_AT_ZERO

    def exact_descent(self, full_batch):
        """Whether the losses are free of noise: full-batch steps of plain
        gradient descent or momentum on a smooth loss. Such a fit that ends
        above its start diverged, by any margin; the others (stochastic
        batches, adaptive steps, kinks) may end above it in their own noise."""
        return (
            full_batch
            and self.optimizer._rule in ("sgd", "momentum")
            and self.loss in SMOOTH_LOSSES
        )

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
        return penalty(W, self.l2, self.l1)


def penalty(W, l2, l1):
    """Each target's penalty ``l1 * ||coef||_1 + (l2 / 2) * ||coef||**2`` at
    ``W`` (the intercept column is not penalised)."""
    coef = W[:, :-1].astype(np.float64)
    return l1 * np.abs(coef).sum(axis=1) + 0.5 * l2 * np.square(coef).sum(axis=1)


class Validation(NamedTuple):
    """The held-out data of early stopping: the ``rows`` of ``X`` (``None``:
    all of them; ``X`` is not copied), their targets and weights.

    ``scores`` names extra columns of the history, each with its function of
    ``W`` (the classifier's ``{"val_accuracy": ...}``).
    """

    X: np.ndarray
    Y: np.ndarray
    sample_weight: np.ndarray
    scores: Mapping[str, Callable] | None = None
    rows: np.ndarray | None = None

    def columns(self):
        return ["val_loss", *(self.scores or {})]

    def evaluate(self, settings, W, config):
        """Each target's loss at ``W``, and the scores."""
        losses = evaluate_loss(
            settings.loss, self.X, self.Y, self.sample_weight, W, config, self.rows
        )
        scores = {name: score(W) for name, score in (self.scores or {}).items()}
        return losses, scores


@dataclass
class EpochsResult:
    history: FitHistory
    stop_reason: (
        str  # "converged", "max_iter", "diverged", "early_stopping", "callback"
    )
    n_updates: int
    #: ``(first, last)`` recent losses of a fit that was still rising when it
    #: ended without diverging (``None`` otherwise).
    rising: tuple | None = None
    #: Whether a target ended above its start in its own noise (and got its
    #: best parameters back).
    in_noise: bool = False


def evaluate_loss(loss, X, Y, sample_weight, W, config, rows=None):
    """Each target's weighted mean loss at ``W`` over ``rows`` of ``X`` (all
    rows when ``None``), as float64, one per target."""
    if isinstance(X, DaskChunks):
        return X.mean_loss(CompileTimeName(loss), W, config)
    X = kernel_data(X)
    if rows is None:
        rows = np.arange(X.shape[0] if isinstance(X, np.ndarray) else len(Y))
    # The gradient kernel with no target active sums the losses only: the
    # same compiled code as the epochs' (no second kernel per loss).
    total = np.zeros(W.shape[0])
    accumulate_gradient(
        CompileTimeName(loss), X, Y, sample_weight, rows, W,
        np.zeros(W.shape[0], dtype=bool), config, np.empty(W.shape), total,
    )  # fmt: skip
    return total / max(len(rows), 1)


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
    """The stopping state of each group of targets.

    A group stops (converges, stops early, or diverges and goes back to its
    best parameters) on its own, as a separate fit would; with the adaptive
    schedule its step shrinks on its own. Each target is its own group, except
    under a loss that couples them (the multinomial), where all targets form
    one group. The methods take and return per-group values; ``W`` rows are
    per target.

    Divergence is judged against the loss at the starting parameters
    (``start_loss``, measured before any update) and against the loss of the
    all-zero model (the scale of the problem):

    - a non-finite loss or parameter, or a loss ``DIVERGENCE_FACTOR`` times
      above the larger of the two, diverges at once;
    - when the stopping rule fires, a loss still rising (``_rising``) is not
      converged: the epochs go on. Exact descent (``exact``: full-batch steps
      of plain gradient descent or momentum on a smooth loss) goes on too while
      its loss is above the start (momentum's can fall again after an
      overshoot), and plain descent (``monotone``), which never rises with a
      step that converges, diverges there when its loss is both;
    - at the end the loss at the final parameters is measured. Exact descent
      ending above its start diverged. A noisy fit (stochastic batches,
      adaptive steps, kinks) diverged if it ends ``FAR_ABOVE`` times above the
      larger reference, or above its start with its losses rising; one that
      ends above its start otherwise sits in its own noise: it keeps the best
      parameters it saw, with its stop reason, and says so (``in_noise``).

    ``objective(W)`` measures each target's loss (with the penalty) at ``W``:
    the parameters kept are the better of the start of the best epoch and the
    start itself, measured, never worse than the start.
    """

    def __init__(self, W, start_loss, zero_model_loss, settings, kinds, objective):
        n_targets = W.shape[0]
        self.settings = settings
        self.early_stopping, self.exact = kinds
        self.monotone = self.exact and settings.optimizer._rule == "sgd"
        self.objective = objective
        joint = settings.joint_targets
        self.group_of = np.zeros(n_targets, int) if joint else np.arange(n_targets)
        n_groups = self.group_of.max() + 1
        self.active = np.ones(n_groups, dtype=bool)
        self.reasons = ["max_iter"] * n_groups
        self.rules = [
            _StoppingRule(settings.tol, settings.n_iter_no_change)
            for _ in range(n_groups)
        ]
        self.multipliers = np.ones(n_groups)  # the adaptive schedule's reductions
        self.start_loss = self.per_group(start_loss)
        self.zero_model_loss = self.per_group(zero_model_loss)
        self.reference = np.maximum(self.start_loss, self.zero_model_loss)
        # A trivial loss started at zero (the perceptron's 0) is judged only on
        # non-finite values, and its zero start is no candidate for the best.
        self.judged = np.array(
            [
                not (settings.trivial_at_zero and not W[self.members(g)].any())
                for g in range(n_groups)
            ]
        )
        self.start_W = W.copy()
        self.best_loss = np.where(self.judged, self.start_loss, np.inf)
        self.best_W = W.copy()  # at the start of the best training epoch
        self.best_val_loss = np.full(n_groups, np.inf)
        self.best_val_W = W.copy()  # at the end of the best validation epoch
        self.window = max(settings.n_iter_no_change + 1, MIN_TREND_WINDOW)
        self.recent = [[] for _ in range(n_groups)]  # the last ``window`` losses
        self.in_noise = []  # groups that ended above their start, in their noise

    def per_group(self, per_target):
        """Sum per-target values over each group."""
        return np.bincount(
            self.group_of, weights=per_target, minlength=len(self.active)
        )

    def per_target(self, per_group):
        return per_group[self.group_of]

    def members(self, g):
        return self.group_of == g

    def restore_best(self, g, W):
        """Put back the group's best parameters: the start of its best epoch
        (judged by its loss along the epoch) or, when the loss measured there
        is above the start's, the start."""
        rows = self.members(g)
        candidate = W.copy()
        candidate[rows] = self.best_W[rows]
        measured = not self.settings.continued and self.judged[g]
        if measured and not (candidate[rows] == self.start_W[rows]).all():
            loss = self.per_group(self.objective(candidate))[g]
            if not loss <= self.start_loss[g]:
                candidate[rows] = self.start_W[rows]
        W[rows] = candidate[rows]

    def freeze_diverged(self, g, W):
        self.restore_best(g, W)
        self.active[g] = False
        self.reasons[g] = "diverged"

    def update(self, losses, val_losses, start_W, W):
        """Apply the rules after a recorded epoch whose losses are finite."""
        for g in np.flatnonzero(self.active):
            rows = self.members(g)
            if self.settings.trivial_at_zero and not start_W[rows].any():
                continue
            if losses[g] < self.best_loss[g]:
                # The loss was measured along the epoch, from its start.
                self.best_loss[g] = losses[g]
                self.best_W[rows] = start_W[rows]
            self.recent[g] = [*self.recent[g], losses[g]][-self.window :]
            if self.early_stopping and val_losses[g] < self.best_val_loss[g]:
                self.best_val_loss[g] = val_losses[g]
                self.best_val_W[rows] = W[rows]
            if self._exploding(g, losses[g]):
                self.freeze_diverged(g, W)
                continue
            monitored = val_losses[g] if self.early_stopping else losses[g]
            if not self.rules[g].no_improvement(monitored) or self._reduce_step(g):
                continue
            above, rising = self._above_start(g, losses[g]), self._rising(g)
            if self.monotone and above and rising:
                self.freeze_diverged(g, W)
            elif rising or (self.exact and above):
                # No improvement because the loss went up: not converged.
                self.rules[g].count = 0
            else:
                self.active[g] = False
                self.reasons[g] = (
                    "early_stopping" if self.early_stopping else "converged"
                )

    def finish(self, final_losses, W):
        """Judge each group that did not diverge by its loss at the final
        parameters; return the ``(first, last)`` recent losses of a group
        still rising without having diverged (``None`` if there is none)."""
        final = self.per_group(final_losses)
        rising = None
        for g in range(len(self.active)):
            if self.reasons[g] in ("diverged", "callback"):
                continue
            going_up = self._rising(g)
            if self._above_start(g, final[g]):
                # (A trivial loss, the perceptron's, has no scale to be far
                # from: its start can be next to 0.)
                far = final[g] > FAR_ABOVE * self.reference[g]
                far = far and not self.settings.trivial_at_zero
                if self.exact or far or going_up:
                    self.freeze_diverged(g, W)
                    continue
                self.restore_best(g, W)
                self.in_noise.append(g)
            elif going_up:
                rising = (self.recent[g][0], self.recent[g][-1])
        return rising

    def _exploding(self, g, loss):
        return 0.0 < self.reference[g] * DIVERGENCE_FACTOR < loss

    def _above_start(self, g, loss):
        """Whether ``loss`` is above the start (beyond rounding)."""
        if not (self.judged[g] and self.reference[g] > 0.0):
            return False
        return loss > self.start_loss[g] + START_SLACK * self.reference[g]

    def _rising(self, g):
        """Whether the recent losses trend upwards: a least-squares slope
        ``RISING_T_STATISTIC`` standard errors above zero, and a rise over the
        window above ``tol`` (and above rounding)."""
        y = np.asarray(self.recent[g])
        m = len(y)
        if m < 3:
            return False
        x = np.arange(m) - (m - 1) / 2
        slope = float(x @ (y - y.mean()) / (x @ x))
        residuals = y - y.mean() - slope * x
        standard_error = math.sqrt(residuals @ residuals / (m - 2) / (x @ x))
        rise = slope * (m - 1)
        smallest = max(self.settings.tol or 0.0, 1e-9 * self.reference[g])
        return rise > smallest and slope > RISING_T_STATISTIC * standard_error

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
        for g, reason in enumerate(self.reasons):
            if reason != "diverged" and np.isfinite(self.best_val_loss[g]):
                rows = self.members(g)
                W[rows] = self.best_val_W[rows]

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


def _epoch_kernel(X, W, settings, batch_size, order):
    """The compiled epoch for this data and solver, as a context manager
    giving a function with ``_kernels.run_epoch``'s arguments."""
    if isinstance(X, DaskChunks):
        return nullcontext(X.batch_epoch)
    if isinstance(X, CSR):
        if settings.optimizer._rule == "sgd":
            return nullcontext(_lazy_sgd_epoch)
        return nullcontext(sparse_epoch)
    n_samples = len(order)
    if batch_size == n_samples:
        n_threads = n_batch_threads(settings.n_jobs, n_samples)
        if n_threads > 1:
            return ThreadedBatchEpoch(n_threads, order, W)
        return nullcontext(full_batch_epoch)
    return nullcontext(run_epoch)


def _lazy_sgd_epoch(
    loss, rule, X, Y, sample_weight, order, W, active, learning_rate, config,
    slots, count, grad, target_loss, path,
):  # fmt: skip
    lazy_sgd_epoch(
        loss, X, Y, sample_weight, order, W, active, learning_rate, config, count,
        target_loss, path,
    )  # fmt: skip


def _starting_losses(settings, X, Y, sample_weight, W, config, rows):
    """Each target's loss at the all-zero model and at the starting ``W``
    (with the penalty), measured before any update."""
    if isinstance(X, np.ndarray):
        # Every prediction of the all-zero model is 0, whatever X is: no
        # column of X is read (the same compiled kernel, on zero columns).
        zero_model_loss = evaluate_loss(
            settings.loss, X[:, :0], Y, sample_weight,
            np.zeros((W.shape[0], 1), dtype=W.dtype), config, rows,
        )  # fmt: skip
    else:
        zero_model_loss = evaluate_loss(
            settings.loss, X, Y, sample_weight, np.zeros_like(W), config, rows
        )
    if not np.isfinite(zero_model_loss).all():
        raise ValueError(
            "Floating-point overflow: the loss of the all-zero model is not "
            "finite, so the targets are too large to be fitted. Scale the "
            "targets, for example with sklearn.compose.TransformedTargetRegressor"
            "(regressor, transformer=StandardScaler())."
        )
    if settings.continued or not W.any():
        return zero_model_loss, zero_model_loss
    start_loss = evaluate_loss(
        settings.loss, X, Y, sample_weight, W, config, rows
    ) + settings.penalty(W)
    if not np.isfinite(start_loss).all():
        raise ValueError(
            "Floating-point overflow: the loss at the starting parameters "
            "(coef_init and intercept_init, or the warm start) is not finite. "
            "Start from smaller parameters, or scale the data with "
            "StandardScaler or MinMaxScaler."
        )
    return zero_model_loss, start_loss


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
    rows=None,
):
    """Run up to ``settings.max_iter`` epochs, updating ``W`` in place.

    ``X`` is dense or sparse, or a ``DaskChunks`` (then ``Y`` and
    ``sample_weight`` are on the cluster with it, and ``None`` here);
    ``_epoch_kernel`` picks the compiled epoch for it (the threaded full-batch
    epoch under ``settings.n_jobs``, the map-reduce over a Dask cluster).
    ``rows`` are the training rows of ``X`` (all of them when ``None``),
    visited in their order when the solver does not shuffle.

    ``optimizer_state`` is ``(slots, count)`` and is updated in place.
    ``validation`` (a ``Validation``) is the held-out data of early stopping.
    ``monitor`` (scikit-learn's callbacks) hears of every epoch's beginning and
    end (``begin_epoch()``, ``end_epoch(W, history)``), and stops the fit when
    ``end_epoch`` returns true.

    Divergence of a target, or of the group of targets of a multinomial loss
    (see ``_Targets``), stops it and puts back its parameters from the start of
    its best epoch. An epoch that produced non-finite values is not recorded.
    """
    on_cluster = isinstance(X, DaskChunks)
    all_rows = rows is None
    if all_rows:
        # The full batch on a cluster takes no order (and the client holds
        # nothing of the size of the data).
        rows = np.arange(0 if on_cluster else X.shape[0])
    # Sparse data as the kernels take it, once for the whole fit.
    X = kernel_data(X)
    if validation is not None:
        validation = validation._replace(X=kernel_data(validation.X))
    n_samples = X.shape[0] if on_cluster else len(rows)
    batch_size = min(settings.batch_size, n_samples)
    n_batches = -(-n_samples // batch_size)
    config = settings.kernel_config(batch_size)
    loss_name = CompileTimeName(settings.loss)
    rule = CompileTimeName(settings.optimizer._rule)
    slots, count = optimizer_state
    history = FitHistory(
        W,
        settings.record,
        [] if validation is None else validation.columns(),
        settings.history_budget,
    )
    # The parameters after every update, if an epoch's worth fits the budget.
    n_path = n_batches if settings.record == "update" else 0
    if not history.fits(n_path * W.nbytes):
        n_path = 0
    path = np.empty((n_path,) + W.shape, dtype=W.dtype)
    grad = np.empty(W.shape)
    target_loss = np.empty(W.shape[0])
    order = rows
    shuffle = settings.shuffle and batch_size < n_samples
    zero_model_loss, start_loss = _starting_losses(
        settings, X, Y, sample_weight, W, config, rows
    )

    def objective(params):
        return evaluate_loss(
            settings.loss, X, Y, sample_weight, params, config, rows
        ) + settings.penalty(params)

    kinds = (
        validation is not None,
        settings.exact_descent(batch_size == n_samples),
    )
    targets = _Targets(W, start_loss, zero_model_loss, settings, kinds, objective)
    with _epoch_kernel(X, W, settings, batch_size, order) as epoch_kernel:
        n_updates = 0
        start = time.perf_counter()
        for epoch in range(
            settings.first_epoch, settings.first_epoch + settings.max_iter
        ):
            if shuffle:
                permutation = rng.permutation(n_samples)
                order = permutation if all_rows else rows[permutation]
            start_W = W.copy()
            if monitor is not None:
                monitor.begin_epoch()
            learning_rate = (
                settings.learning_rate
                * settings.schedule.multiplier(epoch, settings.max_iter)
                * targets.per_target(targets.multipliers)
            )
            epoch_kernel(
                loss_name,
                rule,
                X,
                Y,
                sample_weight,
                order,
                W,
                targets.per_target(targets.active),
                learning_rate,
                config,
                slots,
                count,
                grad,
                target_loss,
                path,
            )
            losses = targets.per_group(
                target_loss / n_samples + settings.penalty(start_W)
            )
            finite_W = np.isfinite(W).all(axis=1)
            finite = np.isfinite(losses) & (targets.per_group(~finite_W) == 0)
            if not finite.all():
                # Undo the epoch; the targets that blew up stop at their best, the
                # others run it again (with shuffling, on the next permutation).
                W[...] = start_W
                for g in np.flatnonzero(~finite):
                    targets.freeze_diverged(g, W)
                if monitor is not None:
                    monitor.end_epoch(W, history)
                if not targets.active.any():
                    break
                continue
            val_losses, val_scores = None, {}
            if validation is not None:
                val_losses, val_scores = validation.evaluate(settings, W, config)
                val_losses = targets.per_group(val_losses)
                val_scores["val_loss"] = float(val_losses.sum())
            n_updates += n_batches
            step = float(learning_rate[targets.per_target(targets.active)].max())
            history.add_epoch(
                loss=float(losses.sum()),
                **val_scores,
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
    rising = None
    undecided = [r not in ("diverged", "callback") for r in targets.reasons]
    if not settings.continued and any(undecided):
        rising = targets.finish(objective(W), W)
    return EpochsResult(
        history, targets.stop_reason, n_updates, rising, bool(targets.in_noise)
    )
