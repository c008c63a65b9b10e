"""
SGD in data order: the lessons' loop, exactly
=============================================

Two lessons write stochastic gradient descent by hand, one sample at a time,
visiting the samples in the order of the data: lesson 002, "PyTorch深度学习(一)
【线性模型、梯度下降、随机梯度下降】" (PyTorch deep learning 1: linear model,
gradient descent, stochastic gradient descent), and lesson 003, "机器学习2"
(Machine learning 2), in its part "随机梯度下降代码" (the stochastic gradient
descent code). Both fit ``y = w x`` to ``x = 1, 2, 3`` and ``y = 2, 4, 6`` from
``w = 1`` with a learning rate of 0.01 for 100 epochs.

We run the lessons' loop as written, get the same ``w``, bit for bit, from
:class:`~skgd.GDRegressor` with ``solver="sgd", shuffle=False``, and see that
the "loss" the lessons print each epoch is not what skgd's ``loss_history_``
records, and how to get the lessons' number from skgd all the same.
"""

# %%
# One update per sample
# ---------------------
# The model predicts :math:`\hat y_i = w x_i + b` (the lessons have no
# intercept: :math:`b = 0` throughout). The loss of one sample is its squared
# error
#
# .. math::
#
#     \ell_i(w, b) = (\hat y_i - y_i)^2 ,
#
# whose gradient is
#
# .. math::
#
#     \frac{\partial \ell_i}{\partial w} = 2 x_i (\hat y_i - y_i), \qquad
#     \frac{\partial \ell_i}{\partial b} = 2 (\hat y_i - y_i) .
#
# SGD takes the samples one after the other, :math:`i = 1, 2, 3` in every
# epoch, and steps down each one's gradient with the learning rate
# :math:`\eta = 0.01`:
#
# .. math::
#
#     w \leftarrow w - \eta \, 2 x_i (\hat y_i - y_i), \qquad
#     b \leftarrow b - \eta \, 2 (\hat y_i - y_i) ,
#
# both from the same :math:`\hat y_i`, computed before the update. Three
# samples, 100 epochs: 300 updates.

# %%
# The loop of lesson 002
# ----------------------
# The lesson's code, its comments in English. It prints 402 lines: the
# gradient of every sample and one "progress" line per epoch. We keep them all
# in ``printed`` and show the first two epochs and the last one.
import contextlib
import io

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]

w = 1.0


def forward(x):
    return x * w


# calculate loss function
def loss(x, y):
    y_pred = forward(x)  # y hat
    return (y_pred - y) ** 2  # loss


# define the gradient function  sgd
def gradient(x, y):
    return 2 * x * (x * w - y)  # the gradient


epoch_list = []
loss_list = []
with contextlib.redirect_stdout(io.StringIO()) as printed:
    print("predict (before training)", 4, forward(4))
    for epoch in range(100):
        for x, y in zip(x_data, y_data):  # noqa: B905
            grad = gradient(x, y)  # the gradient of each sample's loss w.r.t. w
            w = w - 0.01 * grad  # update weight by every grad of sample
            print("\tgrad:", x, y, grad)
            l = loss(x, y)  # noqa: E741  compute the loss now
        print("progress:", epoch, "w=", w, "loss=", l)
        epoch_list.append(epoch)
        loss_list.append(l)
    print("predict (after training)", 4, forward(4))

lines_002 = printed.getvalue().splitlines()
print(len(lines_002), "lines; the first two epochs:")
print("\n".join(lines_002[:9]))
print("...\nthe last epoch:")
print("\n".join(lines_002[-5:]))
w_by_hand = w

# %%
# The lesson's text lost its indentation when it was copied; we read
# ``l = loss(x, y)`` as part of the inner loop and the ``progress`` line as
# part of the outer one. Either reading prints the same: after the inner loop
# ``x, y`` are still the last sample, ``(3, 6)``, and ``w`` has not changed
# since its update.
#
# The loop of lesson 003
# ----------------------
# Lesson 003 writes the same loop in its own way: the data are Python *sets*,
# its ``gradient(xs, ys)`` ignores its arguments and reads the loop's ``x`` and
# ``y`` (global variables, since the loop runs at module level), and it prints
# ``loss(x, y)`` after the inner loop. A set has no order, but CPython's set of
# the floats 1.0, 2.0, 3.0 iterates in hash order, which is their order here
# (``hash(2.0) == 2``), and no value repeats (a set would drop a repeated
# ``y``). So the loop visits the samples in data order, and prints the same
# lines as lesson 002, but for a capital P in "Predict".
x_data = {1.0, 2.0, 3.0}
y_data = {2.0, 4.0, 6.0}

