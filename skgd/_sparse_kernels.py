"""Compiled epochs on sparse (CSR) data; the contract of ``_kernels`` holds.

Plain SGD (the ``"sgd"`` rule without momentum) touches only the coordinates a
batch's rows use, as scikit-learn's SGD does on sparse data, so an update costs
time proportional to the batch's non-zeros, not to ``n_features``
(``lazy_sgd_epoch``). The penalties move every coefficient at every update;
they are applied lazily, in closed form:

- the L2 shrink ``w <- (1 - eta * l2) w`` multiplies all coefficients by one
  factor, kept as a scale: ``coef = scale * V`` (scikit-learn's ``WeightVector``);
- the L1 proximal step soft-thresholds ``coef`` by ``eta * l1``, which in the
  scaled coordinates is a threshold of ``eta * l1 / |scale|`` on ``V``.
  Soft-thresholds add up, so a coordinate left alone for many updates catches
  up with one threshold: the sum of the thresholds it missed.

The result equals the dense update's up to rounding. The other rules move
every coordinate whose state is non-zero (momentum, Adam's averages), so they
update all coordinates after each batch (``sparse_epoch``): the gradient still
costs the batch's non-zeros, the update ``n_features``.
"""

import math

import numba
import numpy as np
from numba import types
from numba.extending import overload

from ._jit import JIT
from ._kernels import batch_step
from ._losses import loss_and_derivative
from ._optim_rules import soft_threshold
from ._rows import dot, n_columns

#: Below this, ``scale`` is folded back into ``V`` (before it underflows).
_SMALLEST_SCALE = 1e-9


@numba.njit(**JIT)
def sparse_epoch(
    loss,
    rule,
    X,
    Y,
    sample_weight,
    order,
    W,
    active,
    learning_rate,
    config,
    slots,
    count,
    grad,
    target_loss,
    path,
):
    """``_kernels.run_epoch`` for CSR ``X``, any rule: every batch (a single
    sample too) makes one ``batch_step``."""
    numba.literally(loss)
    numba.literally(rule)
    n_samples = order.shape[0]
    target_loss[:] = 0.0
    update = 0
    for start in range(0, n_samples, config.batch_size):
        stop = min(start + config.batch_size, n_samples)
        count[0] += 1
        batch_step(
            loss,
            rule,
            X,
            Y,
            sample_weight,
            order[start:stop],
            W,
            active,
            learning_rate,
            config,
            slots,
            count[0],
            grad,
            target_loss,
        )
        if path.shape[0] > 0:
            path[update] = W
        update += 1


def _shared_of(loss, predictions):
    """The row's shared quantity (see ``_losses``) from its predictions."""
    raise NotImplementedError("only callable from compiled code")


def _nothing_shared(loss, predictions):
    return 0.0


def _log_sum_exp(loss, predictions):
    largest = predictions.max()
    total = 0.0
    for z in predictions:
        total += math.exp(z - largest)
    return largest + math.log(total)


@overload(_shared_of, jit_options=JIT)
def _shared_of_impl(loss, predictions):
    if not isinstance(loss, types.StringLiteral):
        return None
    return _log_sum_exp if loss.literal_value == "multinomial" else _nothing_shared


@numba.njit(**JIT)
def _catch_up(V, applied, threshold, t, j):
    """Apply to ``V[t, j]`` the soft-thresholds it missed."""
    missed = threshold[t] - applied[t, j]
    if missed > 0.0:
        V[t, j] = soft_threshold(V[t, j], missed)
        applied[t, j] = threshold[t]


@numba.njit(**JIT)
def _fold_scale(V, scale, applied, threshold, t):
    """``V[t] <- scale * V[t]`` with every threshold applied; scale 1 again."""
    for j in range(V.shape[1] - 1):
        _catch_up(V, applied, threshold, t, j)
        V[t, j] *= scale[t]
        applied[t, j] = 0.0
    scale[t] = 1.0
    threshold[t] = 0.0


@numba.njit(**JIT)
def _write_params(V, scale, applied, threshold, W):
    """``W`` from the scaled, lazily thresholded ``V`` (``V`` is unchanged)."""
    n_features = V.shape[1] - 1
    for t in range(V.shape[0]):
        for j in range(n_features):
            v = soft_threshold(V[t, j], threshold[t] - applied[t, j])
            W[t, j] = scale[t] * v
        W[t, n_features] = V[t, n_features]


