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

``hyper`` holds the rule's hyperparameters by name (the rule's ``Hyper``
named tuple, built by the optimizer's ``_hyperparameters``), and each slot of
the rule's state has a name (``Rule.slots``, the module's index constants);
``count`` is the number of this update, from 1.
"""

import math
from typing import NamedTuple

import numba
import numpy as np
from numba import types
from numba.extending import overload

from .._jit import JIT, CompileTimeName


class MomentumHyper(NamedTuple):
    """``SGD``'s hyperparameters (the ``"sgd"`` rule reads none of them)."""

    momentum: float
    dampening: float
    nesterov: bool


class AdagradHyper(NamedTuple):
    lr_decay: float
    eps: float


class RMSpropHyper(NamedTuple):
    alpha: float
    eps: float
    momentum: float
    centered: bool


class AdamHyper(NamedTuple):
    beta1: float
    beta2: float
    eps: float


# Each slot's index in ``slots`` (its first axis), by rule.
MOMENTUM_BUFFER = 0
SUM_OF_SQUARES = 0
SQUARE_AVERAGE, RMSPROP_BUFFER, GRADIENT_AVERAGE = 0, 1, 2
EXP_AVG, EXP_AVG_SQ, MAX_EXP_AVG_SQ = 0, 1, 2


def _sgd_prepare(rule, hyper, learning_rate, count):
    return learning_rate, 0.0


def _sgd_coordinate(rule, w, g, slots, t, j, hyper, prepared):
    step = prepared[0]
    return w - step * g, step


def _momentum_prepare(rule, hyper, learning_rate, count):
    return learning_rate, 1.0 if count == 1 else 0.0


def _momentum_coordinate(rule, w, g, slots, t, j, hyper, prepared):
    step, first = prepared
    if first:
        buffer = g
    else:
        buffer = (
            hyper.momentum * slots[MOMENTUM_BUFFER, t, j] + (1.0 - hyper.dampening) * g
        )
    slots[MOMENTUM_BUFFER, t, j] = buffer
    direction = g + hyper.momentum * buffer if hyper.nesterov else buffer
    return w - step * direction, step


def _adagrad_prepare(rule, hyper, learning_rate, count):
    return learning_rate / (1.0 + (count - 1) * hyper.lr_decay), 0.0


def _adagrad_coordinate(rule, w, g, slots, t, j, hyper, prepared):
    total = slots[SUM_OF_SQUARES, t, j] + g * g
    slots[SUM_OF_SQUARES, t, j] = total
    step = prepared[0] / (math.sqrt(total) + hyper.eps)
    return w - step * g, step


def _rmsprop_prepare(rule, hyper, learning_rate, count):
    return learning_rate, 0.0


def _rmsprop_coordinate(rule, w, g, slots, t, j, hyper, prepared):
    alpha = hyper.alpha
    square_avg = alpha * slots[SQUARE_AVERAGE, t, j] + (1.0 - alpha) * g * g
    slots[SQUARE_AVERAGE, t, j] = square_avg
    if hyper.centered:
        grad_avg = alpha * slots[GRADIENT_AVERAGE, t, j] + (1.0 - alpha) * g
        slots[GRADIENT_AVERAGE, t, j] = grad_avg
        square_avg -= grad_avg * grad_avg
    avg = math.sqrt(square_avg) + hyper.eps
    step = prepared[0] / avg
    if hyper.momentum > 0.0:
        buffer = hyper.momentum * slots[RMSPROP_BUFFER, t, j] + g / avg
        slots[RMSPROP_BUFFER, t, j] = buffer
        return w - prepared[0] * buffer, step
    return w - step * g, step


def _adam_prepare(rule, hyper, learning_rate, count):
    bias_correction1 = 1.0 - hyper.beta1**count
    bias_correction2 = 1.0 - hyper.beta2**count
    # A reciprocal, so that each coordinate makes one division, not two.
    return learning_rate / bias_correction1, 1.0 / math.sqrt(bias_correction2)


def _adam_coordinate_rule(amsgrad):
    """Adam's coordinate update; ``amsgrad`` is fixed when the kernel is
    compiled (a branch decided at run time costs a factor 3 here)."""

    def _adam_coordinate(rule, w, g, slots, t, j, hyper, prepared):
        beta1, beta2 = hyper.beta1, hyper.beta2
        step_size, inverse_bias_correction2_sqrt = prepared
        exp_avg = beta1 * slots[EXP_AVG, t, j] + (1.0 - beta1) * g
        exp_avg_sq = beta2 * slots[EXP_AVG_SQ, t, j] + (1.0 - beta2) * g * g
        slots[EXP_AVG, t, j] = exp_avg
        slots[EXP_AVG_SQ, t, j] = exp_avg_sq
        if amsgrad:
            exp_avg_sq = max(slots[MAX_EXP_AVG_SQ, t, j], exp_avg_sq)
            slots[MAX_EXP_AVG_SQ, t, j] = exp_avg_sq
        denominator = math.sqrt(exp_avg_sq) * inverse_bias_correction2_sqrt + hyper.eps
        step = step_size / denominator
        return w - step * exp_avg, step

    return _adam_coordinate


