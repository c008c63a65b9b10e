"""
The loss surface, the learning rate and feature scaling
=======================================================

This tutorial follows lesson 004, "梯度下降 Gradient Descent" (gradient
descent), step by step. It teaches, on a line :math:`y = b + w x` fitted to
80 noisy points:

* how one step of gradient descent is made: the predictions, their mean
  squared error, its two partial derivatives and the update, with the
  lesson's printed numbers next to the :class:`~skgd.GDRegressor` call that
  gives them;
* what the loss looks like over :math:`(b, w)`: the loss surface, its
  cross-sections and the gradient drawn on them;
* what learning rates of 0.2, 0.8 and 1.1 do, and how skgd reports the one
  that diverges;
* why a feature on a large scale (:math:`x` multiplied by 10) stretches the
  surface into a long valley that gradient descent crawls along, how to
  measure the stretch (the condition number), and why, after
  :class:`~sklearn.preprocessing.StandardScaler`, the automatic step
  ``learning_rate="auto"`` lands on the minimum in one epoch.

The lesson draws its figures with its own module ``plots_lesson15.py``, which
is not part of its text; skgd's Displays draw them here. Code copied from the
lesson keeps its variable names, with its comments translated to English.
"""

# %%
# The terms
# ---------
# The lesson opens (1. 预备知识, background) with supervised learning and a few
# terms, which map onto skgd's parameters:
#
# * the **loss function** measures how bad the predictions are; for linear
#   regression the mean squared error (L2 loss), ``loss="squared_error"``,
#   skgd's default;
# * the **gradient** is the vector of the loss's partial derivatives; it
#   points uphill, and **gradient descent** steps against it;
# * the **learning rate** multiplies the gradient; the product is the
#   gradient step (``learning_rate``);
# * a **batch** is the set of samples one update uses: one sample for SGD
#   (``solver="sgd"``), all of them for full batch (``solver="batch"``, used
#   throughout this tutorial), usually 10 to 1000 for mini-batch
#   (``solver="minibatch"`` with ``batch_size``);
# * **backpropagation** computes the gradient by the chain rule, as in step 3
#   below.

# %%
# The model and the data
# ----------------------
# The lesson's model (its section 2.2, 定义模型) is a line with an intercept
# :math:`b` and a slope :math:`w`, plus noise :math:`\epsilon`:
#
# .. math::
#
#     y = b + w x + \epsilon .
#
# It simulates 100 points from :math:`b = 1`, :math:`w = 2`, with :math:`x`
# uniform on :math:`[0, 1)` and :math:`\epsilon` normal with standard deviation
# 0.1 (section 2.3, 生成模拟数据), then shuffles the indices and keeps 80
# points for training and 20 for validation (section 2.4,
# 分割训练集验证集). The lesson's code:
import numpy as np

true_b = 1
true_w = 2
N = 100
# generate the data
np.random.seed(42)
x = np.random.rand(N, 1)
epsilon = 0.1 * np.random.randn(N, 1)
y = true_b + true_w * x + epsilon

# shuffle the indices
idx = np.arange(N)
np.random.shuffle(idx)
# the first 80 samples are the training set, the rest the validation set
train_idx = idx[: int(N * 0.8)]
val_idx = idx[int(N * 0.8) :]
x_train, y_train = x[train_idx], y[train_idx]
x_val, y_val = x[val_idx], y[val_idx]
print("x_train", x_train.shape, "y_train", y_train.shape, "x_val", x_val.shape)

# %%
# The lesson's ``y`` is a column, shape ``(80, 1)``; scikit-learn's regressors
# take a 1-D target, so skgd gets ``y_train.ravel()``. skgd has no Display for
# the data alone; the lesson's ``figure1`` (section 2.5, 原始数据可视化) is a
# plain scatter plot.
import matplotlib.pyplot as plt

y_fit = y_train.ravel()

fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained", sharey=True)
axes[0].scatter(x_train, y_train)
axes[0].set(xlabel="x", ylabel="y", title="Generated data - train")
axes[1].scatter(x_val, y_val, c="r")
_ = axes[1].set(xlabel="x", ylabel="y", title="Generated data - validation")

# %%
# Step 0: a random start
# ----------------------
# The lesson draws its starting :math:`b` and :math:`w` from a normal
# distribution with the same seed (section "Step 0: 随机初始化待估参数"). It
# prints ``[0.49671415] [-0.1382643]``.

# Step 0 - initialise the parameters "b" and "w" at random
np.random.seed(42)
b = np.random.randn(1)
w = np.random.randn(1)
print(b, w)

# %%
# skgd starts where it is told: ``coef_init`` is :math:`w`, ``intercept_init``
# is :math:`b`. One epoch of the ``"batch"`` solver (the default) is exactly
# one of the lesson's steps, from all 80 samples; ``tol=None`` runs the
# epochs asked for. The start is row 0 of the parameter histories.
from skgd import GDRegressor

