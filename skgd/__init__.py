"""skgd: scikit-learn compatible estimators trained by gradient descent."""

from . import optim, plotting, schedules
from ._backends._checks import FeatureScaleWarning
from ._estimators._classifier import GDClassifier
from ._estimators._regressor import GDRegressor
from ._lr_finder import find_learning_rate
from ._minimize import minimize

__version__ = "0.1.0.dev0"

__all__ = [
    "FeatureScaleWarning",
    "GDClassifier",
    "GDRegressor",
    "find_learning_rate",
    "minimize",
    "optim",
    "plotting",
    "schedules",
    "__version__",
]
