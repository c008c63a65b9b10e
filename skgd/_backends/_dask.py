"""Dask collections in the estimators: validation, the rows of a fit, predictions.

A fit on a Dask array runs the ``"batch"`` solver as a map-reduce over the
chunks of rows (``_dask_chunks``). What the client computes or holds is small:
per-column or per-target sums, the classes, and, only under early stopping, the
targets and the sample weights (to draw the same validation split as in memory).
``X`` itself is never gathered.

Dask is imported only inside these functions, which run only when an estimator
is given a Dask collection.
"""

import warnings

import numpy as np
from sklearn.exceptions import DataConversionWarning
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _check_feature_names,
    _check_n_features,
    _check_sample_weight,
    check_is_fitted,
)

from ._dask_chunks import DaskChunks, input_checks, is_dask_collection


def _as_dask_array(data, name):
    """A dask array from a dask array, DataFrame or Series."""
    import dask.array as da

    if hasattr(data, "to_dask_array"):
        return data.to_dask_array(lengths=True)
    if not isinstance(data, da.Array):
        raise TypeError(
            f"{name} is a {type(data).__name__}; skgd takes a dask.array.Array or a "
            "dask DataFrame (or Series)."
        )
    return data


def _known_row_chunks(array, name):
    if any(np.isnan(size) for size in array.chunks[0]):
        raise ValueError(
            f"{name} has chunks of unknown size. Call {name}.compute_chunk_sizes(), "
            "or convert a dask DataFrame with .to_dask_array(lengths=True)."
        )


def _rows_aligned(data, X, name):
    """``data`` (a dask collection or array-like) as a dask array with the row
    chunks of ``X``."""
    import dask.array as da

    on_cluster = is_dask_collection(data)
    if on_cluster:
        data = _as_dask_array(data, name)
        _known_row_chunks(data, name)
    else:
        data = np.asarray(data)
    if data.ndim == 0 or data.shape[0] != X.shape[0]:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: "
            f"[{X.shape[0]}, {data.shape[0] if data.ndim else 1}]"
        )
    chunks = (X.chunks[0],) + data.shape[1:]
    if not on_cluster:
        return da.from_array(data, chunks=chunks)
    return data.rechunk(chunks)


def check_features(estimator, X, *, reset):
    """``X`` as a 2-D float dask array whose rows are its only chunked axis,
    with ``n_features_in_`` and ``feature_names_in_`` set or checked."""
    import pandas as pd

    # scikit-learn reads the names of in-memory frames only: an empty pandas
    # frame with the same columns stands for a dask DataFrame.
    columns = getattr(X, "columns", None)
    names = X if columns is None else pd.DataFrame(columns=columns)
    _check_feature_names(estimator, names, reset=reset)
    X = _as_dask_array(X, "X")
    if X.ndim != 2:
        raise ValueError(
            f"Expected 2D array, got {X.ndim}D array instead. Reshape your data "
            "either using array.reshape(-1, 1) if your data has a single feature "
            "or array.reshape(1, -1) if it contains a single sample."
        )
    _known_row_chunks(X, "X")
    for axis, what in enumerate(("sample", "feature")):
        if X.shape[axis] < 1:
            raise ValueError(
                f"Found array with 0 {what}(s) (shape={X.shape}) while a minimum "
                "of 1 is required."
            )
    if X.dtype not in (np.float32, np.float64):
        if X.dtype.kind not in "biuf":
            raise ValueError(
                f"X has dtype {X.dtype}; expected numbers (bool, integer or float)."
            )
        X = X.astype(np.float64)
    _check_n_features(estimator, X, reset=reset)
    return X.rechunk({1: -1})


def check_training_data(estimator, X, y, *, reset, multi_output):
    """``validate_data`` for a Dask ``X``: ``X`` and ``y`` as dask arrays with
    the same row chunks. The values are checked when the fit first reads them
    (``training_rows``)."""
    if estimator.solver != "batch":
        raise ValueError(
            f"solver={estimator.solver!r} updates the parameters sample by sample "
            "in order and cannot run as a map-reduce: on a Dask array use "
            "solver='batch', or call partial_fit on each chunk (for example "
            "through dask_ml.wrappers.Incremental)."
        )
    if y is None:
        raise ValueError(
            f"{type(estimator).__name__} requires y to be passed, but the target y "
            "is None."
        )
    X = check_features(estimator, X, reset=reset)
    y = _rows_aligned(y, X, "y")
    if y.ndim == 2 and y.shape[1] == 1 and not multi_output:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected. Please "
            "change the shape of y to (n_samples, ), for example using ravel().",
            DataConversionWarning,
            stacklevel=7,  # the user's call of fit
        )
        y = y[:, 0]
    if y.ndim != 1 and not multi_output:
        raise ValueError(f"y should be a 1d array, got an array of shape {y.shape}.")
    return X, y