one_step = GDRegressor(learning_rate=0.1, max_iter=1, tol=None)
one_step.fit(x_train, y_fit, coef_init=w, intercept_init=b)
print("intercept_history_[0]:", one_step.intercept_history_[0])
print("coef_history_[0]:     ", one_step.coef_history_[0])

# %%
# Steps 1 and 2: predictions, errors and the loss
# -----------------------------------------------
# The model predicts :math:`\hat y_i = b + w x_i`; the error of sample
# :math:`i` is :math:`\text{error}_i = \hat y_i - y_i`, and the loss is the
# mean squared error over the :math:`n = 80` training samples:
#
# .. math::
#
#     \text{MSE}(b, w) = \frac{1}{n} \sum_{i=1}^{n} \text{error}_i^2
#     = \frac{1}{n} \sum_{i=1}^{n} (\hat y_i - y_i)^2
#     = \frac{1}{n} \sum_{i=1}^{n} (b + w x_i - y_i)^2 .
#
# The lesson prints ``2.7421577700550976``.

# Step 1 - forward pass: the model's predictions from the parameters
yhat = b + w * x_train

# Step 2 - the loss
# computed from all the samples of the training set: BATCH gradient descent
error = yhat - y_train
# the loss is the mean squared error (MSE)
loss = (error**2).mean()
print(loss)

# %%
# skgd minimises the same mean squared error (not half of it, as
# scikit-learn's ``SGDRegressor``). For the batch solver ``loss_history_``
# holds the loss at the start of each epoch, so its first value is the loss
# at the lesson's start. It differs in the 16th digit, the order in which the
# 80 squares are added:
print("loss_history_[0]:", one_step.loss_history_[0])
print("difference:      ", one_step.loss_history_[0] - loss)

# %%
# The lesson's ``figure2`` draws the starting line over the data and
# ``figure3`` its errors. :class:`~skgd.plotting.PredictionPathDisplay` draws
# the line at chosen epochs; epoch 0 is the start, and the vertical segments
# are the errors whose squares the MSE averages.
from skgd.plotting import PredictionPathDisplay

display = PredictionPathDisplay.from_estimator(
    one_step, x_train, y_fit, epochs=[0], residuals="first"
)
_ = display.ax_.set(title="Step 1 and 2: the starting line and its errors", ylabel="y")

# %%
# Step 2.1: the loss surface
# --------------------------
# The MSE is a function of the two parameters. The lesson computes it over a
# grid of 101 values of each, 3 on either side of the true values: :math:`b`
# from -2 to 4 and :math:`w` from -1 to 5 (section "Step 2.1
# 计算损失面"), by broadcasting: every sample's prediction at every grid
# point, then the mean over the samples. The lesson's code, with the shapes it
# prints:

# the range of each parameter, split into 100 equal steps
b_range = np.linspace(true_b - 3, true_b + 3, 101)
w_range = np.linspace(true_w - 3, true_w + 3, 101)
# the grid of the values of b and w, with meshgrid
bs, ws = np.meshgrid(b_range, w_range)
print((bs.shape, ws.shape))
print(bs)

sample_x = x_train[0]
sample_yhat = bs + ws * sample_x
print(sample_yhat.shape)

all_predictions = np.apply_along_axis(func1d=lambda x: bs + ws * x, axis=1, arr=x_train)
print(all_predictions.shape)
all_labels = y_train.reshape(-1, 1, 1)
print(all_labels.shape)
all_errors = all_predictions - all_labels
print(all_errors.shape)
all_losses = (all_errors**2).mean(axis=0)
print(all_losses.shape)

# %%
# :func:`~skgd.plotting.loss_grid` computes the same grid from the fitted
# model: ``extent`` gives the range of each parameter, :math:`b` first, and
# the rows of ``.loss`` follow :math:`w`, as the lesson's ``all_losses``.
from skgd.plotting import loss_grid

extent = [(true_b - 3, true_b + 3), (true_w - 3, true_w + 3)]  # b, then w
grid = loss_grid(one_step, x_train, y_fit, extent=extent, grid_size=101)
print("parameters:", grid.names, " shape:", grid.loss.shape)
print("largest difference from all_losses:", np.abs(grid.loss - all_losses).max())

# %%
# :class:`~skgd.plotting.LossSurfaceDisplay` draws it (the lesson's
# ``figure4``): the surface in 3-D and as filled contours, with the start and
# the first step (the path), and the exact minimum, the least-squares line,
# as a star. The valley is tilted: raising :math:`w` while lowering :math:`b`
# keeps the line near the points (they lie at :math:`x > 0`), so the two
# parameters trade off along the valley floor.
from skgd.plotting import LossSurfaceDisplay

fig = plt.figure(figsize=(12, 4.8), layout="constrained")
ax3d = fig.add_subplot(1, 2, 1, projection="3d")
LossSurfaceDisplay.from_estimator(
    one_step, x_train, y_fit, extent=extent, grid_size=101, kind="surface", ax=ax3d
)
ax3d.set_title("the loss surface")
ax2d = fig.add_subplot(1, 2, 2)
LossSurfaceDisplay.from_estimator(
    one_step, x_train, y_fit, extent=extent, grid_size=101, ax=ax2d
)
_ = ax2d.set_title("the same surface, as contours")

