"""
Exhaustive search and the loss surface
======================================

This tutorial follows the first part of lesson 002, "PyTorch深度学习(一)
【线性模型、梯度下降、随机梯度下降】" (PyTorch deep learning 1: linear model,
gradient descent, stochastic gradient descent): its section
"线性模型(Linear Model)" and the exercise that ends it. For the cost and
its gradient descent it uses the notation of lesson 000, "Pytorch实践
(刘二大人)2:梯度下降算法" (PyTorch in practice 2: the gradient descent
algorithm).

Before any gradient descent, the lesson finds the best ``w`` of ``y = w x`` by
trying every ``w`` on a grid. We run the lesson's loop, get the same 41 numbers
from :func:`skgd.plotting.loss_grid`, draw the cost against ``w`` with its
minimum, and count why this search cannot go beyond a few parameters. Then we
do the lesson's exercise, the 3-D loss surface of ``y = w x + b``, draw on it
the path of :class:`~skgd.GDRegressor`, and read off the surface what makes
gradient descent slow on it: a long, flat valley, measured by the condition
number.
"""

# %%
# The model and its cost
# ----------------------
# Three samples, :math:`x = (1, 2, 3)` and :math:`y = (2, 4, 6)`, and a model
# with one parameter, :math:`\hat y = w x`. The *loss* of one sample is its
# squared error :math:`(w x_i - y_i)^2`; the *cost* is the mean of the losses
# over all :math:`N = 3` samples, the mean squared error (lesson 000 keeps the
# two words apart; the lesson's code calls the first ``loss`` and the second
# ``MSE``):
#
# .. math::
#
#     \mathrm{MSE}(w) = \frac{1}{N} \sum_{i=1}^{N} (w x_i - y_i)^2 .
#
# On these data :math:`\sum x_i^2 = 14`, :math:`\sum x_i y_i = 28` and
# :math:`\sum y_i^2 = 56`, so the cost is a parabola with its minimum, 0, at
# :math:`w = 2`:
#
# .. math::
#
#     \mathrm{MSE}(w) = \frac{14 w^2 - 56 w + 56}{3}
#     = \frac{14}{3} (w - 2)^2 .
#
# Exhaustive search does not use this formula: it computes the cost at
# every :math:`w` of a grid and keeps the smallest.
#
# The loop of the lesson
# ----------------------
# The lesson's code, its comments in English. ``np.arange(0.0, 4.1, 0.1)``
# gives the 41 values :math:`w = 0.0, 0.1, \ldots, 4.0`. For each one it prints
# ``w``, then each sample's ``x``, ``y``, prediction and loss, then the
# ``MSE``: 205 lines. We keep them in ``printed``, show them all for the first
# ``w``, and then, for each ``w``, the lesson's ``w=`` line and ``MSE=`` line
# side by side. (The text of the lesson lost its indentation when it was
# copied; we read the ``MSE`` print and the two appends as part of the outer
# loop, the only reading that gives one MSE per ``w``.)
import contextlib
import io

import matplotlib.pyplot as plt  # the plotting package
import numpy as np

x_data = [1.0, 2.0, 3.0]  # the data set: x holds the inputs,
y_data = [2.0, 4.0, 6.0]  # y the targets; equal indices make one sample, (1.0, 2.0)


def forward(x):  # the model, called the "forward" model
    return x * w  # multiply x by w (the linear model)


def loss(x, y):  # the loss function
    y_pred = forward(x)
    return (y_pred - y) ** 2


# exhaustive search
w_list = []  # the weights
mse_list = []  # the cost of each weight
with contextlib.redirect_stdout(io.StringIO()) as printed:
    for w in np.arange(0.0, 4.1, 0.1):  # weights 0.1 apart, 0.0 to 4.0: [0.0, ..., 4.0]
        print("w=", w)
        l_sum = 0
        for x_val, y_val in zip(x_data, y_data):  # noqa: B905  the pairs (x, y)
            y_pred_val = forward(x_val)  # the prediction (only printed here)
            loss_val = loss(x_val, y_val)  # the loss of the sample
            l_sum += loss_val  # the sum of the losses
            print("\t", x_val, y_val, y_pred_val, loss_val)
        print("MSE=", l_sum / 3)
        w_list.append(w)
        mse_list.append(l_sum / 3)  # divided by 3: the mean squared error

plt.plot(w_list, mse_list)  # the plot
plt.ylabel("Loss")
plt.xlabel("w")
plt.title("Lesson 002: the MSE of each w on the grid")  # (the lesson draws no title)
plt.show()

