r"""
Batch, stochastic and mini-batch gradient descent
=================================================

This tutorial compares the three ways of turning the gradient of the mean
squared error into updates: all the samples at once, one sample, or a batch
of :math:`m` samples. It follows three lessons:

* lesson 001, an article on gradient descent whose title did not survive the
  copy, in its section 梯度下降的变种 (the variants of gradient descent) and its
  three headings 随机梯度下降(SGD), 批量梯度下降(BGD) and 小批量梯度下降(Mini-Batch
  GD). Only the headings survived (their content was images), so this
  tutorial writes out what they name;
* lesson 002, *PyTorch深度学习(一)【线性模型、梯度下降、随机梯度下降】*
  (PyTorch deep learning, part 1: linear model, gradient descent, stochastic
  gradient descent), in its sections 梯度下降 (gradient descent) and 随机梯度下降
  (stochastic gradient descent) and two of its asides (番外), on an
  exponentially weighted mean of the cost and on batches;
* lesson 003, *机器学习2* (machine learning 2), in its section 随机梯度下降算法
  (the stochastic gradient descent algorithm), which ends: 梯度下降算法可以并行化，
  随机梯度下降不行 (gradient descent can be parallelised, stochastic gradient
  descent cannot), and then introduces mini-batches.

It teaches:

* the three update rules as formulas, what each costs per update and per
  epoch, and the three rules in NumPy, checked against
  :class:`~skgd.GDRegressor` on the lessons' data;
* the three solvers side by side on the same data: the loss against epochs
  and against updates, the noise of SGD, and mini-batch in between;
* smoothing a noisy cost curve with an exponentially weighted mean;
* why the full-batch gradient can be summed on two threads and SGD's updates
  cannot, measured on data large enough for the second thread to pay.
"""

# %%
# Three update rules
# ------------------
# The model is a line, :math:`\hat y_i = w^\top x_i + b`, with :math:`d`
# features in :math:`x_i` and an intercept :math:`b`. The loss of one sample
# is its squared error and the cost is the mean of the :math:`N` losses, as in
# the lessons:
#
# .. math::
#
#    \ell_i(w, b) = (\hat y_i - y_i)^2, \qquad
#    J(w, b) = \frac{1}{N} \sum_{i=1}^{N} \ell_i(w, b) .
#
# The gradient of one loss is
#
# .. math::
#
#    \nabla_w \ell_i = 2 \, x_i (\hat y_i - y_i), \qquad
#    \frac{\partial \ell_i}{\partial b} = 2 \, (\hat y_i - y_i) ,
#
# and the gradient of the cost is the mean of these. The three solvers differ
# only in how many samples' gradients go into one update, made with the
# learning rate :math:`\alpha`.
#
# **Full batch** (lesson 001's BGD, lesson 002's 梯度下降): all :math:`N`
# samples, one update per epoch,
#
# .. math::
#
#    w \leftarrow w - \alpha \, \frac{2}{N} \sum_{i=1}^{N} x_i (\hat y_i - y_i),
#    \qquad
#    b \leftarrow b - \alpha \, \frac{2}{N} \sum_{i=1}^{N} (\hat y_i - y_i) .
#
# **Stochastic** (SGD, lesson 002's 随机梯度下降): one sample :math:`i`, one
# update per sample, so :math:`N` updates per epoch,
#
# .. math::
#
#    w \leftarrow w - \alpha \, 2 \, x_i (\hat y_i - y_i), \qquad
#    b \leftarrow b - \alpha \, 2 \, (\hat y_i - y_i) .
#
# **Mini-batch** (lesson 002's Batch aside, lesson 003's mini-batch): a batch
# :math:`B` of :math:`m` samples, :math:`\lceil N / m \rceil` updates per
# epoch (the last batch may be smaller),
#
# .. math::
#
#    w \leftarrow w - \alpha \, \frac{2}{|B|} \sum_{i \in B} x_i (\hat y_i - y_i),
#    \qquad
#    b \leftarrow b - \alpha \, \frac{2}{|B|} \sum_{i \in B} (\hat y_i - y_i) .
#
# With :math:`m = N` it is the full batch, with :math:`m = 1` SGD. In every
# update, :math:`\hat y_i` is the prediction of the parameters as they are
# before that update.
#
# What they cost
# ~~~~~~~~~~~~~~
# One sample's gradient costs about :math:`2d` multiplications and additions:
# :math:`d` for the prediction :math:`w^\top x_i`, and :math:`d` to add
# :math:`x_i (\hat y_i - y_i)` into the sum (for SGD, into :math:`w`).
#
# .. list-table::
#    :header-rows: 1
#
#    * - solver
#      - samples per update
#      - work per update
#      - updates per epoch
#      - work per epoch
#    * - full batch
#      - :math:`N`
#      - :math:`O(N d)`
#      - 1
#      - :math:`O(N d)`
#    * - SGD
#      - 1
#      - :math:`O(d)`
#      - :math:`N`
#      - :math:`O(N d)`
#    * - mini-batch
#      - :math:`m`
#      - :math:`O(m d)`
#      - :math:`\lceil N/m \rceil`
#      - :math:`O(N d)`
#
# Every epoch uses every sample once, so an epoch is about the same
# arithmetic for the three. What differs is what it buys: one exact step,
# :math:`N` cheap noisy ones, or :math:`\lceil N/m \rceil` in between.
# Lesson 002's Batch aside puts it in one line: 全都丢到一起,性能不好;全都分开呢,
# 时间复杂度不好 (all thrown in together, the performance is poor; all taken
# apart, the time complexity is poor), so take the samples in groups.
#
# The three rules in NumPy
# ~~~~~~~~~~~~~~~~~~~~~~~~
# One function makes the three: it walks through the data in order, a batch
# of ``batch_size`` rows at a time, and updates after each batch. We run one
# epoch of each on the lessons' data, :math:`x = (1, 2, 3)`, :math:`y = (2, 4,
# 6)`, from :math:`w = 1` without intercept, with :math:`\alpha = 0.01`, and
# make the same epoch with ``GDRegressor(shuffle=False)``, which visits the
# samples in data order as the lessons' loops do.
import numpy as np

