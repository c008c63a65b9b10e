"""Each regression loss: its value and its derivative with respect to the
prediction; and how the kernels call any loss, regression or classification.

A loss is named by a string. Inside the compiled kernels that string is a
compile-time constant (a numba ``Literal``): ``loss_and_derivative`` picks the
loss's function while the kernel is compiled, so the kernel for each loss is as
fast as one written for it alone, and each is cached on disk.

With the residual ``r = y_hat - y``:

====================================  ==========================================
``"squared_error"``                   ``r**2``
``"huber"``                           ``r**2`` if ``|r| <= epsilon``, else
                                      ``2 * epsilon * |r| - epsilon**2``
``"epsilon_insensitive"``             ``max(0, |r| - epsilon)``
``"squared_epsilon_insensitive"``     ``max(0, |r| - epsilon)**2``
``"absolute_error"``                  ``|r|``
``"quantile"``                        ``quantile * (y - y_hat)`` if ``y >= y_hat``,
                                      else ``(1 - quantile) * (y_hat - y)``
====================================  ==========================================

The squared losses are on the scale of the plain squared error, twice
scikit-learn's ``SGDRegressor`` losses of the same names. At a kink the
derivative taken is 0 (a subgradient).

The classification losses are in ``_classification_losses``. Every loss is a
sum over the targets (the classes) of a function of one decision value. Only
``"multinomial"`` needs more: the log-sum-exp of the row's decision values, which
the kernels compute once per row and pass as ``shared`` (0 for the others).
"""

import numba
from numba import types
from numba.extending import overload

from ._classification_losses import CLASSIFICATION_LOSSES
from ._jit import JIT


def _squared_error(loss, prediction, y, epsilon, quantile, shared):
    r = prediction - y
    return r * r, 2.0 * r


def _huber(loss, prediction, y, epsilon, quantile, shared):
    r = prediction - y
    if abs(r) <= epsilon:
        return r * r, 2.0 * r
    return 2.0 * epsilon * abs(r) - epsilon * epsilon, 2.0 * epsilon * _sign(r)


def _epsilon_insensitive(loss, prediction, y, epsilon, quantile, shared):
    r = prediction - y
    excess = abs(r) - epsilon
    if excess <= 0.0:
        return 0.0, 0.0
    return excess, _sign(r)


def _squared_epsilon_insensitive(loss, prediction, y, epsilon, quantile, shared):
    r = prediction - y
    excess = abs(r) - epsilon
    if excess <= 0.0:
        return 0.0, 0.0
    return excess * excess, 2.0 * excess * _sign(r)


def _absolute_error(loss, prediction, y, epsilon, quantile, shared):
    r = prediction - y
    return abs(r), _sign(r)


def _quantile(loss, prediction, y, epsilon, quantile, shared):
    u = y - prediction
    if u > 0.0:
        return quantile * u, -quantile
    if u < 0.0:
        return (quantile - 1.0) * u, 1.0 - quantile
    return 0.0, 0.0


@numba.njit(**JIT)
def _sign(r):
    return 1.0 if r > 0.0 else (-1.0 if r < 0.0 else 0.0)


REGRESSION_LOSSES = {
    "squared_error": _squared_error,
    "huber": _huber,
    "epsilon_insensitive": _epsilon_insensitive,
    "squared_epsilon_insensitive": _squared_epsilon_insensitive,
    "absolute_error": _absolute_error,
    "quantile": _quantile,
}

ALL_LOSSES = {**REGRESSION_LOSSES, **CLASSIFICATION_LOSSES}

#: The largest second derivative of each loss in the prediction: the gradient's
#: Lipschitz constant is this times ``lambda_max`` of the rows' covariance. The
#: non-smooth losses get the squared error's, a scale-aware starting point.
#: The multinomial's is Bohning's bound on the softmax Hessian.
CURVATURE = {name: 2.0 for name in ALL_LOSSES}
CURVATURE.update(log_loss=0.25, multinomial=0.5)

#: Losses that couple a row's targets (the classes): they stop together.
JOINT_LOSSES = {"multinomial"}
#: Losses minimised by all-zero parameters without solving anything (the
#: perceptron's criterion): an epoch started at zero is no candidate for the
#: best one.
TRIVIAL_AT_ZERO = {"perceptron"}
#: Losses with a Lipschitz gradient: full-batch gradient descent with a step
#: below ``2 / L`` decreases them at every epoch, so any rise is a sign of a
#: step too large (the others zigzag around their kinks).
SMOOTH_LOSSES = {
    "squared_error",
    "huber",
    "squared_epsilon_insensitive",
    "log_loss",
    "multinomial",
    "squared_hinge",
    "modified_huber",
}


def loss_and_derivative(loss, prediction, y, epsilon, quantile, shared):
    """``(loss, d loss / d prediction)`` of the loss named ``loss``.

    ``shared`` is the row's quantity shared by its targets: the log-sum-exp of
    the decision values for ``"multinomial"``, unused by the other losses.
    """
    raise NotImplementedError("only callable from compiled code")


@overload(loss_and_derivative, jit_options=JIT)
def _loss_and_derivative(loss, prediction, y, epsilon, quantile, shared):
    if not isinstance(loss, types.StringLiteral):
        return None
    # The loss's own function is the implementation: compiled and inlined into
    # the kernel (a wrapper calling it would cost a function call per sample).
    return ALL_LOSSES[loss.literal_value]