lines = printed.getvalue().splitlines()
print(len(lines), "lines printed; the first w in full:")
print("\n".join(lines[:5]))
print("...\nthe w= and MSE= lines of each w:")
for k in range(0, len(lines), 5):
    print(f"{lines[k]:<28} {lines[k + 4]}")

# %%
# The printed ``w`` are the floating-point values ``np.arange`` makes:
# ``0.30000000000000004`` is :math:`3 \times 0.1` rounded to binary. The
# smallest MSE is 0, at ``w= 2.0``.
#
# The same 41 values with skgd
# ----------------------------
# :func:`~skgd.plotting.loss_grid` evaluates a fitted estimator's objective,
# the same mean squared error, on a grid of its parameters. It needs a fitted
# :class:`~skgd.GDRegressor` to know the model (here one coefficient and no
# intercept: ``fit_intercept=False``); with one parameter and nothing held
# fixed, the grid does not depend on where the fit ended. We fit lesson 000's
# gradient descent (from :math:`w = 1`, learning rate 0.01, 100 epochs), whose
# path we draw below. ``extent=[(0.0, 4.0)]`` and ``grid_size=41`` give the
# lesson's grid: ``np.linspace(0.0, 4.0, 41)`` computes :math:`k \times 0.1`
# as ``np.arange`` does, so the 41 values of ``w`` are the same floats.
from skgd import GDRegressor
from skgd.plotting import LossSurfaceDisplay, loss_grid

X = np.reshape(x_data, (-1, 1))
y = np.array(y_data)
reg = GDRegressor(
    solver="batch", learning_rate=0.01, max_iter=100, tol=None, fit_intercept=False
)
reg.fit(X, y, coef_init=[1.0])
grid = loss_grid(reg, X, y, extent=[(0.0, 4.0)], grid_size=41)
print("the grid's parameter:", grid.names, "with", len(grid.axes[0]), "values")
print("largest difference of w:", np.abs(grid.axes[0] - np.array(w_list)).max())
print("largest difference of the MSE:", np.abs(grid.loss - np.array(mse_list)).max())
print("largest difference from 14/3 (w - 2)^2:",
      np.abs(grid.loss - 14 / 3 * (grid.axes[0] - 2) ** 2).max())  # fmt: skip
print("best w on the grid:", grid.axes[0][np.argmin(grid.loss)])

# %%
# The curve and its minimum
# -------------------------
# :class:`~skgd.plotting.LossSurfaceDisplay` draws the same grid as a curve
# and marks its minimum with a star. The cost is quadratic, so the Display
# solves for the exact minimiser instead of taking the grid's lowest point.
# The red points are the path of gradient descent, ``w`` after every epoch
# from :math:`w = 1`; the black dots are the lesson's 41 values.
display = LossSurfaceDisplay.from_estimator(
    reg, X, y, extent=[(0.0, 4.0)], grid_size=41, param_names=("w",)
)
display.ax_.plot(w_list, mse_list, "k.", label="lesson 002's loop")
display.ax_.set_ylabel("MSE")
display.ax_.set_title("MSE over w: exhaustive search and gradient descent")
display.ax_.legend()
print("exact minimiser:", display.minimum, "MSE there:", display.minimum_loss)
print(f"gradient descent after 100 epochs: w = {reg.coef_[0]:.6f}")

# %%
# Why exhaustive search stops working
# -----------------------------------
# The grid found :math:`w = 2` exactly because 2 happens to be one of its
# points; a grid of spacing :math:`h` only finds the minimum to within
# :math:`h / 2`. Covering a range :math:`R` of each parameter at spacing
# :math:`h` takes :math:`G = R / h + 1` points (here :math:`4 / 0.1 + 1 =
# 41`), and a model with :math:`p` parameters needs every combination of
# them:
#
# .. math::
#
#     \text{evaluations} = G^{p}, \qquad
#     \text{work} \approx N \, p \, G^{p} ,
#
# since each evaluation of the cost passes over the :math:`N` samples. The
# cost grows exponentially with the number of parameters (and halving
# :math:`h` multiplies it by about :math:`2^p`). We time a fast way to
# evaluate a grid, the lesson's own NumPy broadcasting (its exercise below),
# on a grid of a million points of a two-parameter model, and estimate how
# long the lesson's grid would take for more parameters at that rate (a
# lower bound: a larger model costs more per evaluation).
import time

w_grid, b_grid = np.meshgrid(np.linspace(0, 4, 1001), np.linspace(0, 4, 1001))
start = time.perf_counter()
costs = sum((w_grid * xi + b_grid - yi) ** 2 for xi, yi in zip(x_data, y_data)) / 3  # noqa: B905
seconds = time.perf_counter() - start
rate = w_grid.size / seconds
print(f"measured: {w_grid.size:,} evaluations in {seconds:.3f} s, "
      f"{rate:.2e} evaluations per second")  # fmt: skip
