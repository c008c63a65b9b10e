"""The compiled (numba) epoch, for dense and CSR rows.

The kernel contract, after scikit-learn-contrib/lightning: the estimator validates
and allocates everything; a kernel takes arrays and scalars, changes the parameter
arrays in place and returns plain numbers. A kernel never raises a scikit-learn
error, never prints and never sees an estimator.

Shapes used throughout:

- ``X``: (n_samples, n_features), C-contiguous, float32 or float64, read only;
  or a ``_rows.CSR`` of the same dtype, read through ``_rows`` (a batch of
  one row is ``_sample_update``, which reads a CSR row made dense in a work
  buffer; plain SGD on sparse data has its own epoch,
  ``_sparse.lazy_sgd_epoch``, at the cost of the non-zeros);
- ``Y``: (n_samples, n_targets), same dtype as ``X``;
- ``sample_weight``: (n_samples,), normalised to mean 1, so that a batch
  gradient ``mean_i(w_i * g_i)`` is an unbiased estimate of the weighted mean
  gradient and equals it for the full batch;
- ``W``: (n_targets, n_features + 1), the dtype of ``X``: each target's
  coefficients followed by its intercept (which stays 0 when no intercept is
  fitted);
- an optimizer's ``slots``: (n_slots, n_targets, n_features + 1), float64.

The arrays travel in the named bundles of ``_bundles``.

Each target is updated only while it is ``active``. Every loss but the
multinomial is a sum of per-target losses, so each target is fitted exactly as a
separate fit would fit it; the multinomial's targets (the classes) share the
row's log-sum-exp (``_shared``) and stop together.

The loss and the optimizer's rule are given by name; each name is a
compile-time constant, so each (loss, rule) pair gets its own compiled kernel
(see ``_losses``).
"""

import math

import numba
from numba import types
from numba.extending import overload

from .._jit import JIT, SPARSE_JIT
from .._losses import loss_and_derivative
from ..optim._rules import coordinate, prepare, soft_threshold, update_rows
from ._rows import add_row, clear_row, dense_row, n_columns


def _prediction(X, i, W, t):
    """``x_i . coef_t + intercept_t``."""
    raise NotImplementedError("only callable from compiled code")


def _dense_prediction(X, i, W, t):
    n_features = X.shape[1]
    prediction = float(W[t, n_features])
    for j in range(n_features):
        prediction += X[i, j] * W[t, j]
    return prediction


@numba.njit(**SPARSE_JIT)
def _csr_prediction(X, i, W, t):
    prediction = float(W[t, X.n_features])
    for p in range(X.indptr[i], X.indptr[i + 1]):
        prediction += X.data[p] * W[t, X.indices[p]]
    return prediction


def _sparse_prediction(X, i, W, t):
    return _csr_prediction(X, i, W, t)


@overload(_prediction, jit_options=JIT, inline="always")
def _prediction_of(X, i, W, t):
    return _dense_prediction if isinstance(X, types.Array) else _sparse_prediction


def _shared(loss, X, i, W):
    """The row's quantity shared by its targets' losses (see ``_losses``)."""
    raise NotImplementedError("only callable from compiled code")


def _nothing_shared(loss, X, i, W):
    return 0.0


def _log_sum_exp(loss, X, i, W):
    """``log(sum_t exp(z_t))`` over the row's decision values, in one pass."""
    largest = _prediction(X, i, W, 0)
    total = 1.0
    for t in range(1, W.shape[0]):
        z = _prediction(X, i, W, t)
        if z > largest:
            total = total * math.exp(largest - z) + 1.0
            largest = z
        else:
            total += math.exp(z - largest)
    return largest + math.log(total)


@overload(_shared, jit_options=JIT, inline="always")
def _shared_of(loss, X, i, W):
    if not isinstance(loss, types.StringLiteral):
        return None
    return _log_sum_exp if loss.literal_value == "multinomial" else _nothing_shared


@numba.njit(**JIT)
def accumulate_gradient(loss, data, rows, W, active, loss_params, grad, target_loss):
    """Add ``sum_i w_i dloss_i * (x_i, 1)`` over ``rows`` of ``data`` to ``grad``.

    Every row of ``X`` is read once: its predictions and its contribution to the
    gradient are computed while the row is in cache. Each sample's weighted loss,
    taken at the parameters before the update, is added to ``target_loss``. The
    gradient of inactive targets is not computed.
    """
    _gradient_sums(loss, data, rows, W, active, loss_params, grad, target_loss)


