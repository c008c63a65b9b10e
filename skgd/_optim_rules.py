"""The optimizers' update rules, compiled, one coordinate at a time.

A rule is a pair of plain Python functions, named by a string (``SGD``'s
``"sgd"`` and ``"momentum"``, ``"adagrad"``, ``"rmsprop"``, ``Adam``'s ``"adam"``
and ``"amsgrad"``) that is a
compile-time constant inside the kernels, as the losses' names are (see
``_losses``): ``prepare`` and ``coordinate`` below pick the rule's functions
while a kernel is compiled, and compile them into it. The two parts:

- ``prepare``: the scalars of one update that do not depend on the coordinate
  (bias corrections, a decayed step), computed once per update;
- ``coordinate``: the update of one parameter ``w`` with gradient ``g``, reading
  and writing the rule's state ``slots[:, t, j]``. It returns the new value and
  the coordinate's effective step (``learning_rate`` divided by the rule's
  denominator), which scales the proximal (L1) step.

Each function takes the rule's name as its first argument (unused): that makes
it the implementation of ``prepare`` or ``coordinate`` itself, which LLVM
inlines; a wrapper calling it would cost a function call per coordinate.

``hyper`` holds the rule's hyperparameters, in the order of the optimizer's
``_hyperparameters``; ``count`` is the number of this update, from 1.
"""

import math

import numba
import numpy as np
from numba import types
from numba.extending import overload

from ._jit import JIT, CompileTimeName


def _sgd_prepare(rule, hyper, learning_rate, count):
    return learning_rate, 0.0


def _sgd_coordinate(rule, w, g, slots, t, j, hyper, prepared):
    step = prepared[0]
    return w - step * g, step


def _momentum_prepare(rule, hyper, learning_rate, count):
    return learning_rate, 1.0 if count == 1 else 0.0


def _momentum_coordinate(rule, w, g, slots, t, j, hyper, prepared):
    step, first = prepared
    momentum, dampening, nesterov = hyper[0], hyper[1], hyper[2]
    if first:
        buffer = g
    else:
        buffer = momentum * slots[0, t, j] + (1.0 - dampening) * g
    slots[0, t, j] = buffer
    direction = g + momentum * buffer if nesterov else buffer
    return w - step * direction, step


def _adagrad_prepare(rule, hyper, learning_rate, count):
    return learning_rate / (1.0 + (count - 1) * hyper[0]), 0.0


def _adagrad_coordinate(rule, w, g, slots, t, j, hyper, prepared):
    total = slots[0, t, j] + g * g
    slots[0, t, j] = total
    step = prepared[0] / (math.sqrt(total) + hyper[1])
    return w - step * g, step


def _rmsprop_prepare(rule, hyper, learning_rate, count):
    return learning_rate, 0.0


def _rmsprop_coordinate(rule, w, g, slots, t, j, hyper, prepared):
    alpha, eps, momentum, centered = hyper[0], hyper[1], hyper[2], hyper[3]
    square_avg = alpha * slots[0, t, j] + (1.0 - alpha) * g * g
    slots[0, t, j] = square_avg
    if centered:
        grad_avg = alpha * slots[2, t, j] + (1.0 - alpha) * g
        slots[2, t, j] = grad_avg
        square_avg -= grad_avg * grad_avg
    avg = math.sqrt(square_avg) + eps
    step = prepared[0] / avg
    if momentum > 0.0:
        buffer = momentum * slots[1, t, j] + g / avg
        slots[1, t, j] = buffer
        return w - prepared[0] * buffer, step
    return w - step * g, step


def _adam_prepare(rule, hyper, learning_rate, count):
    beta1, beta2 = hyper[0], hyper[1]
    bias_correction1 = 1.0 - beta1**count
    bias_correction2 = 1.0 - beta2**count
    # A reciprocal, so that each coordinate makes one division, not two.
    return learning_rate / bias_correction1, 1.0 / math.sqrt(bias_correction2)


