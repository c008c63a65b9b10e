"""The rows of a fit on an array-API device: the epoch as array operations.

Each batch is a handful of whole-array operations on the device: the decision
values ``Z = X_b W^T`` (a matrix product in the dtype of ``X``), the loss's
values and derivatives (``_losses._arrays``), the gradient ``D^T X_b`` and the
rule's update (``optim._array_rules``), in float64 for the parameters and the
optimizer's state as on the host; float32 products of rows are added in
float64 a block of rows at a time (``transposed_product``), as the host adds
its gradient in float64. The batch solver is the same loop with one batch, on
``X`` itself. The parameters and the state go to the device at the
start of an epoch and come back at its end; nothing of the size of ``X``
crosses.

A mini-batch costs a fixed number of operations whatever its size (about 30
to 45, by optimizer): each is one launch on a GPU, so small batches are bound
by the launches, not by the data (see the user guide's "Arrays on a GPU").
The training rows of early stopping are read in ``X`` itself, with weight 0
elsewhere; its held-out rows (fewer) are copied once.
"""

import copy
from typing import NamedTuple

import numpy as np
from sklearn.externals.array_api_compat import array_namespace
from sklearn.utils._array_api import _convert_to_numpy, device

from .._losses._arrays import loss_arrays
from ..optim._array_rules import array_update

#: Rows read at a time where a whole-``X`` temporary would be needed.
_ROWS_PER_BLOCK = 65536
#: Rows whose float32 products are summed in float32 before the blocks' sums
#: are added in float64 (as the host sums the gradient in float64).
_ROWS_PER_FLOAT32_SUM = 4096


class Batch(NamedTuple):
    """Rows on the device: ``X``, ``Y`` and the weights; ``n_rows``, how many
    are in use; ``masked``: the rows not in use are there, with weight 0 (the
    training rows of early stopping are read in ``X`` itself)."""

    X: object
    Y: object
    weights: object
    n_rows: int
    masked: bool = False


def transposed_product(xp, D, X):
    """``D^T X`` (float64, shape ``(D.shape[1], X.shape[1])``): in one product
    for float64 ``X``; for float32, the products of blocks of rows in float32,
    added in float64 (one batched product), so that the error does not grow
    with the number of rows."""
    if X.dtype == xp.float64 or X.shape[0] <= _ROWS_PER_FLOAT32_SUM:
        return xp.astype(D.T @ X, xp.float64, copy=False)
    size = _ROWS_PER_FLOAT32_SUM
    n_blocks, n_full = X.shape[0] // size, X.shape[0] // size * size
    D_blocks = xp.reshape(D[:n_full, ...], (n_blocks, size, D.shape[1]))
    X_blocks = xp.reshape(X[:n_full, ...], (n_blocks, size, X.shape[1]))
    products = xp.permute_dims(D_blocks, (0, 2, 1)) @ X_blocks
    total = xp.sum(xp.astype(products, xp.float64), axis=0)
    if n_full < X.shape[0]:
        rest = D[n_full:, ...].T @ X[n_full:, ...]
        total = total + xp.astype(rest, xp.float64)
    return total


def column_magnitudes(X):
    """The largest ``|x|`` of each column of ``X``, as a float64 NumPy array
    (two reductions on the device; no copy of ``X``)."""
    xp = array_namespace(X)
    if X.shape[0] == 0:
        return np.zeros(X.shape[1])
    largest = xp.maximum(xp.max(X, axis=0), -xp.min(X, axis=0))
    return _convert_to_numpy(largest, xp).astype(np.float64)


