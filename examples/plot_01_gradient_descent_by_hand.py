"""
Gradient descent by hand, and with GDRegressor
==============================================

This first tutorial follows lesson 000, *Pytorch实践(刘二大人)2:梯度下降算法*
(PyTorch practice (Liu Er), part 2: the gradient descent algorithm). Lesson
002, *PyTorch深度学习(一)【线性模型、梯度下降、随机梯度下降】*, runs the same
loop in its section on gradient descent.

It teaches:

* the model :math:`\\hat y = w x` and the data it fits;
* the difference between a *loss* (one sample) and the *cost* (their mean);
* how the gradient of the cost is derived, step by step;
* why a step against the gradient lowers the cost (a first-order Taylor
  expansion);
* the lesson's own loop, and :class:`~skgd.GDRegressor` giving the same
  numbers, epoch by epoch;
* the cost per epoch, drawn by the lesson and by
  :class:`~skgd.plotting.LossCurveDisplay`;
* why gradient descent only approaches the best :math:`w`, and how many
  epochs it needs to come within :math:`10^{-6}` of it.
"""

# %%
# The model and the data
# ----------------------
# Three samples, :math:`x = (1, 2, 3)` and :math:`y = (2, 4, 6)`, and a model
# with one parameter and no intercept:
#
# .. math::
#
#    \hat y_i = w \, x_i .
#
# The data lie on the line :math:`y = 2x`, so the best parameter is
# :math:`w^\star = 2`. Gradient descent does not know that: it starts from a
# guess, :math:`w_0 = 1`, and improves it.
import numpy as np

x = np.array([1.0, 2.0, 3.0])
y = np.array([2.0, 4.0, 6.0])
N = len(x)

# %%
# Loss and cost
# -------------
# The lesson separates two words that are often mixed up. The **loss**
# measures the error on *one* sample; here it is the squared error
#
# .. math::
#
#    \ell_i(w) = (w x_i - y_i)^2 .
#
# The **cost** measures the error on the *whole* training set; here it is the
# mean of the losses, the mean squared error (MSE):
#
# .. math::
#
#    J(w) = \mathrm{MSE}(w) = \frac{1}{N} \sum_{i=1}^{N} \ell_i(w)
#         = \frac{1}{N} \sum_{i=1}^{N} (w x_i - y_i)^2 .
#
# At the start, :math:`w = 1`, the three losses are :math:`1, 4, 9` and the
# cost is their mean, :math:`14/3`:
w0 = 1.0
losses = (w0 * x - y) ** 2
print("losses of the three samples:", losses)
print("cost (their mean):", losses.mean())

# %%
# skgd follows scikit-learn's names: what it records as ``loss_history_`` is
# the cost of each epoch in the lesson's words, the mean of the samples'
# losses. (scikit-learn's ``SGDRegressor`` uses half the squared error; skgd
# uses the plain MSE, as the lessons and PyTorch's ``MSELoss`` do.)
#
# The gradient of the cost, step by step
# --------------------------------------
# Gradient descent needs the derivative of the cost with respect to
# :math:`w`. The derivative of a sum is the sum of the derivatives, so we
# can differentiate one loss at a time:
#
# .. math::
#
#    \frac{\partial J}{\partial w}
#      = \frac{1}{N} \sum_{i=1}^{N} \frac{\partial}{\partial w} (w x_i - y_i)^2 .
#
# Each loss is a square, :math:`u^2` with :math:`u = w x_i - y_i`. By the
# chain rule, :math:`\frac{\partial u^2}{\partial w} = 2u\,\frac{\partial
# u}{\partial w}`, and :math:`\frac{\partial u}{\partial w} = x_i`:
#
# .. math::
#
#    \frac{\partial (w x_i - y_i)^2}{\partial w} = 2 (w x_i - y_i) \cdot x_i
#      = 2 x_i (w x_i - y_i) .
#
# Putting the pieces back into the mean gives the lesson's gradient:
#
# .. math::
#
#    \frac{\partial J}{\partial w}
#      = \frac{2}{N} \sum_{i=1}^{N} x_i \, (w x_i - y_i) .
#
# Gradient descent moves :math:`w` a small step against it, the step's size
# set by the learning rate :math:`\alpha`:
#
# .. math::
#
#    w_{\text{new}} = w_{\text{old}} - \alpha \, \frac{\partial J}{\partial w}
#      \Big|_{w = w_{\text{old}}} .
#
# At :math:`w = 1` the gradient is :math:`\frac{2}{3}(1 \cdot (-1) + 2 \cdot
# (-2) + 3 \cdot (-3)) = -28/3`: negative, so the step *raises* :math:`w`,
# towards 2. With :math:`\alpha = 0.01` the first step gives
# :math:`w = 1 + 0.28/3 = 1.09\overline{3}`, the first ``w`` the lesson prints.
grad0 = 2 / N * np.sum(x * (w0 * x - y))
print("gradient at w = 1:", grad0)
print("w after one step:", w0 - 0.01 * grad0)

