"""The benchmark data, generated from a fixed seed."""

import numpy as np
import scipy.sparse as sp


def make_data(n_samples, n_features, dtype=np.float64, seed=0):
    """A dense linear problem: Gaussian features, a little noise (the same
    numbers in float32, rounded)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    y = X @ rng.standard_normal(n_features) + 0.1 * rng.standard_normal(n_samples)
    return X.astype(dtype, copy=False), y.astype(dtype, copy=False)


def make_sparse_data(n_samples, n_features, nnz_per_row, seed=0):
    """A text-like CSR problem: ``nnz_per_row`` random columns a row, with
    column popularity falling off as in word counts (Zipf)."""
    rng = np.random.default_rng(seed)
    popularity = 1.0 / np.arange(1, n_features + 1)
    columns = rng.choice(
        n_features, size=n_samples * nnz_per_row, p=popularity / popularity.sum()
    )
    rows = np.repeat(np.arange(n_samples), nnz_per_row)
    values = rng.uniform(0.5, 1.5, size=len(columns)) / np.sqrt(nnz_per_row)
    X = sp.csr_matrix((values, (rows, columns)), shape=(n_samples, n_features))
    coef = rng.standard_normal(n_features)
    y = X @ coef + 0.1 * rng.standard_normal(n_samples)
    return X, y
