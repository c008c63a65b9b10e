"""Learning-rate schedules: the step of each epoch as a multiple of ``learning_rate``.

Pass a schedule to an estimator's ``lr_schedule`` by name (with the defaults
below), as an instance carrying its own settings, or as any callable
``epoch -> multiplier``. Epochs are counted from 0, as in PyTorch's
``LambdaLR``: the first epoch uses ``learning_rate * multiplier(0)``. The step of
every epoch is recorded in the estimator's ``history_``.

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
=================  ======================  =====================================
"""

import math
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils._param_validation import Interval

__all__ = ["Constant", "InverseScaling", "Exponential", "Step", "Cosine", "Adaptive"]


class _Schedule(BaseEstimator):
    _parameter_constraints: dict = {}

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
    """``(epoch + 1) ** -power_t``: scikit-learn's ``"invscaling"``, per epoch.

    Parameters
    ----------
    power_t : float, default=0.5
        The exponent.

    Examples
    --------
    >>> from skgd.schedules import InverseScaling
    >>> InverseScaling(power_t=0.5).multiplier(3, max_iter=100)
    0.5
    """

    _parameter_constraints: dict = {"power_t": [Interval(Real, 0, None, closed="left")]}

    def __init__(self, power_t=0.5):
        self.power_t = power_t

    def multiplier(self, epoch, max_iter):
        return float((epoch + 1) ** -self.power_t)


class Exponential(_Schedule):
    """``gamma ** epoch``, as ``torch.optim.lr_scheduler.ExponentialLR``.

    Parameters
    ----------
    gamma : float, default=0.95
        The factor applied after every epoch.

    Examples
    --------
    >>> from skgd.schedules import Exponential
    >>> Exponential(gamma=0.5).multiplier(2, max_iter=100)
    0.25
    """

    _parameter_constraints: dict = {"gamma": [Interval(Real, 0, 1, closed="right")]}

    def __init__(self, gamma=0.95):
        self.gamma = gamma

    def multiplier(self, epoch, max_iter):
        return float(self.gamma**epoch)


class Step(_Schedule):
    """``gamma ** (epoch // step_size)``, as ``torch.optim.lr_scheduler.StepLR``.

    Parameters
    ----------
    step_size : int, default=10
        Epochs between two reductions.
    gamma : float, default=0.1
        The factor of each reduction.

    Examples
    --------
    >>> from skgd.schedules import Step
    >>> [Step(step_size=2, gamma=0.5).multiplier(e, max_iter=100) for e in range(5)]
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    _parameter_constraints: dict = {
        "step_size": [Interval(Integral, 1, None, closed="left")],
        "gamma": [Interval(Real, 0, 1, closed="right")],
    }

    def __init__(self, step_size=10, gamma=0.1):
        self.step_size = step_size
        self.gamma = gamma

    def multiplier(self, epoch, max_iter):
        return float(self.gamma ** (epoch // self.step_size))


class Cosine(_Schedule):
    """Cosine annealing from 1 to ``final`` over ``n_epochs``, then ``final``.

    As ``torch.optim.lr_scheduler.CosineAnnealingLR`` with ``T_max=n_epochs``
    and ``eta_min = final * learning_rate``, without restarts.

    Parameters
    ----------
    n_epochs : int or None, default=None
        Length of the decay; ``None`` takes the estimator's ``max_iter``.
    final : float, default=0.0
        The multiplier reached at the end.

    Examples
    --------
    >>> from skgd.schedules import Cosine
    >>> [Cosine(n_epochs=2).multiplier(e, max_iter=100) for e in range(4)]
    [1.0, 0.5, 0.0, 0.0]
    """

    _parameter_constraints: dict = {
        "n_epochs": [Interval(Integral, 1, None, closed="left"), None],
        "final": [Interval(Real, 0, 1, closed="both")],
    }

    def __init__(self, n_epochs=None, final=0.0):
        self.n_epochs = n_epochs
        self.final = final

    def multiplier(self, epoch, max_iter):
        n_epochs = max_iter if self.n_epochs is None else self.n_epochs
        progress = min(epoch, n_epochs) / n_epochs
        cosine = (1.0 + math.cos(math.pi * progress)) / 2.0
        return float(self.final + (1.0 - self.final) * round(cosine, 15))


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