def classes_of(y):
    """The sorted labels of a dask ``y`` (one pass over ``y``), checked to be
    classes (``check_classification_targets``)."""
    import dask.array as da

    labels = da.unique(y).compute()
    check_classification_targets(labels)
    return labels


def class_weight_of_samples(class_weight, classes, y):
    """Each sample's class weight (``compute_class_weight``), lazily."""
    import dask
    import dask.array as da

    if class_weight == "balanced":
        labels, counts = dask.compute(*da.unique(y, return_counts=True))
        weights = np.zeros(len(classes))
        weights[np.searchsorted(classes, labels)] = len(y) / (len(labels) * counts)
    else:
        from sklearn.utils import compute_class_weight

        weights = compute_class_weight(class_weight, classes=classes, y=classes)
    return y.map_blocks(
        lambda labels: weights[np.searchsorted(classes, labels)], dtype=np.float64
    )


def checked_sample_weight(sample_weight, X):
    """The sample weights as a float64 dask array with the row chunks of ``X``
    (checked for negative and non-finite values by ``training_rows``)."""
    import dask.array as da

    if sample_weight is None:
        return da.ones(X.shape[0], chunks=(X.chunks[0],))
    if not is_dask_collection(sample_weight):
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
    weights = _rows_aligned(sample_weight, X, "sample_weight")
    if weights.ndim != 1:
        raise ValueError("Sample weights must be 1D array or scalar")
    return weights.astype(np.float64)


def _raise_if_not_finite(name, has_nan, has_inf, dtype):
    if has_nan:
        raise ValueError(f"Input {name} contains NaN.")
    if has_inf:
        raise ValueError(
            f"Input {name} contains infinity or a value too large for "
            f"{np.dtype(dtype)!r}."
        )


def training_rows(estimator, X, Y, y, sample_weight, *, early_stopping):
    """The rows of a fit on a Dask ``X``: ``(train, validation_rows)``, two
    ``DaskChunks`` (``validation_rows`` is ``None`` without early stopping).

    ``sample_weight`` is a dask array (``checked_sample_weight``). One pass
    over ``X`` makes the checks ``validate_data`` makes in memory. The weights
    are normalised to mean 1 over each side of the split; the targets ``Y``,
    the weights and the split stay on the cluster (persisted).
    """
    import dask
    import dask.array as da

    # Persisted first, so that every later graph reads them in one form.
    Y, sample_weight = dask.persist(Y.astype(X.dtype), sample_weight)
    n_samples = X.shape[0]
    everything = DaskChunks((X, Y, sample_weight, None), n_samples)
    x_nan, x_inf, y_nan, y_inf, w_bad, w_negative, w_sum = everything.map_reduce(
        input_checks
    )
    _raise_if_not_finite("X", x_nan, x_inf, X.dtype)
    _raise_if_not_finite("y", y_nan, y_inf, Y.dtype)
    if w_bad:
        raise ValueError("Input sample_weight contains NaN or infinity.")
    if w_negative:
        raise ValueError("Negative values in data passed to `sample_weight`")
    if w_sum == 0:
        raise ValueError("Sample weights must contain at least one non-zero number.")
    # Divided by their largest, as in memory: the sum of huge weights cannot
    # overflow, nor the inverse of tiny ones.
    w_max = float(sample_weight.max().compute())
    (sample_weight,) = dask.persist(sample_weight / w_max)
    w_sum = float(sample_weight.sum().compute())
    everything = DaskChunks((X, Y, sample_weight, None), n_samples)
    if not early_stopping:
        everything.weight_scale = n_samples / w_sum
        return everything, None

    # The split of the in-memory fit, drawn from the targets and the weights.
    y_local, w_local = dask.compute(y, sample_weight)
    train, validation = estimator._validation_split(w_local, y_local)
    is_train = np.zeros(n_samples, dtype=bool)
    is_train[train] = True
    mask = da.from_array(is_train, chunks=(X.chunks[0],)).persist()
    arrays = (X, Y, sample_weight, mask)
    return tuple(
        DaskChunks(arrays, len(rows), select, len(rows) / w_local[rows].sum())
        for rows, select in ((train, True), (validation, False))
    )