# %%
# Why stepping against the gradient lowers the cost
# -------------------------------------------------
# The lesson writes the update for any function :math:`f` of a parameter
# vector :math:`x` (here :math:`x^k` is the :math:`k`-th iterate, not a
# power):
#
# .. math::
#
#    x^{k+1} = x^k - \lambda \nabla f(x^k) .
#
# Its argument is the first-order Taylor expansion. Near the current point
# :math:`x^k`, we look for a point :math:`x^{k+1}` with a smaller value, and
# there
#
# .. math::
#
#    f(x^{k+1}) \approx f(x^k) + \nabla f(x^k)^T (x^{k+1} - x^k) .
#
# To make :math:`f(x^{k+1})` small, choose the move
#
# .. math::
#
#    x^{k+1} - x^k = -\lambda \nabla f(x^k), \quad \lambda > 0 ,
#
# which turns the expansion into
#
# .. math::
#
#    f(x^{k+1}) \approx f(x^k) - \lambda \, \lVert \nabla f(x^k) \rVert^2
#      \le f(x^k) .
#
# The function goes down by about :math:`\lambda` times the squared length of
# the gradient, as long as the step is small enough for the first-order
# approximation to hold. The lesson's examples: for :math:`f(x) = \frac12
# x^2` the gradient is :math:`x`, so each step multiplies :math:`x` by
# :math:`1 - \lambda`; for :math:`f(\theta) = 2\theta_1^2 + 3\theta_2^2 +
# 4\theta_3^2` it is :math:`(4\theta_1, 6\theta_2, 8\theta_3)` (that one is
# run in :ref:`sphx_glr_auto_examples_plot_03_minimizing_a_function.py`).
#
# Our cost is a parabola in :math:`w`, so its expansion stops at the second
# order and we can check the argument exactly. With :math:`J'' = \frac{2}{N}
# \sum x_i^2 = 28/3` and the step :math:`\Delta w = -\alpha J'(w)`,
#
# .. math::
#
#    J(w + \Delta w) = J(w) + J'(w)\,\Delta w + \tfrac12 J'' \Delta w^2
#      = J(w) - \alpha J'(w)^2 \left(1 - \tfrac12 \alpha J''\right) .
#
# The first-order term predicts the decrease; the second-order term takes a
# little of it back. The cost falls whenever :math:`\alpha < 2 / J'' = 3/14
# \approx 0.214`; the lesson's :math:`\alpha = 0.01` is far inside. For the
# first step:
alpha = 0.01


def J(w):
    return np.mean((w * x - y) ** 2)


J2 = 2 / N * np.sum(x**2)
w1 = w0 - alpha * grad0
print("cost at w0:                  ", J(w0))
print("first-order (Taylor) estimate", J(w0) - alpha * grad0**2)
print("with the second-order term:  ", J(w0) - alpha * grad0**2 * (1 - alpha * J2 / 2))
print("cost at w1, computed:        ", J(w1))

# %%
# The lesson's loop
# -----------------
# The lesson's code, run as written (its comments translated), except for
# two marked changes: it prints the first five epochs and the last two
# rather than all 100 lines, and it also keeps ``w`` after every epoch in
# ``w_list`` to compare it with skgd below. It prints the cost *before* each
# update (labelled ``loss=``) next to ``w`` *after* it.
#
# Its figure is drawn in the section "The cost per epoch", next to skgd's.
import matplotlib.pyplot as plt

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]

