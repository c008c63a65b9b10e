"""Displays of what gradient descent did, in scikit-learn's Display API.

Each Display stores the data to draw; ``plot(ax=None, ...)`` draws it and sets
``ax_``, ``figure_`` and the artists; ``from_estimator`` builds one from a
fitted estimator (or a ``Pipeline`` ending in one).
"""

from ._displays import LossCurveDisplay, LossSurfaceDisplay, loss_grid
from ._loss_surface import LossGrid
from ._lr_finder import LearningRateFinderDisplay

__all__ = [
    "LearningRateFinderDisplay",
    "LossCurveDisplay",
    "LossGrid",
    "LossSurfaceDisplay",
    "loss_grid",
]