print(f"\n{'parameters p':>12}  {'evaluations 41**p':>18}  {'estimated time':>16}")
for p in [1, 2, 3, 4, 6, 10]:
    estimate = 41**p / rate
    if estimate < 3600:
        when = f"{estimate:.2g} s"
    elif estimate < 3.15e7:
        when = f"{estimate / 86400:.2g} days"
    else:
        when = f"{estimate / 3.156e7:.2g} years"
    print(f"{p:>12}  {41**p:>18.3g}  {when:>16}")

# %%
# Ten parameters is a small model (a linear regression on ten features has
# eleven, with its intercept), and the grid of 41 values per parameter is
# coarse. Gradient descent escapes the exponent: an epoch computes one
# gradient, a few :math:`N p` operations (about twice an evaluation of the
# cost), and the number of epochs depends on the shape of the cost (its
# condition number, below), not on a number of grid cells.
#
# The exercise: ``y = w x + b``
# -----------------------------
# The lesson's exercise adds an intercept and takes the data of
# :math:`y = 3 x + 2`, :math:`y = (5, 8, 11)`:
#
# .. math::
#
#     \mathrm{MSE}(w, b) = \frac{1}{N} \sum_{i=1}^{N} (w x_i + b - y_i)^2 .
#
# Its code, comments in English. The grid is two-dimensional, ``w`` and
# ``b`` each from 0.0 to 4.0 in steps of 0.1. There is no loop over the grid:
# ``np.meshgrid`` makes ``w`` and ``b`` arrays of shape (41, 41), ``w``
# varying along the columns and ``b`` along the rows, so ``forward`` and
# ``loss`` compute all 1681 grid points at once, and the loop runs over the
# three samples only. Each ``print(y_pred_val)`` prints a whole (41, 41)
# array of predictions (NumPy abbreviates it); we keep those lines in
# ``printed`` and show the first array. The lesson then draws ``l_sum / 3``
# with ``plot_surface``; we draw it below, from skgd's grid, with the path of
# gradient descent on it.
from mpl_toolkits.mplot3d import Axes3D  # noqa: F401  (the lesson's 3-D import)

# here the function is y = 3x + 2
x_data = [1.0, 2.0, 3.0]
y_data = [5.0, 8.0, 11.0]


def forward(x):
    return x * w + b


def loss(x, y):
    y_pred = forward(x)
    return (y_pred - y) * (y_pred - y)


mse_list = []
W = np.arange(0.0, 4.1, 0.1)
B = np.arange(0.0, 4.1, 0.1)
[w, b] = np.meshgrid(W, B)
l_sum = 0
with contextlib.redirect_stdout(io.StringIO()) as printed:
    for x_val, y_val in zip(x_data, y_data):  # noqa: B905
        y_pred_val = forward(x_val)
        print(y_pred_val)
        loss_val = loss(x_val, y_val)
        l_sum += loss_val

lines = printed.getvalue().splitlines()
print(len(lines), "lines printed; the predictions at x = 1.0 (rows: b, columns: w):")
print("\n".join(lines[:7]))
print("l_sum / 3:", (l_sum / 3).shape, "values, smallest", (l_sum / 3).min())

# %%
# The surface from skgd
# ---------------------
# The same grid with :func:`~skgd.plotting.loss_grid`, now from a fitted
# model with an intercept. The fit is the lesson's batch gradient descent on
# these data: ``solver="batch"``, learning rate 0.01, from the lesson's start
# :math:`w = 1` (the lesson gives no start for :math:`b`; we take
# :math:`b = 0`), 1000 epochs. skgd orders the two parameters
# ``("intercept", "coef[0]")`` and its ``loss`` has one row per value of the
# second (``w``), while the lesson's array has one row per ``b``: one is the
# transpose of the other.
y3 = np.array(y_data)
fit = GDRegressor(solver="batch", learning_rate=0.01, max_iter=1000, tol=None)
fit.fit(X, y3, coef_init=[1.0], intercept_init=0.0)
grid = loss_grid(fit, X, y3, extent=[(0.0, 4.0), (0.0, 4.0)], grid_size=41)
print("the grid's parameters:", grid.names, "loss of shape", grid.loss.shape)
print("largest difference from the lesson's l_sum / 3:",
      np.abs(grid.loss.T - l_sum / 3).max())  # fmt: skip
print(f"after 1000 epochs: w = {fit.coef_[0]:.4f}, b = {fit.intercept_:.4f}")

