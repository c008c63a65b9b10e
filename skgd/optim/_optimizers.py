"""The optimizers: each an update rule and its hyperparameters."""

from numbers import Real
from typing import NamedTuple

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils._param_validation import Interval

from ._rules import (
    RULES,
    AdagradHyper,
    AdamHyper,
    MomentumHyper,
    Optimizer,
    RMSpropHyper,
    apply_update,
)


class OptimizerState(NamedTuple):
    """What an optimizer remembers between updates.

    Attributes
    ----------
    slots : ndarray of shape ``(n_slots, *params.shape)``
        The running buffers (momentum, sums or averages of squared gradients).
    count : int
        Updates made so far.
    average : ndarray of shape ``params.shape`` or None
        An estimator's running mean of its parameters (``average``), which
        ``partial_fit`` continues; ``None`` without averaging.
    """

    slots: np.ndarray
    count: int
    average: np.ndarray | None = None


class _Optimizer(BaseEstimator):
    """An update rule (compiled, named by ``_rule``) and its hyperparameters."""

    #: Whether sparse batches update only the coordinates they touch
    #: (``_kernels._lazy_rules``); the adaptive optimizers' ``lazy``.
    lazy = False

    #: The learning rate taken by ``learning_rate="auto"``; ``None`` means the
    #: safe step ``1 / L`` of the loss (see the estimators).
    default_learning_rate = None

    def _hyperparameters(self):
        """The rule's hyperparameters, its ``Hyper`` named tuple (validated)."""
        raise NotImplementedError

    @property
    def _n_slots(self):
        return len(RULES[self._rule].slots)

    def _steady_state_gain(self):
        """How many times a constant gradient one update becomes in the long
        run (``learning_rate="auto"`` divides the stochastic step by it)."""
        return 1.0

    def _initial_slots(self, shape):
        return np.zeros((self._n_slots, *shape))

    def init(self, params):
        """The state before the first update.

        Parameters
        ----------
        params : array-like
            The parameters the optimizer will update (only their shape is used).

        Returns
        -------
        state : OptimizerState
        """
        self._validate_params()
        return OptimizerState(self._initial_slots(np.shape(params)), 0)

    def update(self, grads, state, params, learning_rate):
        """One update: ``params + updates`` are the new parameters.

        Parameters
        ----------
        grads : array-like
            The gradient at ``params``.
        state : OptimizerState
            From ``init`` or from the previous ``update``; not modified.
        params : array-like
            The current parameters.
        learning_rate : float
            The step size.

        Returns
        -------
        updates : ndarray
            What to add to ``params``.
        state : OptimizerState
            The new state.
        """
        params = np.asarray(params, dtype=np.float64)
        new = params.copy().reshape(1, -1)
        slots = state.slots.copy().reshape(self._n_slots, 1, new.shape[1])
        grads = np.asarray(grads, dtype=np.float64).reshape(1, -1)
        count = np.array([state.count], dtype=np.int64)
        kernel_state = Optimizer(self._hyperparameters(), slots, count)
        apply_update(self._rule, kernel_state, new, grads, learning_rate)
        updates = new.reshape(params.shape) - params
        return updates, OptimizerState(
            slots.reshape(state.slots.shape), state.count + 1
        )


class SGD(_Optimizer):
    """Gradient descent, with optional (Nesterov) momentum, as ``torch.optim.SGD``.

    With momentum ``mu`` and dampening ``d``, each update is::

        b = g                          (first update)
        b = mu * b + (1 - d) * g       (later updates)
        g = g + mu * b if nesterov else b
        theta = theta - learning_rate * g

    Parameters
    ----------
    momentum : float, default=0.0
        The momentum factor ``mu``; 0 is plain gradient descent.
    dampening : float, default=0.0
        Dampening ``d`` of the momentum.
    nesterov : bool, default=False
        Nesterov momentum (needs ``momentum > 0`` and ``dampening = 0``).

    Examples
    --------
    >>> from skgd.optim import SGD
    >>> opt = SGD(momentum=0.9)
    >>> state = opt.init([1.0])
    >>> updates, state = opt.update([2.0], state, [1.0], learning_rate=0.1)
    >>> updates
    array([-0.2])
    >>> opt.update([2.0], state, [0.8], learning_rate=0.1)[0].round(2)
    array([-0.38])
    """

    _parameter_constraints: dict = {
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "dampening": [Interval(Real, 0, 1, closed="both")],
        "nesterov": ["boolean"],
    }

    def __init__(self, momentum=0.0, dampening=0.0, nesterov=False):
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov

    @property
    def _rule(self):
        return "momentum" if self.momentum > 0 else "sgd"

    def _steady_state_gain(self):
        """How many times a constant gradient the update becomes once the
        momentum buffer has filled: ``(1 - d) / (1 - mu)`` (Nesterov:
        ``1 + mu (1 - d) / (1 - mu)``); 1 without momentum."""
        if self.momentum == 0:
            return 1.0
        buffer = (1.0 - self.dampening) / (1.0 - self.momentum)
        return 1.0 + self.momentum * buffer if self.nesterov else buffer

    def _hyperparameters(self):
        self._validate_params()
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                "Nesterov momentum requires a momentum and zero dampening."
            )
        return MomentumHyper(
            float(self.momentum), float(self.dampening), bool(self.nesterov)
        )


