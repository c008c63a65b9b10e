"""Learning-rate schedules: the step of each epoch, or of each update, as a
multiple of ``learning_rate``.

Pass a schedule to an estimator's ``lr_schedule`` by name (with the defaults
below), as an instance carrying its own settings, or as any callable
``epoch -> multiplier``. Epochs are counted from 0, as in PyTorch's
``LambdaLR``: the first epoch uses ``learning_rate * multiplier(0)``. The step of
every epoch (of its first update) is recorded in the estimator's ``history_``.

=================  ======================  =====================================
name               instance                multiplier of epoch ``e``
=================  ======================  =====================================
``"constant"``     ``Constant()``          ``1``
``"invscaling"``   ``InverseScaling()``    ``(e + 1) ** -power_t``
``"exponential"``  ``Exponential()``       ``gamma ** e``
``"step"``         ``Step()``              ``gamma ** (e // step_size)``
``"cosine"``       ``Cosine()``            ``final + (1 - final) *
                                           (1 + cos(pi * e / n_epochs)) / 2``
``"adaptive"``     ``Adaptive()``          ``1``, times ``factor`` whenever the
                                           loss stops improving
``"optimal"``      ``Optimal()``           ``1 / (alpha * (t0 + e))``, per update
=================  ======================  =====================================

**Per update.** ``InverseScaling``, ``Exponential``, ``Step``, ``Cosine`` and
``Optimal`` take ``per="epoch"`` or ``per="update"``: with ``"update"`` they
count updates instead of epochs (``e`` above is the number of updates made
before this one, over the whole fit and its ``partial_fit`` calls), so the
step decays within an epoch, and their lengths (``Step.step_size``,
``Cosine.n_epochs``) count updates; ``Cosine``'s default length is then
``max_iter`` times the updates of an epoch.

**scikit-learn's four** ``learning_rate`` **values** in skgd's spelling, with
``solver="sgd"`` (for the regressor, whose loss is twice scikit-learn's,
``learning_rate = eta0 / 2`` and ``alpha`` twice scikit-learn's):

==========================  =================================================
``SGD*``                    ``GD*``
==========================  =================================================
``"constant"``, ``eta0``    ``learning_rate=eta0``, ``lr_schedule="constant"``
``"optimal"``               ``learning_rate=1.0``, ``lr_schedule="optimal"``
``"invscaling"``, ``eta0``  ``learning_rate=eta0``,
                            ``lr_schedule=InverseScaling(power_t, per="update")``
``"adaptive"``, ``eta0``    ``learning_rate=eta0``, ``lr_schedule="adaptive"``
==========================  =================================================
"""

import math
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils._param_validation import Interval, StrOptions

__all__ = [
    "Constant",
    "InverseScaling",
    "Exponential",
    "Step",
    "Cosine",
    "Adaptive",
    "Optimal",
]

#: The ``per`` parameter of the schedules that count epochs or updates.
_PER = {"per": [StrOptions({"epoch", "update"})]}


class _Schedule(BaseEstimator):
    _parameter_constraints: dict = {}

    #: Whether the schedule is the step itself (``Optimal``): then
    #: ``learning_rate="auto"`` is 1 and a number multiplies the schedule.
    sets_step = False

    def _decays_to_zero(self):
        """Whether the step goes to 0 as the count grows (a fit far above its
        start under it is settling from its first steps, not diverging,
        unless its losses rise)."""
        return False

    def multiplier(self, epoch, max_iter):
        """The multiple of the base learning rate used in epoch ``epoch`` (from 0).

        Parameters
        ----------
        epoch : int
            Epochs already run.
        max_iter : int
            The estimator's ``max_iter`` (the length of a cosine cycle by default).

        Returns
        -------
        multiplier : float
        """
        raise NotImplementedError

    def multipliers(self, steps, length):
        """``multiplier`` of each of ``steps`` (epochs or updates, from 0), as
        an array; ``length`` is ``multiplier``'s ``max_iter``.

        Parameters
        ----------
        steps : ndarray of int
            The epochs, or updates, from 0.
        length : int
            The number of epochs (or updates) of the fit.

        Returns
        -------
        multipliers : ndarray of float
        """
        return np.array([self.multiplier(int(k), length) for k in steps], dtype=float)

    def on_plateau(self, multiplier, learning_rate):
        """What to do when the loss has stopped improving (the estimator's
        stopping rule fired): a smaller step, or stop.

        Parameters
        ----------
        multiplier : float
            The reductions made so far, a multiple of every later epoch's step.
        learning_rate : float
            The base learning rate.

        Returns
        -------
        multiplier : float or None
            The new multiple of the step, and the fit goes on; ``None`` (every
            schedule but ``Adaptive``): the fit stops.
        """
        return None