# %%
# Step 2.2: cross-sections
# ------------------------
# Fix one parameter and the surface becomes a curve of the other: a
# cross-section (section "Step 2.2 损失横截面", ``figure5`` and ``figure6``).
# The MSE is a quadratic in :math:`(b, w)`, so every cross-section is a
# parabola; its curvature, the second derivative, is the same wherever the
# section is cut:
#
# .. math::
#
#     \frac{\partial^2 \text{MSE}}{\partial b^2} = 2, \qquad
#     \frac{\partial^2 \text{MSE}}{\partial w^2} = \frac{2}{n}
#     \sum_{i=1}^{n} x_i^2 .
#
# With :math:`x` in :math:`[0, 1)` the second is smaller: the loss is flatter
# along :math:`w` than along :math:`b`. ``fixed`` holds a parameter at a
# value; the dot is where the path was on the section (at the start).
fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained", sharey=True)
LossSurfaceDisplay.from_estimator(
    one_step, x_train, y_fit, fixed={"coef[0]": w[0]}, extent=extent[:1], ax=axes[0]
)
LossSurfaceDisplay.from_estimator(
    one_step, x_train, y_fit, fixed={"intercept": b[0]}, extent=extent[1:], ax=axes[1]
)
curvature_w = 2 * np.mean(x_train**2)
axes[0].set_title(f"loss along b, w fixed at {w[0]:.4f} (curvature 2)")
_ = axes[1].set_title(
    f"loss along w, b fixed at {b[0]:.4f} (curvature {curvature_w:.3f})"
)

# %%
# Step 3: the gradients
# ---------------------
# The slope of each cross-section at the start is a partial derivative of the
# MSE. By the chain rule, through :math:`\hat y_i = b + w x_i`
# (:math:`\partial \hat y_i / \partial b = 1`,
# :math:`\partial \hat y_i / \partial w = x_i`):
#
# .. math::
#
#     \frac{\partial \text{MSE}}{\partial b}
#     = \frac{1}{n} \sum_{i=1}^{n} 2 (b + w x_i - y_i)
#     = 2 \, \frac{1}{n} \sum_{i=1}^{n} (\hat y_i - y_i) ,
#
# .. math::
#
#     \frac{\partial \text{MSE}}{\partial w}
#     = \frac{1}{n} \sum_{i=1}^{n} 2 (b + w x_i - y_i) \, x_i
#     = 2 \, \frac{1}{n} \sum_{i=1}^{n} x_i (\hat y_i - y_i) .
#
# The lesson prints ``-3.044811379650508 -1.8337537171510832``.

# Step 3 - the gradients of the parameters "b" and "w"
b_grad = 2 * error.mean()
w_grad = 2 * (x_train * error).mean()
print(b_grad, w_grad)

# %%
# :func:`~skgd.plotting.objective_gradient` gives the gradient of a fitted
# model's objective at a point, by default at the start of its path; it
# orders it like the parameters of scikit-learn, the coefficient :math:`w`
# first, then the intercept :math:`b`. The last digit differs, again the order
# of the sums.
from skgd.plotting import objective_gradient

gradient = objective_gradient(one_step, x_train, y_fit)
print("objective_gradient (w, b):", gradient)
print("difference from the lesson's:", gradient - [w_grad, b_grad])

# %%
# Both partial derivatives are negative: increasing :math:`b` or :math:`w`
# lowers the loss. The gradient points uphill; a step goes along
# :math:`-\nabla \text{MSE}`. :class:`~skgd.plotting.GradientDisplay` draws
# it (the lesson's ``figure7`` and ``figure8``, section "Step 3.1
# 梯度可视化"): each cross-section with its tangent at the start, whose slope
# is the partial derivative, and the arrow of :math:`-\nabla \text{MSE}` on
# the contours. The extent is ordered like the gradient, :math:`w` first.
# (Section "Step 3.2 反向传播", backpropagation, is a heading only: for a
# line the chain rule above is all of it.)
from skgd.plotting import GradientDisplay

display = GradientDisplay.from_estimator(
    one_step, x_train, y_fit, extent=extent[::-1], grid_size=101
)
_ = display.figure_.suptitle("Step 3: the gradient at the start")

# %%
# Step 4: the update
# ------------------
# The update steps both parameters against their partial derivatives, by the
# learning rate :math:`\eta` (section "Step 4: 更新待估参数"):
#
# .. math::
#
#     b \leftarrow b - \eta \, \frac{\partial \text{MSE}}{\partial b}, \qquad
#     w \leftarrow w - \eta \, \frac{\partial \text{MSE}}{\partial w} .
#
# With :math:`\eta = 0.1` the lesson prints ``[0.49671415] [-0.1382643]`` and
# then ``[0.80119529] [0.04511107]``.

# set the learning rate - "eta"
lr = 0.1
print(b, w)
# Step 4 - update the parameters with the gradients and the learning rate
b = b - lr * b_grad
w = w - lr * w_grad
print(b, w)

