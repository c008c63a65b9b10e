"""Data in memory: a dense array or a CSR matrix, read by the compiled kernels.

``InMemory`` is what the estimators ask of in-memory input (validation, weights,
labels, the rows of a fit); ``InMemoryRows`` is the rows one fit trains or
validates on, with what the epoch loop and the ``"auto"`` step ask of them.
"""

import copy

import numpy as np
import scipy.sparse as sp
from sklearn.utils import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, validate_data

from .._jit import CompileTimeName
from .._kernels._bundles import Data
from .._kernels._dense import (
    accumulate_gradient,
    apply_mean_gradient,
    average_params,
    run_epoch,
)
from .._kernels._lazy_rules import lazy_rule_epoch
from .._kernels._rows import CSR
from .._kernels._sparse import csr_loss_sums, lazy_sgd_epoch
from ._checks import check_csr_structure, check_feature_scales

#: Rows of a float32 ``X`` converted to float64 at a time by ``gram_matvec``.
_ROWS_PER_BLOCK = 4096


def kernel_data(X):
    """``X`` as the kernels take it: a dense array as is, a sparse matrix as a
    ``CSR`` of its own arrays (indices as int32 when they fit, so that int32 and
    int64 input share one compiled kernel; scipy's int32 indices are not copied)."""
    if not sp.issparse(X):
        return X
    X = X.tocsr()
    if not X.has_canonical_format:
        # A column twice in a row would be stepped and thresholded twice.
        X = X.copy()
        X.sum_duplicates()
    index_dtype = np.int32 if max(X.nnz, X.shape[1]) < 2**31 else np.int64
    return CSR(
        X.data,
        X.indices.astype(index_dtype, copy=False),
        X.indptr.astype(index_dtype, copy=False),
        X.shape[1],
    )


def mean_one(sample_weight, rows=None):
    """Weights rescaled to mean 1 over ``rows`` (all when ``None``), 0 on the
    other rows (see ``_kernels``).

    Divided by their largest first, so that neither the sum of huge weights
    overflows nor the inverse of tiny ones: uniform weights become exactly 1.
    """
    used = sample_weight if rows is None else sample_weight[rows]
    used = used / used.max()
    used *= len(used) / used.sum()
    if rows is None:
        return used
    normalised = np.zeros_like(sample_weight)
    normalised[rows] = used
    return normalised


def gram_matvec(X, sample_weight, fit_intercept, v, out):
    """``out = (1/n) sum_i w_i x_i (x_i . v)`` for dense or sparse ``X``.

    ``v`` and ``out`` have shape (1, size); with ``fit_intercept`` the rows are
    augmented with a trailing 1, so ``size`` is ``n_features + 1``. Two
    matrix-vector products in float64 (BLAS, or scipy's for a sparse ``X``; a
    float32 ``X`` a block of rows at a time): nothing of the size of ``X`` is
    allocated, nothing compiled.
    """
    n_features = X.shape[1]
    coef = v[0, :n_features]
    out[0, :n_features] = 0.0
    intercept_sum = 0.0
    blocked = not sp.issparse(X) and X.dtype != np.float64
    step = _ROWS_PER_BLOCK if blocked else max(X.shape[0], 1)
    for start in range(0, X.shape[0], step):
        if blocked:
            rows = X[start : start + step].astype(np.float64)
        else:
            rows = X  # whole: slicing a sparse matrix would copy it
        s = np.asarray(rows @ coef, dtype=np.float64)
        if fit_intercept:
            s += v[0, n_features]
        s *= sample_weight[start : start + step]
        out[0, :n_features] += rows.T @ s
        intercept_sum += s.sum()
    if fit_intercept:
        out[0, n_features] = intercept_sum
    out /= X.shape[0]


def apply_batch_gradient(
    rule, W, grad, n_rows, active, learning_rate, config, optimizer, path
):
    """The full-batch update from the summed gradient ``grad``, counted by the
    ``optimizer``, averaged and recorded in ``path`` (``run_epoch``'s last
    steps): shared by every backend whose epoch sums the gradient itself.
    ``learning_rate`` is the epoch's steps (its first row: one update)."""
    optimizer.count[0] += 1
    step = learning_rate[0]
    apply_mean_gradient(rule, W, grad, n_rows, active, step, config, optimizer)
    start = config.average_start
    if start and optimizer.count[0] >= start:
        average_params(optimizer.average, W, active, optimizer.count[0] - start + 1)
    if path.shape[0] > 0:
        path[0] = W