def _gradient_sums(loss, data, rows, W, active, loss_params, grad, target_loss):
    """``accumulate_gradient``, for the kind of ``data.X``."""
    raise NotImplementedError("only callable from compiled code")


def _row_by_row_sums(loss, data, rows, W, active, loss_params, grad, target_loss):
    X, Y, sample_weight = data.X, data.Y, data.sample_weight
    n_targets, n_features = W.shape[0], n_columns(X)
    for i in rows:
        weight = sample_weight[i]
        shared = _shared(loss, X, i, W)
        for t in range(n_targets):
            value, derivative = loss_and_derivative(
                loss, _prediction(X, i, W, t), Y[i, t], loss_params, shared
            )
            target_loss[t] += weight * value
            if active[t]:
                g = weight * derivative
                add_row(X, i, g, grad, t)
                grad[t, n_features] += g


@numba.njit(inline="always", **JIT)
def _pair_sums(loss, data, a, b, W, active, loss_params, grad, target_loss):
    """Rows ``a`` and ``b``'s losses and gradient, added (``_pairwise_sums``)."""
    X, Y, sample_weight = data.X, data.Y, data.sample_weight
    n_targets, n_features = W.shape[0], X.shape[1]
    shared_a = _shared(loss, X, a, W)
    shared_b = _shared(loss, X, b, W)
    for t in range(n_targets):
        z_a = W[t, n_features]  # in the dtype of X (float32: twice the lanes)
        z_b = z_a
        for j in range(n_features):
            w = W[t, j]
            z_a += X[a, j] * w
            z_b += X[b, j] * w
        value_a, derivative_a = loss_and_derivative(
            loss, z_a, Y[a, t], loss_params, shared_a
        )
        value_b, derivative_b = loss_and_derivative(
            loss, z_b, Y[b, t], loss_params, shared_b
        )
        target_loss[t] += sample_weight[a] * value_a
        target_loss[t] += sample_weight[b] * value_b
        if active[t]:
            g_a = sample_weight[a] * derivative_a
            g_b = sample_weight[b] * derivative_b
            for j in range(n_features):
                grad[t, j] += g_a * X[a, j] + g_b * X[b, j]
            grad[t, n_features] += g_a + g_b


@numba.njit(inline="always", **JIT)
def _consecutive(rows):
    """Whether ``rows`` are ``rows[0], rows[0] + 1, ...``."""
    first = rows[0]
    for k in range(rows.shape[0]):
        if rows[k] != first + k:
            return False
    return True


def _pairwise_sums(loss, data, rows, W, active, loss_params, grad, target_loss):
    """Dense rows two at a time: each coefficient is loaded once for both
    rows' dot products, and each gradient entry loaded and stored once for
    both rows' contributions. The row loop is bound by those loads and stores,
    not by reading ``X``: one row at a time took 1.9 times a read of ``X``
    (1,000,000 x 100, float64), two 1.5 times. The dot products accumulate in
    the dtype of ``X`` (float32: twice the lanes), the gradient in float64.

    Consecutive ``rows`` (the full batch, a mini-batch in data order) are
    indexed from the first: LLVM then sees that ``b`` follows ``a`` (another
    tenth; the check reads ``rows`` once, and stops at the first gap).
    """
    n_rows = rows.shape[0]
    if n_rows == 0:
        return
    first = rows[0]
    if _consecutive(rows):
        for k in range(0, n_rows - 1, 2):
            a = first + k
            _pair_sums(loss, data, a, a + 1, W, active, loss_params, grad, target_loss)
    else:
        for k in range(0, n_rows - 1, 2):
            a, b = rows[k], rows[k + 1]
            _pair_sums(loss, data, a, b, W, active, loss_params, grad, target_loss)
    if n_rows % 2 == 1:
        _last_row_sums(
            loss, data, rows[n_rows - 1 :], W, active, loss_params, grad, target_loss
        )


_last_row_sums = numba.njit(**JIT)(_row_by_row_sums)


@overload(_gradient_sums, jit_options=JIT)
def _gradient_sums_of(loss, data, rows, W, active, loss_params, grad, target_loss):
    dense = isinstance(data.types[0], types.Array)
    return _pairwise_sums if dense else _row_by_row_sums