# %%
# That is ``one_step``'s single epoch: its fitted parameters, also the last
# row of its histories. ``learning_rate=0.1`` is :math:`\eta`.
print("intercept_:", one_step.intercept_, " coef_:", one_step.coef_)
print("intercept_history_:", one_step.intercept_history_)
print("coef_history_:     ", one_step.coef_history_.ravel())
print("difference from the lesson's:", one_step.intercept_ - b[0], one_step.coef_ - w)

# %%
# The lesson then runs steps 1 to 4 once more from the new parameters. Its
# text shows no output; run, it prints the gradients at the new point and the
# parameters after the second step.

# Step 1 - forward pass: the model's predictions from the parameters
yhat = b + w * x_train
# Step 2 - the loss
# computed from all the samples of the training set: BATCH gradient descent
error = yhat - y_train
# Step 3 - the gradients of the parameters "b" and "w"
b_grad = 2 * error.mean()
w_grad = 2 * (x_train * error).mean()
print(b_grad, w_grad)
# Step 4 - update the parameters with the gradients and the learning rate
b = b - lr * b_grad
w = w - lr * w_grad
print(b, w)

# %%
# Two epochs of skgd give the same; the gradient at the start of epoch 2 is
# the gradient at row 1 of the path (``params`` takes :math:`w` first), and
# ``loss_history_`` shows the loss falling. (``b`` and ``w`` now hold the
# lesson's updated values; the fit starts from ``one_step``'s recorded start.)
start_b, start_w = one_step.intercept_history_[0], one_step.coef_history_[0]
two_steps = GDRegressor(learning_rate=0.1, max_iter=2, tol=None)
two_steps.fit(x_train, y_fit, coef_init=start_w, intercept_init=start_b)
params_1 = [two_steps.coef_history_[1, 0], two_steps.intercept_history_[1]]
print(
    "gradient after one step (w, b):",
    objective_gradient(two_steps, x_train, y_fit, params=params_1),
)
print("after two steps: intercept_", two_steps.intercept_, " coef_", two_steps.coef_)
print("loss_history_:", two_steps.loss_history_)

# %%
# The lesson's ``figure9`` draws the line as the updates go on: here at the
# start and after each of the two steps, with the errors that are left.
display = PredictionPathDisplay.from_estimator(two_steps, x_train, y_fit)
_ = display.ax_.set(title="the line after one and two updates", ylabel="y")

# %%
# Step 4.1: the learning rate
# ---------------------------
# The lesson now sets the gradient by hand, ``manual_grad_b = -2.90`` and
# ``manual_grad_w = -1.79``, near the exact ``-3.04`` and ``-1.83``, draws the
# start again, and draws one step of each learning rate with them
# (``figure10``). Its code:
manual_grad_b = -2.90
manual_grad_w = -1.79
np.random.seed(42)
b_initial = np.random.randn(1)
w_initial = np.random.randn(1)

# %%
# It does not say where the two numbers come from. They are what its grid
# gives: at the grid point nearest the start, :math:`(b, w) = (0.52, -0.16)`,
# the change of the loss over two grid cells (0.12) divided by 0.12, a
# forward difference:
i = np.argmin(np.abs(w_range - w_initial))  # the row of w = -0.16
j = np.argmin(np.abs(b_range - b_initial))  # the column of b = 0.52
print("nearest grid point: b =", b_range[j].round(2), " w =", w_range[i].round(2))
print(
    "forward differences:",
    (all_losses[i, j + 2] - all_losses[i, j]) / 0.12,
    (all_losses[i + 2, j] - all_losses[i, j]) / 0.12,
)

# %%
# ``learning_rates`` in :class:`~skgd.plotting.GradientDisplay` draws where one
# step of each rate lands, :math:`(b, w) - \eta \nabla \text{MSE}`, with the
# exact gradient: the lesson's step with its rounded gradient lands a little
# short. For :math:`\eta = 0.2` the lesson's step reaches:
print(
    "lesson's step: b =",
    (b_initial - 0.2 * manual_grad_b)[0].round(3),
    " w =",
    (w_initial - 0.2 * manual_grad_w)[0].round(3),
)
display = GradientDisplay.from_estimator(
    one_step, x_train, y_fit, learning_rates=[0.2, 0.8, 1.1], extent=extent[::-1]
)
print("the exact steps (w, b), one row per rate:")
print(display.steps)
_ = display.figure_.suptitle("Step 4.1: one step of learning rate 0.2, 0.8 and 1.1")

