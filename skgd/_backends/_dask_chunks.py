"""The rows of a fit on a Dask cluster, and the map-reduce over their chunks.

Full-batch gradient descent needs, at each epoch, the gradient summed over the
samples. Each chunk of rows sums its own part where it lives (a task running
the same compiled kernel as in memory, ``_kernels.accumulate_gradient``), the
partial sums are added on the cluster in a tree, and only the sum comes back:
an array of shape (n_targets, n_features + 2). The parameters go out the same
way, once per worker. ``X`` never leaves the workers (a chunk moves between
workers only if Dask's scheduler decides so, as for any task).

This module imports Dask only inside the functions that need it, so importing
skgd never imports Dask.
"""

import uuid

import numpy as np

from .._jit import CompileTimeName
from .._kernels._bundles import Data
from .._kernels._dense import accumulate_gradient
from ._memory import apply_batch_gradient, gram_matvec

#: Partial sums added per task of the reduction tree (dask's ``split_every``).
SPLIT_EVERY = 8
#: Above this many columns (features plus intercept) ``learning_rate="auto"``
#: runs its power iteration as one map-reduce per iteration instead of
#: gathering the (size, size) weighted Gram matrix in one pass (8 MB a partial
#: sum at this size).
MAX_GRAM_SIZE = 1024


def is_dask_collection(obj):
    """Whether ``obj`` is one of Dask's own collections (array, DataFrame,
    Series), without importing Dask. Other types that speak Dask's protocol
    (xarray, pint) go through scikit-learn's validation as before."""
    module = type(obj).__module__.split(".")[0]
    return module in ("dask", "dask_expr") and hasattr(obj, "__dask_graph__")


def _chunk_rows(n_rows, mask, select):
    """The rows of a chunk that a fit uses: all, or those whose split ``mask``
    (True for training, False for validation) equals ``select``."""
    if select is None:
        return np.arange(n_rows, dtype=np.int64)
    return np.flatnonzero(mask == select).astype(np.int64, copy=False)


def _apply(function, x, Y, w, mask, select, weight_scale, *args):
    rows = _chunk_rows(len(Y), mask, select)
    return function(np.ascontiguousarray(x), Y, w * weight_scale, rows, *args)


def _apply_without_x(function, Y, w, mask, select, weight_scale, *args):
    rows = _chunk_rows(len(Y), mask, select)
    return function(Y, w * weight_scale, rows, *args)


def _add(*parts):
    return sum(parts[1:], parts[0])


def _tree_sum(layer, keys, name):
    """Add tasks summing the results of ``keys`` to ``layer``, ``SPLIT_EVERY``
    at a time; return the key of the total."""
    from dask.task_spec import Task, TaskRef

    level = 0
    while len(keys) > 1:
        groups = [keys[i : i + SPLIT_EVERY] for i in range(0, len(keys), SPLIT_EVERY)]
        keys = [f"{name}-sum-{level}-{i}" for i in range(len(groups))]
        for key, group in zip(keys, groups, strict=True):
            layer[key] = Task(key, _add, *map(TaskRef, group))
        level += 1
    return keys[0]


# -- what a chunk computes -----------------------------------------------------


def gradient_sums(x, Y, w, rows, loss, W, active, loss_params):
    """``[grad | loss]``: the kernel's gradient sum over ``rows`` (one row per
    target, the intercept's last) and each target's weighted loss sum."""
    grad = np.zeros(W.shape)
    target_loss = np.zeros(W.shape[0])
    accumulate_gradient(
        loss, Data(x, Y, w), rows, W, active, loss_params, grad, target_loss
    )
    return np.column_stack([grad, target_loss])


def loss_sums(x, Y, w, rows, loss, W, loss_params):
    """Each target's weighted loss sum over ``rows`` at ``W`` (no gradient)."""
    inactive = np.zeros(W.shape[0], bool)
    return gradient_sums(x, Y, w, rows, loss, W, inactive, loss_params)[:, -1]


def zero_model_loss_sums(Y, w, rows, loss, n_targets, loss_params):
    """``loss_sums`` at all-zero parameters, where every prediction is 0
    whatever ``x`` is: computed without reading the chunk of ``X``."""
    no_columns = np.zeros((len(Y), 0), dtype=Y.dtype)
    W = np.zeros((n_targets, 1), dtype=Y.dtype)
    return loss_sums(no_columns, Y, w, rows, loss, W, loss_params)


def weighted_gram(x, Y, w, rows, fit_intercept):
    """``sum_i w_i x_i x_i^T`` over ``rows``, each row augmented with a 1 under
    ``fit_intercept``."""
    size = x.shape[1] + int(fit_intercept)
    augmented = np.ones((len(rows), size))
    augmented[:, : x.shape[1]] = x[rows]
    return (augmented * w[rows, np.newaxis]).T @ augmented


def gram_matvec_sums(x, Y, w, rows, fit_intercept, v):
    """``sum_i w_i x_i (x_i . v)`` over ``rows`` (``_memory.gram_matvec``,
    which takes the mean)."""
    out = np.zeros_like(v)
    if len(rows):
        gram_matvec(np.ascontiguousarray(x[rows]), w[rows], fit_intercept, v, out)
    return out * len(rows)


def _row_chunk_keys(array):
    """The key of each chunk of rows of a dask array chunked along rows only."""
    keys = array.__dask_keys__()
    return [key[0] for key in keys] if array.ndim == 2 else keys


def input_checks(x, Y, w, rows):
    """What ``validate_data`` checks in memory, as sums over the chunks:
    ``[X has NaN, X has inf, Y has NaN, Y has inf, a weight is not finite, a
    weight is negative, sum of the weights]``."""
    return np.array(
        [
            np.isnan(x).any(),
            np.isinf(x).any(),
            np.isnan(Y).any(),
            np.isinf(Y).any(),
            not np.isfinite(w).all(),
            (w < 0).any(),
            w.sum(),
        ],
        dtype=np.float64,
    )