@numba.njit(**JIT)
def lazy_sgd_epoch(
    loss,
    X,
    Y,
    sample_weight,
    order,
    W,
    active,
    learning_rate,
    config,
    count,
    target_loss,
    path,
):
    """``sparse_epoch`` for the ``"sgd"`` rule, at the cost of the non-zeros.

    The arguments are ``run_epoch``'s (the rule has no state, so there are no
    slots). See the module docstring for the lazy penalties.
    """
    numba.literally(loss)
    n_samples, n_features = order.shape[0], n_columns(X)
    n_targets = W.shape[0]
    V = W.astype(np.float64)
    scale = np.ones(n_targets)
    threshold = np.zeros(n_targets)  # the sum of V's thresholds so far
    applied = np.zeros((n_targets, n_features))  # of it, applied to V[t, j]
    grad = np.zeros((n_targets, n_features + 1))
    touched = np.empty(n_features, dtype=np.int64)
    batch_of = np.full(n_features, -1, dtype=np.int64)  # last batch touching j
    derivative = np.empty(n_targets)
    predictions = np.empty(n_targets)
    lazy_l1 = config.l1 > 0.0
    target_loss[:] = 0.0
    update = 0
    for start in range(0, n_samples, config.batch_size):
        stop = min(start + config.batch_size, n_samples)
        count[0] += 1
        n_touched = 0
        # The batch's coordinates, brought up to date.
        for r in range(start, stop):
            i = order[r]
            for p in range(X.indptr[i], X.indptr[i + 1]):
                j = X.indices[p]
                if batch_of[j] != update:
                    batch_of[j] = update
                    touched[n_touched] = j
                    n_touched += 1
                    if lazy_l1:
                        for t in range(n_targets):
                            _catch_up(V, applied, threshold, t, j)
        # The batch's losses and gradient, at the parameters before the update.
        for r in range(start, stop):
            i = order[r]
            for t in range(n_targets):
                predictions[t] = V[t, n_features] + scale[t] * dot(X, i, V, t)
            shared = _shared_of(loss, predictions)
            for t in range(n_targets):
                value, derivative[t] = loss_and_derivative(
                    loss,
                    predictions[t],
                    Y[i, t],
                    config.epsilon,
                    config.quantile,
                    shared,
                )
                target_loss[t] += sample_weight[i] * value
            for p in range(X.indptr[i], X.indptr[i + 1]):
                j, x = X.indices[p], X.data[p]
                for t in range(n_targets):
                    grad[t, j] += sample_weight[i] * derivative[t] * x
            for t in range(n_targets):
                grad[t, n_features] += sample_weight[i] * derivative[t]
        # The update: shrink by the scale, step the touched coordinates.
        mean = 1.0 / (stop - start)
        for t in range(n_targets):
            if not active[t]:
                continue
            eta = learning_rate[t]
            shrink = 1.0 - eta * config.l2
            if shrink == 0.0:
                V[t, :n_features] = 0.0
                applied[t] = threshold[t]
                shrink = 1.0 / scale[t]
            elif abs(scale[t] * shrink) < _SMALLEST_SCALE:
                _fold_scale(V, scale, applied, threshold, t)
            scale[t] *= shrink
            # The dense update's order of operations: with no L2 (scale 1)
            # the two agree to the last bit.
            inverse_scale = 1.0 / scale[t]
            if lazy_l1:
                threshold[t] += eta * config.l1 * abs(inverse_scale)
            for k in range(n_touched):
                j = touched[k]
                V[t, j] -= eta * (grad[t, j] * mean) * inverse_scale
                if lazy_l1:
                    V[t, j] = soft_threshold(V[t, j], threshold[t] - applied[t, j])
                    applied[t, j] = threshold[t]
            if config.fit_intercept:
                V[t, n_features] -= eta * (grad[t, n_features] * mean)
        for k in range(n_touched):
            grad[:, touched[k]] = 0.0
        grad[:, n_features] = 0.0
        if path.shape[0] > 0:
            _write_params(V, scale, applied, threshold, path[update])
        update += 1
    _write_params(V, scale, applied, threshold, W)
