"""
The loss surface, the learning rate and feature scaling
=======================================================

The lesson: data from ``y = 1 + 2 x + noise``, a model ``y = b + w x``
started at random, one step of gradient descent by hand, the loss surface over
``(b, w)`` with its cross-sections, what learning rates of 0.2, 0.8 and 1.1 do,
and why a feature on a larger scale (``x * 10``) makes gradient descent slow,
until :class:`~sklearn.preprocessing.StandardScaler` rounds the surface again.
"""

# %%
# The data, as the lesson makes it
# --------------------------------
import numpy as np

true_b, true_w, N = 1, 2, 100
np.random.seed(42)
x = np.random.rand(N, 1)
epsilon = 0.1 * np.random.randn(N, 1)
y = true_b + true_w * x + epsilon

idx = np.arange(N)
np.random.shuffle(idx)
train_idx, val_idx = idx[: int(N * 0.8)], idx[int(N * 0.8) :]
x_train, y_train = x[train_idx], y[train_idx, 0]

np.random.seed(42)
b, w = np.random.randn(1), np.random.randn(1)
print("start:", b, w)

# %%
# One step by hand, one step with skgd
# ------------------------------------
lr = 0.1
yhat = b + w * x_train[:, 0]
error = yhat - y_train
b_grad, w_grad = 2 * error.mean(), 2 * (x_train[:, 0] * error).mean()
print("by hand:", b - lr * b_grad, w - lr * w_grad)

from skgd import GDRegressor

one_step = GDRegressor(learning_rate=lr, max_iter=1, tol=None)
one_step.fit(x_train, y_train, coef_init=w, intercept_init=b)
print("GDRegressor:", one_step.intercept_, one_step.coef_)

# %%
# The gradient, drawn
# -------------------
# :func:`~skgd.plotting.objective_gradient` gives the gradient the step above
# used, the lesson's ``b_grad`` and ``w_grad`` (ordered ``w``, then ``b``).
# :class:`~skgd.plotting.GradientDisplay` draws it: on each cross-section the
# tangent at the start, whose slope is the partial derivative, and on the
# contours the arrow of ``-gradient``, where a step goes. The points are the
# steps of learning rates 0.2, 0.8 and 1.1: the last one overshoots the
# valley along ``b``.
from skgd.plotting import GradientDisplay, objective_gradient

print("gradient (w, b):", objective_gradient(one_step, x_train, y_train))
display = GradientDisplay.from_estimator(
    one_step, x_train, y_train, learning_rates=[0.2, 0.8, 1.1]
)

# %%
# The line on the data
# --------------------
# :class:`~skgd.plotting.PredictionPathDisplay` draws the model over the data
# at the start, after one epoch and at the end of a 100-epoch fit, with the
# errors of the last line as segments.
from skgd.plotting import PredictionPathDisplay

reg = GDRegressor(learning_rate=0.1, max_iter=100, tol=None)
reg.fit(x_train, y_train, coef_init=w, intercept_init=b)
display = PredictionPathDisplay.from_estimator(reg, x_train, y_train)

# %%
# The loss surface and its cross-sections
# ---------------------------------------
# A longer fit from the same start; the contours of the loss over ``(b, w)``
# with the path, and the two cross-sections through the start: the loss along
# ``w`` with ``b`` fixed, and along ``b`` with ``w`` fixed. The star is the
# exact minimum, the least-squares line (a closed form exists, so the Display
# solves for it instead of picking the grid's lowest point). A cross-section
# shows only where the path really was on it: here, at the start, since the
# path then leaves both sections for good. (A learning rate that bounces
# across the valley crosses a section many times.)
import matplotlib.pyplot as plt

from skgd.plotting import LossSurfaceDisplay

reg = GDRegressor(learning_rate=0.1, max_iter=100, tol=None)
reg.fit(x_train, y_train, coef_init=w, intercept_init=b)
extent = [(true_b - 3, true_b + 3), (true_w - 3, true_w + 3)]  # b, then w
fig, axes = plt.subplots(1, 3, figsize=(14, 4), layout="constrained")
LossSurfaceDisplay.from_estimator(reg, x_train, y_train, extent=extent, ax=axes[0])
LossSurfaceDisplay.from_estimator(
    reg, x_train, y_train, fixed={"intercept": b[0]}, extent=extent[1:], ax=axes[1]
)
LossSurfaceDisplay.from_estimator(
    reg, x_train, y_train, fixed={"coef[0]": w[0]}, extent=extent[:1], ax=axes[2]
)

