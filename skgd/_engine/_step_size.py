"""The ``learning_rate="auto"`` step: one over the loss's Lipschitz constant.

For the mean squared error the gradient is Lipschitz with constant
``L = 2 * lambda_max(C)`` where ``C = (1/n) sum_i w_i x_i x_i^T`` is the scaled
(uncentred, weighted) covariance of the rows, each augmented with a 1 when an
intercept is fitted. A step ``1 / L`` makes full-batch gradient descent decrease
the loss at every epoch (any step below ``2 / L`` converges).

Another loss with second derivative at most ``c`` in the prediction has
``L = c * lambda_max(C)`` (``_losses.Loss.curvature``): ``c = 2`` for the squared
error, ``"huber"``, ``"squared_epsilon_insensitive"``, ``"squared_hinge"`` and
``"modified_huber"``, ``1/4`` for the log loss and ``1/2`` for the multinomial
(Bohning's bound). The non-smooth losses get the squared error's step, a
scale-aware starting point: they need a decaying schedule to converge.

A single sample's loss has ``L_i = c * w_i * ||x_i||**2``; the per-sample solver
uses ``1 / max_i L_i``, as scikit-learn's SAG does, and the mini-batch solver the
expected smoothness of its batches (``auto_learning_rate``).
"""

import numpy as np

_POWER_ITERATIONS = 50
_POWER_RTOL = 1e-4


def largest_eigenvalue(matvec, size):
    """``lambda_max`` of a symmetric positive semi-definite matrix of shape
    (size, size), given as ``matvec(v, out)``, by power iteration.

    For the scaled covariance of the rows each product is two matrix-vector
    products with ``X`` (in memory), or a product with the Gram matrix gathered
    in one pass (on a Dask cluster): see the backends' ``covariance_matvec``.
    The iteration stops when the Rayleigh quotient changes by less than
    ``1e-4`` relative; the quotient never exceeds ``lambda_max`` and approaches
    it from below.
    """
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


def resolve_learning_rate(settings, data):
    """The base learning rate of a fit: the settings' own, or for ``"auto"``
    the optimizer's default or the safe step on the rows ``data`` (1 under a
    schedule that is the step itself, ``Optimal``).

    Noisy steps add up in a momentum buffer: the stochastic solvers' safe step
    is divided by the buffer's gain (full batches are stable with momentum at
    any step below ``2 (1 + mu) / L``). A gain below 1, from dampening, is no
    reason for a larger step: the first update takes the whole gradient.
    """
    if settings.learning_rate != "auto":
        return float(settings.learning_rate)
    if settings.schedule.sets_step:
        return 1.0  # the schedule is the step (``schedules.Optimal``)
    optimizer = settings.optimizer
    if optimizer.default_learning_rate is not None:
        return optimizer.default_learning_rate
    gain = 1.0 if settings.solver == "batch" else optimizer._steady_state_gain()
    step = auto_learning_rate(
        data,
        settings.fit_intercept,
        settings.solver,
        batch_size=settings.batch_size,
        shuffle=settings.shuffle,
        l2=settings.l2,
        curvature=settings.describes.curvature,
    )
    return step / max(gain, 1.0)


def auto_learning_rate(
    data, fit_intercept, solver, *, batch_size=1, shuffle=True, l2=0.0, curvature=2.0
):
    """The safe step ``1 / L`` for ``solver`` on the rows ``data`` (a backend's,
    see ``_backends``; see the module docstring).

    ``curvature`` is the loss's largest second derivative in the prediction
    (2 for the squared error, 1/4 for the log loss); ``L`` is proportional to
    it. An L2 penalty ``(l2 / 2) * ||coef||**2`` adds ``l2`` to ``L``.
    The rows are those the fit uses (the training rows of early stopping), in
    the order the solver visits them.

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
    n = data.shape[0]
    b = n if solver == "batch" else 1 if solver == "sgd" else min(batch_size, n)
    if n <= 1 or b < n:
        norms = data.weighted_squared_row_norms(fit_intercept)
    if n <= 1:
        lipschitz = curvature * float(norms.max(initial=0.0))
    elif b == 1:
        lipschitz = curvature * float(norms.max())
    elif b < n and not shuffle:
        starts = np.arange(0, n, b)
        batch_means = np.add.reduceat(norms, starts) / np.diff(starts, append=n)
        lipschitz = curvature * float(batch_means.max())
    else:
        size = data.shape[1] + int(fit_intercept)
        matvec = data.covariance_matvec(fit_intercept)
        lipschitz = curvature * largest_eigenvalue(matvec, size)
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
