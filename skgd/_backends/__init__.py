"""The kinds of data a fit runs on, behind one interface.

``kind_of(X)`` is the one place that looks at the type of the data: in memory
(a dense array or a CSR matrix, ``_memory.InMemory``), a Dask collection
(``_dask.Dask``) or, under scikit-learn's ``array_api_dispatch``, an array of
another array-API namespace (a PyTorch tensor, a CuPy array:
``_array_api.ArrayAPI``, fitted on its device). Each kind answers what the
estimators ask of their input (validation, weights, labels, predictions) and
builds the rows of a fit: an
object with ``shape``, ``rows``, ``epoch``, ``gradient_sums``, ``mean_loss``,
``zero_model_loss``, ``covariance_matvec``, ``weighted_squared_row_norms``,
``reduce`` and ``for_epochs`` (``_memory.InMemoryRows``, its threaded
``_threads.ThreadedRows``, ``_dask_chunks.DaskChunks``,
``_device_rows.DeviceRows``), which the epoch loop
and the ``"auto"`` step use without knowing which it is.

To add a backend: a kind with ``_memory.InMemory``'s methods, rows with
``InMemoryRows``'s, and a line in ``kind_of``. A kind's ``publish_fitted``
puts the fitted arrays where that kind keeps them (the array-API kind: on the
device of ``X``).
"""

import functools

from ._array_api import ArrayAPI, is_device_array
from ._dask import Dask
from ._dask_chunks import is_dask_collection
from ._memory import InMemory


def kind_of(data):
    """The kind of ``data``: ``Dask`` for Dask's own collections, ``ArrayAPI``
    for another namespace's arrays under ``array_api_dispatch``, else
    ``InMemory`` (which scikit-learn's validation then checks)."""
    if is_dask_collection(data):
        return Dask
    return ArrayAPI if is_device_array(data) else InMemory


def rowwise(n_outputs, dtype=None):
    """Make a prediction method ``method(self, X)`` row-wise: on a Dask ``X``,
    a lazy dask array of each chunk's predictions.

    ``n_outputs(self)`` is the number of columns of the result (``None``: one
    value per row) and ``dtype(self)`` its dtype (by default, that of the
    method on a row of zeros).
    """

    def decorate(method):
        @functools.wraps(method)
        def predict(self, X):
            return kind_of(X).predict(self, method, X, n_outputs, dtype)

        return predict

    return decorate
