"""Arrays of another array-API namespace than NumPy's (PyTorch tensors on the
CPU or a GPU, CuPy arrays, ``array_api_strict``), under scikit-learn's
``array_api_dispatch``: fitted where they live.

``ArrayAPI`` is what the estimators ask of such input; the rows of a fit are
``_device_rows.DeviceRows``. ``X`` stays where it is. What crosses between the
host and the device:

- once per fit: the sample weights and the encoded targets of a classifier
  (8 bytes a row), the labels to the host (the classes are found there), the
  columns' largest magnitudes (the feature-scale check);
- once per epoch: the parameters and the optimizer's state (their size), the
  order of the rows when they are shuffled, and a number per target (the
  losses the stopping rules read);
- at the end of the fit: the fitted arrays, into the namespace and device of
  ``X``.

The labels of a classifier (``classes_``) stay NumPy arrays, as scikit-learn
allows: they may be strings.

Nothing here imports PyTorch or CuPy: the namespace is found from the array
(``array_api_compat`` looks a library up only when it is already imported).
"""

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
from sklearn.externals.array_api_compat import array_namespace, is_array_api_obj
from sklearn.utils._array_api import (
    _convert_to_numpy,
    _is_numpy_namespace,
    _max_precision_float_dtype,
    get_namespace_and_device,
    move_to,
)
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, validate_data

from ._checks import check_magnitudes
from ._device_rows import DeviceRows, column_magnitudes
from ._memory import mean_one

SGD_ON_A_DEVICE = (
    "solver='sgd' makes one update per sample, a loop of tiny operations that "
    "an array-API device cannot run fast; it is compiled for NumPy arrays only. "
    "Use solver='minibatch' (with a batch_size of a few hundred or more) or "
    "solver='batch' on this array, or convert X and y to NumPy arrays (for "
    "example with X.cpu().numpy() for a PyTorch tensor) to run per-sample SGD."
)


def is_device_array(data):
    """Whether ``data`` is an array of another namespace than NumPy's that
    scikit-learn dispatches to (``array_api_dispatch=True``)."""
    if not get_config()["array_api_dispatch"]:
        return False
    if isinstance(data, np.ndarray) or sp.issparse(data) or not is_array_api_obj(data):
        return False
    return not _is_numpy_namespace(array_namespace(data))


def to_numpy(array):
    """``array`` as a NumPy array on the host (``None``, scalars and NumPy
    arrays as they are)."""
    if array is None or isinstance(array, np.ndarray) or not is_array_api_obj(array):
        return array
    return _convert_to_numpy(array, array_namespace(array))


def host_dtype(dtype):
    """The NumPy dtype of an array-API dtype (``torch.float32``: float32)."""
    if isinstance(dtype, np.dtype) or (
        isinstance(dtype, type) and issubclass(dtype, np.generic)
    ):
        return np.dtype(dtype)
    return np.dtype(str(dtype).rsplit(".", 1)[-1])


class ArrayAPI:
    """What the estimators ask of array-API input (see the module docstring)."""

    @staticmethod
    def check_training_data(estimator, X, y, *, reset, multi_output, y_numeric):
        if estimator.solver == "sgd":
            raise ValueError(SGD_ON_A_DEVICE)
        xp, _, device = get_namespace_and_device(X)
        if _max_precision_float_dtype(xp, device) != xp.float64:
            raise ValueError(
                f"The device of X ({device}) has no float64, in which the "
                "parameters and the optimizer's state are updated. Fit on a "
                "device with float64 (a CUDA GPU, the CPU), or convert X and y "
                "to NumPy arrays."
            )
        # Numeric targets follow X; labels go to the host, where the classes
        # are found and encoded.
        y = move_to(y, xp=xp, device=device) if y_numeric else to_numpy(y)
        return validate_data(
            estimator,
            X,
            y,
            reset=reset,
            dtype=[xp.float64, xp.float32],
            multi_output=multi_output,
            y_numeric=y_numeric,
        )

    @staticmethod
    def check_classification_targets(y):
        """(The labels are on the host by now.)"""
        check_classification_targets(y)

    @staticmethod
    def target_matrix(y, dtype):
        """``y`` as a 2-D array of ``dtype``, in its own namespace."""
        xp = array_namespace(y)
        return xp.astype(xp.reshape(y, (y.shape[0], -1)), dtype)

    @staticmethod
    def sample_weight(sample_weight, X):
        """The weights as a float64 NumPy array (checked by scikit-learn)."""
        rows = np.empty((X.shape[0], 0))  # only the number of rows is read
        return _check_sample_weight(
            to_numpy(sample_weight), rows, dtype=np.float64, ensure_non_negative=True
        )

    @staticmethod
    def training_rows(estimator, X, Y, y, sample_weight, *, early_stopping, first):
        """``(train, validation)``: the ``DeviceRows`` of a fit (``validation``
        is ``None`` without early stopping), on the rows of ``X`` itself."""
        if first:
            check_magnitudes(
                column_magnitudes(X),
                X.shape[1],
                getattr(estimator, "feature_names_in_", None),
            )
        if not early_stopping:
            return DeviceRows(X, Y, mean_one(sample_weight)), None
        rows, held_out = estimator._validation_split(sample_weight, to_numpy(y))
        train = DeviceRows(X, Y, mean_one(sample_weight, rows), rows)
        validation = train.with_rows(mean_one(sample_weight, held_out), held_out)
        return train, validation

    @staticmethod
    def require_in_memory(message):
        """Raise ``TypeError``: what is asked is computed on NumPy arrays."""
        raise TypeError(
            f"{message} (on NumPy arrays: move a sample of the rows to the host, "
            "for example X[:10_000].cpu().numpy() for a PyTorch tensor)."
        )

    @staticmethod
    def predict(estimator, method, X, n_outputs, dtype):
        return method(estimator, X)

    @staticmethod
    def publish_fitted(estimator, X):
        """Move the estimator's fitted NumPy arrays (but the labels) to the
        namespace and device of ``X``, as scikit-learn's array-API estimators
        keep them."""
        xp, _, device = get_namespace_and_device(X)
        twins = {}
        for name, value in list(vars(estimator).items()):
            if isinstance(value, np.ndarray) and name != "classes_":
                setattr(estimator, name, move_to(value, xp=xp, device=device))
                if name in ("coef_history_", "intercept_history_"):
                    twins[name] = value
        # The histories' host arrays, which a partial_fit extends in place.
        estimator._host_twins = twins