# %%
# The 3-D surface, as the lesson draws it
# ---------------------------------------
# ``plot_surface`` over the lesson's ``w`` and ``b`` arrays (``w`` along the
# x axis), with skgd's grid as the height. (The lesson makes its axes with
# ``Axes3D(fig)`` and ``fig.add_axes(ax)``; ``projection="3d"`` is the
# current way.) The red line is the path of gradient descent: the parameters
# at the start and after every epoch are ``coef_history_`` and
# ``intercept_history_``, and for the batch solver ``loss_history_[k]`` is
# the cost at the start of epoch ``k``, that is at row ``k`` of the
# histories, so the path's heights are ``loss_history_`` and the final cost.
# The view is matplotlib's default, the lesson's.
path_w, path_b = fit.coef_history_[:, 0], fit.intercept_history_
final_cost = np.mean((fit.predict(X) - y3) ** 2)
path_cost = np.r_[fit.loss_history_, final_cost]

fig = plt.figure(figsize=(7, 6))
ax = fig.add_subplot(projection="3d")
ax.computed_zorder = False  # draw the path over the surface
ax.plot_surface(w, b, grid.loss.T, cmap="viridis", alpha=0.7, zorder=1)
ax.plot(path_w, path_b, path_cost, color="C3", linewidth=2.5, zorder=10,
        label="batch gradient descent, 1000 epochs")  # fmt: skip
ax.plot([3.0], [2.0], [0.0], marker="*", markersize=14, color="gold",
        markeredgecolor="black", linestyle="none", zorder=11,
        label="minimum, w = 3, b = 2")  # fmt: skip
ax.set_xlabel("w")
ax.set_ylabel("b")
ax.set_zlabel("MSE")
ax.set_title("MSE of y = w x + b on y = 3x + 2, and the path of batch GD")
ax.legend()

# %%
# The contour view
# ----------------
# :meth:`LossSurfaceDisplay.from_estimator
# <skgd.plotting.LossSurfaceDisplay.from_estimator>` draws the same cost as
# filled contours, ``b`` along x and ``w`` along y, with the path (a point
# every epoch) and the exact minimum. The dashed line is the long axis of
# the valley, explained next.
display = LossSurfaceDisplay.from_estimator(
    fit, X, y3, extent=[(0.0, 4.0), (0.0, 4.0)], grid_size=41
)
# The Hessian of the cost, and its eigenvectors (the valley's axes), in (w, b).
A = np.column_stack([X[:, 0], np.ones(3)])
H = 2 / 3 * A.T @ A
eigenvalues, eigenvectors = np.linalg.eigh(H)
slow = eigenvectors[:, 0]  # the direction of the smallest eigenvalue
t = np.linspace(-5, 5, 2)
display.ax_.plot(2 + t * slow[1], 3 + t * slow[0], "w--",
                 label="long axis of the valley")  # fmt: skip
display.ax_.set_title("MSE over (b, w), and the path of batch GD")
display.ax_.legend()

# %%
# What the surface shows
# ----------------------
# The minimum is :math:`w = 3, b = 2`, with cost 0, at the bottom of a long,
# narrow valley. Along the valley :math:`w` and :math:`b` trade off: for each
# :math:`w` the best :math:`b` is :math:`\bar y - w \bar x = 8 - 2 w` (where
# :math:`\partial \mathrm{MSE} / \partial b = 0`), which keeps the prediction
# at :math:`\bar x = 2` right, and along that line the cost is only
# :math:`\frac{2}{3} (w - 3)^2`: a line through the centre of the data with
# a slightly wrong slope is almost as good as the right one. From the
# minimum, :math:`w` alone up by 1 raises the cost to :math:`14/3`, :math:`b`
# alone up by 1 to 1, but :math:`w` up by 1 and :math:`b` down by 2 together
# only to :math:`2/3` (skgd's grid, rows ``w``, columns ``b``, 0.1 apart):
cost = grid.loss  # cost[i, j]: w = 0.1 i, b = 0.1 j
print("MSE(3, 2) =", cost[30, 20], " MSE(4, 2) =", cost[40, 20],
      " MSE(3, 3) =", cost[30, 30], " MSE(4, 0) =", cost[40, 0])  # fmt: skip

