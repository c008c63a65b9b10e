"""The losses: one description of each, and how the kernels call any of them.

A loss is named by a string. Inside the compiled kernels that string is a
compile-time constant (a numba ``Literal``): ``loss_and_derivative`` picks the
loss's function while the kernel is compiled, so the kernel for each loss is as
fast as one written for it alone, and each is cached on disk.

Every loss is a sum over the targets (the classes) of a function of one
prediction (decision value). Only ``"multinomial"`` needs more: the log-sum-exp
of the row's decision values, which the kernels compute once per row and pass as
``shared`` (0 for the others).

To add a loss: write its function in ``_regression`` or ``_classification``
(``(loss, prediction, y, params, shared) -> (value, derivative)``) and describe
it in ``LOSSES``; a new parameter of a loss is a field of ``LossParameters``.
"""

from typing import NamedTuple

from numba import types
from numba.extending import overload

from .._jit import JIT
from . import _classification as classification
from . import _regression as regression


class LossParameters(NamedTuple):
    """The losses' own parameters, as the kernels take them (each loss reads
    the ones it has, see ``Loss.parameters``)."""

    epsilon: float = 0.0
    quantile: float = 0.0


class Loss(NamedTuple):
    """What skgd knows about a loss."""

    #: ``(loss, prediction, y, params, shared) -> (value, d value / d prediction)``
    function: object
    #: Its largest second derivative in the prediction: the gradient's
    #: Lipschitz constant is this times ``lambda_max`` of the rows' covariance
    #: (``learning_rate="auto"``). The non-smooth losses get the squared
    #: error's, a scale-aware starting point.
    curvature: float = 2.0
    #: A Lipschitz gradient: full-batch gradient descent with a step below
    #: ``2 / L`` decreases it at every epoch, so a rise is a sign of a step too
    #: large (the others zigzag around their kinks).
    smooth: bool = False
    #: It couples a row's targets (the classes), which then stop together.
    joint: bool = False
    #: All-zero parameters minimise it without solving anything (the
    #: perceptron's criterion): an epoch started at zero is no candidate for
    #: the best one.
    trivial_at_zero: bool = False
    #: Its decision values give class probabilities (``predict_proba``).
    probabilistic: bool = False
    #: The fields of ``LossParameters`` it reads.
    parameters: tuple = ()


REGRESSION_LOSSES = {
    "squared_error": Loss(regression._squared_error, smooth=True),
    "huber": Loss(regression._huber, smooth=True, parameters=("epsilon",)),
    "epsilon_insensitive": Loss(
        regression._epsilon_insensitive, parameters=("epsilon",)
    ),
    "squared_epsilon_insensitive": Loss(
        regression._squared_epsilon_insensitive, smooth=True, parameters=("epsilon",)
    ),
    "absolute_error": Loss(regression._absolute_error),
    "quantile": Loss(regression._quantile, parameters=("quantile",)),
}
CLASSIFICATION_LOSSES = {
    "log_loss": Loss(
        classification._log_loss, curvature=0.25, smooth=True, probabilistic=True
    ),
    "hinge": Loss(classification._hinge),
    "squared_hinge": Loss(classification._squared_hinge, smooth=True),
    "modified_huber": Loss(
        classification._modified_huber, smooth=True, probabilistic=True
    ),
    "perceptron": Loss(classification._perceptron, trivial_at_zero=True),
    # SGDClassifier's regression losses on the labels -1 and +1, at its scale
    # (GDClassifier's "squared_error" and "huber").
    "half_squared_error": Loss(
        classification._half_squared_error, curvature=1.0, smooth=True
    ),
    "half_huber": Loss(
        classification._half_huber, curvature=1.0, smooth=True, parameters=("epsilon",)
    ),
    # Bohning's bound on the softmax Hessian. Not an option of GDClassifier:
    # its log_loss with more than two classes.
    "multinomial": Loss(
        classification._multinomial,
        curvature=0.5,
        smooth=True,
        joint=True,
        probabilistic=True,
    ),
}
#: Every loss, by the name the kernels know it by.
LOSSES = {**REGRESSION_LOSSES, **CLASSIFICATION_LOSSES}


def loss_and_derivative(loss, prediction, y, params, shared):
    """``(loss, d loss / d prediction)`` of the loss named ``loss``.

    ``params`` are the losses' parameters (``LossParameters``); ``shared`` is
    the row's quantity shared by its targets: the log-sum-exp of the decision
    values for ``"multinomial"``, unused by the other losses.
    """
    raise NotImplementedError("only callable from compiled code")


@overload(loss_and_derivative, jit_options=JIT)
def _loss_and_derivative(loss, prediction, y, params, shared):
    if not isinstance(loss, types.StringLiteral):
        return None
    # The loss's own function is the implementation: compiled and inlined into
    # the kernel (a wrapper calling it would cost a function call per sample).
    return LOSSES[loss.literal_value].function