# %%
# On the cross-section along :math:`b`, the step of 0.2 goes part of the way
# down, 0.8 to the far side of the bottom, and 1.1 further up the far side
# than it started: the loss along :math:`b` is higher after the step. So is
# the loss of the whole step, which moves :math:`w` too: 7.74 against 2.74
# at the start (``loss_history_[1]`` of the 1.1 fit below).
#
# Low, high and too high learning rates
# -------------------------------------
# The lesson's sections "Step 4.1.1 低学习率", "4.1.2 高学习率" and "4.1.3
# 非常高的学习率" draw one step; skgd runs 30 epochs of each rate from the
# lesson's start. Why 1.1 is too high, and 0.8 only just not, comes from the
# curvature. The MSE is a quadratic with the Hessian (the matrix of its
# second derivatives) :math:`H = \frac{2}{n} A^\top A`, :math:`A` the matrix
# of rows :math:`(1, x_i)`. Along each eigenvector of :math:`H`, with
# eigenvalue :math:`\lambda`, a step multiplies the distance to the minimum by
# :math:`1 - \eta \lambda`. Descent converges when every factor is less than 1
# in size:
#
# .. math::
#
#     |1 - \eta \lambda| < 1 \text{ for every } \lambda
#     \iff \eta < \frac{2}{\lambda_{\max}} = \frac{2}{L} .
#
# :math:`L = \lambda_{\max}` is the Lipschitz constant of the gradient;
# skgd's ``learning_rate="auto"`` is :math:`1 / L`, with :math:`L` estimated
# by a few power iterations (here it agrees with NumPy's eigenvalue to 8
# digits).
A = np.column_stack([np.ones(len(x_train)), x_train])
H = 2 * A.T @ A / len(x_train)
lambdas = np.linalg.eigvalsh(H)
print("H =\n", H)
print("eigenvalues:", lambdas, " 2 / L =", 2 / lambdas.max())
auto = GDRegressor(max_iter=1, tol=None).fit(x_train, y_fit)
print("skgd's learning_rate='auto' (1 / L):", auto.learning_rate_)
for rate in [0.2, 0.8, 1.1]:
    print(f"learning rate {rate}: factors 1 - eta * lambda =", 1 - rate * lambdas)

# %%
# 0.2 shrinks both directions (0.97 along the flat one: it walks down the
# valley); 0.8 flips the steep direction's sign every step and shrinks it
# only by 1.4% (it bounces across the valley); 1.1 multiplies it by
# :math:`-1.73` (it climbs out, the loss growing by :math:`1.73^2 \approx 3`
# an epoch). skgd notices the growth, stops, warns with a
# :class:`~sklearn.exceptions.ConvergenceWarning`, sets
# ``stop_reason_ = "diverged"`` and keeps the best parameters it saw.
import warnings

from sklearn.exceptions import ConvergenceWarning

fig, axes = plt.subplots(1, 3, figsize=(15, 4.3), layout="constrained")
race = []
for ax, rate in zip(axes, [0.2, 0.8, 1.1], strict=True):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        fit = GDRegressor(learning_rate=rate, max_iter=30, tol=None)
        fit.fit(x_train, y_fit, coef_init=w_initial, intercept_init=b_initial)
    race.append(fit)
    LossSurfaceDisplay.from_estimator(fit, x_train, y_fit, extent=extent, ax=ax)
    ax.set_title(f"learning rate {rate}: {fit.n_iter_} epochs, {fit.stop_reason_}")
    print(
        f"learning rate {rate}: stop_reason_ = {fit.stop_reason_!r},",
        f"n_iter_ = {fit.n_iter_}, last loss = {fit.loss_history_[-1]:.4g}",
    )
    for warning in caught:
        print("  ConvergenceWarning:", warning.message)
_ = fig.suptitle("30 epochs from the lesson's start")

# %%
# The diverging fit, in numbers: the loss of each epoch's start grows by a
# factor approaching :math:`(1 - 1.1 \lambda_{\max})^2`; the path in the
# histories keeps the growth (large but finite); ``coef_`` and
# ``intercept_`` are the best parameters seen, here the start itself.
diverged = race[2]
print("loss_history_:", diverged.loss_history_.round(2).tolist())
print(
    "growth per epoch:",
    (diverged.loss_history_[1:] / diverged.loss_history_[:-1]).round(3),
    " (1 - 1.1 lambda_max)^2 =",
    ((1 - 1.1 * lambdas.max()) ** 2).round(3),
)
print(
    "last recorded: b =",
    diverged.intercept_history_[-1],
    " w =",
    diverged.coef_history_[-1, 0],
)
kept = [diverged.intercept_, *diverged.coef_]
print("kept: intercept_ =", diverged.intercept_, " coef_ =", diverged.coef_)
print("finite:", np.isfinite(kept).all())

# %%
# The three losses per epoch with :class:`~skgd.plotting.LossCurveDisplay`,
# on a log axis: 0.2 falls fastest here, because 0.8's bouncing direction
# shrinks by only 1.4% a step.
from skgd.plotting import LossCurveDisplay

display = LossCurveDisplay.from_estimator(
    race, names=["learning rate 0.2", "learning rate 0.8", "learning rate 1.1"]
)
display.ax_.set_yscale("log")
_ = display.ax_.set_title("loss per epoch: 1.1 diverges and is stopped")

