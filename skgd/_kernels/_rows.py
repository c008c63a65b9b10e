"""Row access for the kernels, the same for dense and sparse (CSR) ``X``.

A kernel written with these functions compiles for a dense C-contiguous array
and for a ``CSR`` (``scipy.sparse``'s three arrays); numba picks the
implementation by the type of ``X`` while compiling, so neither pays for the
other. On a CSR row the work is proportional to the row's non-zeros.
"""

from typing import NamedTuple

import numba
import numpy as np
from numba import types
from numba.extending import overload

from .._jit import JIT, SPARSE_JIT


class CSR(NamedTuple):
    """A CSR matrix as the kernels see it."""

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    n_features: int


def _dense(X):
    return isinstance(X, types.Array)


def n_rows(X):
    """The number of rows of ``X``."""
    raise NotImplementedError("only callable from compiled code")


def n_columns(X):
    """The number of features of ``X``."""
    raise NotImplementedError("only callable from compiled code")


def dot(X, i, W, t):
    """``x_i . W[t, :n_features]``."""
    raise NotImplementedError("only callable from compiled code")


def add_row(X, i, g, out, t):
    """``out[t, :n_features] += g * x_i``."""
    raise NotImplementedError("only callable from compiled code")


def squared_norm(X, i):
    """``||x_i||**2``."""
    raise NotImplementedError("only callable from compiled code")


@overload(n_rows, jit_options=JIT)
def _n_rows(X):
    if _dense(X):
        return lambda X: X.shape[0]
    return lambda X: X.indptr.shape[0] - 1


@overload(n_columns, jit_options=JIT)
def _n_columns(X):
    if _dense(X):
        return lambda X: X.shape[1]
    return lambda X: X.n_features


def _dense_dot(X, i, W, t):
    total = 0.0
    for j in range(X.shape[1]):
        total += X[i, j] * W[t, j]
    return total


@numba.njit(**SPARSE_JIT)
def _csr_dot(X, i, W, t):
    total = 0.0
    for p in range(X.indptr[i], X.indptr[i + 1]):
        total += X.data[p] * W[t, X.indices[p]]
    return total


def _sparse_dot(X, i, W, t):
    return _csr_dot(X, i, W, t)


@overload(dot, jit_options=JIT)
def _dot(X, i, W, t):
    return _dense_dot if _dense(X) else _sparse_dot


def _dense_add_row(X, i, g, out, t):
    for j in range(X.shape[1]):
        out[t, j] += g * X[i, j]


def _sparse_add_row(X, i, g, out, t):
    for p in range(X.indptr[i], X.indptr[i + 1]):
        out[t, X.indices[p]] += g * X.data[p]


@overload(add_row, jit_options=JIT)
def _add_row(X, i, g, out, t):
    return _dense_add_row if _dense(X) else _sparse_add_row


def _dense_squared_norm(X, i):
    total = 0.0
    for j in range(X.shape[1]):
        total += X[i, j] * X[i, j]
    return total


def _sparse_squared_norm(X, i):
    total = 0.0
    for p in range(X.indptr[i], X.indptr[i + 1]):
        total += X.data[p] * X.data[p]
    return total


@overload(squared_norm, jit_options=JIT)
def _squared_norm(X, i):
    return _dense_squared_norm if _dense(X) else _sparse_squared_norm


def dense_row(X, i, buffer):
    """Row ``i`` as a dense 1-D array: a view of a dense ``X``; a CSR row
    scattered into ``buffer`` (zeros, of length ``n_features``), which
    ``clear_row`` zeroes again."""
    raise NotImplementedError("only callable from compiled code")


def clear_row(X, i, buffer):
    """Undo ``dense_row``'s scatter into ``buffer``."""
    raise NotImplementedError("only callable from compiled code")


def _dense_dense_row(X, i, buffer):
    return X[i]


def _sparse_dense_row(X, i, buffer):
    for p in range(X.indptr[i], X.indptr[i + 1]):
        buffer[X.indices[p]] = X.data[p]
    return buffer


@overload(dense_row, jit_options=JIT)
def _dense_row(X, i, buffer):
    return _dense_dense_row if _dense(X) else _sparse_dense_row


def _nothing_to_clear(X, i, buffer):
    pass


def _clear_sparse_row(X, i, buffer):
    for p in range(X.indptr[i], X.indptr[i + 1]):
        buffer[X.indices[p]] = 0.0


@overload(clear_row, jit_options=JIT)
def _clear_row(X, i, buffer):
    return _nothing_to_clear if _dense(X) else _clear_sparse_row


@numba.njit(**SPARSE_JIT)
def column_maxima(indices, data, n_columns):
    """The largest ``|x|`` of each column of a CSR matrix's ``indices`` and
    ``data`` (those in use), as float64."""
    largest = np.zeros(n_columns)
    for p in range(indices.shape[0]):
        value = abs(float(data[p]))
        if value > largest[indices[p]]:
            largest[indices[p]] = value
    return largest


@numba.njit(**JIT)
def dense_column_maxima(X):
    """The largest ``|x|`` of each column of a C-contiguous array, as float64,
    in one pass over its rows (numpy's ``max(axis=0)`` and ``min(axis=0)``
    take two, each three times slower)."""
    largest = np.zeros(X.shape[1])
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            largest[j] = max(largest[j], abs(float(X[i, j])))
    return largest