# initial guess of the value of w
w = 1.0


# the linear model is y = w * x
def forward(x):
    return x * w


# the cost function
def cost(xs, ys):
    cost = 0
    for x, y in zip(xs, ys):  # noqa: B905
        y_pred = forward(x)
        cost += (y_pred - y) ** 2
    return cost / len(xs)


# the gradient function
def gradient(xs, ys):
    grad = 0
    for x, y in zip(xs, ys):  # noqa: B905
        grad += 2 * x * (x * w - y)
    return grad / len(xs)


epoch_list = []
cost_list = []
w_list = []  # added: w after every epoch
print("predict (before training)", 4, forward(4))
for epoch in range(100):
    cost_val = cost(x_data, y_data)
    grad_val = gradient(x_data, y_data)
    w -= 0.01 * grad_val  # 0.01 learning rate
    if epoch < 5 or epoch >= 98:  # added: print only the first and last epochs
        print("epoch:", epoch, "w=", w, "loss=", cost_val)
    epoch_list.append(epoch)
    cost_list.append(cost_val)
    w_list.append(w)

print("predict (after training)", 4, forward(4))

# %%
# The same fit with GDRegressor
# -----------------------------
# :class:`~skgd.GDRegressor` runs this loop for us. Each argument matches a
# choice of the lesson:
#
# * ``solver="batch"``: one update per epoch, from the gradient over all
#   samples, as ``gradient(x_data, y_data)``;
# * ``learning_rate=0.01`` is :math:`\alpha`, ``max_iter=100`` the epochs;
# * ``tol=None`` turns off the stopping rule, so that all 100 epochs run;
# * ``fit_intercept=False``: the model is :math:`w x`, with no :math:`b`;
# * ``coef_init=[1.0]`` is the lesson's starting guess.
#
# scikit-learn expects ``X`` as a 2-D array, one row per sample and one
# column per feature.
from skgd import GDRegressor

X = np.reshape(x_data, (-1, 1))
reg = GDRegressor(
    solver="batch", learning_rate=0.01, max_iter=100, tol=None, fit_intercept=False
)
reg.fit(X, y_data, coef_init=[1.0])

print("w after 100 epochs, lesson:     ", w)
print("w after 100 epochs, GDRegressor:", reg.coef_[0])
print("prediction for x = 4:", reg.predict([[4.0]])[0])

# %%
# ``loss_history_`` holds the cost of every epoch measured before its update,
# as the lesson's ``cost_list``; ``coef_history_`` holds ``w`` at the start
# (row 0) and after every epoch, so its rows from 1 on are the lesson's
# ``w_list``. (``history_``, a DataFrame of the same costs, numbers the epochs
# from 1; the lesson numbers them from 0.)
print(
    "largest difference of the costs:",
    np.max(np.abs(reg.loss_history_ - cost_list)),
)
print(
    "largest difference of w:        ",
    np.max(np.abs(reg.coef_history_[1:, 0] - w_list)),
)
print(reg.history_[["loss", "n_updates"]].head(3))

# %%
# Without ``tol=None`` the fit stops on scikit-learn's rule: after 5 epochs
# (``n_iter_no_change``) in a row that do not lower the best cost by at least
# ``tol = 1e-4``. Here that happens well before epoch 100:
default = GDRegressor(solver="batch", learning_rate=0.01, fit_intercept=False)
default.fit(X, y_data, coef_init=[1.0])
print(
    f"default tol: stop_reason_={default.stop_reason_!r} after "
    f"{default.n_iter_} epochs, w = {default.coef_[0]:.6f}"
)

# %%
# The cost per epoch
# ------------------
# On the left, the lesson's own figure (its ``plt.plot`` call, on an axes of
# its own); on the right, :class:`~skgd.plotting.LossCurveDisplay` drawing
# ``loss_history_``. The curves are the same; the display counts the epochs
# from 1, the lesson from 0, and its axis label, "loss at the epoch's start",
# says that each point is the cost before that epoch's update. The cost falls
# fast at first, then ever more slowly towards 0.
from skgd.plotting import LossCurveDisplay

