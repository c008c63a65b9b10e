"""When the epochs stop: the stopping rule, divergence, and the parameters kept.

See ``_Targets``.
"""

import math
from typing import NamedTuple

import numpy as np

#: A recorded loss this many times above the loss at the starting parameters
#: (or of the all-zero model, whichever is larger) is divergence at once.
DIVERGENCE_FACTOR = 1e4
#: A noisy fit (a stochastic solver, an adaptive optimizer, a non-smooth loss)
#: ending this many times above the larger of its start and the all-zero
#: model's loss diverged; one ending above its start but below that, with its
#: losses not rising, sits in its own noise (see ``_Targets``).
FAR_ABOVE = 2.0
#: The recent losses rise when their least-squares slope is this many standard
#: errors above zero (and the rise exceeds ``tol``) ...
RISING_T_STATISTIC = 3.0
#: ... over the last ``max(n_iter_no_change + 1, MIN_TREND_WINDOW)`` epochs.
MIN_TREND_WINDOW = 5
#: Losses within this fraction of the reference scale of the start are equal
#: (rounding, float32 parameters).
START_SLACK = 1e-6


class FitKind(NamedTuple):
    """What ``_Targets`` needs to know about the fit beyond its settings."""

    early_stopping: bool  # the validation loss drives the stopping rule
    exact: bool  # exact descent (``EpochSettings.exact_descent``)
    learning_rate: float  # the base step (the schedule's reductions scale it)


class _StoppingRule:
    """scikit-learn's rule: stop after ``n_iter_no_change`` epochs without an
    improvement of at least ``tol`` over the best loss so far."""

    def __init__(self, tol, n_iter_no_change):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.best = np.inf
        self.count = 0

    def no_improvement(self, loss):
        if self.tol is None:
            return False
        self.count = self.count + 1 if loss > self.best - self.tol else 0
        self.best = min(self.best, loss)
        return self.count >= self.n_iter_no_change