class Constant(_Schedule):
    """The same step in every epoch.

    Examples
    --------
    >>> from skgd.schedules import Constant
    >>> Constant().multiplier(10, max_iter=100)
    1.0
    """

    def multiplier(self, epoch, max_iter):
        return 1.0


class InverseScaling(_Schedule):
    """``(epoch + 1) ** -power_t``; with ``per="update"``, scikit-learn's
    ``"invscaling"`` (``eta0 / t ** power_t`` at its ``t``-th update).

    Parameters
    ----------
    power_t : float, default=0.5
        The exponent.
    per : {"epoch", "update"}, default="epoch"
        Count epochs or updates (see the module's docstring).

    Examples
    --------
    >>> from skgd.schedules import InverseScaling
    >>> InverseScaling(power_t=0.5).multiplier(3, max_iter=100)
    0.5
    """

    _parameter_constraints: dict = {
        "power_t": [Interval(Real, 0, None, closed="left")],
        **_PER,
    }

    def __init__(self, power_t=0.5, per="epoch"):
        self.power_t = power_t
        self.per = per

    def _decays_to_zero(self):
        return self.power_t > 0

    def multiplier(self, epoch, max_iter):
        return float((epoch + 1) ** -self.power_t)

    def multipliers(self, steps, length):
        return (np.asarray(steps, dtype=float) + 1.0) ** -self.power_t


class Exponential(_Schedule):
    """``gamma ** epoch``, as ``torch.optim.lr_scheduler.ExponentialLR``.

    Parameters
    ----------
    gamma : float, default=0.95
        The factor applied after every epoch (or update).
    per : {"epoch", "update"}, default="epoch"
        Count epochs or updates (see the module's docstring).

    Examples
    --------
    >>> from skgd.schedules import Exponential
    >>> Exponential(gamma=0.5).multiplier(2, max_iter=100)
    0.25
    """

    _parameter_constraints: dict = {
        "gamma": [Interval(Real, 0, 1, closed="right")],
        **_PER,
    }

    def __init__(self, gamma=0.95, per="epoch"):
        self.gamma = gamma
        self.per = per

    def multiplier(self, epoch, max_iter):
        return float(self.gamma**epoch)

    def multipliers(self, steps, length):
        return float(self.gamma) ** np.asarray(steps, dtype=float)


