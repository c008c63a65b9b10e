"""The losses on whole arrays of any array-API namespace (a PyTorch tensor, a
CuPy array, ``array_api_strict``): the device backend's counterpart of the
compiled per-sample functions of ``_regression`` and ``_classification``.

``loss_arrays(loss, xp, Z, Y, params)`` returns ``(values, derivatives)`` for
the decision values ``Z`` and targets ``Y`` (both of shape
``(n_rows, n_targets)``), elementwise: the same formulas as the compiled
functions, each branch an ``xp.where``. Every branch is computed, so each is
written to stay finite where it is not taken (the log loss takes ``exp`` of
``-|m|`` only).
"""


def _squared_error(xp, Z, Y, params):
    r = Z - Y
    return r * r, 2.0 * r


def _huber(xp, Z, Y, params):
    epsilon = params.epsilon
    r = Z - Y
    inside = xp.abs(r) <= epsilon
    value = xp.where(inside, r * r, 2.0 * epsilon * xp.abs(r) - epsilon * epsilon)
    return value, xp.where(inside, 2.0 * r, 2.0 * epsilon * xp.sign(r))


def _epsilon_insensitive(xp, Z, Y, params):
    r = Z - Y
    excess = xp.abs(r) - params.epsilon
    zero = xp.zeros_like(r)
    outside = excess > 0.0
    return xp.where(outside, excess, zero), xp.where(outside, xp.sign(r), zero)


def _squared_epsilon_insensitive(xp, Z, Y, params):
    r = Z - Y
    excess = xp.abs(r) - params.epsilon
    zero = xp.zeros_like(r)
    outside = excess > 0.0
    return (
        xp.where(outside, excess * excess, zero),
        xp.where(outside, 2.0 * excess * xp.sign(r), zero),
    )


def _absolute_error(xp, Z, Y, params):
    r = Z - Y
    return xp.abs(r), xp.sign(r)


def _quantile(xp, Z, Y, params):
    quantile = params.quantile
    u = Y - Z
    zero = xp.zeros_like(u)
    below = xp.where(u < 0.0, (quantile - 1.0) * u, zero)
    value = xp.where(u > 0.0, quantile * u, below)
    derivative = xp.where(
        u > 0.0, zero - quantile, xp.where(u < 0.0, zero + (1.0 - quantile), zero)
    )
    return value, derivative


def _log_loss(xp, Z, Y, params):
    m = Y * Z
    e = xp.exp(-xp.abs(m))  # exp(-m) where m > 0, exp(m) elsewhere
    positive = m > 0.0
    value = xp.log1p(e) + xp.where(positive, xp.zeros_like(m), -m)
    derivative = xp.where(positive, -Y * e / (1.0 + e), -Y / (1.0 + e))
    return value, derivative


def _hinge(xp, Z, Y, params):
    m = Y * Z
    zero = xp.zeros_like(m)
    inside = m <= 1.0
    return xp.where(inside, 1.0 - m, zero), xp.where(inside, -Y, zero)


def _squared_hinge(xp, Z, Y, params):
    m = Y * Z
    zero = xp.zeros_like(m)
    inside = m < 1.0
    return (
        xp.where(inside, (1.0 - m) * (1.0 - m), zero),
        xp.where(inside, -2.0 * (1.0 - m) * Y, zero),
    )


def _modified_huber(xp, Z, Y, params):
    m = Y * Z
    zero = xp.zeros_like(m)
    quadratic, linear = (m < 1.0) & (m >= -1.0), m < -1.0
    value = xp.where(quadratic, (1.0 - m) * (1.0 - m), xp.where(linear, -4.0 * m, zero))
    derivative = xp.where(
        quadratic, -2.0 * (1.0 - m) * Y, xp.where(linear, -4.0 * Y, zero)
    )
    return value, derivative


def _perceptron(xp, Z, Y, params):
    m = Y * Z
    zero = xp.zeros_like(m)
    inside = m <= 0.0
    return xp.where(inside, -m, zero), xp.where(inside, -Y, zero)


def _half_squared_error(xp, Z, Y, params):
    r = Z - Y
    return 0.5 * r * r, r


def _half_huber(xp, Z, Y, params):
    epsilon = params.epsilon
    r = Z - Y
    inside = xp.abs(r) <= epsilon
    value = xp.where(inside, 0.5 * r * r, epsilon * xp.abs(r) - 0.5 * epsilon * epsilon)
    return value, xp.where(inside, r, epsilon * xp.sign(r))


def _multinomial(xp, Z, Y, params):
    largest = xp.max(Z, axis=1, keepdims=True)
    log_sum_exp = largest + xp.log(xp.sum(xp.exp(Z - largest), axis=1, keepdims=True))
    return Y * (log_sum_exp - Z), xp.exp(Z - log_sum_exp) - Y


ARRAY_LOSSES = {
    "squared_error": _squared_error,
    "huber": _huber,
    "epsilon_insensitive": _epsilon_insensitive,
    "squared_epsilon_insensitive": _squared_epsilon_insensitive,
    "absolute_error": _absolute_error,
    "quantile": _quantile,
    "log_loss": _log_loss,
    "hinge": _hinge,
    "squared_hinge": _squared_hinge,
    "modified_huber": _modified_huber,
    "perceptron": _perceptron,
    "half_squared_error": _half_squared_error,
    "half_huber": _half_huber,
    "multinomial": _multinomial,
}


def loss_arrays(loss, xp, Z, Y, params):
    """``(values, d values / d Z)`` of the loss named ``loss``, elementwise
    over the decision values ``Z`` and targets ``Y`` (arrays of ``xp``)."""
    return ARRAY_LOSSES[str(loss)](xp, Z, Y, params)