class _Targets:
    """The stopping state of each group of targets.

    A group stops (converges, stops early, or diverges and goes back to its
    best parameters) on its own, as a separate fit would; with the adaptive
    schedule its step shrinks on its own. Each target is its own group, except
    under a loss that couples them (the multinomial), where all targets form
    one group. The methods take and return per-group values; ``W`` rows are
    per target.

    Divergence is judged against the loss at the starting parameters
    (``start_loss``, measured before any update) and against the loss of the
    all-zero model (the scale of the problem):

    - a non-finite loss or parameter, or a loss ``DIVERGENCE_FACTOR`` times
      above the larger of the two, diverges at once;
    - when the stopping rule fires, a loss still rising (``_rising``) is not
      converged: the epochs go on. Exact descent (``exact``: full-batch steps
      of plain gradient descent or momentum on a smooth loss) goes on too while
      its loss is above the start (momentum's can fall again after an
      overshoot), and plain descent (``monotone``), which never rises with a
      step that converges, diverges there when its loss is both;
    - at the end the loss at the final parameters is measured. Exact descent
      ending above its start diverged. A noisy fit (stochastic batches,
      adaptive steps, kinks) diverged if it ends ``FAR_ABOVE`` times above the
      larger reference, or above its start with its losses rising; one that
      ends above its start otherwise sits in its own noise: it keeps the best
      parameters it saw, with its stop reason, and says so (``in_noise``).

    ``objective(W)`` measures each target's loss (with the penalty) at ``W``:
    the parameters kept are the better of the start of the best epoch and the
    start itself, measured, never worse than the start.
    """

    def __init__(self, W, start_loss, zero_model_loss, settings, kinds, objective):
        n_targets = W.shape[0]
        self.settings = settings
        self.learning_rate = kinds.learning_rate
        self.early_stopping, self.exact = kinds.early_stopping, kinds.exact
        self.monotone = self.exact and settings.optimizer._rule == "sgd"
        self.objective = objective
        joint = settings.describes.joint
        self.group_of = np.zeros(n_targets, int) if joint else np.arange(n_targets)
        n_groups = self.group_of.max() + 1
        self.active = np.ones(n_groups, dtype=bool)
        self.reasons = ["max_iter"] * n_groups
        self.rules = [
            _StoppingRule(settings.tol, settings.n_iter_no_change)
            for _ in range(n_groups)
        ]
        self.multipliers = np.ones(n_groups)  # the adaptive schedule's reductions
        self.start_loss = self.per_group(start_loss)
        self.zero_model_loss = self.per_group(zero_model_loss)
        self.reference = np.maximum(self.start_loss, self.zero_model_loss)
        # A trivial loss started at zero (the perceptron's 0) is judged only on
        # non-finite values, and its zero start is no candidate for the best.
        self.judged = np.array(
            [
                not (
                    settings.describes.trivial_at_zero and not W[self.members(g)].any()
                )
                for g in range(n_groups)
            ]
        )
        self.start_W = W.copy()
        self.best_loss = np.where(self.judged, self.start_loss, np.inf)
        self.best_W = W.copy()  # at the start of the best training epoch
        self.best_val_loss = np.full(n_groups, np.inf)
        # At the end of the best validation epoch (early stopping only).
        self.best_val_W = W.copy() if kinds.early_stopping else None
        self.window = max(settings.n_iter_no_change + 1, MIN_TREND_WINDOW)
        self.recent = [[] for _ in range(n_groups)]  # the last ``window`` losses
        self.in_noise = []  # groups that ended above their start, in their noise
        # ``(final loss, reference)`` of groups that ended far above their
        # start while settling (``_settling``): they keep their parameters.
        self.settling = []

    def per_group(self, per_target):
        """Sum per-target values over each group."""
        return np.bincount(
            self.group_of, weights=per_target, minlength=len(self.active)
        )

    def per_target(self, per_group):
        return per_group[self.group_of]

    def members(self, g):
        return self.group_of == g

    def restore_best(self, g, W):
        """Put back the group's best parameters: the start of its best epoch
        (judged by its loss along the epoch) or, when the loss measured there
        is above the start's, the start."""
        rows = self.members(g)
        candidate = W.copy()
        candidate[rows] = self.best_W[rows]
        measured = not self.settings.continued and self.judged[g]
        if measured and not (candidate[rows] == self.start_W[rows]).all():
            loss = self.per_group(self.objective(candidate))[g]
            if not loss <= self.start_loss[g]:
                candidate[rows] = self.start_W[rows]
        W[rows] = candidate[rows]

    def freeze_diverged(self, g, W):
        self.restore_best(g, W)
        self.active[g] = False
        self.reasons[g] = "diverged"

    def update(self, losses, val_losses, start_W, W):
        """Apply the rules after a recorded epoch whose losses are finite."""
        for g in np.flatnonzero(self.active):
            rows = self.members(g)
            if self.settings.describes.trivial_at_zero and not start_W[rows].any():
                continue
            if losses[g] < self.best_loss[g]:
                # The loss was measured along the epoch, from its start.
                self.best_loss[g] = losses[g]
                self.best_W[rows] = start_W[rows]
            self.recent[g] = [*self.recent[g], losses[g]][-self.window :]
            if self.early_stopping and val_losses[g] < self.best_val_loss[g]:
                self.best_val_loss[g] = val_losses[g]
                self.best_val_W[rows] = W[rows]
            if self._exploding(g, losses[g]):
                self.freeze_diverged(g, W)
                continue
            monitored = val_losses[g] if self.early_stopping else losses[g]
            if not self.rules[g].no_improvement(monitored) or self._reduce_step(g):
                continue
            above, rising = self._above_start(g, losses[g]), self._rising(g)
            if self.monotone and above and rising:
                self.freeze_diverged(g, W)
            elif rising or (self.exact and above):
                # No improvement because the loss went up: not converged.
                self.rules[g].count = 0
            else:
                self.active[g] = False
                self.reasons[g] = (
                    "early_stopping" if self.early_stopping else "converged"
                )

    def finish(self, final_losses, W):
        """Judge each group that did not diverge by its loss at the final
        parameters; return the ``(first, last)`` recent losses of a group
        still rising without having diverged (``None`` if there is none)."""
        final = self.per_group(final_losses)
        rising = None
        for g in range(len(self.active)):
            if self.reasons[g] in ("diverged", "callback"):
                continue
            going_up = self._rising(g)
            if self._above_start(g, final[g]):
                # (A trivial loss, the perceptron's, has no scale to be far
                # from: its start can be next to 0.)
                far = final[g] > FAR_ABOVE * self.reference[g]
                far = far and not self.settings.describes.trivial_at_zero
                if far and not (self.exact or going_up) and self._settling(g):
                    # Large first steps that a shrinking step, or falling
                    # losses, are bringing back: not converged, not diverged.
                    self.settling.append((final[g], self.reference[g]))
                    continue
                if self.exact or far or going_up:
                    self.freeze_diverged(g, W)
                    continue
                self.restore_best(g, W)
                self.in_noise.append(g)
            elif going_up:
                rising = (self.recent[g][0], self.recent[g][-1])
        return rising

    def _exploding(self, g, loss):
        return 0.0 < self.reference[g] * DIVERGENCE_FACTOR < loss

    def _above_start(self, g, loss):
        """Whether ``loss`` is above the start (beyond rounding)."""
        if not (self.judged[g] and self.reference[g] > 0.0):
            return False
        return loss > self.start_loss[g] + START_SLACK * self.reference[g]

    def _rising(self, g, sign=1.0):
        """Whether the recent losses trend upwards: a least-squares slope
        ``RISING_T_STATISTIC`` standard errors above zero, and a rise over the
        window above ``tol`` (and above rounding); with ``sign=-1``, whether
        they trend downwards so."""
        y = np.asarray(self.recent[g])
        m = len(y)
        if m < 3:
            return False
        x = np.arange(m) - (m - 1) / 2
        slope = float(x @ (y - y.mean()) / (x @ x))
        residuals = y - y.mean() - slope * x
        standard_error = math.sqrt(residuals @ residuals / (m - 2) / (x @ x))
        slope *= sign
        rise = slope * (m - 1)
        smallest = max(self.settings.tol or 0.0, 1e-9 * self.reference[g])
        return rise > smallest and slope > RISING_T_STATISTIC * standard_error

    def _settling(self, g):
        """Whether a fit ending far above its start is coming down: its
        losses fall, or its schedule's step shrinks to 0 (scikit-learn's
        ``"optimal"`` starts with steps far above the safe one, and each
        update's step is smaller)."""
        return self._rising(g, sign=-1.0) or self.settings.schedule._decays_to_zero()

    def _reduce_step(self, g):
        """A smaller step instead of a stop, when the schedule says so (the
        adaptive schedule's ``on_plateau``)."""
        reduced = self.settings.schedule.on_plateau(
            self.multipliers[g], self.learning_rate
        )
        if reduced is None:
            return False
        self.multipliers[g] = reduced
        self.rules[g].count = 0
        return True

    def stop_all(self, reason):
        for t in np.flatnonzero(self.active):
            self.reasons[t] = reason
        self.active[:] = False

    def restore_best_validation(self, W):
        for g, reason in enumerate(self.reasons):
            if reason != "diverged" and np.isfinite(self.best_val_loss[g]):
                rows = self.members(g)
                W[rows] = self.best_val_W[rows]

    @property
    def stop_reason(self):
        for reason in ("diverged", "callback"):
            if reason in self.reasons:
                return reason
        if all(r == "early_stopping" for r in self.reasons):
            return "early_stopping"
        if all(r in ("converged", "early_stopping") for r in self.reasons):
            return "converged"
        return "max_iter"
