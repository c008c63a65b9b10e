"""Row access for the kernels, the same for dense and sparse (CSR) ``X``.

A kernel written with these functions compiles for a dense C-contiguous array
and for a ``CSR`` (``scipy.sparse``'s three arrays); numba picks the
implementation by the type of ``X`` while compiling, so neither pays for the
other. On a CSR row the work is proportional to the row's non-zeros.
"""

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from numba import types
from numba.extending import overload

from ._jit import JIT


class CSR(NamedTuple):
    """A CSR matrix as the kernels see it."""

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    n_features: int


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


def _sparse_dot(X, i, W, t):
    total = 0.0
    for p in range(X.indptr[i], X.indptr[i + 1]):
        total += X.data[p] * W[t, X.indices[p]]
    return total


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
