"""
Batch, stochastic and mini-batch gradient descent
=================================================

Batch gradient descent makes one update per pass over the data, with the exact
gradient; stochastic gradient descent (SGD) one update per sample, with a noisy
gradient; mini-batch gradient descent one update per ``batch_size`` samples,
in between. We compare their loss curves, their time per epoch, and their paths
on the loss surface of ``y = w x + b``.
"""

# %%
# The data: a line with noise
# ---------------------------
import numpy as np

rng = np.random.default_rng(0)
X = rng.uniform(-1, 1, (500, 1))
y = 1 + 2 * X[:, 0] + 0.3 * rng.standard_normal(500)

# %%
# Loss curves
# -----------
# The same learning rate for the three solvers. Batch makes 30 updates in 30
# epochs; SGD makes 15,000, so it gets close in a handful of epochs and then
# wanders in a noise ball whose size follows the learning rate.
from skgd import GDRegressor
from skgd.plotting import LossCurveDisplay

params = dict(learning_rate=0.05, max_iter=30, tol=None, random_state=0)
fits = [
    GDRegressor(solver="batch", **params).fit(X, y),
    GDRegressor(solver="sgd", **params).fit(X, y),
    GDRegressor(solver="minibatch", batch_size=32, **params).fit(X, y),
]
display = LossCurveDisplay.from_estimator(fits, log_scale=True)

# %%
# The curves do not measure the same thing, which shows at epoch 1 (the
# legend says which is which). Batch records the objective at the start of
# each epoch, before its step: at epoch 1, the untrained model's loss. SGD
# and minibatch record the mean of each sample's loss at the moment it was
# used, while the model moved: at epoch 1 it has already learnt most of the
# line, so its first point is far lower.
print("epoch 1:", {fit.solver: round(float(fit.loss_history_[0]), 3) for fit in fits})

# %%
# A smoothed cost
# ---------------
# Lesson 002 smooths a noisy cost curve with an exponentially weighted mean,
# ``s_t = 0.8 s_(t-1) + 0.2 cost_t``. ``smoothing=0.8`` draws it over the raw
# curve (faint): SGD's noise ball, and its trend.
display = LossCurveDisplay.from_estimator(fits[1], smoothing=0.8)

# %%
# Time per epoch
# --------------
# ``history_`` records the time of every epoch. A batch epoch reads the data
# once; SGD reads it once too, but updates the parameters after every sample.
for fit in fits:
    seconds = np.diff(fit.history_["time"].to_numpy()).mean()
    print(f"{fit.solver:>9}: {fit.t_:>6} updates, {seconds * 1e6:7.1f} µs per epoch")

# %%
# The paths on the loss surface
# -----------------------------
# ``record="update"`` keeps the parameters after every update: SGD zigzags,
# each step following one sample; batch goes straight down the valley.
import matplotlib.pyplot as plt

from skgd.plotting import LossSurfaceDisplay

fig, axes = plt.subplots(1, 3, figsize=(13, 4), layout="constrained")
paths = []
for ax, solver in zip(axes, ["batch", "sgd", "minibatch"], strict=True):
    fit = GDRegressor(
        solver=solver,
        batch_size=32,
        learning_rate=0.05,
        max_iter=2 if solver == "sgd" else 30,
        tol=None,
        record="update",
        random_state=0,
    ).fit(X, y)
    LossSurfaceDisplay.from_estimator(
        fit, X, y, extent=[(-0.5, 2), (-0.5, 3)], ax=ax, path_kw={"markersize": 1}
    )
    ax.set_title(f"{solver}: {fit.t_} updates")
    paths.append(fit)

# %%
# The same paths, animated: SGD's zigzag next to batch's straight descent and
# minibatch's smaller wiggle (40 frames, each one 1/40 of every path).
display = LossSurfaceDisplay.from_estimator(
    paths[0], X, y, extent=[(-0.5, 2), (-0.5, 3)]
)
plt.close(display.figure_)
anim = display.animate(
    others=paths[1:], labels=["batch", "sgd", "minibatch"], frames=40, trail=True
)