# %%
# The three race on one surface, epoch by epoch (the diverging fit's path ends
# where skgd stopped it). ``anim.save_gif("race.gif")`` writes the animation
# as a GIF.
display = LossSurfaceDisplay.from_estimator(race[0], x_train, y_fit, extent=extent)
plt.close(display.figure_)
fig, ax = plt.subplots(figsize=(6.4, 4.8), layout="constrained")
ax.set_title("learning rates 0.2, 0.8 and 1.1, epoch by epoch")
anim = display.animate(
    others=race[1:], labels=["learning rate 0.2", "0.8", "1.1"], interval=200, ax=ax
)

# %%
# Step 4.2: a bad feature
# -----------------------
# The lesson multiplies :math:`x` by 10 and divides the true :math:`w` by 10
# (section "Step 4.2 坏的特征"): the same line through the same points, in
# other units. Its code, with the same seed, regenerates the data:
true_b = 1
true_w = 2
N = 100
# generate the data
np.random.seed(42)
# w divided by 10
bad_w = true_w / 10
# x multiplied by 10
bad_x = np.random.rand(N, 1) * 10
# y stays the same
y = true_b + bad_w * bad_x + (0.1 * np.random.randn(N, 1))
# the training and validation sets, split the same way
bad_x_train, y_train = bad_x[train_idx], y[train_idx]
bad_x_val, y_val = bad_x[val_idx], y[val_idx]
print("bad_x is x * 10 exactly:", np.array_equal(bad_x[train_idx], 10 * x_train))
print("largest change of y_train:", np.abs(y_train.ravel() - y_fit).max())

# %%
# The lesson's plot of the two training sets (its code): the points are the
# same, the :math:`x` axis ten times longer.

# compare the original training set with the one whose x and w changed
fig, ax = plt.subplots(1, 2, figsize=(12, 6))
ax[0].scatter(x_train, y_train)
ax[0].set_xlabel("x")
ax[0].set_ylabel("y")
ax[0].set_ylim([0, 3.1])
ax[0].set_title("Train - Original")
ax[1].scatter(bad_x_train, y_train, c="k")
ax[1].set_xlabel("x")
ax[1].set_ylabel("y")
ax[1].set_ylim([0, 3.1])
ax[1].set_title('Train - "Bad"')
fig.tight_layout()

# %%
# Step 4.3: standardising the feature
# -----------------------------------
# Standardising subtracts the mean and divides by the standard deviation
# (section "Step 4.3 特征标准化"):
#
# .. math::
#
#     \bar X = \frac{1}{N} \sum_{i=1}^{N} x_i, \qquad
#     \sigma(X) = \sqrt{\frac{1}{N} \sum_{i=1}^{N} (x_i - \bar X)^2}, \qquad
#     \text{scaled } x_i = \frac{x_i - \bar X}{\sigma(X)} .
#
# The lesson fits the scaler on the original ``x_train``; scaling the bad
# feature gives the same values (to rounding), since multiplying by 10 moves
# the mean and the standard deviation alike. The lesson's code:
from sklearn.preprocessing import StandardScaler

scaler = StandardScaler(with_mean=True, with_std=True)
# fit the scaler on the training set's x only
scaler.fit(x_train)
# standardise the x of the training and validation sets with TRANSFORM
scaled_x_train = scaler.transform(x_train)
scaled_x_val = scaler.transform(x_val)
from_bad = StandardScaler().fit(bad_x_train).transform(bad_x_train)
print("mean and standard deviation of x_train:", scaler.mean_, scaler.scale_)
print(
    "scaled from x or from bad_x, largest difference:",
    np.abs(scaled_x_train - from_bad).max(),
)

# %%
# The lesson's plot of the three training sets (its code):

# compare the original training set, the "bad" one and the bad one scaled
fig, ax = plt.subplots(1, 3, figsize=(15, 6))
ax[0].scatter(x_train, y_train, c="b")
ax[0].set_xlabel("x")
ax[0].set_ylabel("y")
ax[0].set_ylim([0, 3.1])
ax[0].set_title("Train - Original")
ax[1].scatter(bad_x_train, y_train, c="k")
ax[1].set_xlabel("x")
ax[1].set_ylabel("y")
ax[1].set_ylim([0, 3.1])
ax[1].set_title('Train - "Bad"')
ax[1].label_outer()
ax[2].scatter(scaled_x_train, y_train, c="g")
ax[2].set_xlabel("x")
ax[2].set_ylabel("y")
ax[2].set_ylim([0, 3.1])
ax[2].set_title("Train - Scaled")
ax[2].label_outer()
fig.tight_layout()

# %%
# Three surfaces, side by side
# ----------------------------
# The same descent on the three data sets: the automatic step (the default,
# ``learning_rate="auto"``, :math:`1 / L` of each data set), 30 epochs, from
# the lesson's start. The scaled model is a
# :class:`~sklearn.pipeline.Pipeline`: :class:`~sklearn.preprocessing.StandardScaler`
# then :class:`~skgd.GDRegressor`, fitted on the bad feature; the pipeline
# passes ``gdregressor__coef_init`` to the regressor. Its Display measures the
# loss on the scaled feature the regressor sees, so its :math:`(b, w)` are the
# scaled model's. Each panel has the lesson's ranges for its data: the
# original grid, the bad one (:math:`b` from -2 to 4, :math:`w` from -2.8 to
# 3.2) and the scaled one (:math:`b` from -1 to 5, :math:`w` from -2.4 to
# 3.6).
from sklearn.pipeline import make_pipeline