def map_rows(estimator, method, X, n_outputs, dtype=None):
    """``method`` (a prediction method of the fitted ``estimator``) on each chunk
    of rows of a Dask ``X``, lazily: a dask array of shape (n_samples,) when
    ``n_outputs`` is ``None``, else (n_samples, n_outputs), of ``dtype`` (by
    default, that of the method's result on a row of zeros)."""
    X = check_features(estimator, X, reset=False)
    if hasattr(estimator, "feature_names_in_"):
        method = _NamedColumns(method, list(estimator.feature_names_in_))
    if dtype is None:
        # What the method gives on chunks of X's dtype.
        dtype = method(np.zeros((1, X.shape[1]), dtype=X.dtype)).dtype
    meta = np.empty((0,) if n_outputs is None else (0, n_outputs), dtype=dtype)
    if n_outputs is None:
        return X.map_blocks(method, drop_axis=1, dtype=dtype, meta=meta)
    return X.map_blocks(
        method, chunks=(X.chunks[0], (n_outputs,)), dtype=dtype, meta=meta
    )


class _NamedColumns:
    """A prediction method given a chunk as a DataFrame with the fit's column
    names (a dask DataFrame's chunks, converted to arrays, lose them)."""

    def __init__(self, method, columns):
        self.method, self.columns = method, columns

    def __call__(self, chunk):
        import pandas as pd

        return self.method(pd.DataFrame(chunk, columns=self.columns))


class Dask:
    """What the estimators ask of Dask collections (``_memory.InMemory``'s
    counterpart)."""

    @staticmethod
    def check_training_data(estimator, X, y, *, reset, multi_output, y_numeric):
        X, y = check_training_data(
            estimator, X, y, reset=reset, multi_output=multi_output
        )
        if y_numeric and y.dtype.kind not in "biuf":
            raise ValueError(f"y has dtype {y.dtype}; expected numbers.")
        return X, y

    @staticmethod
    def target_matrix(y, dtype):
        return (y if y.ndim == 2 else y[:, np.newaxis]).astype(dtype)

    @staticmethod
    def classes(y):
        return classes_of(y)

    @staticmethod
    def check_classification_targets(y):
        """Checked by ``classes`` (the labels are known only after a pass)."""

    @staticmethod
    def map_labels(y, function, n_columns, dtype):
        """``function`` on each chunk of ``y``, lazily (labels outside the
        classes are found by the chunks' tasks)."""
        return y.map_blocks(
            function,
            dtype,
            new_axis=1,
            chunks=(y.chunks[0], (n_columns,)),
            meta=np.empty((0, n_columns), dtype=dtype),
        )

    @staticmethod
    def sample_weight(sample_weight, X):
        return checked_sample_weight(sample_weight, X)

    @staticmethod
    def class_weighted(sample_weight, class_weight, classes, y):
        """The sample weights times each sample's class weight, lazily (a
        fit checks them when it first reads them)."""
        return sample_weight * class_weight_of_samples(class_weight, classes, y)

    @staticmethod
    def training_rows(estimator, X, Y, y, sample_weight, *, early_stopping, first):
        return training_rows(
            estimator, X, Y, y, sample_weight, early_stopping=early_stopping
        )

    @staticmethod
    def require_in_memory(message):
        """Raise ``TypeError(message)``: what is asked is computed in memory."""
        raise TypeError(message)

    @staticmethod
    def publish_fitted(estimator, X):
        """Nothing to move: the fitted arrays are NumPy's."""

    @staticmethod
    def predict(estimator, method, X, n_outputs, dtype):
        """``method`` on each chunk of rows, lazily (see ``_backends.rowwise``)."""
        check_is_fitted(estimator)
        dtype = None if dtype is None else dtype(estimator)
        bound = method.__get__(estimator)
        return map_rows(estimator, bound, X, n_outputs(estimator), dtype)
