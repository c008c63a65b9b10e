"""Displays of what gradient descent did, in scikit-learn's Display API.

Each Display stores the data to draw; ``plot(ax=None, ...)`` draws it and sets
``ax_``, ``figure_`` and the artists; ``from_estimator`` builds one from a
fitted estimator (or a ``Pipeline`` ending in one).
"""

from ._animate_predictions import animate_predictions
from ._animate_surface import animate_surface
from ._animation import save_gif
from ._displays import LossSurfaceDisplay, loss_grid
from ._gradient import GradientDisplay, objective_gradient
from ._loss_curve import LossCurveDisplay
from ._loss_surface import LossGrid
from ._lr_finder import LearningRateFinderDisplay
from ._prediction_path import PredictionPathDisplay

__all__ = [
    "GradientDisplay",
    "LearningRateFinderDisplay",
    "LossCurveDisplay",
    "LossGrid",
    "LossSurfaceDisplay",
    "PredictionPathDisplay",
    "animate_predictions",
    "animate_surface",
    "loss_grid",
    "objective_gradient",
    "save_gif",
]
