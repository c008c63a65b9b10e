"""The adaptive rules' lazy epoch on sparse (CSR) data; the contract of
``_kernels`` holds.

An adaptive rule's dense update moves every coordinate at every update:
RMSprop's and Adam's averages decay, Adam's step follows its first moment, and
the L2 penalty's gradient is never zero. On CSR rows that costs
``n_features`` per update, whatever the batch's non-zeros. The lazy variant
(``lazy=True`` on ``Adagrad``, ``RMSprop`` and ``Adam``), as
``torch.optim.SparseAdam`` and the per-coordinate lazy Adagrad of large-scale
learners, updates only the coordinates the batch's rows touch (and the
intercept): each of them, and its slots, takes the rule's step with its
gradient (the batch's mean gradient plus the L2 penalty's, then the L1
proximal step); every other coordinate and its slots stay as they are. The
rule's scalars (Adam's bias corrections, Adagrad's decayed step) count every
update, as SparseAdam's step count does.

Where an untouched coordinate's dense update is zero, the lazy update is the
dense one: Adagrad without penalties (its sum grows by ``g**2 = 0`` and its
step is ``0``). Elsewhere it differs: RMSprop's and Adam's averages of a
coordinate decay only when it is touched, and the penalties shrink only the
touched coefficients.
"""

import numba
import numpy as np

from .._jit import SPARSE_JIT
from .._losses import loss_and_derivative
from ..optim._rules import coordinate, prepare, soft_threshold
from ._dense import average_params, record_params
from ._rows import n_columns
from ._sparse import _shared_of, csr_row_predictions


@numba.njit(**SPARSE_JIT)
def lazy_rule_epoch(
    loss, rule, data, order, W, active, learning_rate, config, optimizer, work
):
    """``_dense.run_epoch`` on CSR data with the lazy update (module
    docstring): an update costs the batch's non-zeros, not ``n_features``.

    The arguments are ``run_epoch``'s. The average of the parameters
    (``config.average_start``) takes every coefficient after each update, at
    the cost of ``n_features``.
    """
    numba.literally(loss)
    numba.literally(rule)
    X, Y, sample_weight = data.X, data.Y, data.sample_weight
    indptr, indices, values = X.indptr, X.indices, X.data
    grad, target_loss, path = work.grad, work.target_loss, work.path
    hyper, slots, count = optimizer.hyper, optimizer.slots, optimizer.count
    n_samples, n_features = order.shape[0], n_columns(X)
    n_targets, n_rates = W.shape[0], learning_rate.shape[0]
    touched = np.empty(n_features, dtype=np.int64)
    batch_of = np.full(n_features, -1, dtype=np.int64)  # last batch touching j
    derivative = np.empty(n_targets)
    predictions = np.empty(n_targets)
    first_average = config.average_start
    grad[:] = 0.0
    target_loss[:] = 0.0
    update = 0
    for start in range(0, n_samples, config.batch_size):
        stop = min(start + config.batch_size, n_samples)
        count[0] += 1
        n_touched = 0
        for r in range(start, stop):
            i = order[r]
            for p in range(indptr[i], indptr[i + 1]):
                j = indices[p]
                if batch_of[j] != update:
                    batch_of[j] = update
                    touched[n_touched] = j
                    n_touched += 1
        # The losses, at the parameters before the update, and the gradient
        # at the touched coordinates.
        for r in range(start, stop):
            i = order[r]
            csr_row_predictions(indptr, indices, values, i, W, predictions)
            shared = _shared_of(loss, predictions)
            for t in range(n_targets):
                value, derivative[t] = loss_and_derivative(
                    loss, predictions[t], Y[i, t], config.loss_params, shared
                )
                target_loss[t] += sample_weight[i] * value
                d = derivative[t] * sample_weight[i]
                if active[t]:
                    for p in range(indptr[i], indptr[i + 1]):
                        grad[t, indices[p]] += d * values[p]
                    grad[t, n_features] += d
        # The update of the touched coordinates, in the dense update's order
        # of operations (``_dense.apply_mean_gradient``).
        mean = 1.0 / (stop - start)
        for t in range(n_targets):
            if not active[t]:
                continue
            eta = learning_rate[min(update, n_rates - 1), t]
            prepared = prepare(rule, hyper, eta, count[0])
            for k in range(n_touched):
                j = touched[k]
                g = grad[t, j] * mean + config.l2 * W[t, j]
                grad[t, j] = 0.0
                w, step = coordinate(rule, W[t, j], g, slots, t, j, hyper, prepared)
                if config.l1 > 0.0:
                    w = soft_threshold(w, config.l1 * step)
                W[t, j] = w
            g = grad[t, n_features] * mean
            grad[t, n_features] = 0.0
            if config.fit_intercept:
                W[t, n_features] = coordinate(
                    rule, W[t, n_features], g, slots, t, n_features, hyper, prepared
                )[0]
        if first_average > 0 and count[0] >= first_average:
            average_params(optimizer.average, W, active, count[0] - first_average + 1)
        if path.shape[0] > 0:
            record_params(path, update, W)
        update += 1
