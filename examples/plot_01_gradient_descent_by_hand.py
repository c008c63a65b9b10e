"""
Gradient descent by hand, and with GDRegressor
==============================================

The first lesson fits ``y = w * x`` to three points, ``x = 1, 2, 3`` and
``y = 2, 4, 6``, starting from ``w = 1`` with a learning rate of 0.01. The cost
is the mean squared error and its gradient ``2/N sum x (w x - y)``.

We write that loop, get the same numbers from :class:`~skgd.GDRegressor`, and
then look at the cost two ways: over a grid of ``w`` (exhaustive search) and
per epoch.
"""

# %%
# The loop of the lesson
# ----------------------
import numpy as np

x_data = np.array([1.0, 2.0, 3.0])
y_data = np.array([2.0, 4.0, 6.0])

w = 1.0
cost_by_hand = []
for _ in range(100):
    cost_by_hand.append(np.mean((w * x_data - y_data) ** 2))
    w -= 0.01 * np.mean(2 * x_data * (w * x_data - y_data))
print(f"w after 100 epochs: {w:.6f}, prediction for x = 4: {4 * w:.4f}")

# %%
# The same fit with skgd
# ----------------------
# ``solver="batch"`` makes one update per epoch from all samples, as the loop;
# ``fit_intercept=False`` because the model has no intercept, and ``tol=None``
# runs all 100 epochs.
from skgd import GDRegressor

reg = GDRegressor(
    solver="batch", learning_rate=0.01, max_iter=100, tol=None, fit_intercept=False
)
reg.fit(x_data.reshape(-1, 1), y_data, coef_init=[1.0])
print(f"w from GDRegressor: {reg.coef_[0]:.6f}")
print(
    "largest difference of the costs:", np.abs(reg.loss_history_ - cost_by_hand).max()
)

# %%
# Exhaustive search
# -----------------
# Before gradient descent, the lesson tries every ``w`` on a grid and keeps
# the one with the lowest cost. :func:`~skgd.plotting.loss_grid` computes that
# grid for a fitted model, and :class:`~skgd.plotting.LossSurfaceDisplay`
# draws it with the path gradient descent took: ``w`` after every epoch.
from skgd.plotting import LossSurfaceDisplay, loss_grid

X = x_data.reshape(-1, 1)
grid = loss_grid(reg, X, y_data, extent=[(0.0, 4.0)], grid_size=41)
print("best w on the grid:", grid.axes[0][np.argmin(grid.loss)])
display = LossSurfaceDisplay.from_estimator(reg, X, y_data, extent=[(0.0, 4.0)])
_ = display.ax_.set_title("cost over w, and the path of gradient descent")

# %%
# Cost per epoch
# --------------
# The curve the lesson plots: it falls fast, then levels off at 0.
from skgd.plotting import LossCurveDisplay

display = LossCurveDisplay.from_estimator(reg)
_ = display.ax_.set_title("cost per epoch")