from skgd import GDRegressor


def epoch_by_hand(X, y, w, b, lr, batch_size, fit_intercept=True):
    """One epoch in data order: one update per batch of ``batch_size`` rows."""
    for start in range(0, len(y), batch_size):
        Xb, yb = X[start : start + batch_size], y[start : start + batch_size]
        residual = Xb @ w + b - yb  # y_hat - y, before this update
        w = w - lr * 2 * Xb.T @ residual / len(yb)
        if fit_intercept:
            b = b - lr * 2 * residual.mean()
    return w, b


X3 = np.array([[1.0], [2.0], [3.0]])
y3 = np.array([2.0, 4.0, 6.0])
for solver, batch_size in [("batch", 3), ("sgd", 1), ("minibatch", 2)]:
    w_hand, _ = epoch_by_hand(X3, y3, np.array([1.0]), 0.0, 0.01, batch_size, False)
    fit = GDRegressor(
        solver=solver,
        batch_size=batch_size,
        learning_rate=0.01,
        max_iter=1,
        tol=None,
        shuffle=False,
        fit_intercept=False,
    ).fit(X3, y3, coef_init=[1.0])
    print(
        f"{solver:>9}: {fit.t_} update(s), w by hand {float(w_hand[0])!r}, "
        f"GDRegressor {float(fit.coef_[0])!r}"
    )

# %%
# The batch epoch gives the first ``w`` that the batch loops of lessons 000,
# 002 and 003 print (``epoch: 0 w= 1.0933333333333333``); the SGD epoch the
# first ``w`` of lesson 002's SGD loop (``progress: 0 w= 1.260688``). skgd
# agrees to the last digit. The lessons have no mini-batch code; with
# :math:`m = 2` the epoch makes two updates, on the samples 1 and 2, then on
# sample 3, and lands in between. The tutorial
# :ref:`sphx_glr_auto_examples_plot_06_sgd_in_data_order.py` runs lesson
# 002's SGD loop for all its 100 epochs.
#
# The three solvers on the same data
# ----------------------------------
# Now 500 noisy points around the line :math:`y = 1 + 2x`, and the three
# solvers with the same learning rate, 0.05, for 100 epochs, mini-batches of
# 32, and the samples reshuffled every epoch (skgd's default). With
# ``record="update"`` skgd keeps the parameters after every update, so we can
# compute the cost :math:`J` on all 500 points after each of them. The best
# line, the least-squares solution, has the cost :math:`J^\star`.
rng = np.random.default_rng(0)
X = rng.uniform(-1, 1, (500, 1))
y = 1 + 2 * X[:, 0] + 0.3 * rng.standard_normal(500)

