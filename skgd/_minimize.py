"""``minimize``: gradient descent on any function, with skgd's optimizers."""

from numbers import Integral, Real

import numpy as np
from scipy.optimize import OptimizeResult
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from .optim._optimizers import OPTIMIZERS, _Optimizer, resolve_optimizer

#: The relative step of the central differences: the cube root of the machine
#: epsilon balances their truncation error against rounding.
_DIFFERENCE_STEP = np.finfo(np.float64).eps ** (1 / 3)


def central_differences(fun, x):
    """The gradient of ``fun`` at ``x`` by central differences (2 calls per
    coordinate), each step relative to the coordinate's size."""
    x = np.asarray(x, dtype=np.float64)
    grad = np.empty_like(x)
    for j in np.ndindex(x.shape):
        h = _DIFFERENCE_STEP * max(1.0, abs(x[j]))
        forward, backward = x.copy(), x.copy()
        forward[j] += h
        backward[j] -= h
        grad[j] = (fun(forward) - fun(backward)) / (forward[j] - backward[j])
    return grad


@validate_params(
    {
        "fun": [callable],
        "x0": ["array-like", Real],
        "jac": [callable, None],
        "optimizer": [StrOptions(set(OPTIMIZERS)), _Optimizer],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
    },
    prefer_skip_nested_validation=True,
)
def minimize(
    fun, x0, jac=None, *, optimizer="sgd", learning_rate=0.1, max_iter=1000, tol=1e-8
):
    """Minimise a function of a scalar or a vector by gradient descent.

    Starting at ``x0``, each step asks ``optimizer`` for an update from the
    gradient, as the estimators do: with ``optimizer="sgd"``,
    ``x <- x - learning_rate * grad f(x)``. It stops when ``f`` changes by less
    than ``tol`` in one step (the textbook rule ``|f(x_new) - f(x)| < tol``),
    after ``max_iter`` steps, or when ``f`` or ``x`` stop being finite.

    Parameters
    ----------
    fun : callable
        ``fun(x) -> float``, called with an array shaped like ``x0`` (a float
        when ``x0`` is a scalar).
    x0 : float or array-like
        The starting point.
    jac : callable, default=None
        ``jac(x) -> gradient``, shaped like ``x``. ``None`` takes central finite
        differences, two calls of ``fun`` per coordinate.
    optimizer : str or optimizer instance, default="sgd"
        ``"sgd"``, ``"momentum"``, ``"nesterov"``, ``"adagrad"``, ``"rmsprop"``,
        ``"adam"`` or an instance from :mod:`skgd.optim`.
    learning_rate : float, default=0.1
        The step size.
    max_iter : int, default=1000
        The largest number of steps.
    tol : float or None, default=1e-8
        Stop when a step changes ``fun`` by less than this; ``None`` takes all
        ``max_iter`` steps.

    Returns
    -------
    result : scipy.optimize.OptimizeResult
        ``x`` (the last point; a float when ``x0`` is a scalar), ``fun`` (its
        value), ``jac`` (the gradient there), ``nit`` (steps taken), ``nfev``
        (calls of ``fun``), ``success`` (whether the ``tol`` rule stopped
        it), ``status`` (0: converged, 1: ``max_iter`` reached, 2: diverged),
        ``message``; and the path: ``x_path`` of shape
        ``(nit + 1, *x.shape)``, ``x0`` first, and ``fun_path`` of shape
        ``(nit + 1,)``. When the function diverges to a
        non-finite value, ``x`` is the last finite point.

    See Also
    --------
    scipy.optimize.minimize : Second-order and line-search methods.

    Examples
    --------
    The textbook example: ``J(theta) = (theta - 2.5)**2 - 1`` from 0, with
    step 0.1, until ``J`` changes by less than 1e-8.

    >>> from skgd import minimize
    >>> result = minimize(lambda t: (t - 2.5) ** 2 - 1, 0.0, learning_rate=0.1)
    >>> round(result.x, 4), result.nit, result.success
    (2.4999, 45, True)
    >>> result.x_path[:3]
    array([0. , 0.5, 0.9])

    A function of three variables, with its gradient, and Adam:

    >>> import numpy as np
    >>> result = minimize(
    ...     lambda t: 2 * t[0] ** 2 + 3 * t[1] ** 2 + 4 * t[2] ** 2,
    ...     [1.0, -2.0, 3.0],
    ...     jac=lambda t: np.array([4 * t[0], 6 * t[1], 8 * t[2]]),
    ...     optimizer="adam",
    ...     tol=1e-12,
    ...     max_iter=5000,
    ... )
    >>> bool(abs(result.fun) < 1e-8)
    True
    """
    scalar = np.ndim(x0) == 0
    x = np.array(x0, dtype=np.float64)
    calls = [0]

    def f(point):
        calls[0] += 1
        return float(fun(point.item() if scalar else point))

    def gradient(point):
        if jac is None:
            return central_differences(f, point)
        g = jac(point.item() if scalar else point)
        return np.asarray(g, dtype=np.float64).reshape(point.shape)

    optimizer = resolve_optimizer(optimizer)
    state = optimizer.init(x)
    value = f(x)
    if not np.isfinite(value):
        raise ValueError(f"fun(x0) is {value}: start at a point where it is finite.")
    x_path, fun_path = [x.copy()], [value]
    status = 1
    for _ in range(max_iter):
        g = gradient(x)
        updates, state = optimizer.update(g, state, x, learning_rate)
        new_x = x + updates
        new_value = f(new_x)
        if not (np.isfinite(new_value) and np.isfinite(new_x).all()):
            status = 2
            break
        x_path.append(new_x.copy())
        fun_path.append(new_value)
        change = abs(new_value - value)
        x, value = new_x, new_value
        if tol is not None and change < tol:
            status = 0
            break
    messages = {
        0: f"The change of fun in one step fell below tol={tol}.",
        1: f"Maximum number of iterations ({max_iter}) reached.",
        2: "fun diverged to a non-finite value; lower the learning rate. "
        "x is the last finite point.",
    }
    return OptimizeResult(
        x=x.item() if scalar else x,
        fun=value,
        jac=gradient(x),
        nit=len(x_path) - 1,
        nfev=calls[0],
        success=status == 0,
        status=status,
        message=messages[status],
        x_path=np.array(x_path),
        fun_path=np.array(fun_path),
    )
