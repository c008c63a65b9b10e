"""Each classification loss: its value and its derivative with respect to the
decision value ``z`` (the ``prediction`` argument).

The binary losses take a label ``y`` in ``{-1, +1}`` and are functions of the
margin ``m = y * z``, as scikit-learn's ``SGDClassifier`` losses:

=====================  ========================================================
``"log_loss"``         ``log(1 + exp(-m))``, computed without overflow
``"hinge"``            ``max(0, 1 - m)``
``"squared_hinge"``    ``max(0, 1 - m)**2``
``"modified_huber"``   ``max(0, 1 - m)**2`` for ``m >= -1``, else ``-4 * m``
``"perceptron"``       ``max(0, -m)``
=====================  ========================================================

At the kink of ``"hinge"`` and ``"perceptron"`` the derivative taken is ``-y``,
as scikit-learn's: a perceptron started at zero must move.

``GDClassifier`` also fits the regression losses of ``SGDClassifier`` to the
labels ``y`` in {-1, +1}, at its scale: ``"squared_error"`` is
``"half_squared_error"`` here, ``(z - y)**2 / 2``, and ``"huber"`` is
``"half_huber"``, ``(z - y)**2 / 2`` within ``epsilon`` of ``y``, else
``epsilon * |z - y| - epsilon**2 / 2``; ``"epsilon_insensitive"`` and
``"squared_epsilon_insensitive"`` are the regressor's (the same as
scikit-learn's).

``"multinomial"`` is the cross-entropy of ``softmax(z)`` for a row of decision
values ``z`` (one per class) and a row of targets ``Y`` (one-hot, or any
probabilities summing to 1): ``logsumexp(z) - Y . z``. Written per class, as
``Y_k * (logsumexp(z) - z_k)`` with derivative ``softmax(z)_k - Y_k``, it takes
the row's ``logsumexp(z)`` as ``shared``.

The functions have the regression losses' signature (``params``, the
regression losses' parameters, is unused), so the kernels call all losses
alike.
"""

import math


def _log_loss(loss, prediction, y, params, shared):
    m = y * prediction
    # log(1 + exp(-m)) and its derivative -y / (1 + exp(m)), each written so
    # that exp only sees non-positive arguments.
    if m > 0.0:
        e = math.exp(-m)
        return math.log1p(e), -y * e / (1.0 + e)
    e = math.exp(m)
    return -m + math.log1p(e), -y / (1.0 + e)


def _hinge(loss, prediction, y, params, shared):
    m = y * prediction
    if m <= 1.0:
        return 1.0 - m, -y
    return 0.0, 0.0


def _squared_hinge(loss, prediction, y, params, shared):
    m = y * prediction
    if m < 1.0:
        return (1.0 - m) * (1.0 - m), -2.0 * (1.0 - m) * y
    return 0.0, 0.0


def _modified_huber(loss, prediction, y, params, shared):
    m = y * prediction
    if m >= 1.0:
        return 0.0, 0.0
    if m >= -1.0:
        return (1.0 - m) * (1.0 - m), -2.0 * (1.0 - m) * y
    return -4.0 * m, -4.0 * y


def _multinomial(loss, prediction, y, params, shared):
    # shared = logsumexp(z) of the row: y * (shared - z) sums
    # over the classes to the row's cross-entropy (the y of a row sum to 1).
    return y * (shared - prediction), math.exp(prediction - shared) - y


def _perceptron(loss, prediction, y, params, shared):
    m = y * prediction
    if m <= 0.0:
        return -m, -y
    return 0.0, 0.0


def _half_squared_error(loss, prediction, y, params, shared):
    r = prediction - y
    return 0.5 * r * r, r


def _half_huber(loss, prediction, y, params, shared):
    epsilon = params.epsilon
    r = prediction - y
    if abs(r) <= epsilon:
        return 0.5 * r * r, r
    if r > 0.0:
        return epsilon * r - 0.5 * epsilon * epsilon, epsilon
    return -epsilon * r - 0.5 * epsilon * epsilon, -epsilon