# initial guess of the weight
w = 1.0


# define the model
def forward(x):
    return x * w


# define the loss function
def loss(x, y):
    y_pred = forward(x)
    return (y_pred - y) ** 2


def gradient(xs, ys):
    return 2 * x * (x * w - y)


with contextlib.redirect_stdout(io.StringIO()) as printed:
    print("Predict (before training)", 4, forward(4))
    for epoch in range(100):
        for x, y in zip(x_data, y_data):  # noqa: B905
            grad = gradient(x_data, y_data)
            w -= 0.01 * grad
            print("\tgrad:", x, y, grad)
        print("progress:", epoch, "w=", w, "loss=", loss(x, y))
    print("Predict (after training)", 4, forward(4))

lines_003 = printed.getvalue().replace("Predict", "predict").splitlines()
print("lesson 003 prints what lesson 002 prints:", lines_003 == lines_002)

# %%
# The same fit with skgd
# ----------------------
# ``solver="sgd"`` makes one update per sample, ``shuffle=False`` visits the
# samples in data order, ``tol=None`` runs all 100 epochs,
# ``fit_intercept=False`` because the model has no ``b``, and ``coef_init``
# starts from the lesson's ``w = 1``. ``X`` is the column of the ``x`` values,
# one row per sample. ``record="update"`` keeps ``w`` after each of the 300
# updates, for the comparisons below.
import numpy as np

from skgd import GDRegressor

X = np.array([[1.0], [2.0], [3.0]])
y = np.array([2.0, 4.0, 6.0])
reg = GDRegressor(
    solver="sgd",
    shuffle=False,
    learning_rate=0.01,
    max_iter=100,
    tol=None,
    fit_intercept=False,
    record="update",
)
reg.fit(X, y, coef_init=[1.0])
print("w by hand:       ", w_by_hand)
print("w by GDRegressor:", reg.coef_[0])
print("b by GDRegressor:", reg.intercept_, "(no intercept, as the lesson)")
print("difference of w: ", abs(reg.coef_[0] - w_by_hand))
print("updates:", reg.t_, "recorded weights:", reg.coef_history_.shape)

# %%
# The two are equal to the last bit, not just close; so is every one of the
# 300 weights along the way (``coef_history_`` against the loop's). The lesson's
# ``grad:`` lines come back too, from ``w`` before each update,
# :math:`2 x_i (w x_i - y_i)`:
w_before = reg.coef_history_[:-1, 0]  # w before update 1, 2, ..., 300
x_used, y_used = np.tile(X[:, 0], 100), np.tile(y, 100)
grads = 2 * x_used * (x_used * w_before - y_used)
print("first epoch's gradients:", grads[:3])
print("last epoch's gradients: ", grads[-3:])

# %%
# What the "loss" means
# ---------------------
# Write :math:`w^{(t)}` for the weight after :math:`t` updates
# (``coef_history_[t]``; :math:`w^{(0)} = 1`). Epoch :math:`k` (from 0) makes
# updates :math:`3k + 1, 3k + 2, 3k + 3`, sample :math:`i` using
# :math:`w^{(3k + i - 1)}`. The lessons print the loss of the **last sample
# after its update**, with the weight at the end of the epoch:
#
# .. math::
#
#     \text{printed}_k = \bigl(w^{(3k + 3)} x_3 - y_3\bigr)^2 .
#
# skgd's ``loss_history_`` is the **mean over the epoch's samples of each
# one's loss just before the update that used it**:
#
# .. math::
#
#     \text{loss\_history\_}_k = \frac{1}{3} \sum_{i=1}^{3}
#     \bigl(w^{(3k + i - 1)} x_i - y_i\bigr)^2 .
#
# They differ in two ways: one sample instead of the mean of all three, and
# after the update instead of before it. The lessons' number comes from
# ``coef_history_``: every third weight, from the third on.
w_end_of_epoch = reg.coef_history_[3::3, 0]
printed_loss = (w_end_of_epoch * X[-1, 0] - y[-1]) ** 2
print("epoch 0, printed by the lesson: ", loss_list[0])
print("         rebuilt from skgd:     ", printed_loss[0])
print("         loss_history_:         ", reg.loss_history_[0])
print("largest relative difference over the 100 epochs:")
print("  ", np.max(np.abs(printed_loss / loss_list - 1)))

# %%
# For the last epoch, the final parameters are enough:
last = (reg.predict(X[-1:])[0] - y[-1]) ** 2
print("epoch 99, printed:", loss_list[-1], " from coef_:", last)