bad_x_range = [(-2.0, 4.0), (-2.8, 3.2)]
scaled_range = [(-1.0, 5.0), (-2.4, 3.6)]
start = {"coef_init": w_initial, "intercept_init": b_initial}

original = GDRegressor(max_iter=30, tol=None).fit(x_train, y_fit, **start)
bad = GDRegressor(max_iter=30, tol=None).fit(bad_x_train, y_fit, **start)
scaled = make_pipeline(StandardScaler(), GDRegressor(max_iter=30, tol=None))
scaled.fit(bad_x_train, y_fit, **{"gdregressor__" + k: v for k, v in start.items()})
fits = {
    "original x": (original, x_train, extent),
    '"bad" x * 10': (bad, bad_x_train, bad_x_range),
    "x * 10, scaled": (scaled, bad_x_train, scaled_range),
}

fig, axes = plt.subplots(1, 3, figsize=(15, 4.3), layout="constrained")
for ax, (name, (model, X, box)) in zip(axes, fits.items(), strict=True):
    LossSurfaceDisplay.from_estimator(model, X, y_fit, extent=box, ax=ax)
    step = model[-1].learning_rate_ if name.endswith("scaled") else model.learning_rate_
    ax.set_title(f"{name}: auto step {step:.4f}, 30 epochs")
_ = fig.suptitle("the same descent on three loss surfaces")

# %%
# In the bad surface the valley is narrow across :math:`w` and long along its
# floor: the first step falls to the floor, and the next 29 crawl along it
# towards the minimum. The scaled surface is round, and the first step lands
# on the star.
#
# The cross-sections before and after scaling (the lesson's ``figure15`` and
# ``figure17``): the top row cuts along :math:`b`, the bottom row along
# :math:`w`, through the start, each over 6 units of its parameter as the
# lesson's ranges. The rows share their loss axis. Along :math:`b` the
# curvature is 2 in all three (the intercept's column of ones does not change);
# along :math:`w` it is :math:`\frac{2}{n} \sum x_i^2`: 100 times larger for
# the bad feature (:math:`x^2` is 100 times larger), 2 after scaling (the
# scaled :math:`x` has mean 0 and variance 1).
fig, axes = plt.subplots(2, 3, figsize=(15, 7.5), layout="constrained", sharey="row")
for column, (name, (model, X, box)) in enumerate(fits.items()):
    Xs = model[:-1].transform(X) if name.endswith("scaled") else X
    curvature = 2 * np.mean(Xs**2)
    for row, (fixed, section) in enumerate(
        [({"coef[0]": w_initial[0]}, box[:1]), ({"intercept": b_initial[0]}, box[1:])]
    ):
        ax = axes[row, column]
        LossSurfaceDisplay.from_estimator(
            model, X, y_fit, fixed=fixed, extent=section, ax=ax
        )
        along = "b, curvature 2" if row == 0 else f"w, curvature {curvature:.3g}"
        ax.set_title(f"{name}: along {along}")
axes[1, 0].set_ylim(0, 60)
_ = fig.suptitle("cross-sections through the start: before and after scaling")

# %%
# (The bottom row is cut at a loss of 60; the bad feature's section along
# :math:`w` climbs to 271 and 300 at its ends.)
#
# Why a stretched valley is slow: the condition number
# ----------------------------------------------------
# The curvature differs from direction to direction; the eigenvalues of the
# Hessian :math:`H` are the largest and the smallest curvature over all
# directions, those of the valley's own axes. Their ratio is the condition
# number
#
# .. math::
#
#     \kappa = \frac{\lambda_{\max}}{\lambda_{\min}} ,
#
# how stretched the valley is. A step must stay below :math:`2 / \lambda_{\max}`
# (the steep direction), and with :math:`\eta = 1 / \lambda_{\max}` the flat
# direction shrinks by :math:`1 - 1 / \kappa` per epoch, the loss above its
# minimum by its square: the epochs a given accuracy takes grow in
# proportion to :math:`\kappa`. For the three data sets, the ratio
# of the cross-sections' curvatures, the condition number of :math:`H`, and
# the epochs the automatic step needs until the loss is within
# :math:`10^{-6}` of the least-squares loss (from
# :class:`~sklearn.linear_model.LinearRegression`), next to the bound
# :math:`\ln(\text{gap}_0 / 10^{-6}) / (-2 \ln(1 - 1/\kappa))` that the
# factor gives:
from sklearn.linear_model import LinearRegression