class DeviceRows:
    """The ``rows`` of an array-API ``X`` (all when ``None``) that a fit trains
    or validates on, with their targets ``Y`` and weights (host float64,
    normalised to mean 1 over them, 0 elsewhere): the device counterpart of
    ``_memory.InMemoryRows``."""

    kind = "array API"

    def __init__(self, X, Y, sample_weight, rows=None):
        self.xp, self.device = array_namespace(X), device(X)
        self.X = X
        self.Y = self._to_device(Y, X.dtype)
        self.sample_weight = sample_weight
        self.weights = self._to_device(sample_weight, X.dtype)
        self._rows = rows
        # All the rows of X, in their order: read as X itself, batches as slices.
        self.every_row = rows is None
        n_rows = X.shape[0] if rows is None else len(rows)
        self.shape = (n_rows, X.shape[1])
        self._copy = None

    # -- moving arrays ------------------------------------------------------------

    def _to_device(self, array, dtype):
        """A host (or other-namespace) array on the device, as ``dtype``."""
        if not isinstance(array, np.ndarray):
            if array_namespace(array) == self.xp:
                array = self.xp.asarray(array, device=self.device)
                return self.xp.astype(array, dtype, copy=False)
            array = _convert_to_numpy(array, array_namespace(array))
        return self.xp.asarray(np.asarray(array), dtype=dtype, device=self.device)

    def _to_host(self, array):
        return _convert_to_numpy(array, self.xp)

    # -- the rows -----------------------------------------------------------------

    @property
    def rows(self):
        """The indices of the rows, in their order (a host array)."""
        if self._rows is None:
            self._rows = np.arange(self.X.shape[0])
        return self._rows

    def _all_rows(self):
        """The ``Batch`` of the rows in use: ``X`` itself when they are all of
        its rows or most of them (early stopping's training rows, masked), else
        a copy of them made once (its held-out rows)."""
        n_rows = self.shape[0]
        if self.every_row or 2 * n_rows > self.X.shape[0]:
            return Batch(self.X, self.Y, self.weights, n_rows, not self.every_row)
        if self._copy is None:
            self._copy = Batch(*self._take(self._index(self._rows)), n_rows)
        return self._copy

    def _index(self, rows):
        return self.xp.asarray(rows, device=self.device)

    def _take(self, index):
        xp = self.xp
        return tuple(xp.take(a, index, axis=0) for a in (self.X, self.Y, self.weights))

    def with_rows(self, sample_weight, rows):
        """Other rows of the same ``X`` (early stopping's held-out rows)."""
        other = copy.copy(self)
        other.sample_weight = sample_weight
        other.weights = self._to_device(sample_weight, self.X.dtype)
        other._rows = rows
        other.every_row = False
        other.shape = (len(rows), self.shape[1])
        other._copy = None
        return other

    def for_epochs(self, batch_size, n_jobs):
        """These rows as the epochs read them (``n_jobs`` is the device's)."""
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        pass

    def metadata_weights(self, sample_weight):
        """The weights of the rows in use (what the callbacks are told)."""
        return sample_weight[self.rows]

    # -- sums over the rows ---------------------------------------------------------

    def _sums(self, loss, batch, W, loss_params, gradient=True):
        """``(each target's weighted loss summed over the ``batch``'s rows,
        the summed gradient of shape ``(n_targets, n_features + 1)`` or
        None)``, float64."""
        xp, X = self.xp, batch.X
        n_features = X.shape[1]
        Z = X @ W[:, :n_features].T + W[:, n_features]
        values, derivatives = loss_arrays(loss, xp, Z, batch.Y, loss_params)
        weights = batch.weights[:, None]
        values = values * weights
        if batch.masked:  # (a row not in use counts for 0, even if not finite)
            values = xp.where(weights > 0, values, xp.zeros_like(values))
        losses = xp.sum(xp.astype(values, xp.float64, copy=False), axis=0)
        if not gradient:
            return losses, None
        D = derivatives * weights
        if batch.masked:
            D = xp.where(weights > 0, D, xp.zeros_like(D))
        intercept = xp.sum(xp.astype(D, xp.float64, copy=False), axis=0)
        G = xp.concat([transposed_product(xp, D, X), intercept[:, None]], axis=1)
        return losses, G

    def mean_loss(self, loss, W, loss_params):
        """Each target's weighted mean loss at ``W`` (host), as float64."""
        batch = self._all_rows()
        W = self._to_device(W, batch.X.dtype)
        losses, _ = self._sums(str(loss), batch, W, loss_params, gradient=False)
        return self._to_host(losses) / max(self.shape[0], 1)

    def zero_model_loss(self, loss, n_targets, loss_params):
        """``mean_loss`` at all-zero parameters, without reading ``X``."""
        batch, xp = self._all_rows(), self.xp
        Y, weights = batch.Y, batch.weights[:, None]
        values, _ = loss_arrays(str(loss), xp, xp.zeros_like(Y), Y, loss_params)
        values = xp.where(weights > 0, values * weights, xp.zeros_like(values))
        losses = xp.sum(xp.astype(values, xp.float64, copy=False), axis=0)
        return self._to_host(losses) / max(self.shape[0], 1)

    def reduce(self, function, *args):
        """``function(X, Y, weights, rows, *args)`` on the device, NumPy
        arguments moved there (the classifier's validation accuracy)."""
        batch = self._all_rows()
        args = [
            self._to_device(a, batch.X.dtype) if isinstance(a, np.ndarray) else a
            for a in args
        ]
        return function(batch.X, batch.Y, batch.weights, None, *args)

    # -- the "auto" step ------------------------------------------------------------

    def covariance_matvec(self, fit_intercept):
        """``v, out -> out = C v`` on host vectors, two products with ``X`` on
        the device (see ``_engine._step_size``)."""
        X, _, weights, *_ = self._all_rows()
        xp, n_features = self.xp, X.shape[1]

        def matvec(v, out):
            coef = self._to_device(v[0, :n_features], X.dtype)
            s = X @ coef
            if fit_intercept:
                s = s + float(v[0, n_features])
            s = (s * weights)[:, None]
            out[0, :n_features] = self._to_host(transposed_product(xp, s, X))[0]
            if fit_intercept:
                total = xp.sum(xp.astype(s, xp.float64, copy=False))
                out[0, n_features] = float(total)
            out /= max(self.shape[0], 1)

        return matvec

    def weighted_squared_row_norms(self, fit_intercept):
        """``w_i ||x_i||**2`` of each row in use (a host array), a block of rows
        at a time."""
        X, xp = self.X, self.xp
        norms = []
        n = X.shape[0]
        for start in range(0, n, _ROWS_PER_BLOCK):
            stop = min(start + _ROWS_PER_BLOCK, n)
            block = xp.astype(X[start:stop, ...], xp.float64, copy=False)
            norms.append(self._to_host(xp.sum(block * block, axis=1)))
        norms = np.concatenate(norms) if norms else np.zeros(0)
        if fit_intercept:
            norms += 1.0
        return (self.sample_weight * norms)[self.rows]

    # -- the epoch ------------------------------------------------------------------

    def epoch(self, fit, order, active, learning_rate):
        """One epoch over the rows in ``order`` (see ``_engine._loop.Fit``): the
        host's ``W``, slots, count, average, path and losses are updated."""
        _DeviceEpoch(self, fit, active, learning_rate).run(order)