class Rule(NamedTuple):
    """An update rule: its two functions, its hyperparameters' named tuple,
    and the names of its slots, in the order of their indices."""

    prepare: object
    coordinate: object
    hyper: type
    slots: tuple


_ADAM_SLOTS = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")
RULES = {
    "sgd": Rule(_sgd_prepare, _sgd_coordinate, MomentumHyper, ()),
    "momentum": Rule(
        _momentum_prepare, _momentum_coordinate, MomentumHyper, ("momentum_buffer",)
    ),
    "adagrad": Rule(_adagrad_prepare, _adagrad_coordinate, AdagradHyper, ("sum",)),
    "rmsprop": Rule(
        _rmsprop_prepare,
        _rmsprop_coordinate,
        RMSpropHyper,
        ("square_avg", "momentum_buffer", "grad_avg"),
    ),
    "adam": Rule(_adam_prepare, _adam_coordinate_rule(False), AdamHyper, _ADAM_SLOTS),
    "amsgrad": Rule(_adam_prepare, _adam_coordinate_rule(True), AdamHyper, _ADAM_SLOTS),
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
    return RULES[rule.literal_value].prepare


@overload(coordinate, jit_options=JIT)
def _coordinate(rule, w, g, slots, t, j, hyper, prepared):
    if not isinstance(rule, types.StringLiteral):
        return None
    return RULES[rule.literal_value].coordinate


@numba.njit(**JIT)
def soft_threshold(w, threshold):
    """The proximal step of ``threshold * |w|``: exact zeros near 0."""
    if w > threshold:
        return w - threshold
    if w < -threshold:
        return w + threshold
    return 0.0


#: ``Optimizer.average`` of a fit that does not average.
NO_AVERAGE = np.zeros((0, 0))


class Optimizer(NamedTuple):
    """An optimizer as the kernels take it: the rule's ``hyper`` named tuple,
    its ``slots`` (float64, of shape (n_slots, n_targets, n_columns)),
    ``count``, a one-element int64 array: the updates made so far, which the
    kernels advance before each update; and ``average``, the running mean of
    the parameters since ``EpochConfig.average_start`` (float64, shaped like
    ``W``; ``NO_AVERAGE`` without averaging)."""

    hyper: tuple
    slots: np.ndarray
    count: np.ndarray
    average: np.ndarray = NO_AVERAGE


@numba.njit(**JIT)
def update_rows(rule, W, G, learning_rate, active, optimizer, fit_intercept, l1):
    """Update every active row ``t`` of ``W`` (each target's coefficients, then
    its intercept) with gradient ``G`` and ``learning_rate[t]``.

    The intercept column is updated under ``fit_intercept`` only. After the
    rule's step each coefficient takes the proximal step of ``l1 * |w|``,
    scaled by its effective step (soft-thresholding in the rule's metric).
    """
    numba.literally(rule)
    hyper, slots, count = optimizer.hyper, optimizer.slots, optimizer.count[0]
    n_features = W.shape[1] - 1
    n_updated = n_features + 1 if fit_intercept else n_features
    for t in range(W.shape[0]):
        if not active[t]:
            continue
        prepared = prepare(rule, hyper, learning_rate[t], count)
        # The coefficients in a loop of their own, without a branch on the
        # coordinate: LLVM vectorises it (Adam's square roots and divisions
        # four or eight at a time).
        if l1 > 0.0:
            for j in range(n_features):
                w, step = coordinate(
                    rule, W[t, j], G[t, j], slots, t, j, hyper, prepared
                )
                W[t, j] = soft_threshold(w, l1 * step)
        else:
            for j in range(n_features):
                W[t, j] = coordinate(
                    rule, W[t, j], G[t, j], slots, t, j, hyper, prepared
                )[0]
        if n_updated > n_features:
            W[t, n_features] = coordinate(
                rule, W[t, n_features], G[t, n_features], slots, t, n_features,
                hyper, prepared,
            )[0]  # fmt: skip


def apply_update(rule, optimizer, W, G, learning_rate):
    """One unpenalised update of every entry of ``W`` (a single row), the
    ``optimizer``'s ``count``-th (``count`` is advanced first)."""
    optimizer.count[0] += 1
    update_rows(
        CompileTimeName(rule),
        W,
        G,
        np.full(W.shape[0], float(learning_rate)),
        np.ones(W.shape[0], dtype=np.bool_),
        optimizer,
        True,
        0.0,
    )
