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
update all coordinates after each batch (``_dense.run_epoch``, which reads a
CSR row at the cost of its non-zeros): the gradient still costs the batch's
non-zeros, the update ``n_features``.
"""

import math

import numba
import numpy as np
from numba import types
from numba.extending import overload

from .._jit import JIT
from .._losses import loss_and_derivative
from ..optim._rules import soft_threshold
from ._rows import n_columns

#: Below this, ``scale`` is folded back into ``V`` (before it underflows).
_SMALLEST_SCALE = 1e-9


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
def _fold_scale(V, scale, applied, threshold, t):
    """``V[t] <- scale * V[t]`` with every pending threshold applied; the
    scale is 1 again (before it underflows)."""
    for j in range(V.shape[1] - 1):
        v = soft_threshold(V[t, j], threshold[t] - applied[t, j])
        V[t, j] = scale[t] * v
        applied[t, j] = 0.0
    scale[t] = 1.0
    threshold[t] = 0.0


@numba.njit(**JIT)
def _zero_coefficients(V, scale, applied, threshold, t):
    """A shrink by 0 (``learning_rate * l2 == 1``): every coefficient is 0."""
    V[t, : V.shape[1] - 1] = 0.0
    applied[t] = 0.0
    threshold[t] = 0.0
    scale[t] = 1.0


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
def lazy_sgd_epoch(loss, data, order, W, active, learning_rate, config, work):
    """``_dense.run_epoch`` for the ``"sgd"`` rule on CSR data, at the cost of
    the non-zeros.

    The arguments are ``run_epoch``'s, but for the rule and its state (plain
    SGD has none; the caller counts the updates). See the module docstring for
    the lazy penalties.
    """
    numba.literally(loss)
    X, Y, sample_weight = data.X, data.Y, data.sample_weight
    target_loss, path = work.target_loss, work.path
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
    # One loop, no helpers with array arguments on the way: a call would count
    # references to each array at every sample.
    for start in range(0, n_samples, config.batch_size):
        stop = min(start + config.batch_size, n_samples)
        single = stop - start == 1  # updated straight, without a gradient buffer
        # The batch's coordinates (a canonical CSR row has no repeats), brought
        # up to date with the thresholds they missed.
        n_touched = 0
        for r in range(start, stop):
            i = order[r]
            for p in range(X.indptr[i], X.indptr[i + 1]):
                j = X.indices[p]
                if not single:
                    if batch_of[j] == update:
                        continue
                    batch_of[j] = update
                    touched[n_touched] = j
                    n_touched += 1
                if lazy_l1:
                    for t in range(n_targets):
                        missed = threshold[t] - applied[t, j]
                        if missed > 0.0:
                            V[t, j] = soft_threshold(V[t, j], missed)
                            applied[t, j] = threshold[t]
        # The losses, at the parameters before the update, and the gradient.
        for r in range(start, stop):
            i = order[r]
            for t in range(n_targets):
                dot = 0.0
                for p in range(X.indptr[i], X.indptr[i + 1]):
                    dot += X.data[p] * V[t, X.indices[p]]
                predictions[t] = V[t, n_features] + scale[t] * dot
            shared = _shared_of(loss, predictions)
            for t in range(n_targets):
                value, derivative[t] = loss_and_derivative(
                    loss, predictions[t], Y[i, t], config.loss_params, shared
                )
                target_loss[t] += sample_weight[i] * value
                derivative[t] *= sample_weight[i]
            if not single:
                for t in range(n_targets):
                    if active[t]:
                        for p in range(X.indptr[i], X.indptr[i + 1]):
                            grad[t, X.indices[p]] += derivative[t] * X.data[p]
                        grad[t, n_features] += derivative[t]
        # The update, in the dense update's order of operations (with no L2,
        # scale 1, the two agree to the last bit).
        mean = 1.0 / (stop - start)
        i = order[start]
        for t in range(n_targets):
            if not active[t]:
                continue
            eta = learning_rate[t]
            shrink = 1.0 - eta * config.l2
            if shrink == 0.0:
                _zero_coefficients(V, scale, applied, threshold, t)
            elif shrink != 1.0:
                if abs(scale[t] * shrink) < _SMALLEST_SCALE:
                    _fold_scale(V, scale, applied, threshold, t)
                scale[t] *= shrink
            inverse_scale = 1.0 / scale[t]
            if lazy_l1:
                threshold[t] += eta * config.l1 * abs(inverse_scale)
            n_steps = X.indptr[i + 1] - X.indptr[i] if single else n_touched
            for k in range(n_steps):
                if single:
                    j = X.indices[X.indptr[i] + k]
                    g = derivative[t] * X.data[X.indptr[i] + k]
                else:
                    j = touched[k]
                    g = grad[t, j] * mean
                    grad[t, j] = 0.0
                V[t, j] -= eta * g * inverse_scale
                if lazy_l1:
                    V[t, j] = soft_threshold(V[t, j], threshold[t] - applied[t, j])
                    applied[t, j] = threshold[t]
            g = derivative[t] if single else grad[t, n_features] * mean
            grad[t, n_features] = 0.0
            if config.fit_intercept:
                V[t, n_features] -= eta * g
        if path.shape[0] > 0:
            _write_params(V, scale, applied, threshold, path[update])
        update += 1
    _write_params(V, scale, applied, threshold, W)