print(f"{'':16}{'curvature w/b':>14}{'kappa':>9}{'1/L':>9}{'epochs':>8}{'bound':>8}")
for name, X in [
    ("original x", x_train),
    ('"bad" x * 10', bad_x_train),
    ("x * 10, scaled", scaled_x_train),
]:
    A = np.column_stack([np.ones(len(X)), X])
    H = 2 * A.T @ A / len(X)
    lam_min, lam_max = np.linalg.eigvalsh(H)
    kappa = lam_max / lam_min
    best = np.mean((LinearRegression().fit(X, y_fit).predict(X) - y_fit) ** 2)
    long = GDRegressor(max_iter=2000, tol=None).fit(X, y_fit, **start)
    gap = long.loss_history_ - best
    epochs = np.argmax(gap < 1e-6)
    bound = np.log(gap[0] / 1e-6) / (-2 * np.log1p(-1 / kappa)) if kappa > 1 else 1
    print(
        f"{name:16}{H[1, 1] / H[0, 0]:14.3f}{kappa:9.2f}{long.learning_rate_:9.4f}"
        f"{epochs:8d}{np.ceil(bound):8.0f}"
    )

# %%
# The original feature is stretched already (:math:`\kappa \approx 16`): its
# :math:`x` is not centred, so :math:`b` and :math:`w` trade off along a
# tilted valley, which the cross-sections' curvatures (ratio 0.32) do not
# show. Multiplying :math:`x` by 10 makes :math:`\kappa` 112 and the
# automatic step 26 times smaller; standardising makes :math:`H = 2 I`,
# :math:`\kappa = 1`.
#
# StandardScaler in a Pipeline: one epoch
# ---------------------------------------
# After standardising, the Hessian is :math:`2 I`, so :math:`L = 2`, the
# automatic step is :math:`\eta = 1 / 2`, and the gradient is
# :math:`\nabla \text{MSE}(\theta) = 2 (\theta - \theta^\ast)` for
# :math:`\theta = (b, w)` and the minimum :math:`\theta^\ast`. One step gives
#
# .. math::
#
#     \theta - \tfrac{1}{2} \cdot 2 (\theta - \theta^\ast) = \theta^\ast :
#
# the minimum, from any start, in one epoch. With the defaults
# (``learning_rate="auto"``, ``tol=1e-4``, ``n_iter_no_change=5``, from
# zero) the pipeline reaches the least-squares loss after epoch 1 (every
# later epoch starts at it), and stops after the 5 epochs without improvement
# its rule needs:
pipe = make_pipeline(StandardScaler(), GDRegressor())
pipe.fit(bad_x_train, y_fit)
reg = pipe[-1]
print("learning_rate_:", reg.learning_rate_)
print("loss_history_:", reg.loss_history_)
print("n_iter_:", reg.n_iter_, " stop_reason_:", reg.stop_reason_)
print("after epoch 1: b =", reg.intercept_history_[1], " w =", reg.coef_history_[1, 0])

# %%
# :class:`~sklearn.linear_model.LinearRegression` solves least squares in
# closed form: in the same pipeline it gives the same coefficients; on the
# bad feature itself, the coefficients converted back from the scaled ones,
# :math:`w = w_s / \sigma` and :math:`b = b_s - w_s \bar X / \sigma`:
exact = make_pipeline(StandardScaler(), LinearRegression()).fit(bad_x_train, y_fit)
print("LinearRegression, scaled:  b =", exact[-1].intercept_, " w =", exact[-1].coef_)
print("  its loss:", np.mean((exact.predict(bad_x_train) - y_fit) ** 2))
print("GDRegressor, scaled:       b =", reg.intercept_, " w =", reg.coef_)
mean, sd = pipe[0].mean_[0], pipe[0].scale_[0]
plain = LinearRegression().fit(bad_x_train, y_fit)
print("LinearRegression on bad_x: b =", plain.intercept_, " w =", plain.coef_)
print(
    "converted back:            b =",
    reg.intercept_ - reg.coef_[0] * mean / sd,
    " w =",
    reg.coef_ / sd,
)

# %%
# Step 5: repeated updates
# ------------------------
# The lesson ends by repeating the updates (section "Step 5: 反复更新参数",
# ``figure18``; it gives no number of epochs). 1000 epochs of
# :math:`\eta = 0.1` from its start, on the original feature, reach the
# least-squares line to within :math:`10^{-6}`:
reg = GDRegressor(learning_rate=0.1, max_iter=1000, tol=None)
reg.fit(x_train, y_fit, coef_init=w_initial, intercept_init=b_initial)
plain = LinearRegression().fit(x_train, y_fit)
print("GDRegressor:      b =", reg.intercept_, " w =", reg.coef_)
print("LinearRegression: b =", plain.intercept_, " w =", plain.coef_)
print("differences:", reg.intercept_ - plain.intercept_, reg.coef_ - plain.coef_)

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
LossCurveDisplay.from_estimator(reg, ax=axes[0], log_scale=True)
axes[0].set_title("loss per epoch, learning rate 0.1")
PredictionPathDisplay.from_estimator(
    reg, x_train, y_fit, epochs=[0, 1, 10, 1000], ax=axes[1]
)
_ = axes[1].set(title="the line at epochs 0, 1, 10 and 1000", ylabel="y")
