"""Each regression loss: its value and its derivative with respect to the
prediction.

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

``epsilon`` and ``quantile`` are read from ``params``, the losses' parameters
(``LossParameters``).
"""

import numba

from .._jit import JIT


def _squared_error(loss, prediction, y, params, shared):
    r = prediction - y
    return r * r, 2.0 * r


def _huber(loss, prediction, y, params, shared):
    epsilon = params.epsilon
    r = prediction - y
    if abs(r) <= epsilon:
        return r * r, 2.0 * r
    return 2.0 * epsilon * abs(r) - epsilon * epsilon, 2.0 * epsilon * _sign(r)


def _epsilon_insensitive(loss, prediction, y, params, shared):
    epsilon = params.epsilon
    r = prediction - y
    excess = abs(r) - epsilon
    if excess <= 0.0:
        return 0.0, 0.0
    return excess, _sign(r)


def _squared_epsilon_insensitive(loss, prediction, y, params, shared):
    epsilon = params.epsilon
    r = prediction - y
    excess = abs(r) - epsilon
    if excess <= 0.0:
        return 0.0, 0.0
    return excess * excess, 2.0 * excess * _sign(r)


def _absolute_error(loss, prediction, y, params, shared):
    r = prediction - y
    return abs(r), _sign(r)


def _quantile(loss, prediction, y, params, shared):
    quantile = params.quantile
    u = y - prediction
    if u > 0.0:
        return quantile * u, -quantile
    if u < 0.0:
        return (quantile - 1.0) * u, 1.0 - quantile
    return 0.0, 0.0


@numba.njit(**JIT)
def _sign(r):
    return 1.0 if r > 0.0 else (-1.0 if r < 0.0 else 0.0)
