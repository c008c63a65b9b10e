"""The demo's pictures of gradient descent: the lesson's learning rates on the
loss surface, and the learning-rate range test."""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._estimators._regressor import GDRegressor
from .plotting import LearningRateFinderDisplay, LossSurfaceDisplay


def lesson_data():
    """The training set of lesson 004: ``y = 1 + 2 x + noise``, ``x`` uniform on
    [0, 1], 100 samples drawn with NumPy's seed 42, the shuffled first 80
    (``2 / L`` is 0.8055 there: 0.8 converges, bouncing)."""
    rng = np.random.RandomState(42)
    x = rng.rand(100, 1)
    y = 1 + 2 * x[:, 0] + 0.1 * rng.randn(100)
    order = np.arange(100)
    rng.shuffle(order)
    train = order[:80]
    return x[train], y[train]


def plot_learning_rates(out, learning_rates=(0.2, 0.8, 1.1)):
    """Batch gradient descent with each step, its path on the loss surface."""
    import matplotlib.pyplot as plt

    x, y = lesson_data()
    fig, axes = plt.subplots(
        1,
        len(learning_rates),
        figsize=(5 * len(learning_rates), 4),
        layout="constrained",
    )
    for ax, lr in zip(axes, learning_rates, strict=True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # 1.1 diverges
            reg = GDRegressor(learning_rate=lr, max_iter=30, tol=None)
            reg.fit(x, y, coef_init=[-0.14], intercept_init=0.5)
        LossSurfaceDisplay.from_estimator(reg, x, y, extent=[(-2, 4), (-1, 5)], ax=ax)
        ax.set_title(f"learning rate {lr}: {reg.stop_reason_}")
    fig.savefig(out, dpi=100)
    plt.close(fig)


def plot_learning_rate_finder(model, X, y, out):
    """The range test of ``model`` on ``(X, y)``; returns its suggestion."""
    import matplotlib.pyplot as plt

    display = LearningRateFinderDisplay.from_estimator(model, X, y)
    display.ax_.set_title("learning-rate range test")
    display.figure_.savefig(out, dpi=100)
    plt.close(display.figure_)
    return display.suggestion