class Step(_Schedule):
    """``gamma ** (epoch // step_size)``, as ``torch.optim.lr_scheduler.StepLR``.

    Parameters
    ----------
    step_size : int, default=10
        Epochs (or updates) between two reductions.
    gamma : float, default=0.1
        The factor of each reduction.
    per : {"epoch", "update"}, default="epoch"
        Count epochs or updates (see the module's docstring).

    Examples
    --------
    >>> from skgd.schedules import Step
    >>> [Step(step_size=2, gamma=0.5).multiplier(e, max_iter=100) for e in range(5)]
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    _parameter_constraints: dict = {
        "step_size": [Interval(Integral, 1, None, closed="left")],
        "gamma": [Interval(Real, 0, 1, closed="right")],
        **_PER,
    }

    def __init__(self, step_size=10, gamma=0.1, per="epoch"):
        self.step_size = step_size
        self.gamma = gamma
        self.per = per

    def multiplier(self, epoch, max_iter):
        return float(self.gamma ** (epoch // self.step_size))

    def multipliers(self, steps, length):
        return float(self.gamma) ** (np.asarray(steps) // self.step_size)


class Cosine(_Schedule):
    """Cosine annealing from 1 to ``final`` over ``n_epochs``, then ``final``.

    As ``torch.optim.lr_scheduler.CosineAnnealingLR`` with ``T_max=n_epochs``
    and ``eta_min = final * learning_rate``, without restarts.

    Parameters
    ----------
    n_epochs : int or None, default=None
        Length of the decay, in epochs (or updates); ``None`` takes the
        estimator's ``max_iter`` (times the updates of an epoch).
    final : float, default=0.0
        The multiplier reached at the end.
    per : {"epoch", "update"}, default="epoch"
        Count epochs or updates (see the module's docstring).

    Examples
    --------
    >>> from skgd.schedules import Cosine
    >>> [Cosine(n_epochs=2).multiplier(e, max_iter=100) for e in range(4)]
    [1.0, 0.5, 0.0, 0.0]
    """

    _parameter_constraints: dict = {
        "n_epochs": [Interval(Integral, 1, None, closed="left"), None],
        "final": [Interval(Real, 0, 1, closed="both")],
        **_PER,
    }

    def __init__(self, n_epochs=None, final=0.0, per="epoch"):
        self.n_epochs = n_epochs
        self.final = final
        self.per = per

    def multiplier(self, epoch, max_iter):
        return float(self.multipliers(np.array([epoch]), max_iter)[0])

    def multipliers(self, steps, length):
        n_epochs = length if self.n_epochs is None else self.n_epochs
        progress = np.minimum(np.asarray(steps, dtype=float), n_epochs) / n_epochs
        cosine = np.round((1.0 + np.cos(np.pi * progress)) / 2.0, 15)
        return self.final + (1.0 - self.final) * cosine


class Adaptive(_Schedule):
    """scikit-learn's ``"adaptive"``: keep the step while the loss improves.

    Each time the estimator's stopping rule fires (``n_iter_no_change`` epochs
    without an improvement of ``tol``), the step is multiplied by ``factor`` and
    training goes on; the fit stops (converged) only once the step would fall
    below ``min_learning_rate``. With ``tol=None`` the step stays constant.
    With early stopping the validation loss drives it.

    Parameters
    ----------
    factor : float, default=0.2
        The reduction (scikit-learn divides by 5).
    min_learning_rate : float, default=1e-6
        The smallest step.

    Examples
    --------
    >>> from skgd.schedules import Adaptive
    >>> Adaptive().multiplier(50, max_iter=100)
    1.0
    """

    _parameter_constraints: dict = {
        "factor": [Interval(Real, 0, 1, closed="neither")],
        "min_learning_rate": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, factor=0.2, min_learning_rate=1e-6):
        self.factor = factor
        self.min_learning_rate = min_learning_rate

    def multiplier(self, epoch, max_iter):
        return 1.0  # the reductions are made by on_plateau

    def on_plateau(self, multiplier, learning_rate):
        """``multiplier * factor``, while the step stays at or above
        ``min_learning_rate``; then ``None`` (stop).

        Parameters
        ----------
        multiplier : float
            The reductions made so far.
        learning_rate : float
            The base learning rate.

        Returns
        -------
        multiplier : float or None
            The reduced multiple of the step, or ``None``.

        Examples
        --------
        >>> from skgd.schedules import Adaptive
        >>> Adaptive(factor=0.5).on_plateau(1.0, learning_rate=0.1)
        0.5
        >>> print(Adaptive(min_learning_rate=0.05).on_plateau(1.0, learning_rate=0.1))
        None
        """
        reduced = multiplier * self.factor
        if reduced * learning_rate < self.min_learning_rate:
            return None
        return reduced


class Optimal(_Schedule):
    """scikit-learn's ``"optimal"``: ``1 / (alpha * (t0 + t))`` at update ``t``
    (from 0), SGDClassifier's default step.

    The schedule is the step: ``learning_rate="auto"`` is 1 with it (a
    number multiplies it), and with ``solver="sgd"`` ``GDClassifier`` makes
    SGDClassifier's default updates. ``alpha`` and ``t0`` default to the
    estimator's: its ``alpha`` (which must be positive), and scikit-learn's
    heuristic ``t0 = 1 / (a * eta0)`` with ``eta0 = a ** -0.25 / max(1,
    -loss'(-a ** -0.25))`` (the loss's derivative at ``y = 1``), where ``a``
    is ``alpha`` on scikit-learn's scale (half of it for ``GDRegressor``,
    whose loss is twice scikit-learn's): the first update's step is then
    ``eta0``.

    Parameters
    ----------
    alpha : float, default=None
        The regularisation the step decays with; ``None``: the estimator's.
    t0 : float, default=None
        The offset of the count; ``None``: scikit-learn's heuristic.
    per : {"epoch", "update"}, default="update"
        Count updates, as scikit-learn, or epochs.

    Examples
    --------
    >>> from skgd.schedules import Optimal
    >>> Optimal(alpha=0.01, t0=100.0).multiplier(0, max_iter=10)
    1.0
    >>> Optimal(alpha=0.01, t0=100.0).multiplier(100, max_iter=10)
    0.5
    """

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="neither"), None],
        "t0": [Interval(Real, 0, None, closed="neither"), None],
        **_PER,
    }

    sets_step = True

    def __init__(self, alpha=None, t0=None, per="update"):
        self.alpha = alpha
        self.t0 = t0
        self.per = per

    def _decays_to_zero(self):
        return True

    def for_estimator(self, alpha, sklearn_alpha, derivative):
        """This schedule with ``alpha`` and ``t0`` resolved for an estimator:
        its ``alpha``, the same on scikit-learn's scale, and its loss's
        derivative ``derivative(prediction)`` at ``y = 1``."""
        if self.alpha is not None and self.t0 is not None:
            return self
        if not alpha > 0:
            raise ValueError(
                "lr_schedule='optimal' decays the step as 1 / (alpha * t): it "
                "needs alpha > 0."
            )
        typical = np.sqrt(1.0 / np.sqrt(sklearn_alpha))
        eta0 = typical / max(1.0, derivative(-typical))
        t0 = 1.0 / (eta0 * sklearn_alpha) if self.t0 is None else self.t0
        return Optimal(
            alpha=alpha if self.alpha is None else self.alpha, t0=t0, per=self.per
        )

    def multiplier(self, epoch, max_iter):
        return float(self.multipliers(np.array([epoch]), max_iter)[0])

    def multipliers(self, steps, length):
        if self.alpha is None or self.t0 is None:
            raise ValueError(
                "Optimal() takes alpha and t0 from the estimator; call "
                "multiplier on Optimal(alpha=..., t0=...)."
            )
        return 1.0 / (self.alpha * (self.t0 + np.asarray(steps, dtype=float)))


class _FunctionSchedule(_Schedule):
    """A user's callable ``epoch -> multiplier``."""

    def __init__(self, function):
        self.function = function

    def multiplier(self, epoch, max_iter):
        returned = self.function(epoch)
        if np.ndim(returned) != 0:
            raise ValueError(
                f"lr_schedule({epoch}) returned {returned!r}, of shape "
                f"{np.shape(returned)}; a schedule must return one number, a "
                "positive finite multiplier of the learning rate."
            )
        try:
            value = float(returned)
        except (TypeError, ValueError):
            value = math.nan
        if not (math.isfinite(value) and value > 0):
            raise ValueError(
                f"lr_schedule({epoch}) returned {returned!r}; a schedule must return "
                "a positive finite multiplier of the learning rate."
            )
        return value


#: The schedules by name, with their defaults.
SCHEDULES = {
    "constant": Constant,
    "invscaling": InverseScaling,
    "exponential": Exponential,
    "step": Step,
    "cosine": Cosine,
    "adaptive": Adaptive,
    "optimal": Optimal,
}


def resolve_schedule(schedule):
    """A validated schedule instance from a name, an instance or a callable."""
    if isinstance(schedule, str):
        return SCHEDULES[schedule]()
    if isinstance(schedule, _Schedule):
        schedule = clone(schedule)
        schedule._validate_params()
        return schedule
    return _FunctionSchedule(schedule)