class InMemoryRows:
    """The ``rows`` of an in-memory ``X`` (all when ``None``) that a fit trains
    or validates on, with their targets ``Y`` and weights (normalised to mean
    1 over them, 0 elsewhere). ``X`` is converted for the kernels once and
    never copied.
    """

    def __init__(self, X, Y, sample_weight, rows=None):
        self.X = X
        self.kind = "sparse" if sp.issparse(X) else "dense"
        self.data = Data(kernel_data(X), Y, sample_weight)
        self._rows = rows
        n_rows = X.shape[0] if rows is None else len(rows)
        self.shape = (n_rows, X.shape[1])

    @property
    def rows(self):
        """The indices of the rows, in their order (made when first asked
        for: the caller's copy of the weights is gone by then)."""
        if self._rows is None:
            self._rows = np.arange(self.X.shape[0])
        return self._rows

    def with_rows(self, sample_weight, rows):
        """Other rows of the same ``X`` (early stopping's held-out rows), with
        their own weights: ``X`` is not converted again."""
        other = copy.copy(self)
        other.data = self.data._replace(sample_weight=sample_weight)
        other._rows = rows
        other.shape = (len(rows), self.shape[1])
        return other

    def for_epochs(self, batch_size, n_jobs):
        """These rows as the epochs read them: a full batch of many rows is
        summed on several threads under ``n_jobs`` (``_threads``)."""
        from ._threads import ThreadedRows, n_batch_threads

        n_threads = n_batch_threads(n_jobs, self.shape[0])
        if batch_size < self.shape[0] or n_threads == 1:
            return self
        return ThreadedRows(self, n_threads)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        pass

    def epoch(self, fit, order, active, learning_rate):
        """One epoch over the rows in ``order`` (see ``_engine._loop.Fit``)."""
        config, optimizer, work = fit.config, fit.optimizer, fit.work
        # The lazy epoch averages lazily, but for the proximal L1 step,
        # whose deferred thresholds the lazy mean cannot follow.
        prox_l1 = config.l1 > 0 and not config.cumulative_l1
        lazy = fit.rule == "sgd" and not (config.average_start and prox_l1)
        if self.kind == "sparse" and lazy:
            lazy_sgd_epoch(
                fit.loss, self.data, order, fit.W, active, learning_rate, config,
                optimizer, work,
            )  # fmt: skip
            optimizer.count[0] += -(-len(order) // config.batch_size)
        elif self.kind == "sparse" and fit.lazy and config.batch_size < len(order):
            lazy_rule_epoch(
                fit.loss, fit.rule, self.data, order, fit.W, active, learning_rate,
                config, optimizer, work,
            )  # fmt: skip
        elif config.batch_size < len(order):
            run_epoch(
                fit.loss, fit.rule, self.data, order, fit.W, active, learning_rate,
                config, optimizer, work,
            )  # fmt: skip
        else:
            # The gradient's sum (compiled for the loss) and the update
            # (compiled for the rule) are two kernels, not one compiled for
            # the pair: a first fit compiles only what it lacks, and a second
            # loss or optimizer reuses the other half.
            self.gradient_sums(fit, active)
            apply_batch_gradient(
                fit.rule, fit.W, work.grad, len(order), active, learning_rate,
                config, optimizer, work.path,
            )  # fmt: skip

    def gradient_sums(self, fit, active):
        """``fit.work.grad`` and ``target_loss``: the sums over the rows."""
        grad, target_loss = fit.work.grad, fit.work.target_loss
        grad[:] = 0.0
        target_loss[:] = 0.0
        accumulate_gradient(
            fit.loss, self.data, self.rows, fit.W, active, fit.config.loss_params,
            grad, target_loss,
        )  # fmt: skip

    def mean_loss(self, loss, W, loss_params):
        """Each target's weighted mean loss at ``W``, as float64."""
        return self._mean_loss(loss, self.data, W, loss_params)

    def zero_model_loss(self, loss, n_targets, loss_params):
        """``mean_loss`` at all-zero parameters, where every prediction is 0:
        computed without reading ``X`` (the same kernel, on zero columns)."""
        Y = self.data.Y
        no_columns = np.empty((Y.shape[0], 0), dtype=Y.dtype)
        data = self.data._replace(X=no_columns)
        return self._mean_loss(
            loss, data, np.zeros((n_targets, 1), Y.dtype), loss_params
        )

    def mean_gradient(self, loss, W, loss_params):
        """Each target's weighted mean gradient of the loss at ``W`` (the
        shape of ``W``, float64; the intercept's last)."""
        grad = np.zeros(W.shape)
        active = np.ones(W.shape[0], dtype=bool)
        accumulate_gradient(
            CompileTimeName(loss), self.data, self.rows, W, active, loss_params,
            grad, np.zeros(W.shape[0]),
        )  # fmt: skip
        return grad / max(self.shape[0], 1)

    def _mean_loss(self, loss, data, W, loss_params):
        total = np.zeros(W.shape[0])
        if isinstance(data.X, CSR):  # a loss kernel of its own: half the time
            csr_loss_sums(CompileTimeName(loss), data, self.rows, W, loss_params, total)
            return total / max(self.shape[0], 1)
        # The gradient kernel with no target active sums the losses only: the
        # same compiled code as the epochs' (no second kernel per loss).
        inactive = np.zeros(W.shape[0], dtype=bool)
        accumulate_gradient(
            CompileTimeName(loss), data, self.rows, W, inactive, loss_params,
            np.empty(W.shape), total,
        )  # fmt: skip
        return total / max(self.shape[0], 1)

    def covariance_matvec(self, fit_intercept):
        """``v, out -> out = C v`` for ``C``, the weighted mean of ``x_i x_i^T``
        over the rows (see ``_engine._step_size``)."""
        # The weights are 0 off the rows: the product over all of X, rescaled,
        # without a copy of the rows.
        scale = self.X.shape[0] / max(self.shape[0], 1)

        def matvec(v, out):
            gram_matvec(self.X, self.data.sample_weight, fit_intercept, v, out)
            out *= scale

        return matvec

    def weighted_squared_row_norms(self, fit_intercept):
        """``w_i ||x_i||**2`` of each row in use, augmented with 1 under
        ``fit_intercept``."""
        X = self.X
        if sp.issparse(X):
            X = sp.csr_matrix(X)
            squares = X.data.astype(np.float64) ** 2  # float32 squares overflow
            norms = np.asarray(
                sp.csr_matrix((squares, X.indices, X.indptr), shape=X.shape).sum(axis=1)
            ).ravel()
        else:
            norms = np.einsum("ij,ij->i", X, X, dtype=np.float64)
        if fit_intercept:
            norms += 1.0
        return (self.data.sample_weight * norms)[self.rows]

    def metadata_weights(self, sample_weight):
        """The weights of the rows in use (what the callbacks are told)."""
        return sample_weight[self.rows]

    def reduce(self, function, *args):
        """``function(X, Y, sample_weight, rows, *args)``: a sum over the rows,
        which a Dask backend sums chunk by chunk."""
        return function(self.X, self.data.Y, self.data.sample_weight, self.rows, *args)


class InMemory:
    """What the estimators ask of in-memory data."""

    @staticmethod
    def check_training_data(estimator, X, y, *, reset, multi_output, y_numeric):
        X, y = validate_data(
            estimator,
            X,
            y,
            reset=reset,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
            order="C",
            multi_output=multi_output,
            y_numeric=y_numeric,
        )
        check_csr_structure(X)
        return X, y

    @staticmethod
    def target_matrix(y, dtype):
        """``y`` as a C-contiguous 2-D float array of ``dtype``."""
        return np.ascontiguousarray(y.reshape(len(y), -1), dtype=dtype)

    @staticmethod
    def classes(y):
        """The sorted labels (checked by ``check_classification_targets``)."""
        return np.unique(y)

    @staticmethod
    def check_classification_targets(y):
        check_classification_targets(y)

    @staticmethod
    def map_labels(y, function, n_columns, dtype):
        """``function(y, dtype)``, the ``(n_samples, n_columns)`` encoded targets."""
        return function(y, dtype)

    @staticmethod
    def sample_weight(sample_weight, X):
        return _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )

    @staticmethod
    def class_weighted(sample_weight, class_weight, classes, y):
        """The sample weights times each sample's class weight."""
        weights = compute_class_weight(class_weight, classes=classes, y=y)
        sample_weight = sample_weight * weights[np.searchsorted(classes, y)]
        if not sample_weight.any():
            raise ValueError(
                f"class_weight={class_weight!r} gives every sample a weight "
                "of 0: there is nothing to fit."
            )
        return sample_weight

    @staticmethod
    def training_rows(estimator, X, Y, y, sample_weight, *, early_stopping, first):
        """``(train, validation)``: the ``InMemoryRows`` of a fit (``validation``
        is ``None`` without early stopping). Early stopping splits the rows of ``X``
        itself, without a copy. ``first``: the first call of the fit, whose
        feature scales are checked."""
        if first:
            check_feature_scales(X, getattr(estimator, "feature_names_in_", None))
        if not early_stopping:
            return InMemoryRows(X, Y, mean_one(sample_weight)), None
        rows, held_out = estimator._validation_split(sample_weight, y)
        train = InMemoryRows(X, Y, mean_one(sample_weight, rows), rows)
        validation = train.with_rows(mean_one(sample_weight, held_out), held_out)
        return train, validation

    @staticmethod
    def require_in_memory(message):
        """Nothing to say: the data are in memory."""

    @staticmethod
    def evaluation_rows(X, Y, sample_weight):
        """All the rows of ``X``, to evaluate a fitted model's objective."""
        return InMemoryRows(X, Y, mean_one(sample_weight))

    @staticmethod
    def publish_fitted(estimator, X):
        """Nothing to move: the fitted arrays are NumPy's."""

    @staticmethod
    def predict(estimator, method, X, n_outputs, dtype):
        return method(estimator, X)