class _DeviceEpoch:
    """One epoch of ``DeviceRows``: the fit's state on the device, batch by
    batch, and back."""

    def __init__(self, rows, fit, active, learning_rate):
        self.rows, self.fit, self.xp = rows, fit, rows.xp
        xp, to_device = rows.xp, rows._to_device
        dtype = rows.X.dtype
        self.W = to_device(fit.W, dtype)
        optimizer = fit.optimizer
        self.slots = tuple(to_device(s, xp.float64) for s in optimizer.slots)
        self.steps = to_device(learning_rate, xp.float64)
        columns = np.ones(fit.W.shape[1], dtype=bool)
        columns[-1] = fit.config.fit_intercept
        self.active = to_device(active[:, None], xp.bool)
        self.updated = to_device(active[:, None] & columns, xp.bool)
        coefficients = columns.copy()
        coefficients[-1] = False
        self.penalised = to_device(active[:, None] & coefficients, xp.bool)
        averaging = fit.config.average_start > 0
        self.average = to_device(optimizer.average, xp.float64) if averaging else None
        self.count = int(optimizer.count[0])
        self.losses = xp.zeros(fit.W.shape[0], dtype=xp.float64, device=rows.device)
        self.path = []

    def run(self, order):
        rows, fit = self.rows, self.fit
        batch_size, n = fit.config.batch_size, len(order)
        if batch_size >= n:
            batches = [rows._all_rows()]
        else:
            contiguous = rows.every_row and order is rows.rows
            index = None if contiguous else rows._index(order)
            batches = (
                self._batch(index, start, min(start + batch_size, n))
                for start in range(0, n, batch_size)
            )
        for k, batch in enumerate(batches):
            self.update(k, batch)
        self.finish()

    def _batch(self, index, start, stop):
        rows = self.rows
        if index is None:
            part = slice(start, stop)
            return Batch(
                rows.X[part, ...], rows.Y[part, ...], rows.weights[part], stop - start
            )
        return Batch(*rows._take(index[start:stop]), stop - start)

    def update(self, k, batch):
        """The ``k``-th update of the epoch, on the ``Batch`` ``batch``."""
        xp, fit, config = self.xp, self.fit, self.fit.config
        losses, G = self.rows._sums(str(fit.loss), batch, self.W, config.loss_params)
        self.losses = self.losses + losses
        self.count += 1
        W = xp.astype(self.W, xp.float64, copy=False)
        G = G * (1.0 / batch.n_rows)
        if config.l2:
            G = G + config.l2 * xp.where(self.penalised, W, xp.zeros_like(W))
        step = self.steps[min(k, self.steps.shape[0] - 1), :][:, None]
        new, slots, effective = array_update(
            fit.rule, xp, fit.optimizer.hyper, W, G, self.slots, step, self.count
        )
        if config.l1 and not config.cumulative_l1:
            threshold = config.l1 * effective
            shrunk = xp.where(
                new > threshold,
                new - threshold,
                xp.where(new < -threshold, new + threshold, xp.zeros_like(new)),
            )
            new = xp.where(self.penalised, shrunk, new)
        updated = self.updated
        self.slots = tuple(
            xp.where(updated, s, old) for s, old in zip(slots, self.slots, strict=True)
        )
        self.W = xp.astype(xp.where(updated, new, W), self.rows.X.dtype, copy=False)
        start = config.average_start
        if start and self.count >= start:
            weight = 1.0 / (self.count - start + 1)
            change = (xp.astype(self.W, xp.float64, copy=False) - self.average) * weight
            self.average = self.average + xp.where(
                self.active, change, xp.zeros_like(change)
            )
        if fit.work.path.shape[0] > 0:
            self.path.append(self.W)

    def finish(self):
        """The epoch's results, back on the host."""
        fit, to_host, xp = self.fit, self.rows._to_host, self.xp
        optimizer, work = fit.optimizer, fit.work
        fit.W[...] = to_host(self.W)
        for k, slot in enumerate(self.slots):
            optimizer.slots[k] = to_host(slot)
        optimizer.count[0] = self.count
        if self.average is not None:
            optimizer.average[...] = to_host(self.average)
        work.target_loss[:] = to_host(self.losses)
        if self.path:
            work.path[: len(self.path)] = to_host(xp.stack(self.path))