def _adam_coordinate_rule(amsgrad):
    """Adam's coordinate update; ``amsgrad`` is fixed when the kernel is
    compiled (a branch decided at run time costs a factor 3 here)."""

    def _adam_coordinate(rule, w, g, slots, t, j, hyper, prepared):
        beta1, beta2, eps = hyper[0], hyper[1], hyper[2]
        step_size, inverse_bias_correction2_sqrt = prepared
        exp_avg = beta1 * slots[0, t, j] + (1.0 - beta1) * g
        exp_avg_sq = beta2 * slots[1, t, j] + (1.0 - beta2) * g * g
        slots[0, t, j] = exp_avg
        slots[1, t, j] = exp_avg_sq
        if amsgrad:
            exp_avg_sq = max(slots[2, t, j], exp_avg_sq)
            slots[2, t, j] = exp_avg_sq
        denominator = math.sqrt(exp_avg_sq) * inverse_bias_correction2_sqrt + eps
        step = step_size / denominator
        return w - step * exp_avg, step

    return _adam_coordinate


RULES = {
    "sgd": (_sgd_prepare, _sgd_coordinate),
    "momentum": (_momentum_prepare, _momentum_coordinate),
    "adagrad": (_adagrad_prepare, _adagrad_coordinate),
    "rmsprop": (_rmsprop_prepare, _rmsprop_coordinate),
    "adam": (_adam_prepare, _adam_coordinate_rule(amsgrad=False)),
    "amsgrad": (_adam_prepare, _adam_coordinate_rule(amsgrad=True)),
}


def prepare(rule, hyper, learning_rate, count):
    """The coordinate-independent scalars of update number ``count``."""
    raise NotImplementedError("only callable from compiled code")


def coordinate(rule, w, g, slots, t, j, hyper, prepared):
    """``(new w, effective step)`` for one coordinate."""
    raise NotImplementedError("only callable from compiled code")


@overload(prepare, jit_options=JIT)
def _prepare(rule, hyper, learning_rate, count):
    if not isinstance(rule, types.StringLiteral):
        return None
    return RULES[rule.literal_value][0]


@overload(coordinate, jit_options=JIT)
def _coordinate(rule, w, g, slots, t, j, hyper, prepared):
    if not isinstance(rule, types.StringLiteral):
        return None
    return RULES[rule.literal_value][1]


@numba.njit(**JIT)
def soft_threshold(w, threshold):
    """The proximal step of ``threshold * |w|``: exact zeros near 0."""
    if w > threshold:
        return w - threshold
    if w < -threshold:
        return w + threshold
    return 0.0


@numba.njit(**JIT)
def update_rows(
    rule, hyper, W, G, slots, learning_rate, count, active, n_columns, l1, n_penalized
):
    """Update ``W[t, :n_columns]`` with gradient ``G`` for every active row ``t``.

    ``learning_rate`` has one entry per row. After the rule's step the first
    ``n_penalized`` columns take the proximal step of ``l1 * |w|``, scaled by
    each coordinate's effective step (soft-thresholding in the rule's metric).
    """
    numba.literally(rule)
    for t in range(W.shape[0]):
        if not active[t]:
            continue
        prepared = prepare(rule, hyper, learning_rate[t], count)
        for j in range(n_columns):
            w, step = coordinate(rule, W[t, j], G[t, j], slots, t, j, hyper, prepared)
            if j < n_penalized and l1 > 0.0:
                w = soft_threshold(w, l1 * step)
            W[t, j] = w


def apply_update(rule, hyper, W, G, slots, learning_rate, count):
    """``update_rows`` on every row and column, without penalty."""
    n_rows, n_columns = W.shape
    update_rows(
        CompileTimeName(rule),
        hyper,
        W,
        G,
        slots,
        np.full(n_rows, float(learning_rate)),
        count,
        np.ones(n_rows, dtype=np.bool_),
        n_columns,
        0.0,
        0,
    )