class Adagrad(_Optimizer):
    """Adagrad, as ``torch.optim.Adagrad``.

    Each update is::

        step = learning_rate / (1 + (t - 1) * lr_decay)
        s = s + g**2                   (s starts at initial_accumulator_value)
        theta = theta - step * g / (sqrt(s) + eps)

    Parameters
    ----------
    lr_decay : float, default=0.0
        Decay of the step with the update count ``t``.
    initial_accumulator_value : float, default=0.0
        Starting value of the sum of squared gradients.
    eps : float, default=1e-10
        Added to the denominator.
    lazy : bool, default=False
        On sparse (CSR) data with the ``"sgd"`` and ``"minibatch"`` solvers,
        update only the coordinates the batch's rows touch, and their state (as
        ``torch.optim.SparseAdam``): an update costs the batch's non-zeros
        instead of ``n_features``. Without penalties the updates are the dense
        ones (an untouched coordinate's dense update is zero); the L2 and L1
        penalties shrink only the touched coefficients. No effect on dense data
        or with the ``"batch"`` solver.

    Examples
    --------
    >>> from skgd.optim import Adagrad
    >>> opt = Adagrad()
    >>> opt.update([2.0], opt.init([0.0]), [0.0], learning_rate=0.5)[0]
    array([-0.5])
    """

    default_learning_rate = 0.01

    _parameter_constraints: dict = {
        "lr_decay": [Interval(Real, 0, None, closed="left")],
        "initial_accumulator_value": [Interval(Real, 0, None, closed="left")],
        "eps": [Interval(Real, 0, None, closed="neither")],
        "lazy": ["boolean"],
    }
    _rule = "adagrad"

    def __init__(
        self, lr_decay=0.0, initial_accumulator_value=0.0, eps=1e-10, lazy=False
    ):
        self.lr_decay = lr_decay
        self.initial_accumulator_value = initial_accumulator_value
        self.eps = eps
        self.lazy = lazy

    def _initial_slots(self, shape):
        return np.full((1, *shape), float(self.initial_accumulator_value))

    def _hyperparameters(self):
        self._validate_params()
        return AdagradHyper(float(self.lr_decay), float(self.eps))


class RMSprop(_Optimizer):
    """RMSprop, as ``torch.optim.RMSprop``.

    Each update is::

        v = alpha * v + (1 - alpha) * g**2
        a = alpha * a + (1 - alpha) * g          (centered only)
        d = sqrt(v - a**2 if centered else v) + eps
        b = momentum * b + g / d                 (momentum > 0)
        theta = theta - learning_rate * (b if momentum > 0 else g / d)

    Parameters
    ----------
    alpha : float, default=0.99
        Smoothing constant of the average of squared gradients.
    eps : float, default=1e-8
        Added to the denominator.
    momentum : float, default=0.0
        Momentum factor.
    centered : bool, default=False
        Normalise by the estimated variance of the gradient instead of its
        second moment.
    lazy : bool, default=False
        On sparse (CSR) data with the ``"sgd"`` and ``"minibatch"`` solvers,
        update only the coordinates the batch's rows touch, and their state (as
        ``torch.optim.SparseAdam``): an update costs the batch's non-zeros
        instead of ``n_features``. A coordinate's averages decay only when it
        is touched, and the penalties shrink only the touched coefficients, so
        the updates differ from the dense ones. No effect on dense data or with
        the ``"batch"`` solver.

    Examples
    --------
    >>> from skgd.optim import RMSprop
    >>> opt = RMSprop(alpha=0.75, eps=1e-12)
    >>> opt.update([2.0], opt.init([0.0]), [0.0], learning_rate=0.1)[0]
    array([-0.2])
    """

    default_learning_rate = 0.01

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, 1, closed="both")],
        "eps": [Interval(Real, 0, None, closed="neither")],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "centered": ["boolean"],
        "lazy": ["boolean"],
    }
    _rule = "rmsprop"

    def __init__(self, alpha=0.99, eps=1e-8, momentum=0.0, centered=False, lazy=False):
        self.alpha = alpha
        self.eps = eps
        self.momentum = momentum
        self.centered = centered
        self.lazy = lazy

    def _hyperparameters(self):
        self._validate_params()
        return RMSpropHyper(
            float(self.alpha),
            float(self.eps),
            float(self.momentum),
            bool(self.centered),
        )


