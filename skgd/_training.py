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
#: model, whichever is larger) counts as divergence.
DIVERGENCE_FACTOR = 1e10


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


def run_epochs(X, Y, sample_weight, coef, intercept, settings, rng):
    """Run up to ``settings.max_iter`` epochs, updating ``coef`` and ``intercept``.

    On divergence (a non-finite loss or parameter, or a loss
    ``DIVERGENCE_FACTOR`` times too large) the parameters of the last finite
    epoch are restored and the diverging epoch is not recorded.
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
    order = np.arange(n_samples)
    shuffle = settings.shuffle and batch_size < n_samples
    zero_model_loss = float(sample_weight @ np.square(Y, dtype=np.float64).sum(axis=1))
    rule = _StoppingRule(settings.tol, settings.n_iter_no_change)
    reference = None
    n_updates = 0
    stop_reason = "max_iter"
    start = time.perf_counter()
    for _ in range(settings.max_iter):
        if shuffle:
            order = rng.permutation(n_samples)
        last_coef, last_intercept = coef.copy(), intercept.copy()
        loss = (
            minibatch_epoch(
                X,
                Y,
                sample_weight,
                order,
                batch_size,
                coef,
                intercept,
                settings.fit_intercept,
                settings.learning_rate,
                grad_coef,
                grad_intercept,
                coef_path,
                intercept_path,
            )
            / n_samples
        )
        if reference is None:
            reference = max(loss, zero_model_loss / n_samples)
        if _diverged(loss, reference, coef, intercept):
            coef[...], intercept[...] = last_coef, last_intercept
            stop_reason = "diverged"
            break
        n_updates += n_batches
        history.add_epoch(
            loss=loss,
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
                f"Epoch {history.n_epochs}, loss: {loss:.6g}, "
                f"learning rate: {settings.learning_rate:.4g}, "
                f"time: {history.columns['time'][-1]:.3f} s"
            )
        if rule.converged(loss):
            stop_reason = "converged"
            break
    return EpochsResult(history, stop_reason, n_updates)


def _diverged(loss, reference, coef, intercept):
    return not (
        np.isfinite(loss)
        and loss <= DIVERGENCE_FACTOR * reference
        and np.isfinite(coef).all()
        and np.isfinite(intercept).all()
    )
