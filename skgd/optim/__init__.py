"""Optimizers: how a gradient becomes a parameter update.

Pass an optimizer to an estimator by name (``optimizer="adam"``, with the
defaults below) or as an instance carrying its own hyperparameters
(``optimizer=Adam(betas=(0.9, 0.99))``). The learning rate and its schedule
stay on the estimator, so ``GridSearchCV`` over ``learning_rate`` works with any
optimizer, and nested hyperparameters are searchable as
``optimizer__betas``.

Each update rule follows the formulas of PyTorch's ``torch.optim`` (SGD with
momentum and Nesterov, Adagrad, RMSprop, Adam), so that the same run gives the
same weights. The rules are compiled: an optimizer's state is a stack of arrays
shaped like the parameters, updated in place inside the training kernels,
following optax's ``init`` / ``update`` split.

====================  ============================================
name                  instance
====================  ============================================
``"sgd"``             ``SGD()``
``"momentum"``        ``SGD(momentum=0.9)``
``"nesterov"``        ``SGD(momentum=0.9, nesterov=True)``
``"adagrad"``         ``Adagrad()``
``"rmsprop"``         ``RMSprop()``
``"adam"``            ``Adam()``
====================  ============================================
"""

from ._optimizers import OPTIMIZERS as OPTIMIZERS  # by name, with their defaults
from ._optimizers import SGD, Adagrad, Adam, OptimizerState, RMSprop

__all__ = ["SGD", "Adagrad", "RMSprop", "Adam", "OptimizerState"]
