"""Compiled (numba) inner loops.

The kernel contract, after scikit-learn-contrib/lightning: the estimator validates
and allocates everything; a kernel takes arrays and scalars, changes the parameter
arrays in place and returns plain numbers. A kernel never raises a scikit-learn
error, never prints and never sees an estimator.

Shapes used throughout:

- ``X``: (n_samples, n_features), C-contiguous, float32 or float64, read only;
- ``Y``: (n_samples, n_targets), same dtype as ``X``;
- ``sample_weight``: (n_samples,), normalised to mean 1, so that a batch
  gradient ``mean_i(w_i * g_i)`` is an unbiased estimate of the weighted mean
  gradient and equals it for the full batch;
- ``coef``: (n_targets, n_features) and ``intercept``: (n_targets,).

Each target has its own loss (its mean squared error) and is updated only while
it is ``active``: every target is fitted exactly as a separate fit would fit it.
"""

import numba
import numpy as np

# Reassociation lets LLVM vectorise the dot products and gradient sums; no
# "nnan"/"ninf": divergence is detected by looking for non-finite values.
_JIT = dict(cache=True, nogil=True, fastmath={"reassoc", "contract", "nsz"})


@numba.njit(**_JIT)
def _residual(X, Y, i, t, coef, intercept):
    """``y_hat - y`` for sample ``i`` and target ``t``."""
    prediction = float(intercept[t])
    for j in range(X.shape[1]):
        prediction += X[i, j] * coef[t, j]
    return prediction - Y[i, t]


@numba.njit(**_JIT)
def _accumulate_squared_error(
    X,
    Y,
    sample_weight,
    rows,
    coef,
    intercept,
    active,
    grad_coef,
    grad_intercept,
    target_loss,
):
    """Add the gradient of ``sum_i w_i (y_hat_i - y_i)**2`` over ``rows``.

    Every row of ``X`` is read once: its predictions and its contribution to the
    gradient are computed while the row is in cache. Each sample's weighted loss,
    taken at the parameters before the update, is added to ``target_loss``. The
    gradient of inactive targets is not computed.
    """
    n_targets, n_features = coef.shape
    for i in rows:
        weight = sample_weight[i]
        for t in range(n_targets):
            residual = _residual(X, Y, i, t, coef, intercept)
            target_loss[t] += weight * residual * residual
            if active[t]:
                g = 2.0 * weight * residual
                grad_intercept[t] += g
                for j in range(n_features):
                    grad_coef[t, j] += g * X[i, j]


@numba.njit(**_JIT)
def _sgd_step(
    X,
    Y,
    sample_weight,
    i,
    coef,
    intercept,
    active,
    fit_intercept,
    learning_rate,
    target_loss,
):
    """One per-sample update, straight into the parameters (no gradient buffer).

    The same arithmetic as a batch of one in ``minibatch_epoch``.
    """
    n_targets, n_features = coef.shape
    for t in range(n_targets):
        residual = _residual(X, Y, i, t, coef, intercept)
        target_loss[t] += sample_weight[i] * residual * residual
        if active[t]:
            step = learning_rate * 2.0 * sample_weight[i] * residual
            for j in range(n_features):
                coef[t, j] -= step * X[i, j]
            if fit_intercept:
                intercept[t] -= step


@numba.njit(**_JIT)
def minibatch_epoch(
    X,
    Y,
    sample_weight,
    order,
    batch_size,
    coef,
    intercept,
    active,
    fit_intercept,
    learning_rate,
    grad_coef,
    grad_intercept,
    target_loss,
    coef_path,
    intercept_path,
):
    """One epoch of mini-batch gradient descent on the squared error.

    The samples are visited in ``order``, ``batch_size`` at a time (the last batch
    may be smaller); each batch makes one step ``theta -= learning_rate * g``
    where ``g`` is the batch's mean gradient. ``batch_size=1`` is per-sample SGD
    and ``batch_size=n_samples`` is full-batch gradient descent. Only the targets
    flagged in ``active`` are updated (the others have stopped).

    ``target_loss`` (float64, one per target) receives the sum over the epoch's
    samples of their weighted loss, each taken just before the update that used
    it. ``coef_path`` and ``intercept_path`` receive the parameters after every
    update when they have a row per update; pass arrays with zero rows to record
    nothing. ``grad_coef`` and ``grad_intercept`` are float64 work buffers.
    """
    n_samples = order.shape[0]
    n_targets, n_features = coef.shape
    record = coef_path.shape[0] > 0
    target_loss[:] = 0.0
    update = 0
    if batch_size == 1:
        for i in order:
            _sgd_step(
                X,
                Y,
                sample_weight,
                i,
                coef,
                intercept,
                active,
                fit_intercept,
                learning_rate,
                target_loss,
            )
            if record:
                coef_path[update] = coef
                intercept_path[update] = intercept
            update += 1
        return
    for start in range(0, n_samples, batch_size):
        stop = min(start + batch_size, n_samples)
        grad_coef[:] = 0.0
        grad_intercept[:] = 0.0
        _accumulate_squared_error(
            X,
            Y,
            sample_weight,
            order[start:stop],
            coef,
            intercept,
            active,
            grad_coef,
            grad_intercept,
            target_loss,
        )
        step = learning_rate / (stop - start)
        for t in range(n_targets):
            if not active[t]:
                continue
            for j in range(n_features):
                coef[t, j] -= step * grad_coef[t, j]
            if fit_intercept:
                intercept[t] -= step * grad_intercept[t]
        if record:
            coef_path[update] = coef
            intercept_path[update] = intercept
        update += 1


@numba.njit(**_JIT)
def gram_matvec(X, sample_weight, fit_intercept, v, out):
    """``out = (1/n) sum_i w_i x_i (x_i . v)`` in one pass over ``X``.

    With ``fit_intercept`` the rows are augmented with a trailing 1, so ``v`` and
    ``out`` have ``n_features + 1`` entries.
    """
    n_samples, n_features = X.shape
    out[:] = 0.0
    for i in range(n_samples):
        s = v[n_features] if fit_intercept else 0.0
        for j in range(n_features):
            s += X[i, j] * v[j]
        s *= sample_weight[i]
        for j in range(n_features):
            out[j] += s * X[i, j]
        if fit_intercept:
            out[n_features] += s
    out /= n_samples


@numba.njit(**_JIT)
def max_weighted_squared_row_norm(X, sample_weight, fit_intercept):
    """``max_i w_i ||x_i||**2``, the rows augmented with 1 under ``fit_intercept``."""
    n_samples, n_features = X.shape
    largest = 0.0
    for i in range(n_samples):
        s = 1.0 if fit_intercept else 0.0
        for j in range(n_features):
            s += X[i, j] * X[i, j]
        largest = max(largest, sample_weight[i] * s)
    return largest


def empty_path(coef):
    """Zero-row path arrays: tell ``minibatch_epoch`` to record nothing."""
    return (
        np.empty((0,) + coef.shape, dtype=coef.dtype),
        np.empty((0, coef.shape[0]), dtype=coef.dtype),
    )