# %%
# The cost is quadratic, so its shape is its Hessian, the same everywhere:
#
# .. math::
#
#     H = \frac{2}{N} \begin{pmatrix} \sum x_i^2 & \sum x_i \\
#     \sum x_i & N \end{pmatrix}
#     = \frac{2}{3} \begin{pmatrix} 14 & 6 \\ 6 & 3 \end{pmatrix}, \qquad
#     \mathrm{MSE}(\theta) = \frac{1}{2} (\theta - \theta^*)^{\top} H
#     (\theta - \theta^*) ,
#
# with :math:`\theta = (w, b)` and :math:`\theta^* = (3, 2)`. The contours
# are ellipses whose axes are the eigenvectors of :math:`H`: a step of
# length 1 from the minimum along an eigenvector raises the cost by
# :math:`\lambda / 2`, half its eigenvalue. The eigenvector of the smallest
# eigenvalue is the valley's long axis, the dashed line above; it is close
# to the line :math:`b = 8 - 2 w` but not the same (its slope is -2.27, not
# -2). The ratio of the two eigenvalues is the condition number,
#
# .. math::
#
#     \kappa = \frac{\lambda_{\max}}{\lambda_{\min}}
#     = \frac{17 + \sqrt{265}}{17 - \sqrt{265}} .
#
# skgd uses the largest eigenvalue too: ``learning_rate="auto"`` is
# :math:`1 / L` with :math:`L = \lambda_{\max}`, found by power iteration.
print("H (w, b) =\n", H)
print("eigenvalues:", eigenvalues)
print("condition number:", eigenvalues[1] / eigenvalues[0],
      "(closed form:", (17 + np.sqrt(265)) / (17 - np.sqrt(265)), ")")  # fmt: skip
print("the valley's long axis (w, b):", slow,
      "-> b changes by", slow[1] / slow[0], "per unit of w")  # fmt: skip
auto = GDRegressor(max_iter=1, tol=None).fit(X, y3)  # learning_rate="auto"
print("skgd's L = 1 / learning_rate_ of learning_rate='auto':", 1 / auto.learning_rate_)

# %%
# Gradient descent with step :math:`\eta` multiplies the distance to the
# minimum along each eigenvector by :math:`1 - \eta \lambda` per epoch:
#
# .. math::
#
#     \theta_{k+1} - \theta^* = (I - \eta H) (\theta_k - \theta^*) .
#
# With the lesson's :math:`\eta = 0.01` that is :math:`1 - 0.01 \times 11.09
# = 0.889` across the valley and :math:`1 - 0.01 \times 0.240 = 0.9976` along
# it: the path falls to the valley floor in about 20 epochs (the spaced dots
# of the contour view), then crawls along the long axis for the rest. The
# table measures the path's two components, :math:`\theta_k - \theta^*` in
# the eigenvectors' coordinates, against those factors (from epoch 500 the
# measured component across is rounding error, :math:`10^{-16}`). After 1000
# epochs, :math:`0.9976^{1000} \approx 0.09` of the distance along the
# valley is still to go.
offsets = np.column_stack([path_w - 3.0, path_b - 2.0]) @ eigenvectors
factors = 1 - 0.01 * eigenvalues
print(f"{'epoch':>5}  {'along':>8}  {'predicted':>9}  {'across':>9}  {'predicted':>9}")
for k in [0, 10, 20, 50, 100, 200, 500, 1000]:
    along, across = offsets[k]
    predicted = offsets[0] * factors**k
    print(f"{k:>5}  {along:>8.4f}  {predicted[0]:>9.4f}"
          f"  {across:>9.2e}  {predicted[1]:>9.2e}")  # fmt: skip

# %%
# A larger step shortens the crawl, but only so far. Past
# :math:`\eta = 2 / \lambda_{\max} \approx 0.18` the factor across the valley
# falls below -1 and the fit diverges, so the factor along it stays above
# :math:`1 - 2 \lambda_{\min} / \lambda_{\max} = 1 - 2 / \kappa \approx
# 0.957`. The best constant step, :math:`\eta = 2 / (\lambda_{\min} +
# \lambda_{\max})`, makes both factors :math:`\pm (\kappa - 1) / (\kappa + 1)
# \approx 0.958`: the distance to the minimum shrinks by at most that per
# epoch, about :math:`\kappa / 2 \approx 23` epochs for each factor of
# :math:`e`. The larger :math:`\kappa`, the slower gradient descent.
#
# The flat floor also fools a stopping rule on the cost. With skgd's default
# ``tol=1e-4`` the fit stops when the cost has not improved by ``1e-4`` for
# five epochs, which on this floor happens well before the minimum:
early = GDRegressor(solver="batch", learning_rate=0.01)
early.fit(X, y3, coef_init=[1.0], intercept_init=0.0)
print(f"stopped after {early.n_iter_} epochs ({early.stop_reason_}): "
      f"w = {early.coef_[0]:.4f}, b = {early.intercept_:.4f}, "
      f"cost {np.mean((early.predict(X) - y3) ** 2):.2e}")  # fmt: skip