class Adam(_Optimizer):
    """Adam, as ``torch.optim.Adam``.

    Each update is::

        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        v_max = max(v_max, v)                    (amsgrad only)
        m_hat = m / (1 - beta1**t)
        v_hat = (v_max if amsgrad else v) / (1 - beta2**t)
        theta = theta - learning_rate * m_hat / (sqrt(v_hat) + eps)

    Parameters
    ----------
    betas : tuple of two floats, default=(0.9, 0.999)
        Decay rates ``(beta1, beta2)`` of the two moment estimates.
    eps : float, default=1e-8
        Added to the denominator.
    amsgrad : bool, default=False
        Use the running maximum of ``v`` (AMSGrad).
    lazy : bool, default=False
        On sparse (CSR) data with the ``"sgd"`` and ``"minibatch"`` solvers,
        update only the coordinates the batch's rows touch, and their state (as
        ``torch.optim.SparseAdam``): an update costs the batch's non-zeros
        instead of ``n_features``. A coordinate's moments decay, and it moves,
        only when it is touched (the bias corrections count every update), and
        the penalties shrink only the touched coefficients, so the updates
        differ from the dense ones. No effect on dense data or with the
        ``"batch"`` solver.

    Examples
    --------
    >>> from skgd.optim import Adam
    >>> opt = Adam()
    >>> opt.update([2.0], opt.init([0.0]), [0.0], learning_rate=0.1)[0].round(6)
    array([-0.1])
    """

    default_learning_rate = 0.001

    _parameter_constraints: dict = {
        "betas": [tuple, list],
        "eps": [Interval(Real, 0, None, closed="neither")],
        "amsgrad": ["boolean"],
        "lazy": ["boolean"],
    }

    def __init__(self, betas=(0.9, 0.999), eps=1e-8, amsgrad=False, lazy=False):
        self.betas = betas
        self.eps = eps
        self.amsgrad = amsgrad
        self.lazy = lazy

    @property
    def _rule(self):
        return "amsgrad" if self.amsgrad else "adam"

    def _hyperparameters(self):
        self._validate_params()
        betas = tuple(self.betas)
        if len(betas) != 2 or not all(0 <= beta < 1 for beta in betas):
            raise ValueError(
                f"betas must be two numbers in [0, 1); got {self.betas!r}."
            )
        return AdamHyper(float(betas[0]), float(betas[1]), float(self.eps))


#: The optimizers by name, with their defaults.
OPTIMIZERS = {
    "sgd": lambda: SGD(),
    "momentum": lambda: SGD(momentum=0.9),
    "nesterov": lambda: SGD(momentum=0.9, nesterov=True),
    "adagrad": lambda: Adagrad(),
    "rmsprop": lambda: RMSprop(),
    "adam": lambda: Adam(),
}


def resolve_optimizer(optimizer):
    """An optimizer instance from a name or an instance (which is copied)."""
    if isinstance(optimizer, str):
        if optimizer not in OPTIMIZERS:
            raise ValueError(
                f"Unknown optimizer {optimizer!r}; use one of {sorted(OPTIMIZERS)} "
                "or an instance from skgd.optim."
            )
        return OPTIMIZERS[optimizer]()
    if not isinstance(optimizer, _Optimizer):
        raise TypeError(
            f"optimizer must be a name or an instance from skgd.optim; got "
            f"{optimizer!r}."
        )
    optimizer = clone(optimizer)
    if optimizer._rule not in RULES:
        raise ValueError(
            f"{type(optimizer).__name__} names the update rule "
            f"{optimizer._rule!r}, which skgd does not have; the rules are "
            f"{sorted(RULES)}."
        )
    return optimizer
