"""The optimizers' update rules on whole arrays of any array-API namespace:
the device backend's counterpart of the compiled rules of ``_rules``.

``array_update(rule, xp, hyper, W, G, slots, step, count)`` is update number
``count`` of the parameters ``W`` (float64, ``(n_targets, n_columns)``) with
gradient ``G`` (same shape) and each target's step ``step`` (shape
``(n_targets, 1)``). ``slots`` is the rule's state, a tuple of arrays shaped
like ``W`` in the order of ``_rules.RULES[rule].slots``. It returns the new
``W``, the new slots and the effective step of every coordinate (the step
divided by the rule's denominator, which scales the proximal L1 step), all
computed for every entry: the caller keeps the entries that are updated.

The formulas are those of ``_rules``, written once per array instead of
once per coordinate.
"""

import math


def _sgd(xp, hyper, W, G, slots, step, count):
    return W - step * G, slots, step


def _momentum(xp, hyper, W, G, slots, step, count):
    (buffer,) = slots
    if count == 1:
        buffer = G
    else:
        buffer = hyper.momentum * buffer + (1.0 - hyper.dampening) * G
    direction = G + hyper.momentum * buffer if hyper.nesterov else buffer
    return W - step * direction, (buffer,), step


def _adagrad(xp, hyper, W, G, slots, step, count):
    (total,) = slots
    total = total + G * G
    effective = (step / (1.0 + (count - 1) * hyper.lr_decay)) / (
        xp.sqrt(total) + hyper.eps
    )
    return W - effective * G, (total,), effective


def _rmsprop(xp, hyper, W, G, slots, step, count):
    square_average, buffer, gradient_average = slots
    alpha = hyper.alpha
    square_average = alpha * square_average + (1.0 - alpha) * G * G
    centred = square_average
    if hyper.centered:
        gradient_average = alpha * gradient_average + (1.0 - alpha) * G
        centred = square_average - gradient_average * gradient_average
    average = xp.sqrt(centred) + hyper.eps
    effective = step / average
    if hyper.momentum > 0.0:
        buffer = hyper.momentum * buffer + G / average
        new = W - step * buffer
    else:
        new = W - effective * G
    return new, (square_average, buffer, gradient_average), effective


def _adam_rule(amsgrad):
    def _adam(xp, hyper, W, G, slots, step, count):
        exp_avg, exp_avg_sq, max_exp_avg_sq = slots
        beta1, beta2 = hyper.beta1, hyper.beta2
        step_size = step / (1.0 - beta1**count)
        inverse_bias_correction2_sqrt = 1.0 / math.sqrt(1.0 - beta2**count)
        exp_avg = beta1 * exp_avg + (1.0 - beta1) * G
        exp_avg_sq = beta2 * exp_avg_sq + (1.0 - beta2) * G * G
        second = exp_avg_sq
        if amsgrad:
            max_exp_avg_sq = xp.maximum(max_exp_avg_sq, exp_avg_sq)
            second = max_exp_avg_sq
        denominator = xp.sqrt(second) * inverse_bias_correction2_sqrt + hyper.eps
        effective = step_size / denominator
        new = W - effective * exp_avg
        return new, (exp_avg, exp_avg_sq, max_exp_avg_sq), effective

    return _adam


ARRAY_RULES = {
    "sgd": _sgd,
    "momentum": _momentum,
    "adagrad": _adagrad,
    "rmsprop": _rmsprop,
    "adam": _adam_rule(False),
    "amsgrad": _adam_rule(True),
}


def array_update(rule, xp, hyper, W, G, slots, step, count):
    """``(new W, new slots, effective steps)`` of update ``count`` (see the
    module docstring)."""
    return ARRAY_RULES[str(rule)](xp, hyper, W, G, slots, step, count)
