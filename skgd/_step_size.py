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

A single sample's loss has ``L_i = c * w_i * ||x_i||**2``; stochastic solvers use
``1 / max_i L_i``, as scikit-learn's SAG does, which bounds every mini-batch's
curvature too.
"""

import numpy as np

from ._dask_chunks import DaskChunks
from ._kernels import gram_matvec, max_weighted_squared_row_norm
from ._rows import kernel_data

_POWER_ITERATIONS = 50
_POWER_RTOL = 1e-4


def largest_eigenvalue(X, sample_weight, fit_intercept):
    """``lambda_max`` of the scaled covariance, by power iteration.

    Each iteration is one compiled pass over ``X``; on a Dask cluster, the
    covariance is gathered in one pass and the iterations run on the client
    (``DaskChunks.covariance_matvec``). The iteration stops when the
    Rayleigh quotient changes by less than ``1e-4`` relative; the quotient never
    exceeds ``lambda_max`` and approaches it from below.
    """
    size = X.shape[1] + int(fit_intercept)
    if isinstance(X, DaskChunks):
        matvec = X.covariance_matvec(fit_intercept)
    else:
        X = kernel_data(X)

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


def auto_learning_rate(X, sample_weight, fit_intercept, solver, l2=0.0, curvature=2.0):
    """The safe step ``1 / L`` for ``solver`` on this data (see module docstring).

    ``curvature`` is the loss's largest second derivative in the prediction
    (2 for the squared error, 1/4 for the log loss); ``L`` is proportional to
    it. An L2 penalty ``(l2 / 2) * ||coef||**2`` adds ``l2`` to ``L``.
    """
    if solver == "batch":
        spread = largest_eigenvalue(X, sample_weight, fit_intercept)
    else:
        spread = max_weighted_squared_row_norm(
            kernel_data(X), sample_weight, fit_intercept
        )
    lipschitz = curvature * spread
    lipschitz += l2
    # All-zero data (no intercept) has a zero gradient: any step is safe.
    return 1.0 / lipschitz if lipschitz > 0.0 else 1.0