@numba.njit(**JIT)
def apply_mean_gradient(
    rule, W, grad, n_rows, active, learning_rate, config, optimizer
):
    """The optimizer's update with ``grad / n_rows`` (``grad`` summed over a
    batch of ``n_rows`` rows) plus the L2 penalty's gradient, then the L1
    penalty's proximal step (unless it is cumulative, see ``after_update``);
    the update is the optimizer's ``count``-th. ``grad`` is overwritten."""
    n_features = W.shape[1] - 1
    scale = 1.0 / n_rows
    for t in range(W.shape[0]):
        for j in range(n_features):
            grad[t, j] = grad[t, j] * scale + config.l2 * W[t, j]
        grad[t, n_features] *= scale
    l1 = 0.0 if config.cumulative_l1 else config.l1
    update_rows(
        rule, W, grad, learning_rate, active, optimizer, config.fit_intercept, l1
    )


@numba.njit(inline="always", **JIT)
def _cumulative_penalty(W, t, j, total, applied):
    """Tsuruoka, Tsujii and Ananiadou's (ACL 2009) cumulative L1 penalty of
    one coefficient, as scikit-learn's SGD: it moves towards 0 by what the
    penalty has taken in total (``total``) less what it took from this
    coefficient so far (``applied``), never across 0."""
    w = W[t, j]
    if w > 0.0:
        new = max(0.0, w - (total + applied[t, j]))
    elif w < 0.0:
        new = min(0.0, w + (total - applied[t, j]))
    else:
        return
    applied[t, j] += new - w
    W[t, j] = new


def _cumulative_l1_row(X, i, W, t, total, applied):
    """The cumulative L1 penalty of the coefficients a per-sample update of
    row ``i`` touched: all for a dense row, its non-zeros for a CSR row (as
    scikit-learn's SGD on sparse data)."""
    raise NotImplementedError("only callable from compiled code")


def _dense_l1_row(X, i, W, t, total, applied):
    for j in range(W.shape[1] - 1):
        _cumulative_penalty(W, t, j, total, applied)


def _sparse_l1_row(X, i, W, t, total, applied):
    for p in range(X.indptr[i], X.indptr[i + 1]):
        _cumulative_penalty(W, t, X.indices[p], total, applied)


@overload(_cumulative_l1_row, jit_options=JIT)
def _cumulative_l1_row_of(X, i, W, t, total, applied):
    return _dense_l1_row if isinstance(X, types.Array) else _sparse_l1_row


@numba.njit(inline="always", **JIT)
def average_params(average, W, active, n_averaged):
    """``average += (W - average) / n_averaged`` for the active targets: the
    mean of the parameters after each of the last ``n_averaged`` updates."""
    weight = 1.0 / n_averaged
    for t in range(W.shape[0]):
        if active[t]:
            for j in range(W.shape[1]):
                average[t, j] += (W[t, j] - average[t, j]) * weight


@numba.njit(**JIT)
def after_update(X, i, W, active, step, config, optimizer, work):
    """What follows each update: the cumulative L1 penalty ``l1 * step`` is
    added and applied (to the row ``i``'s coefficients after a per-sample
    update; ``i < 0``: to all), then the average of the parameters takes them
    (from update ``config.average_start`` on): the mean of the parameters as
    they are after each update, the penalty's step included."""
    count = optimizer.count[0]
    if not config.cumulative_l1:
        if config.average_start > 0 and count >= config.average_start:
            n_averaged = count - config.average_start + 1
            average_params(optimizer.average, W, active, n_averaged)
        return
    total, applied = work.l1_total, work.l1_applied
    for t in range(W.shape[0]):
        if not active[t]:
            continue
        total[t] += config.l1 * step[t]
        if i >= 0:
            _cumulative_l1_row(X, i, W, t, total[t], applied)
        else:
            for j in range(W.shape[1] - 1):
                _cumulative_penalty(W, t, j, total[t], applied)
    if config.average_start > 0 and count >= config.average_start:
        average_params(optimizer.average, W, active, count - config.average_start + 1)


