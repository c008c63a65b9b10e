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

The average of the parameters (``average``) is lazy too, by Bottou's trick
(scikit-learn's ``WeightVector``): the mean is ``(sums + a V) / b``, so an
update changes ``sums`` at the coordinates it touches and two scalars per
target, ``a`` and ``b``. The mean is exactly the mean of the parameters
after each update: unlike scikit-learn's, whose cumulative L1 penalty moves
``V`` without ``sums`` (so that each of the penalty's steps counts in every
averaged update since the scale was last reset), the penalty's steps are
compensated in ``sums`` too.

The result equals the dense update's up to rounding. With
``config.cumulative_l1`` the L1 penalty is scikit-learn's instead
(Tsuruoka et al.'s cumulative penalty, see ``_dense.after_update``), applied
as scikit-learn applies it on sparse data: to the coordinates an update
touched. The other rules move
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

from .._jit import SPARSE_JIT
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


@overload(_shared_of, jit_options=SPARSE_JIT, inline="always")
def _shared_of_impl(loss, predictions):
    if not isinstance(loss, types.StringLiteral):
        return None
    return _log_sum_exp if loss.literal_value == "multinomial" else _nothing_shared


def _float64(W):
    """``W`` as float64: itself when it is, else a copy."""
    raise NotImplementedError("only callable from compiled code")


@overload(_float64, jit_options=SPARSE_JIT)
def _float64_of(W):
    if W.dtype == types.float64:
        return lambda W: W
    return lambda W: W.astype(np.float64)


@numba.njit(**SPARSE_JIT)
def _fold_average(V, t, sums, weights):
    """The lazy average's ``(sums + a V) / b`` folded into ``sums`` (``a = 0``,
    ``b = 1``), before ``V[t]`` changes as a whole."""
    a, b = weights[0, t], weights[1, t]
    for j in range(sums.shape[1]):
        sums[t, j] = (sums[t, j] + a * V[t, j]) / b
    weights[0, t] = 0.0
    weights[1, t] = 1.0


@numba.njit(**SPARSE_JIT)
def _fold_scale(V, scale, applied, threshold, t, sums, weights):
    """``V[t] <- scale * V[t]`` with every pending threshold applied; the
    scale is 1 again (before it underflows)."""
    _fold_average(V, t, sums, weights)
    lazy = applied.shape[1] > 0  # pending thresholds (lazy L1) to apply
    for j in range(V.shape[1] - 1):
        v = soft_threshold(V[t, j], threshold[t] - applied[t, j]) if lazy else V[t, j]
        V[t, j] = scale[t] * v
        if lazy:
            applied[t, j] = 0.0
    scale[t] = 1.0
    threshold[t] = 0.0


@numba.njit(**SPARSE_JIT)
def _zero_coefficients(V, scale, applied, threshold, t, sums, weights):
    """A shrink by 0 (``learning_rate * l2 == 1``): every coefficient is 0."""
    _fold_average(V, t, sums, weights)
    V[t, : V.shape[1] - 1] = 0.0
    applied[t] = 0.0
    threshold[t] = 0.0
    scale[t] = 1.0


@numba.njit(**SPARSE_JIT)
def _write_params(V, scale, applied, threshold, W):
    """``W`` from the scaled, lazily thresholded ``V`` (``W`` may be ``V``)."""
    n_features = V.shape[1] - 1
    lazy = applied.shape[1] > 0
    for t in range(V.shape[0]):
        if not lazy and scale[t] == 1.0 and V is W:
            continue  # nothing pending: V is W already
        for j in range(n_features):
            v = (
                soft_threshold(V[t, j], threshold[t] - applied[t, j])
                if lazy
                else V[t, j]
            )
            W[t, j] = scale[t] * v
        W[t, n_features] = V[t, n_features]


@numba.njit(**SPARSE_JIT)
def lazy_sgd_epoch(
    loss, data, order, W, active, learning_rate, config, optimizer, work
):
    """``_dense.run_epoch`` for the ``"sgd"`` rule on CSR data, at the cost of
    the non-zeros.

    The arguments are ``run_epoch``'s, but for the rule (plain SGD has no
    state; the caller counts the updates). See the module docstring for the
    lazy penalties and the lazy average.
    """
    numba.literally(loss)
    X, Y, sample_weight = data.X, data.Y, data.sample_weight
    # The CSR's arrays, out of their bundle once: read from it in the loops,
    # each array would be reference-counted at every use.
    indptr, indices, values = X.indptr, X.indices, X.data
    target_loss, path = work.target_loss, work.path
    n_samples, n_features = order.shape[0], n_columns(X)
    n_targets = W.shape[0]
    # Work of the size of W only where it is needed: a partial_fit on a small
    # batch of rows with many columns costs the rows' non-zeros.
    V = _float64(W)  # W itself when it is float64
    scale = np.ones(n_targets)
    lazy_l1 = config.l1 > 0.0 and not config.cumulative_l1
    threshold = np.zeros(n_targets)  # the sum of V's thresholds so far
    # Of it, applied to V[t, j] (lazy L1 only).
    applied = np.zeros((n_targets, n_features if lazy_l1 else 0))
    batched = config.batch_size > 1
    n_batch = n_features if batched else 0
    grad = np.zeros((n_targets, n_batch + 1))
    touched = np.empty(n_batch, dtype=np.int64)
    batch_of = np.full(n_batch, -1, dtype=np.int64)  # last batch touching j
    derivative = np.empty(n_targets)
    predictions = np.empty(n_targets)
    cumulative, total, penalised = config.cumulative_l1, work.l1_total, work.l1_applied
    n_rates = learning_rate.shape[0]
    # The lazy average (Bottou's trick, as scikit-learn's WeightVector): the
    # mean of the parameters is (sums + a V) / b, a and b in ``weights``.
    average, first_average = optimizer.average, config.average_start
    if first_average > 0:
        sums = average[:, :n_features].copy()
    else:
        sums = np.zeros((n_targets, 0))
    weights = np.zeros((2, n_targets))
    weights[1] = 1.0
    done = optimizer.count[0]
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
        for r in range(start, stop if not single or lazy_l1 else start):
            i = order[r]
            for p in range(indptr[i], indptr[i + 1]):
                j = indices[p]
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
                for p in range(indptr[i], indptr[i + 1]):
                    dot += values[p] * V[t, indices[p]]
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
                        for p in range(indptr[i], indptr[i + 1]):
                            grad[t, indices[p]] += derivative[t] * values[p]
                        grad[t, n_features] += derivative[t]
        # The update, in the dense update's order of operations (with no L2,
        # scale 1, the two agree to the last bit).
        mean = 1.0 / (stop - start)
        i = order[start]
        n_averaged = done + update + 2 - first_average if first_average > 0 else 0
        for t in range(n_targets):
            if not active[t]:
                continue
            eta = learning_rate[min(update, n_rates - 1), t]
            shrink = 1.0 - eta * config.l2
            if shrink == 0.0:
                _zero_coefficients(V, scale, applied, threshold, t, sums, weights)
            elif shrink != 1.0:
                if abs(scale[t] * shrink) < _SMALLEST_SCALE:
                    _fold_scale(V, scale, applied, threshold, t, sums, weights)
                scale[t] *= shrink
            inverse_scale = 1.0 / scale[t]
            if lazy_l1:
                threshold[t] += eta * config.l1 * abs(inverse_scale)
            if cumulative:
                total[t] += eta * config.l1
            n_steps = indptr[i + 1] - indptr[i] if single else n_touched
            if single and not (lazy_l1 or cumulative):
                # Plain SGD's sample update, tight (nothing moves at a zero
                # derivative: skipped, as scikit-learn's).
                step = eta * derivative[t] * inverse_scale
                if step != 0.0 and first_average > 0:
                    a = weights[0, t]
                    for p in range(indptr[i], indptr[i + 1]):
                        change = step * values[p]
                        V[t, indices[p]] -= change
                        sums[t, indices[p]] += a * change
                elif step != 0.0:
                    for p in range(indptr[i], indptr[i + 1]):
                        V[t, indices[p]] -= step * values[p]
                n_steps = 0
            for k in range(n_steps):
                if single:
                    j = indices[indptr[i] + k]
                    g = derivative[t] * values[indptr[i] + k]
                else:
                    j = touched[k]
                    g = grad[t, j] * mean
                    grad[t, j] = 0.0
                change = eta * g * inverse_scale
                V[t, j] -= change
                if first_average > 0:  # the mean does not move with V
                    sums[t, j] += weights[0, t] * change
                if lazy_l1:
                    V[t, j] = soft_threshold(V[t, j], threshold[t] - applied[t, j])
                    applied[t, j] = threshold[t]
                elif cumulative:  # scikit-learn's l1penalty, in V's units
                    v = V[t, j]
                    if scale[t] * v > 0.0:
                        V[t, j] = max(0.0, v - (total[t] + penalised[t, j]) / scale[t])
                    elif scale[t] * v < 0.0:
                        V[t, j] = min(0.0, v + (total[t] - penalised[t, j]) / scale[t])
                    penalised[t, j] += scale[t] * (V[t, j] - v)
                    if first_average > 0:  # nor with the penalty's step
                        sums[t, j] -= weights[0, t] * (V[t, j] - v)
            g = derivative[t] if single else grad[t, n_features] * mean
            if not single:
                grad[t, n_features] = 0.0
            if config.fit_intercept:
                V[t, n_features] -= eta * g
            if n_averaged >= 1:  # this update's parameters join the mean
                share = 1.0 / n_averaged
                if n_averaged > 1:
                    weights[1, t] /= 1.0 - share
                weights[0, t] += share * weights[1, t] * scale[t]
                b = V[t, n_features]
                average[t, n_features] += (b - average[t, n_features]) * share
        if path.shape[0] > 0:
            _write_params(V, scale, applied, threshold, path[update])
        update += 1
    for t in range(sums.shape[0] if first_average > 0 else 0):
        for j in range(n_features):
            average[t, j] = (sums[t, j] + weights[0, t] * V[t, j]) / weights[1, t]
    _write_params(V, scale, applied, threshold, W)  # (V may be W: last)


@numba.njit(inline="always", **SPARSE_JIT)
def csr_row_predictions(indptr, indices, values, i, W, predictions):
    """``predictions[t]``: CSR row ``i``'s decision value for each target of
    ``W`` (inlined: its array arguments cost nothing per row)."""
    n_features = W.shape[1] - 1
    for t in range(W.shape[0]):
        dot = 0.0
        for p in range(indptr[i], indptr[i + 1]):
            dot += values[p] * W[t, indices[p]]
        predictions[t] = W[t, n_features] + dot


@numba.njit(**SPARSE_JIT)
def csr_loss_sums(loss, data, rows, W, loss_params, total):
    """Add each target's weighted loss summed over ``rows`` of CSR ``data`` at
    ``W`` to ``total``: the losses alone, without ``accumulate_gradient``'s
    gradient (a loss of the whole data costs one read of its non-zeros)."""
    numba.literally(loss)
    X, Y, sample_weight = data.X, data.Y, data.sample_weight
    indptr, indices, values = X.indptr, X.indices, X.data
    n_targets = W.shape[0]
    predictions = np.empty(n_targets)
    for i in rows:
        csr_row_predictions(indptr, indices, values, i, W, predictions)
        shared = _shared_of(loss, predictions)
        for t in range(n_targets):
            value = loss_and_derivative(
                loss, predictions[t], Y[i, t], loss_params, shared
            )[0]
            total[t] += sample_weight[i] * value