solvers = ["batch", "sgd", "minibatch"]
fits = [
    GDRegressor(
        solver=solver,
        batch_size=32,
        learning_rate=0.05,
        max_iter=100,
        tol=None,
        random_state=0,
        record="update",
    ).fit(X, y)
    for solver in solvers
]


def cost_after_each_update(fit):
    """J on all the data at the parameters after every update (index 0: the
    start)."""
    predictions = fit.coef_history_ @ X.T + fit.intercept_history_[:, None]
    return np.mean((predictions - y) ** 2, axis=1)


costs = [cost_after_each_update(fit) for fit in fits]
X1 = np.column_stack([X, np.ones(len(y))])
best = np.linalg.lstsq(X1, y, rcond=None)[0]
J_star = np.mean((X1 @ best - y) ** 2)
print(f"J* = {J_star:.5f} at w = {best[0]:.4f}, b = {best[1]:.4f}")
for fit in fits:
    print(
        f"{fit.solver:>9}: {fit.history_['n_updates'].iloc[0]:>3} updates "
        f"per epoch, {fit.t_:>6} in 100 epochs"
    )

# %%
# Against epochs and against updates
# ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
# :class:`~skgd.plotting.LossCurveDisplay` draws ``loss_history_`` against the
# epoch (left). The solvers record it differently, and the legend says how:
# batch records the cost at the start of each epoch, before its update; SGD
# and mini-batch the mean of each sample's loss at the moment it was used,
# while the model moved. On the right, the same Display draws the cost
# :math:`J` after every update, one measure for the three, against the
# number of updates (batch's 100 updates are drawn with dots: mini-batch's
# first 100 lie almost on top of them).
import matplotlib.pyplot as plt

from skgd.plotting import LossCurveDisplay

fig, (ax_epochs, ax_updates) = plt.subplots(
    1, 2, figsize=(12, 4.5), layout="constrained"
)
LossCurveDisplay.from_estimator(fits, ax=ax_epochs, log_scale=True)
ax_epochs.set_title("Loss per epoch, as recorded (loss_history_)")
per_update = LossCurveDisplay(losses=[cost[1:] for cost in costs], names=solvers)
per_update.plot(ax=ax_updates, log_scale=True)
per_update.lines_[0].set(marker="o", markersize=3, linestyle="none")
ax_updates.axhline(J_star, color="gray", linestyle=":", label="J* (least squares)")
ax_updates.legend()
ax_updates.set(
    title="Cost on all the data after each update",
    xlabel="update",
    ylabel="cost J (mean squared error)",
)

# %%
# Per epoch (left), SGD is far ahead: it makes 500 updates in its first
# epoch, batch one. Per update (right), the three go down together: on
# average one sample's gradient is the full gradient, so an update of any
# kind moves the line by about as much. What differs is the price of an
# update: 500 samples' gradients for batch, 32 for mini-batch, one for SGD.
# Counted until the cost first comes within 10% of :math:`J^\star`:
batch_sizes = {"batch": [500], "sgd": [1] * 500, "minibatch": [32] * 15 + [20]}
for fit, cost in zip(fits, costs, strict=True):
    k = np.flatnonzero(cost < 1.1 * J_star)[0]  # updates made until then
    samples = np.tile(batch_sizes[fit.solver], 100)[:k].sum()
    print(
        f"{fit.solver:>9}: {k:>3} updates, {samples:>6} samples' gradients, "
        f"{samples / 500:6.2f} epochs"
    )