class DaskChunks:
    """The rows of a fit, chunk by chunk on a Dask cluster.

    ``arrays`` are dask arrays with the same row chunks: ``X``, the kernels'
    target matrix ``Y``, the sample weights and the early-stopping split
    (True: training row; ``None`` without a split), persisted or not. The fit
    uses the rows whose split equals ``select`` (all when ``None``), weighted
    by ``weight_scale`` times their weight, which makes their mean weight 1.
    It answers what the epoch loop and the ``"auto"`` step ask of the rows of
    a fit, as ``_memory.InMemoryRows`` does, each by a map-reduce.
    """

    kind = "Dask"
    #: The client holds no row indices (the full batch takes no order).
    rows = np.arange(0)

    def __init__(self, arrays, n_samples, select=None, weight_scale=1.0):
        from dask.highlevelgraph import HighLevelGraph

        X = arrays[0]
        # The arrays' graph, merged once; each map-reduce refers to the chunks
        # by key.
        given = [a for a in arrays if a is not None]
        self.graph = HighLevelGraph.merge(*(a.__dask_graph__() for a in given))
        keys = [
            [None] * X.numblocks[0] if a is None else _row_chunk_keys(a) for a in arrays
        ]
        self.blocks = list(zip(*keys, strict=True))
        self.select = select
        self.weight_scale = float(weight_scale)
        self.shape = (n_samples, X.shape[1])

    def map_reduce(self, function, *args, read_x=True):
        """``sum`` over the chunks of ``function(x, Y, w, rows, *args)``,
        computed on the cluster; with ``read_x=False``, ``function(Y, w, rows,
        *args)`` (a task that does not load the chunk of ``X``)."""
        import dask
        from dask.delayed import Delayed
        from dask.highlevelgraph import HighLevelGraph
        from dask.task_spec import DataNode, Task, TaskRef

        # The tasks are written out rather than built with dask.delayed, which
        # costs more than scheduling them. An array argument is one task, sent
        # once to each worker, not a copy inside every chunk's task.
        name = f"skgd-{function.__name__}-{uuid.uuid4().hex}"
        layer, task_args = {}, []
        for k, arg in enumerate(args):
            if isinstance(arg, np.ndarray):
                key = f"{name}-arg-{k}"
                layer[key] = DataNode(key, arg)
                arg = TaskRef(key)
            task_args.append(arg)
        apply, data = (
            (_apply, slice(0, 4)) if read_x else (_apply_without_x, slice(1, 4))
        )
        parts = [f"{name}-{i}" for i in range(len(self.blocks))]
        for key, block in zip(parts, self.blocks, strict=True):
            chunk = [None if k is None else TaskRef(k) for k in block[data]]
            layer[key] = Task(
                key, apply, function, *chunk, self.select, self.weight_scale, *task_args
            )
        root = _tree_sum(layer, parts, name)
        graph = HighLevelGraph(
            {**self.graph.layers, name: layer},
            {**self.graph.dependencies, name: set(self.graph.layers)},
        )
        (total,) = dask.compute(Delayed(root, graph, layer=name), optimize_graph=False)
        return total

    # -- what the epoch loop asks of the data ------------------------------------

    def for_epochs(self, batch_size, n_jobs):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        pass

    def epoch(self, fit, order, active, learning_rate):
        """The full-batch epoch: one map-reduce for the gradient and the loss,
        then the update on the client."""
        self.gradient_sums(fit, active)
        apply_batch_gradient(
            fit.rule, fit.W, fit.work.grad, self.shape[0], active, learning_rate,
            fit.config, fit.optimizer, fit.work.path,
        )  # fmt: skip

    def gradient_sums(self, fit, active):
        sums = self.map_reduce(
            gradient_sums, fit.loss, fit.W, active, fit.config.loss_params
        )
        fit.work.grad[...] = sums[:, :-1]
        fit.work.target_loss[...] = sums[:, -1]

    def mean_loss(self, loss, W, loss_params):
        """Each target's weighted mean loss at ``W``."""
        loss = CompileTimeName(loss)
        return self.map_reduce(loss_sums, loss, W, loss_params) / self.shape[0]

    def zero_model_loss(self, loss, n_targets, loss_params):
        """``mean_loss`` at all-zero parameters, from ``Y`` alone."""
        sums = self.map_reduce(
            zero_model_loss_sums, CompileTimeName(loss), n_targets, loss_params,
            read_x=False,
        )  # fmt: skip
        return sums / self.shape[0]

    def covariance_matvec(self, fit_intercept):
        """``v, out -> out = C v`` for the scaled covariance ``C`` of
        ``_engine._step_size``: the Gram matrix gathered in one pass when it is
        small, else one map-reduce per product."""
        n_samples = self.shape[0]
        size = self.shape[1] + int(fit_intercept)
        if size <= MAX_GRAM_SIZE:
            covariance = self.map_reduce(weighted_gram, fit_intercept) / n_samples

            def matvec(v, out):
                np.matmul(v, covariance, out=out)

        else:

            def matvec(v, out):
                out[...] = self.map_reduce(gram_matvec_sums, fit_intercept, v)
                out /= n_samples

        return matvec

    def weighted_squared_row_norms(self, fit_intercept):
        raise TypeError(
            "A Dask fit runs the full batch only: its step takes no row norms."
        )

    def reduce(self, function, *args):
        """``map_reduce``: ``function(x, Y, w, rows, *args)`` summed over the chunks."""
        return self.map_reduce(function, *args)

    def metadata_weights(self, sample_weight):
        return sample_weight