# %%
# The two curves
# --------------
# :class:`~skgd.plotting.LossCurveDisplay` draws ``loss_history_``; over it,
# the curve the lesson plots, ``loss_list``. skgd counts epochs from 1, the
# lesson from 0: epoch ``k`` of the lesson is drawn at ``k + 1``.
#
# Each residual is :math:`w x_i - y_i = x_i (w - 2)`, and an update on sample
# :math:`i` multiplies :math:`w - 2` by :math:`1 - 2 \eta x_i^2`: 0.98, 0.92
# and 0.82. So both curves fall by the same factor every epoch,
# :math:`(0.98 \cdot 0.92 \cdot 0.82)^2 \approx 0.547` (parallel lines on a
# log axis), and their ratio is a constant,
#
# .. math::
#
#     \frac{\text{printed}_k}{\text{loss\_history\_}_k}
#     = \frac{9 \, (0.98 \cdot 0.92 \cdot 0.82)^2}
#       {\bigl(1 + 4 \cdot 0.98^2 + 9 \, (0.98 \cdot 0.92)^2\bigr) / 3}
#     \approx 1.21 .
#
# The lesson's curve is the *higher* one, although its sample has just been
# fitted: the last sample has the largest ``x``, hence the largest error.
# (At the end, with ``w`` within 1e-13 of 2, rounding moves the ratio in its
# third digit.)
ratio = printed_loss / reg.loss_history_
print("ratio, epoch 0:", ratio[0], " over all epochs:", ratio.min(), "to", ratio.max())

# %%
import matplotlib.pyplot as plt

from skgd.plotting import LossCurveDisplay

fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
for ax, epochs in zip(axes, [100, 10], strict=True):
    LossCurveDisplay.from_estimator(
        reg, names=["loss_history_: mean of the losses before each update"], ax=ax
    )
    ax.plot(
        np.array(epoch_list) + 1,
        loss_list,
        linestyle="--",
        label="the lesson's print: last sample's loss after its update",
    )
    ax.set(xlim=(0.5, epochs + 0.5), xlabel="epoch", ylabel="squared error")
    ax.legend()
axes[0].set(yscale="log", title="all 100 epochs (log axis): parallel lines")
axes[1].set(ylim=(0, 5.2), title="the first 10 epochs: the lesson's is higher")
_ = fig.suptitle("SGD in data order on y = 2x: two per-epoch losses")

# %%
# With an intercept
# -----------------
# The lessons stop at ``y = w x``; lesson 002's exercise moves on to
# ``y = w x + b`` on ``y = 5, 8, 11`` (the line ``y = 3 x + 2``), and draws
# its loss surface. The same SGD loop for it, written here, with ``b``
# starting at 0, updates ``w`` and ``b`` from the same error, as in the
# formulas above; skgd does the same.
x_data = [1.0, 2.0, 3.0]
y_data = [5.0, 8.0, 11.0]
w, b = 1.0, 0.0
for _ in range(100):
    for x, y in zip(x_data, y_data, strict=True):
        error = x * w + b - y  # from the parameters before this update
        w, b = w - 0.01 * 2 * x * error, b - 0.01 * 2 * error

X2, y2 = np.array(x_data).reshape(-1, 1), np.array(y_data)
reg2 = GDRegressor(
    solver="sgd", shuffle=False, learning_rate=0.01, max_iter=100, tol=None
)
reg2.fit(X2, y2, coef_init=[1.0], intercept_init=0.0)
print("by hand:     w =", w, " b =", b)
print("GDRegressor: w =", reg2.coef_[0], " b =", reg2.intercept_)
print("largest difference:", max(abs(reg2.coef_[0] - w), abs(reg2.intercept_ - b)))

# %%
# Loops written by hand often update ``w`` first and then compute ``b``'s
# gradient with the *new* ``w``. That is not a gradient step at one point: it
# takes a different path, which skgd cannot follow with any setting, since
# its update moves all parameters along one gradient. Both paths lead to the
# same line in the end; after these 100 epochs they are still apart:
w, b = 1.0, 0.0
for _ in range(100):
    for x, y in zip(x_data, y_data, strict=True):
        w = w - 0.01 * 2 * x * (x * w + b - y)
        b = b - 0.01 * 2 * (x * w + b - y)  # the new w already
print("w first, then b: w =", w, " b =", b)
print("difference from GDRegressor:", abs(reg2.coef_[0] - w), abs(reg2.intercept_ - b))
