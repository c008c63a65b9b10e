"""The ``learning_rate="auto"`` step: one over the loss's Lipschitz constant.

For the mean squared error the gradient is Lipschitz with constant
``L = 2 * lambda_max(C)`` where ``C = (1/n) sum_i w_i x_i x_i^T`` is the scaled
(uncentred, weighted) covariance of the rows, each augmented with a 1 when an
intercept is fitted. A step ``1 / L`` makes full-batch gradient descent decrease
the loss at every epoch (any step below ``2 / L`` converges).

Another loss with second derivative at most ``c`` in the prediction has
``L = c * lambda_max(C)`` (``_losses.CURVATURE``): ``c = 2`` for the squared
error, ``"huber"``, ``"squared_epsilon_insensitive"``, ``"squared_hinge"`` and
``"modified_huber"``, ``1/4`` for the log loss and ``1/2`` for the multinomial
(Bohning's bound). The non-smooth losses get the squared error's step, a
scale-aware starting point: they need a decaying schedule to converge.

A single sample's loss has ``L_i = c * w_i * ||x_i||**2``; the per-sample solver
uses ``1 / max_i L_i``, as scikit-learn's SAG does, and the mini-batch solver the
expected smoothness of its batches (``auto_learning_rate``).
"""

import numpy as np
import scipy.sparse as sp

from ._dask_chunks import DaskChunks

_POWER_ITERATIONS = 50
_POWER_RTOL = 1e-4


#: Rows of a float32 ``X`` converted to float64 at a time by ``gram_matvec``.
_ROWS_PER_BLOCK = 4096


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


def weighted_squared_row_norms(X, sample_weight, fit_intercept):
    """``w_i ||x_i||**2`` of each row, augmented with 1 under ``fit_intercept``."""
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
    return sample_weight * norms


def largest_eigenvalue(X, sample_weight, fit_intercept):
    """``lambda_max`` of the scaled covariance, by power iteration.

    Each iteration is two matrix-vector products with ``X``; on a Dask cluster, the
    covariance is gathered in one pass and the iterations run on the client
    (``DaskChunks.covariance_matvec``). The iteration stops when the
    Rayleigh quotient changes by less than ``1e-4`` relative; the quotient never
    exceeds ``lambda_max`` and approaches it from below.
    """
    size = X.shape[1] + int(fit_intercept)
    if isinstance(X, DaskChunks):
        matvec = X.covariance_matvec(fit_intercept)
    else:

        def matvec(v, out):
            gram_matvec(X, sample_weight, fit_intercept, v, out)

    # A fixed, generic start vector: deterministic, and almost surely not
    # orthogonal to the leading eigenvector.
    v = np.random.default_rng(0).uniform(0.5, 1.5, (1, size))
    v /= np.linalg.norm(v)
    out = np.empty((1, size))
    eigenvalue = 0.0
    for _ in range(_POWER_ITERATIONS):
        matvec(v, out)
        previous, eigenvalue = eigenvalue, float(np.vdot(v, out))
        norm = np.linalg.norm(out)
        if norm == 0.0:
            return 0.0
        v = out / norm
        if abs(eigenvalue - previous) <= _POWER_RTOL * eigenvalue:
            break
    return eigenvalue


def auto_learning_rate(
    X,
    sample_weight,
    fit_intercept,
    solver,
    *,
    batch_size=1,
    rows=None,
    shuffle=True,
    l2=0.0,
    curvature=2.0,
):
    """The safe step ``1 / L`` for ``solver`` on this data (see module docstring).

    ``curvature`` is the loss's largest second derivative in the prediction
    (2 for the squared error, 1/4 for the log loss); ``L`` is proportional to
    it. An L2 penalty ``(l2 / 2) * ||coef||**2`` adds ``l2`` to ``L``.
    ``rows`` are the rows in use, in the order the solver visits them (the
    training rows of early stopping, whose other rows have weight 0); by
    default all rows are.

    A mini-batch of ``b`` of the ``n`` rows, drawn without replacement, has the
    expected smoothness (Gower et al., "SGD: General Analysis and Improved
    Rates", ICML 2019, Prop. 3.8)
    ``L(b) = n (b - 1) / (b (n - 1)) L + (n - b) / (b (n - 1)) L_max``, where
    ``L`` is the full batch's constant and ``L_max`` the largest sample's: the
    step is the per-sample one at ``b = 1``, the full batch's at ``b = n``, and
    grows in between. Without shuffling the batches are fixed, and drawn at
    random no longer: each batch's own bound, the mean of its rows' ``L_i``,
    is used, the largest over the batches.
    """
    n_total = X.shape[0]
    n = n_total if rows is None else len(rows)
    b = n if solver == "batch" else 1 if solver == "sgd" else min(batch_size, n)
    if n <= 1 or b < n:
        norms = weighted_squared_row_norms(X, sample_weight, fit_intercept)
        if rows is not None:
            norms = norms[rows]
    if n <= 1:
        lipschitz = curvature * float(norms.max(initial=0.0))
    elif b == 1:
        lipschitz = curvature * float(norms.max())
    elif b < n and not shuffle:
        starts = np.arange(0, n, b)
        batch_means = np.add.reduceat(norms, starts) / np.diff(starts, append=n)
        lipschitz = curvature * float(batch_means.max())
    else:
        # The covariance is a mean over all rows; rows of weight 0 count in it.
        spread = largest_eigenvalue(X, sample_weight, fit_intercept) * (n_total / n)
        lipschitz = curvature * spread
        if b < n:
            worst = curvature * float(norms.max())
            lipschitz = (n * (b - 1) * lipschitz + (n - b) * worst) / (b * (n - 1))
    lipschitz += l2
    if not np.isfinite(lipschitz):
        raise ValueError(
            "Floating-point overflow: the squared norms of the rows of X are not "
            "finite in float64, so learning_rate='auto' has no step to offer. "
            "Scaling input data with StandardScaler or MinMaxScaler might help."
        )
    # All-zero data (no intercept) has a zero gradient: any step is safe.
    return 1.0 / lipschitz if lipschitz > 0.0 else 1.0
