"""How to run the epochs: the estimator's parameters, resolved; and what a run
returns."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .._kernels._bundles import EpochConfig, LossParameters
from .._losses import LOSSES
from ._history import FitHistory


@dataclass(frozen=True)
class EpochSettings:
    """How to run the epochs: the estimator's parameters, resolved."""

    loss: str  # the name the kernels know the loss by
    optimizer: object  # an instance from skgd.optim, validated
    schedule: object  # an instance from skgd.schedules
    solver: str  # "batch", "sgd" or "minibatch"
    batch_size: int  # of the "minibatch" solver
    learning_rate: float | str  # or "auto": resolved on the rows of the fit
    max_iter: int
    tol: float | None
    n_iter_no_change: int
    shuffle: bool
    fit_intercept: bool
    l2: float
    l1: float
    loss_params: LossParameters
    record: str | None
    verbose: int
    first_epoch: int = 0  # epochs run by earlier partial_fit calls
    n_jobs: int | None = None  # threads of the batch solver (joblib's meaning)
    # partial_fit after earlier calls: the loss at the start is not measured
    # (the all-zero model's stands in for it) and the end is not judged.
    continued: bool = False
    # Bytes the parameter histories of earlier partial_fit calls take (see
    # ``_history.HISTORY_MEMORY_BUDGET``).
    history_bytes_used: int = 0
    # Average the parameters from the update that reaches this sample (1:
    # from the first update; 0: never), as scikit-learn's ``average``.
    average: int = 0
    # The L1 penalty as scikit-learn's SGD's (see ``EpochConfig``).
    cumulative_l1: bool = False

    @property
    def describes(self):
        """The loss's description (``_losses.Loss``)."""
        return LOSSES[self.loss]

    def batch_size_for(self, n_samples):
        """The rows of one update, out of ``n_samples``."""
        wanted = {"batch": n_samples, "sgd": 1}.get(self.solver, self.batch_size)
        return max(min(wanted, n_samples), 1)

    def exact_descent(self, full_batch):
        """Whether the losses are free of noise: full-batch steps of plain
        gradient descent or momentum on a smooth loss. Such a fit that ends
        above its start diverged, by any margin; the others (stochastic
        batches, adaptive steps, kinks) may end above it in their own noise."""
        return (
            full_batch
            and self.optimizer._rule in ("sgd", "momentum")
            and self.describes.smooth
        )

    def average_start(self, batch_size):
        """The update from which the parameters are averaged (0: none)."""
        return -(-self.average // batch_size) if self.average else 0

    def kernel_config(self, batch_size):
        return EpochConfig(
            batch_size=batch_size,
            fit_intercept=self.fit_intercept,
            l2=self.l2,
            l1=self.l1,
            loss_params=self.loss_params,
            cumulative_l1=self.cumulative_l1,
            average_start=self.average_start(batch_size),
        )

    def penalty(self, W):
        return penalty(W, self.l2, self.l1)


def penalty(W, l2, l1):
    """Each target's penalty ``l1 * ||coef||_1 + (l2 / 2) * ||coef||**2`` at
    ``W`` (the intercept column is not penalised)."""
    total = np.zeros(W.shape[0])
    if l1 == 0.0 and l2 == 0.0:
        return total  # (without a pass over the coefficients)
    coef = W[:, :-1]
    if l1:
        total += l1 * np.abs(coef).sum(axis=1, dtype=np.float64)
    if l2:
        total += 0.5 * l2 * np.einsum("ij,ij->i", coef, coef, dtype=np.float64)
    return total


class Validation(NamedTuple):
    """The held-out rows of early stopping (a backend's rows, see
    ``_backends``) and, in ``scores``, extra columns of the history, each with
    its function of ``W`` (the classifier's ``{"val_accuracy": ...}``)."""

    rows: object
    scores: Mapping[str, Callable] | None = None

    def columns(self):
        return ["val_loss", *(self.scores or {})]

    def evaluate(self, settings, W):
        """Each target's loss at ``W``, and the scores."""
        losses = self.rows.mean_loss(settings.loss, W, settings.loss_params)
        scores = {name: score(W) for name, score in (self.scores or {}).items()}
        return losses, scores


@dataclass
class EpochsResult:
    history: FitHistory
    stop_reason: (
        str  # "converged", "max_iter", "diverged", "early_stopping", "callback"
    )
    n_updates: int
    learning_rate: float  # the base step, "auto" resolved
    optimizer_state: object  # skgd.optim.OptimizerState after the last update
    #: ``(first, last)`` recent losses of a fit that was still rising when it
    #: ended without diverging (``None`` otherwise).
    rising: tuple | None = None
    #: Whether a target ended above its start in its own noise (and got its
    #: best parameters back).
    in_noise: bool = False
    #: ``(final loss, reference)`` of the target furthest above its start
    #: among those settling from large first steps (they keep their final
    #: parameters; ``None`` when none does).
    settling: tuple | None = None
    #: The model's parameters when averaged: the mean over the averaged
    #: updates (``W``'s rows for targets that diverged); ``None`` when not
    #: averaged, or averaging has not started.
    average: np.ndarray | None = None