# %%
# About the same number of updates, but SGD gets there in less than a fifth
# of its first epoch, batch in 75 epochs. This is lesson 003's remark that on
# very large data SGD may reach an acceptable model before it has used all
# the samples (可能不用训练完所有的样本).
#
# The noise of SGD, and mini-batch in between
# ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
# Near the best line the full gradient is almost zero, but one sample's
# gradient is not: each sample pulls the line towards itself. With a constant
# learning rate SGD keeps jumping around :math:`J^\star` (the orange band on
# the right): a noise ball, which shrinks with the learning rate. A
# mini-batch's gradient is the mean of 32 samples' gradients, which varies
# much less than one sample's (its variance is about 1/32 as large), so its
# jumps are smaller. Over the last 50 epochs, the cost above :math:`J^\star`
# after each update:
for fit, cost in zip(fits[1:], costs[1:], strict=True):
    last = cost[len(cost) // 2 :] - J_star
    print(
        f"{fit.solver:>9}: mean {last.mean():.1e}, "
        f"from {last.min():.1e} to {last.max():.1e}"
    )
print("batch: the cost fell at every update:", bool(np.all(np.diff(costs[0]) < 0)))
print(f"batch: J - J* after its 100 updates: {costs[0][-1] - J_star:.1e}")

# %%
# Batch has no noise: its cost falls at every update, but after 100 epochs it
# is still above mini-batch's noise ball here. Mini-batch, in between, has
# both: many updates per epoch, and little noise.
#
# A smoothed cost
# ---------------
# Lesson 002 notes, in an aside, that an exponentially weighted mean
# (“指数加权均值”) makes the cost curve smoother. It names the method only: no
# formula and no weight. The usual definition, which the ``smoothing`` of
# ``LossCurveDisplay`` draws, keeps a running value :math:`s_t` with a weight
# :math:`\beta \in [0, 1)`:
#
# .. math::
#
#    s_1 = J_1, \qquad s_t = \beta \, s_{t-1} + (1 - \beta) \, J_t .
#
# Unrolled, :math:`s_t = (1 - \beta) \sum_{k=0}^{t-2} \beta^k J_{t-k} +
# \beta^{t-1} J_1`: each older value counts :math:`\beta` times less, and
# about the last :math:`1 / (1 - \beta)` values carry most of the weight. The
# weight is this tutorial's choice, not the lesson's: a larger :math:`\beta`
# smooths more, and lags further behind the raw curve where it falls. We
# smooth SGD's cost after every update, drawn as its distance to the best,
# :math:`J - J^\star`, on log axes, with :math:`\beta = 0.9` (about the last
# 10 updates) and :math:`\beta = 0.99` (about the last 100).
excess = costs[1][1:] - J_star
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained", sharey=True)
smoothed = {}
for ax, beta in zip(axes, [0.9, 0.99], strict=True):
    display = LossCurveDisplay(losses=[excess]).plot(
        ax=ax, log_scale=True, smoothing=beta
    )
    smoothed[beta] = display.lines_[0].get_ydata()
    ax.set(
        title=f"SGD's cost, smoothed with weight {beta}",
        xlabel="update",
        ylabel="J - J* (cost above the least-squares cost)",
    )

# %%
# The recursion written out gives the Display's curve:
beta = 0.99
s = np.empty_like(excess)
s[0] = excess[0]
for t in range(1, len(excess)):
    s[t] = beta * s[t - 1] + (1 - beta) * excess[t]
print("largest difference from the Display's curve:", np.abs(s - smoothed[beta]).max())

# %%
# The smoothed curves show the trend that the raw one hides: down, then flat,
# at the size of the noise ball. With :math:`\beta = 0.99` the line is
# smoother, and reaches the flat part some hundreds of updates after the raw
# curve: its lag. On log axes it runs above most raw points: it is an
# arithmetic mean, pulled up by the largest jumps, while the raw points reach
# far below it each time the line happens to pass close to the best one.
#
# The paths on the loss surface
# -----------------------------
# The parameters after every update, drawn on the contours of :math:`J` over
# :math:`(b, w)` by :class:`~skgd.plotting.LossSurfaceDisplay`: SGD zigzags,
# each step following one sample (its first 2 epochs, 1000 updates);
# mini-batch wiggles a little, and reaches the minimum in 30 epochs; batch
# moves smoothly, one step per epoch, and after 30 epochs is still well short
# of it.
from skgd.plotting import LossSurfaceDisplay

fig, axes = plt.subplots(1, 3, figsize=(13, 4), layout="constrained")
paths = []
for ax, solver in zip(axes, solvers, strict=True):
    path = GDRegressor(
        solver=solver,
        batch_size=32,
        learning_rate=0.05,
        max_iter=2 if solver == "sgd" else 30,
        tol=None,
        record="update",
        random_state=0,
    ).fit(X, y)
    LossSurfaceDisplay.from_estimator(
        path, X, y, extent=[(-0.5, 2), (-0.5, 3)], ax=ax, path_kw={"markersize": 1}
    )
    ax.set_title(f"{solver}: {path.t_} updates in {path.n_iter_} epochs")
    paths.append(path)

# %%
# The same paths, animated as a race: every frame shows the three paths after
# the same number of updates (20 frames, about 53 updates apart; a path that
# has ended stays at its end). Batch's 30 updates are over by the second
# frame, under mini-batch's first steps; mini-batch's 480 halfway through; SGD
# then goes on jumping around the minimum.
display = LossSurfaceDisplay.from_estimator(
    paths[0], X, y, extent=[(-0.5, 2), (-0.5, 3)]
)
plt.close(display.figure_)
anim = display.animate(others=paths[1:], labels=solvers, frames=20, trail=True)
anim.ax_.set_title("The three paths on the loss surface, racing")

# %%
# Why batch gradient descent parallelises and SGD does not
# --------------------------------------------------------
# Lesson 003: 梯度下降算法可以并行化，随机梯度下降不行 (gradient descent can be
# parallelised, SGD cannot). Lesson 002 says of SGD: 性能好,但时间复杂度太高,
# 没有并行性 (it performs well, but its time complexity is too high: no
# parallelism). The formulas show why.
#
# The full-batch gradient is a sum over the rows, all at the same parameters
# :math:`\theta = (w, b)`. With :math:`\tilde x_i = (x_i, 1)` and
# :math:`g_i(\theta) = \tilde x_i (\theta^\top \tilde x_i - y_i)`, the sum
# splits into two halves:
#
# .. math::
#
#    \nabla J(\theta) = \frac{2}{N} \Bigl(
#      \underbrace{\sum_{i=1}^{N/2} g_i(\theta)}_{\text{thread 1}}
#      + \underbrace{\sum_{i=N/2+1}^{N} g_i(\theta)}_{\text{thread 2}}
#    \Bigr) .
#
# Neither half needs the other: two threads sum them at the same time, one
# addition joins them, and one update follows. This is what ``n_jobs=2`` does
# for ``solver="batch"`` on dense data (skgd gives each thread at least 20,000
# rows; with fewer, it uses fewer threads).
#
# SGD's updates form a chain. Update :math:`k` uses the gradient of sample
# :math:`i_k` *at the parameters left by update* :math:`k - 1`:
#
# .. math::
#
#    \theta_k = \theta_{k-1} - 2 \alpha \, \tilde x_{i_k}
#      (\theta_{k-1}^\top \tilde x_{i_k} - y_{i_k}) .
#
# :math:`\theta_k` cannot be computed before :math:`\theta_{k-1}` is known,
# so the :math:`N` updates of an epoch run one after the other, however many
# cores there are. A mini-batch's :math:`m` gradients could be split, but its
# batches form the same chain, and 32 rows are too few to share out; skgd
# runs both stochastic solvers on one thread, whatever their ``n_jobs``.
# (Parallel variants of SGD exist, such as Hogwild!, whose threads update
# shared parameters without waiting for each other; they no longer compute
# this chain, but another sequence.)
#
# Two threads on 400,000 rows
# ~~~~~~~~~~~~~~~~~~~~~~~~~~~
# Threads only pay when each has enough work: here 400,000 rows of 50
# float64 features (160 MB). An epoch's time is measured as
# :math:`(t_{1+k} - t_1) / k`, where :math:`t_n` is the time of a fit of
# :math:`n` epochs (``tol=None``, so every fit runs all its epochs): the
# checks and set-up that every fit makes once cancel out. We take
# :math:`k = 10`, repeat three times, alternating the solvers so that a
# noisy moment of the machine hits them all, and keep the median. All fits
# visit the rows in data order (``shuffle=False``), as the lessons' loops do.
# We also measure the process's CPU time over the same :math:`k` epochs: CPU
# time per wall-clock time near 2 means that two cores were busy, near 1 one.
import time
import warnings

from sklearn.exceptions import ConvergenceWarning

rng = np.random.default_rng(1)
n_rows, n_features = 400_000, 50
X_big = rng.standard_normal((n_rows, n_features))
y_big = X_big @ rng.standard_normal(n_features) + rng.standard_normal(n_rows)

settings = {
    "batch, n_jobs=1": dict(solver="batch", n_jobs=1),
    "batch, n_jobs=2": dict(solver="batch", n_jobs=2),
    "minibatch (32)": dict(solver="minibatch", batch_size=32),
    "sgd": dict(solver="sgd"),
}


def timed_fit(n_epochs, params):
    """Wall-clock and CPU seconds of a fit of ``n_epochs`` epochs."""
    model = GDRegressor(
        learning_rate=0.001, max_iter=n_epochs, tol=None, shuffle=False, **params
    )
    with warnings.catch_warnings():
        # SGD and mini-batch reach their noise ball within the first epoch,
        # and skgd warns that the loss rose over the last epochs: true, and
        # beside the point here.
        warnings.simplefilter("ignore", ConvergenceWarning)
        wall, cpu = time.perf_counter(), time.process_time()
        model.fit(X_big, y_big)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert model.n_iter_ == n_epochs
    return wall, cpu


k = 10
for params in settings.values():  # a first fit of each, not timed
    timed_fit(1, params)
epoch_wall = {name: [] for name in settings}
epoch_cpu = {name: [] for name in settings}
for _ in range(3):
    for name, params in settings.items():
        wall_1, cpu_1 = timed_fit(1, params)
        wall_k, cpu_k = timed_fit(1 + k, params)
        epoch_wall[name].append((wall_k - wall_1) / k)
        epoch_cpu[name].append((cpu_k - cpu_1) / k)

header = ["updates/epoch", "epoch, median", "three runs (ms)", "CPU/wall"]
print(f"{'':17}{header[0]:>13}  {header[1]:>13}  {header[2]:>17}  {header[3]}")
for name, params in settings.items():
    updates = -(-n_rows // {"batch": n_rows, "sgd": 1}.get(params["solver"], 32))
    runs = " ".join(f"{t * 1e3:5.1f}" for t in epoch_wall[name])
    cpu_per_wall = np.median(np.divide(epoch_cpu[name], epoch_wall[name]))
    print(
        f"{name:17}{updates:>13,}  {np.median(epoch_wall[name]) * 1e3:>10.1f} ms"
        f"  {runs:>17}  {cpu_per_wall:8.2f}"
    )
ratio = np.median(epoch_wall["batch, n_jobs=1"]) / np.median(
    epoch_wall["batch, n_jobs=2"]
)
print(f"batch epoch: time with n_jobs=1 / time with n_jobs=2 = {ratio:.2f}")

# %%
# The last line is what the second thread gained in this run. It cannot
# exceed 2 and falls short of it, for reasons the formula leaves out: the two
# threads read ``X`` through the same memory, one thread adds the two halves
# and makes the update, and on a shared machine the second core is not always
# free (then ``n_jobs=2``'s CPU/wall is well below 2, and the ratio nearer 1).
# Read the ratio of the run in front of you, not a fixed number: it moves from
# run to run, and the three runs of each row show by how much.
#
# The stochastic solvers read the same rows, but make 12,500 or 400,000
# updates an epoch, a chain that a second core cannot shorten: their CPU/wall
# stays near 1. Per epoch they do about the same arithmetic as the batch
# solver, plus the bookkeeping of every update; the table gives their time
# next to the batch epoch's.
#
# Two threads, the same fit
# ~~~~~~~~~~~~~~~~~~~~~~~~~~
# Two threads add the rows in another order than one thread does, so the
# coefficients agree to the rounding of the sums, not bit for bit. SGD runs
# on one thread whatever ``n_jobs`` says, and gives the same bits:
common = dict(learning_rate=0.001, tol=None, shuffle=False)
one = GDRegressor(solver="batch", max_iter=5, n_jobs=1, **common).fit(X_big, y_big)
two = GDRegressor(solver="batch", max_iter=5, n_jobs=2, **common).fit(X_big, y_big)
print(
    "batch, 5 epochs: largest |coef(n_jobs=1) - coef(n_jobs=2)| =",
    np.abs(one.coef_ - two.coef_).max(),
)
one = GDRegressor(solver="sgd", max_iter=1, n_jobs=1, **common).fit(X_big, y_big)
two = GDRegressor(solver="sgd", max_iter=1, n_jobs=2, **common).fit(X_big, y_big)
print("sgd, 1 epoch: the same coefficients:", np.array_equal(one.coef_, two.coef_))
