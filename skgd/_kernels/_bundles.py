"""The named bundles the kernels take, instead of long argument lists.

A kernel unpacks its bundles once per call, never inside its loops: an array
taken out of a container in a hot loop is reference-counted at every use (a
third of an epoch's time, measured).

- ``Data``: the rows, their targets and weights (see ``_dense`` for shapes);
- ``Optimizer`` (from ``optim._rules``): the rule's hyperparameters, its slots
  and the update count;
- ``Work``: the buffers an epoch writes besides ``W``;
- ``EpochConfig``: the scalars of a fit, with the losses' ``LossParameters``.
"""

from typing import NamedTuple

import numpy as np

from .._losses import LossParameters
from ..optim._rules import Optimizer

__all__ = ["Data", "EpochConfig", "LossParameters", "Optimizer", "Work"]


class Data(NamedTuple):
    """``X`` (a C-contiguous array or a ``_rows.CSR``), the target matrix ``Y``
    and the weights normalised to mean 1 over the rows in use."""

    X: object
    Y: np.ndarray
    sample_weight: np.ndarray


class Work(NamedTuple):
    """``grad``: a float64 buffer shaped like ``W``; ``target_loss``: each
    target's weighted loss summed over the epoch's samples, written by the
    epoch; ``path``: ``W`` after every update when it has a row per update
    (zero rows: nothing is recorded); ``row``: float64 zeros of length
    ``n_features``, where a sparse row is made dense for a per-sample update
    (and zeroed again); ``step``: each target's step of the current update
    (float64); ``l1_total`` and ``l1_applied``: the cumulative L1 penalty's
    state over a fit's epochs (``EpochConfig.cumulative_l1``): each target's
    total penalty so far (``u``) and, shaped ``(n_targets, n_features)``, the
    part of it applied to each coefficient (``q``); empty without it."""

    grad: np.ndarray
    target_loss: np.ndarray
    path: np.ndarray
    row: np.ndarray
    step: np.ndarray
    l1_total: np.ndarray
    l1_applied: np.ndarray


class EpochConfig(NamedTuple):
    """The scalars of a kernel call, by name."""

    batch_size: int
    fit_intercept: bool
    l2: float  # strength of the penalty (l2 / 2) * ||coef||**2
    l1: float  # strength of the penalty l1 * ||coef||_1
    loss_params: LossParameters
    # The L1 penalty as scikit-learn's SGD applies it (Tsuruoka et al.'s
    # cumulative penalty, ``Work.l1_total``), not as a proximal step.
    cumulative_l1: bool = False
    # The update from which the parameters are averaged (Polyak-Ruppert,
    # into ``Optimizer.average``); 0: no averaging.
    average_start: int = 0