fig, (ax_lesson, ax_skgd) = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
ax_lesson.plot(epoch_list, cost_list)
ax_lesson.set_ylabel("cost")
ax_lesson.set_xlabel("epoch")
ax_lesson.set_title("the lesson's plot (epochs from 0)")
display = LossCurveDisplay.from_estimator(reg, ax=ax_skgd)
_ = ax_skgd.set_title("LossCurveDisplay (epochs from 1)")

# %%
# Only approaching the optimum
# ----------------------------
# The lesson closes with a remark: gradient descent only *approaches* the
# best parameter, it does not reach it. The best :math:`w` is where the
# derivative is zero; during the iterations the gradient tends to zero but
# is never exactly zero. After 100 epochs :math:`w = 1.999944`, not 2.
#
# Here we can see why. The gradient is :math:`\frac{2}{N}(w \sum x_i^2 -
# \sum x_i y_i) = \frac{28}{3}(w - 2)`, so each step multiplies the distance
# to 2 by the same factor:
#
# .. math::
#
#    w_{k+1} - 2 = \left(1 - \alpha \cdot \tfrac{28}{3}\right)(w_k - 2)
#    \quad\Longrightarrow\quad
#    w_k = 2 - r^k, \quad r = 1 - \tfrac{0.28}{3} \approx 0.9067 .
#
# The distance shrinks by about 9 % per epoch and is never 0. To get
# :math:`|w_k - 2| < 10^{-6}` we need :math:`r^k < 10^{-6}`, that is
# :math:`k > \ln 10^{-6} / \ln r`:
r = 1 - 0.01 * 28 / 3
print(f"w after 100 epochs: {w:.6f}; 2 - r**100 = {2 - r**100:.6f}")
print(f"ln(1e-6) / ln(r) = {np.log(1e-6) / np.log(r):.3f}")

# %%
# The lesson's loop, run on until it is that close, agrees, and so does
# GDRegressor's ``coef_history_`` over 200 epochs:
w = 1.0
epochs = 0
while abs(w - 2) >= 1e-6:
    w -= 0.01 * gradient(x_data, y_data)
    epochs += 1
print(f"lesson's loop: |w - 2| < 1e-6 after {epochs} epochs (w = {w:.7f})")

long = GDRegressor(
    solver="batch", learning_rate=0.01, max_iter=200, tol=None, fit_intercept=False
)
long.fit(X, y_data, coef_init=[1.0])
distance = np.abs(long.coef_history_[:, 0] - 2)
print("GDRegressor:   |w - 2| < 1e-6 after", np.argmax(distance < 1e-6), "epochs")

fig, ax = plt.subplots()
ax.semilogy(distance, label="GDRegressor, |w - 2|")
ax.semilogy(r ** np.arange(201), ":", color="black", label="$r^k$")
ax.axhline(1e-6, color="gray", linestyle="--", label="$10^{-6}$")
ax.axvline(epochs, color="gray", linestyle=":", label=f"epoch {epochs}")
ax.set(
    xlabel="epoch k",
    ylabel="|w_k - 2| (log scale)",
    title="gradient descent approaches w = 2 but never reaches it",
)
_ = ax.legend()

# %%
# On a logarithmic axis the distance is a straight line, :math:`r^k`, that
# never touches zero. In floating point the updates do stop in the end: when
# the step becomes smaller than half the gap between two neighbouring
# floating-point numbers, subtracting it leaves ``w`` unchanged. Still not at
# exactly 2:
while True:
    w_before = w
    w -= 0.01 * gradient(x_data, y_data)
    epochs += 1
    if w == w_before:
        break
print(f"epoch {epochs} leaves w unchanged at {w!r}, 2 - w = {2 - w:.1e}")

# %%
# Gradient descent is one way to find the best :math:`w`. The simplest way is
# to try many values and keep the one with the lowest cost: that exhaustive
# search, and the cost surface it draws, is the next tutorial,
# :ref:`sphx_glr_auto_examples_plot_02_exhaustive_search_and_surfaces.py`.