# Inlined by numba, not left to LLVM: as a call, its array arguments are
# reference-counted at every sample (a third of an epoch's time).
@numba.njit(inline="always", **JIT)
def _sample_update(
    loss, rule, data, i, W, active, learning_rate, config, optimizer, work
):
    """One per-sample update, straight into ``W`` (no gradient buffer).

    The same arithmetic as a batch of one in ``run_epoch``; on a CSR row, every
    coordinate moves too (the L2 penalty's gradient, the rule's state).
    """
    X, Y, sample_weight = data.X, data.Y, data.sample_weight
    # Local copies: reading an array out of a bundle in the loops would count
    # references on every coordinate.
    hyper, slots, count = optimizer.hyper, optimizer.slots, optimizer.count[0]
    target_loss = work.target_loss
    x = dense_row(X, i, work.row)
    n_targets, n_features = W.shape[0], n_columns(X)
    l1, l2 = 0.0 if config.cumulative_l1 else config.l1, config.l2
    # The whole row's losses are taken before any target is updated.
    shared = _shared(loss, X, i, W)
    for t in range(n_targets):
        value, derivative = loss_and_derivative(
            loss, _prediction(X, i, W, t), Y[i, t], config.loss_params, shared
        )
        target_loss[t] += sample_weight[i] * value
        if not active[t]:
            continue
        g = sample_weight[i] * derivative
        prepared = prepare(rule, hyper, learning_rate[t], count)
        for j in range(n_features):
            w, step = coordinate(
                rule, W[t, j], g * x[j] + l2 * W[t, j], slots, t, j, hyper, prepared
            )
            if l1 > 0.0:
                w = soft_threshold(w, l1 * step)
            W[t, j] = w
        if config.fit_intercept:
            W[t, n_features] = coordinate(
                rule, W[t, n_features], g, slots, t, n_features, hyper, prepared
            )[0]
    clear_row(X, i, work.row)


@numba.njit(**JIT)
def run_epoch(
    loss, rule, data, order, W, active, learning_rate, config, optimizer, work
):
    """One epoch of mini-batch gradient descent.

    The samples are visited in ``order``, ``config.batch_size`` at a time (the
    last batch may be smaller); each batch makes one optimizer update with the
    batch's mean gradient of the loss plus the L2 penalty's gradient, then the
    L1 penalty's proximal step. ``batch_size=1`` is per-sample SGD and
    ``batch_size=n_samples`` full-batch gradient descent. Only the targets
    flagged in ``active`` are updated, each with its own step: row ``k`` of
    ``learning_rate`` (shape ``(n_rows, n_targets)``) for the epoch's update
    ``k``, its last row for the updates past it (one row: one step for the
    whole epoch). ``after_update`` averages the parameters and applies the
    cumulative L1 penalty, as ``config`` says.

    ``optimizer.count`` counts the updates. ``work.target_loss`` (float64, one
    per target) receives the sum over the epoch's samples of their weighted
    loss, each taken just before the update that used it; ``work.path``
    receives ``W`` after every update when it has a row per update.
    """
    numba.literally(loss)
    numba.literally(rule)
    grad, target_loss, path, step = work.grad, work.target_loss, work.path, work.step
    X, count = data.X, optimizer.count
    n_samples, n_rates = order.shape[0], learning_rate.shape[0]
    record = path.shape[0] > 0
    # A call with the bundles costs a per-sample update a third of its time
    # (their arrays are reference-counted): made only for the cumulative L1
    # penalty; the average alone is inlined.
    cumulative, first_average = config.cumulative_l1, config.average_start
    average = optimizer.average
    target_loss[:] = 0.0
    update = 0
    for start in range(0, n_samples, config.batch_size):
        stop = min(start + config.batch_size, n_samples)
        count[0] += 1
        if update < n_rates:
            for t in range(W.shape[0]):
                step[t] = learning_rate[update, t]
        if stop - start == 1:
            _sample_update(
                loss, rule, data, order[start], W, active, step, config,
                optimizer, work,
            )  # fmt: skip
            if cumulative:
                after_update(X, order[start], W, active, step, config, optimizer, work)
        else:
            grad[:] = 0.0
            rows = order[start:stop]
            accumulate_gradient(
                loss, data, rows, W, active, config.loss_params, grad, target_loss
            )
            apply_mean_gradient(
                rule, W, grad, stop - start, active, step, config, optimizer
            )
            if cumulative:
                after_update(X, -1, W, active, step, config, optimizer, work)
        if not cumulative and first_average > 0 and count[0] >= first_average:
            average_params(average, W, active, count[0] - first_average + 1)
        if record:
            record_params(path, update, W)
        update += 1


@numba.njit(**JIT)
def record_params(path, update, W):
    """``path[update] = W``, written out: the slice assignment compiles numba's
    broadcasting checks and their error messages (two seconds of every first
    fit)."""
    for t in range(W.shape[0]):
        for j in range(W.shape[1]):
            path[update, t, j] = W[t, j]