# %%
# The same surface in 3-D, the path drawn over it.
display = LossSurfaceDisplay.from_estimator(
    reg, x_train, y_train, extent=extent, kind="surface"
)

# %%
# Low, high and too high learning rates
# -------------------------------------
# The gradient is Lipschitz with ``L = 2 lambda_max`` of the rows' covariance;
# a step below ``2 / L`` converges. Here ``2 / L`` is about 0.8: 0.2 walks
# down, 0.8 bounces across the valley, 1.1 climbs out of it. skgd stops a
# diverging fit, keeps the parameters of its best epoch and says so.
import warnings

from sklearn.exceptions import ConvergenceWarning

fig, axes = plt.subplots(1, 3, figsize=(14, 4), layout="constrained")
race = []
for ax, lr in zip(axes, [0.2, 0.8, 1.1], strict=True):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        fit = GDRegressor(learning_rate=lr, max_iter=30, tol=None)
        fit.fit(x_train, y_train, coef_init=w, intercept_init=b)
    race.append(fit)
    LossSurfaceDisplay.from_estimator(fit, x_train, y_train, extent=extent, ax=ax)
    ax.set_title(f"learning rate {lr}: {fit.stop_reason_}")
    print(f"learning rate {lr}: stop_reason_={fit.stop_reason_!r}")
    for warning in caught:
        print("   ", warning.message)
# learning_rate="auto" is 1 / L.
auto = GDRegressor(max_iter=1, tol=None).fit(x_train, y_train)
print("2 / L =", 2 * auto.learning_rate_)

# %%
# The three learning rates race on one surface, epoch by epoch (the diverging
# fit's path ends where skgd stopped it). ``anim.save_gif("race.gif")`` writes
# the animation as a GIF.
display = LossSurfaceDisplay.from_estimator(race[0], x_train, y_train, extent=extent)
plt.close(display.figure_)
anim = display.animate(
    others=race[1:], labels=["learning rate 0.2", "0.8", "1.1"], interval=200
)

# %%
# A bad feature
# -------------
# Multiply ``x`` by 10 (and divide the true ``w`` by 10): the same line, but
# the surface is stretched along ``w``. The largest safe step is set by the
# steep direction, so the flat direction (``b``) crawls.
np.random.seed(42)
bad_x = np.random.rand(N, 1) * 10
bad_y = true_b + true_w / 10 * bad_x[:, 0] + 0.1 * np.random.randn(N)
bad_x_train, bad_y_train = bad_x[train_idx], bad_y[train_idx]

bad = GDRegressor(max_iter=100, tol=None).fit(bad_x_train, bad_y_train)
print(f"bad feature: learning rate {bad.learning_rate_:.4f}, b = {bad.intercept_:.3f}")

# %%
# StandardScaler in a Pipeline
# ----------------------------
# Standardising ``x`` makes the surface round: the same 100 epochs reach the
# least-squares line. The Display measures the loss on the scaled data the
# model sees.
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

scaled = make_pipeline(StandardScaler(), GDRegressor(max_iter=100, tol=None))
scaled.fit(bad_x_train, bad_y_train)
fig, axes = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
# The lesson's ranges: b from -2 to 4, w from -2.8 to 3.2, on both panels.
bad_extent = [(-2.0, 4.0), (-2.8, 3.2)]
LossSurfaceDisplay.from_estimator(
    bad, bad_x_train, bad_y_train, extent=bad_extent, ax=axes[0]
)
LossSurfaceDisplay.from_estimator(
    scaled, bad_x_train, bad_y_train, extent=bad_extent, ax=axes[1]
)
axes[0].set_title("x * 10: a stretched valley")
_ = axes[1].set_title("StandardScaler: a round bowl")
print("R2 without and with scaling:", bad.score(bad_x_train, bad_y_train),
      scaled.score(bad_x_train, bad_y_train))  # fmt: skip
