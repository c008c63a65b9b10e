"""
Choosing the learning rate
==========================

This tutorial follows lesson 001, an article on gradient descent whose own
title did not survive the copy, and its section *如何选择学习率?* (how to
choose the learning rate?). The lesson names three ways, in words and without
code:

* *网格搜索* (grid search): try several learning rates and keep the one that
  does best on a validation set;
* *学习率衰减* (learning-rate decay): start with a large learning rate and
  make it smaller as training goes on;
* *自适应学习率* (adaptive learning rates): Adam, Adagrad or RMSprop, which
  adjust the step to the gradients they see.

It teaches, in this order:

* why the step matters, on the lesson's own function
  :math:`J(\\theta) = (\\theta - 2.5)^2 - 1` and its loop: too small a step is
  slow, too large a step diverges;
* the safe step :math:`1/L` that ``learning_rate="auto"`` computes, and where
  :math:`L` comes from;
* a grid search with scikit-learn's ``GridSearchCV``, and the learning-rate
  range test of :func:`skgd.find_learning_rate`;
* the schedules of :mod:`skgd.schedules`, their formulas, and a case where
  decay matters: stochastic gradient descent with a constant step stalls in a
  "noise ball" around the optimum, a decaying step settles into it;
* Adagrad, RMSprop and Adam, their update formulas, and a comparison on one
  problem.
"""

# %%
# Why the step matters
# --------------------
# The lesson minimises :math:`J(\theta) = (\theta - 2.5)^2 - 1` from
# :math:`\theta = 0` with the learning rate :math:`\eta = 0.1`, stopping when
# one step changes :math:`J` by less than :math:`\epsilon = 10^{-8}`. Each
# step is
#
# .. math::
#
#    \theta_{k+1} = \theta_k - \eta \, J'(\theta_k), \qquad
#    J'(\theta) = 2 (\theta - 2.5) .
#
# Subtracting the minimum :math:`\theta^\star = 2.5` from both sides shows
# what the learning rate does: every step multiplies the distance to the
# minimum by the same factor,
#
# .. math::
#
#    \theta_{k+1} - 2.5 = (1 - 2\eta)\,(\theta_k - 2.5) .
#
# * :math:`0 < \eta < 0.5`: the factor is between 0 and 1; :math:`\theta`
#   walks towards 2.5 from one side, slowly when :math:`\eta` is small;
# * :math:`\eta = 0.5`: the factor is 0, one step lands on the minimum;
# * :math:`0.5 < \eta < 1`: the factor is between :math:`-1` and 0;
#   :math:`\theta` jumps across the minimum at every step, and still
#   converges;
# * :math:`\eta = 1`: the factor is :math:`-1`, :math:`\theta` bounces
#   between 0 and 5 for ever;
# * :math:`\eta > 1`: the factor is below :math:`-1`, each jump is longer than
#   the one before: gradient descent diverges.
#
# Here is the lesson's loop (its functions ``dj`` and ``j``, with the typos
# of the copy fixed), wrapped in a function of ``eta``. One change, marked:
# a cap on the number of steps, since with :math:`\eta > 1` the lesson's loop
# never ends.
import numpy as np


def dj(theta):
    return 2 * (theta - 2.5)  # the derivative


def j(theta):
    return (theta - 2.5) ** 2 - 1  # the value of J


def lesson_loop(eta, max_steps=1000):
    theta = 0.0
    epsilon = 1e-8
    theta_history = [theta]
    while True:
        gradient = dj(theta)
        last_theta = theta
        theta = theta - gradient * eta
        theta_history.append(theta)
        if np.abs(j(theta) - j(last_theta)) < epsilon:
            break
        if len(theta_history) > max_steps:  # added: stop a diverging loop
            break
    return theta_history


# %%
# With the lesson's :math:`\eta = 0.1` it prints what the lesson's code
# prints: :math:`\theta`, :math:`J'(\theta)`, :math:`J(\theta)`, and the
# length of ``theta_history``, 46 (the start and 45 steps).
theta_history = lesson_loop(0.1)
theta = theta_history[-1]
print(theta)
print(dj(theta))
print(j(theta))
print(len(theta_history))

# %%
# :func:`skgd.minimize` runs the same loop (``tol`` is the lesson's
# :math:`\epsilon`) and keeps the path in ``x_path``. For six learning rates,
# the lesson's loop and ``minimize`` take the same number of steps to the same
# :math:`\theta`:
from skgd import minimize

paths = {}
for eta in [0.01, 0.1, 0.5, 0.9, 1.0, 1.1]:
    loop_path = lesson_loop(eta)
    result = minimize(j, 0.0, jac=dj, learning_rate=eta, tol=1e-8, max_iter=1000)
    paths[eta] = result.x_path
    print(
        f"eta = {eta:<4}: lesson {len(loop_path) - 1:4d} steps, theta = "
        f"{loop_path[-1]:.6g}; minimize {result.nit:4d} steps, theta = "
        f"{result.x:.6g}"
    )

# %%
# The table reads like the formula:
#
# * :math:`\eta = 0.01` (factor 0.98) needs 423 steps, nine times more than
#   the lesson's 0.1 (factor 0.8);
# * :math:`\eta = 0.5` lands on 2.5 at the first step (the second step
#   changes nothing, and the loop stops);
# * :math:`\eta = 0.9` (factor :math:`-0.8`) takes exactly the 45 steps of
#   :math:`\eta = 0.1`, from the other side of the minimum: the distance
#   shrinks by 0.8 per step in both cases;
# * :math:`\eta = 1` stops after one step at :math:`\theta = 5`, far from the
#   minimum. :math:`J(5) = J(0)`, so the change of :math:`J` is 0 and the
#   lesson's stopping rule is fooled: a small change of :math:`J` does not
#   prove that :math:`\theta` is near the minimum;
# * :math:`\eta = 1.1` (factor :math:`-1.2`) is at :math:`|\theta| \approx
#   4 \times 10^{79}` after 1000 steps. ``minimize`` stops at its
#   ``max_iter``; it reports divergence (``status`` 2) only once
#   :math:`J` or :math:`\theta` is no longer a finite number.
#
# The paths on the lesson's curve, drawn as the lesson draws its path (red
# stars) by :class:`~skgd.plotting.LossSurfaceDisplay`:
import matplotlib.pyplot as plt

from skgd.plotting import LossSurfaceDisplay

fig, axes = plt.subplots(2, 2, figsize=(10, 7))
panels = [
    (0.01, 40, [(-1.0, 6.0)], "eta = 0.01: slow (first 40 of 423 steps)"),
    (0.1, 46, [(-1.0, 6.0)], "eta = 0.1, the lesson's: 45 steps"),
    (0.9, 46, [(-1.0, 6.0)], "eta = 0.9: across the minimum, 45 steps"),
    (1.1, 7, [(-6.0, 11.0)], "eta = 1.1: diverges (first 6 steps)"),
]
for ax, (eta, n_points, extent, title) in zip(axes.flat, panels, strict=True):
    LossSurfaceDisplay.from_function(
        j,
        paths[eta][:n_points],
        extent=extent,
        ax=ax,
        path_kw={"color": "r", "marker": "*"},
    )
    ax.set(title=title, xlabel="theta", ylabel="J(theta)")
fig.suptitle("The lesson's J(theta) = (theta - 2.5)^2 - 1 from theta = 0")
fig.tight_layout()

# %%
# The safe step: ``learning_rate="auto"``
# ---------------------------------------
# The lesson's :math:`J` has the second derivative :math:`J'' = 2` everywhere.
# The borders of the table are fractions of it: :math:`\eta = 1/J'' = 0.5`
# lands in one step, :math:`\eta = 2/J''` is the edge of divergence. The same
# holds for a model with many parameters, with the *largest curvature* in
# place of :math:`J''`.
#
# The lessons' cost is the mean squared error of a linear model. Write
# :math:`\tilde x_i = (x_i, 1)` for a sample with a 1 appended for the
# intercept, and :math:`\theta = (w, b)`. Then
#
# .. math::
#
#    J(\theta) = \frac{1}{n} \sum_{i=1}^n (\tilde x_i^T \theta - y_i)^2, \qquad
#    \nabla J(\theta) = \frac{2}{n} \sum_{i=1}^n \tilde x_i
#      (\tilde x_i^T \theta - y_i), \qquad
#    \nabla^2 J = 2C, \quad C = \frac{1}{n} \sum_{i=1}^n \tilde x_i
#      \tilde x_i^T .
#
# :math:`C` is the (uncentred) covariance of the rows. The cost is a
# quadratic, so the error :math:`e_k = \theta_k - \theta^\star` of gradient
# descent obeys :math:`e_{k+1} = (I - 2\eta C)\, e_k`, and along an
# eigenvector of :math:`C` with eigenvalue :math:`\lambda_j` it is multiplied
# by :math:`1 - 2\eta\lambda_j` at every epoch: the lesson's factor
# :math:`1 - 2\eta`, once per direction. The largest curvature, the Lipschitz
# constant of the gradient, is
#
# .. math::
#
#    L = 2\,\lambda_{\max}(C) ,
#
# and gradient descent converges when every factor lies in :math:`(-1, 1)`,
# that is for :math:`\eta < 2/L`. ``learning_rate="auto"`` takes
#
# .. math::
#
#    \eta = \frac{1}{L} = \frac{1}{2\,\lambda_{\max}(C)} ,
#
# the lesson's :math:`\eta = 0.5` for its :math:`J`. With it the steepest
# direction is solved in one epoch, and the cost falls at every epoch (by at
# least :math:`\lVert \nabla J \rVert^2 / (2L)`, the "descent lemma"). skgd finds
# :math:`\lambda_{\max}` by power iteration (repeated products with
# :math:`C`, without forming it), stopped at a relative change of
# :math:`10^{-4}`.
#
# The data for the rest of this section and the grid search: scikit-learn's
# diabetes data set (442 patients, 10 features), standardised. Here is
# :math:`C` built with NumPy next to the step :class:`~skgd.GDRegressor`
# chose, ``learning_rate_``:
import warnings

from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skgd import GDRegressor

X, y = load_diabetes(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
Xs_train = StandardScaler().fit(X_train).transform(X_train)

n = len(Xs_train)
X_tilde = np.hstack([Xs_train, np.ones((n, 1))])  # a 1 for the intercept
C = X_tilde.T @ X_tilde / n
eigenvalues = np.linalg.eigvalsh(C)  # in increasing order
L = 2 * eigenvalues[-1]

auto = GDRegressor(solver="batch", max_iter=100, tol=None).fit(Xs_train, y_train)
print(f"lambda_max(C) = {eigenvalues[-1]:.6f}, L = {L:.6f}")
print(f"1 / L, NumPy:            {1 / L:.6f}")
print(f"learning_rate_, 'auto':  {auto.learning_rate_:.6f}")

# %%
# (The last digits differ: power iteration approaches :math:`\lambda_{\max}`
# from below and stops at a relative change of :math:`10^{-4}`.)
#
# The stochastic solvers see one sample (or one batch) per update, whose
# curvature can be larger than the mean's: for ``solver="sgd"`` the step is
# :math:`1 / \max_i 2\lVert \tilde x_i \rVert^2`, the largest curvature of one
# sample's loss; ``"minibatch"`` takes a step in between (see
# :class:`~skgd.GDRegressor`'s ``learning_rate``).
one_epoch = GDRegressor(solver="sgd", max_iter=1, tol=None).fit(Xs_train, y_train)
largest = np.max(2 * np.sum(X_tilde**2, axis=1))
print(f"sgd: 1 / max_i 2 |x_i|^2 = {1 / largest:.6f}")
print(f"sgd: learning_rate_      = {one_epoch.learning_rate_:.6f}")

# %%
# Safe is not fast. The smallest eigenvalue sets the slowest factor,
# :math:`1 - \lambda_{\min}/\lambda_{\max}` at :math:`\eta = 1/L`. Four of
# the diabetes features, the blood serum measurements ``s1``, ``s2``, ``s3``
# and ``s5``, are nearly linearly dependent (``s1`` and ``s2`` alone have a
# correlation of 0.89), so :math:`C` has a tiny eigenvalue, whose eigenvector
# mixes them, and a large condition number :math:`\kappa = \lambda_{\max} /
# \lambda_{\min}`:
kappa = eigenvalues[-1] / eigenvalues[0]
slowest = np.linalg.eigh(C)[1][:, 0]
columns = [*load_diabetes().feature_names, "intercept"]
large = {
    name: round(float(v), 2)
    for name, v in zip(columns, slowest, strict=True)
    if abs(v) > 0.1
}
print("the slowest direction's large entries:", large)
print(f"condition number {kappa:.0f}: the slowest direction shrinks by "
      f"{1 - 1 / kappa:.5f} per epoch at eta = 1/L")  # fmt: skip

# %%
# The loss per epoch for four multiples of :math:`1/L`, 100 epochs of batch
# gradient descent each. The optimum is
# :class:`~sklearn.linear_model.LinearRegression`'s; the figure shows the
# loss above it, on logarithmic axes:
#
# * at :math:`0.1/L` each factor is ten times closer to 1 (for the flat
#   directions, :math:`1 - 0.1\lambda_j/\lambda_{\max}` instead of
#   :math:`1 - \lambda_j/\lambda_{\max}`): 100 epochs get about as far as 10
#   at :math:`1/L`;
# * at :math:`1/L` the loss falls at every epoch;
# * at :math:`1.9/L` the steepest direction overshoots at every epoch (factor
#   :math:`-0.9`), but the slow directions move 1.9 times as fast, and the
#   fit ends lower than at :math:`1/L`;
# * at :math:`2.1/L` the steepest direction's error is multiplied by
#   :math:`-1.1` per epoch. The loss first falls, as the other directions
#   still converge, then grows without bound: the fit diverges. skgd stops it,
#   warns (silenced here), and says so in ``stop_reason_``.
from skgd.plotting import LossCurveDisplay

best_loss = np.mean(
    (LinearRegression().fit(Xs_train, y_train).predict(Xs_train) - y_train) ** 2
)
multiples = [0.1, 1.0, 1.9, 2.1]
fits = []
for multiple in multiples:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 2.1 / L diverges
        fit = GDRegressor(
            solver="batch", learning_rate=multiple / L, max_iter=100, tol=None
        ).fit(Xs_train, y_train)
    fits.append(fit)
    print(
        f"eta = {multiple} / L: stop_reason_ = {fit.stop_reason_!r} after "
        f"{fit.n_iter_} epochs, last loss {fit.loss_history_[-1]:.6g}"
    )
print(f"LinearRegression's loss: {best_loss:.6g}")
print(
    "at 1/L, the loss fell at every epoch:",
    bool(np.all(np.diff(fits[1].loss_history_) < 0)),
)
slow, safe = fits[0].loss_history_[99], fits[1].loss_history_[9]
print(f"above the optimum: 0.1/L at epoch 100 {slow - best_loss:.0f}, "
      f"1/L at epoch 10 {safe - best_loss:.0f}")  # fmt: skip

# %%
display = LossCurveDisplay(
    losses=[fit.loss_history_ - best_loss for fit in fits],
    names=[f"eta = {multiple} / L" for multiple in multiples],
).plot(log_scale=True)
display.ax_.set(
    ylabel="loss at the epoch's start - optimum's loss",
    title="Batch gradient descent on diabetes, four steps",
)


# %%
# Choosing by grid search
# -----------------------
# The lesson's first way: try several learning rates, and keep the one that
# does best on data the fit did not see. scikit-learn's
# :class:`~sklearn.model_selection.GridSearchCV` does this with
# cross-validation: it splits the training set into 5 folds, fits each
# candidate on 4 of them and scores it on the fifth (the validation set),
# five times, and ranks the candidates by their mean score (:math:`R^2` for a
# regressor). The scaler goes into a
# :class:`~sklearn.pipeline.Pipeline` with the model, so that it is fitted on
# the training folds only.
#
# We give every candidate the same budget, 20 epochs of batch gradient
# descent, so that the search measures how far each step gets. The grid
# spans :math:`10^{-3}` to 1 and includes ``"auto"`` itself. Candidates above
# :math:`2/L \approx 0.24` diverge: they warn (silenced here), keep the best
# parameters they saw before their loss blew up, and score badly.
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

model = make_pipeline(
    StandardScaler(), GDRegressor(solver="batch", max_iter=20, tol=None)
)
grid = {
    "gdregressor__learning_rate": [0.001, 0.003, 0.01, 0.03, 0.1, "auto", 0.2, 0.3, 1.0]
}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    search = GridSearchCV(model, grid, cv=5).fit(X_train, y_train)

table = pd.DataFrame(search.cv_results_)[
    [
        "param_gdregressor__learning_rate",
        "mean_test_score",
        "std_test_score",
        "rank_test_score",
    ]
]
table.columns = ["learning_rate", "mean validation R2", "std", "rank"]
print(table.to_string(index=False, float_format="{:.4f}".format))
chosen = search.best_params_["gdregressor__learning_rate"]
print(f"best: {chosen}, test R2 {search.score(X_test, y_test):.4f}")
exact = make_pipeline(StandardScaler(), LinearRegression()).fit(X_train, y_train)
print(f"LinearRegression, test R2 {exact.score(X_test, y_test):.4f}")

# %%
# The table shows the two ways to fail. Steps up to 0.01 are too small: after
# 20 epochs the model is still far from the data (a negative :math:`R^2`
# predicts worse than the mean of :math:`y`). Steps of 0.3 and 1 are above
# :math:`2/L`. In between, 0.1, ``"auto"`` (0.118 to 0.123 on the five
# folds) and 0.2 score within a small fraction of their spread across the
# folds (the ``std`` column): the search finds the range that works, and
# which of the three wins is noise. The chosen model scores as well on the
# test set as the exact least-squares solution; both score lower there than
# on the validation folds because this test set is harder, whatever the
# learning rate.
#
# A grid search costs one fit per candidate and fold, 45 fits here, and then
# one more on the whole training set (``refit``).
#
# The learning-rate range test
# ----------------------------
# :func:`skgd.find_learning_rate` picks a learning rate from *one* short fit
# (the "learning-rate range test" of Leslie Smith, as fastai's ``lr_find``):
# epoch :math:`k` of :math:`K = 60` runs with the step
#
# .. math::
#
#    \eta_k = \eta_{\min} \left(\frac{\eta_{\max}}{\eta_{\min}}\right)^{k / (K - 1)},
#    \qquad \eta_{\min} = 10^{-5}, \quad \eta_{\max} = 10 ,
#
# growing by the same factor every epoch, and the test records the training
# loss reached after each. It stops once the loss exceeds four times its
# lowest value. The loss falls slowly while the step is small, faster as it
# grows, then blows up; the test suggests a tenth of the step with the
# lowest loss, a large step safely below the blow-up.
# :class:`~skgd.plotting.LearningRateFinderDisplay` runs it and draws it.
from skgd import find_learning_rate
from skgd.plotting import LearningRateFinderDisplay

display = LearningRateFinderDisplay.from_estimator(model, X_train, y_train)
display.ax_.set_title("Learning-rate range test, batch gradient descent on diabetes")
display.ax_.set_yscale("log")
lowest = display.learning_rates[np.argmin(display.losses)]
print(f"lowest loss at the step {lowest:.3g}; suggested {display.suggestion:.3g}")
print(f"'auto' 1/L = {1 / L:.3g}, 2/L = {2 / L:.3g}, grid search: {chosen}")

# %%
# The test's losses are not those of fits at a fixed step: each is reached
# after all the smaller steps before it. That is why the lowest loss comes
# at a step above :math:`2/L`: the first steps above :math:`2/L` amplify an
# error along the steepest direction that the earlier steps had made tiny,
# while they still shrink the errors along the flatter directions, so the
# loss keeps falling for a few epochs before it blows up. A tenth of that
# step is a rule of thumb. Here the suggestion is a little below the steps
# the grid search ranked first, and below :math:`1/L`; scored on the same
# five folds with the same 20 epochs it does almost as well as they do.
# ``find_learning_rate`` gives the same numbers without the plot
# (``.suggestion``, ``.learning_rates``, ``.losses``).
from sklearn.model_selection import cross_val_score

result = find_learning_rate(model, X_train, y_train)
model_at_suggestion = clone(model).set_params(
    gdregressor__learning_rate=result.suggestion
)
scores = cross_val_score(model_at_suggestion, X_train, y_train, cv=5)
print(f"find_learning_rate: {result.suggestion:.3g}, {len(result.losses)} epochs kept")
print(f"mean validation R2 at the suggestion: {scores.mean():.4f}")

# %%
# Decay: learning-rate schedules
# ------------------------------
# The lesson's second way: start with a large step and shrink it as training
# goes on. In skgd a schedule, the estimator's ``lr_schedule``, multiplies
# the learning rate :math:`\eta` by a factor :math:`m(e)` in epoch :math:`e`
# (counted from 0, as PyTorch's ``LambdaLR``): the step of epoch :math:`e` is
# :math:`\eta_e = \eta \, m(e)`, and ``history_["learning_rate"]`` records it.
# The schedules of :mod:`skgd.schedules`, with the settings used below
# (:math:`T` is ``max_iter``, the number of epochs):
#
# * ``Constant()``: :math:`\eta_e = \eta`;
# * ``InverseScaling(power_t=0.5)``: :math:`\eta_e = \eta\,(e + 1)^{-0.5}`;
# * ``Exponential(gamma=0.95)``: :math:`\eta_e = \eta \cdot 0.95^{e}`;
# * ``Step(step_size=25, gamma=0.1)``:
#   :math:`\eta_e = \eta \cdot 0.1^{\lfloor e / 25 \rfloor}`;
# * ``Cosine()``: :math:`\eta_e = \eta \cdot \tfrac12 \left(1 + \cos(\pi e /
#   T)\right)`, from :math:`\eta` down to 0 at the end of the fit;
# * ``Adaptive()``: :math:`\eta`, multiplied by 0.2 each time the loss has not
#   improved by ``tol`` for 5 epochs in a row; the fit stops once the step
#   would fall below :math:`10^{-6}`;
# * ``Optimal(alpha=0.01, t0=1000)``: :math:`\eta_t = \eta / (\alpha (t_0 +
#   t))`, :math:`t` the number of updates made before this one.
#
# ``Adaptive`` reacts to the loss (it is scikit-learn's ``"adaptive"``, and
# needs a ``tol``); the others are fixed in advance. ``Optimal`` is
# scikit-learn's ``"optimal"``, the default of its ``SGDClassifier``. It
# counts updates, not epochs, so its step decays within an epoch too, and it
# is the step itself: ``learning_rate`` multiplies it (1 here, so that its
# first step is :math:`1/(0.01 \cdot 1000) = 0.1`). By default it takes
# :math:`\alpha` from the estimator and :math:`t_0` from scikit-learn's
# heuristic, made for a penalised classifier; on the regression below that
# first step is 5.9, and the fit diverges (printed below).
#
# The problem: per-sample SGD (``solver="sgd"``, one update per sample, in a
# fresh random order every epoch) on the data of lesson 004, :math:`y = 1 +
# 2x + \varepsilon` with noise :math:`\varepsilon \sim 0.1\,\mathcal N(0,
# 1)`, 80 training samples, made as that lesson makes them (see
# :ref:`sphx_glr_auto_examples_plot_04_learning_rate_and_scaling.py`). Every
# fit starts with the step :math:`\eta = 0.1` and runs 100 epochs.
from skgd.schedules import (
    Adaptive,
    Constant,
    Cosine,
    Exponential,
    InverseScaling,
    Optimal,
    Step,
)

true_b = 1
true_w = 2
N = 100
# generate the data
np.random.seed(42)
x = np.random.rand(N, 1)
epsilon = 0.1 * np.random.randn(N, 1)
y = true_b + true_w * x + epsilon
# shuffle the samples
idx = np.arange(N)
np.random.shuffle(idx)
# the first 80 samples are the training set (the lesson keeps the rest for
# validation; we do not use it)
train_idx = idx[: int(N * 0.8)]
x_train, y_train_004 = x[train_idx], y[train_idx].ravel()  # 1-D targets

schedules = {
    "constant": (0.1, Constant(), None),
    "invscaling": (0.1, InverseScaling(power_t=0.5), None),
    "exponential": (0.1, Exponential(gamma=0.95), None),
    "step": (0.1, Step(step_size=25, gamma=0.1), None),
    "cosine": (0.1, Cosine(), None),
    "adaptive": (0.1, Adaptive(), 1e-4),
    "optimal": (1.0, Optimal(alpha=0.01, t0=1000.0), None),
}


def sgd_fit(learning_rate, schedule, tol, seed=0):
    return GDRegressor(
        solver="sgd",
        learning_rate=learning_rate,
        lr_schedule=schedule,
        max_iter=100,
        tol=tol,
        random_state=seed,
    ).fit(x_train, y_train_004)


schedule_fits = {name: sgd_fit(*settings) for name, settings in schedules.items()}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    default_optimal = sgd_fit("auto", "optimal", None)
print(
    f"lr_schedule='optimal' with its defaults: first step "
    f"{default_optimal.history_['learning_rate'].iloc[0]:.3g}, "
    f"stop_reason_ {default_optimal.stop_reason_!r}"
)
for name, fit in schedule_fits.items():
    steps = fit.history_["learning_rate"]
    print(
        f"{name:>11}: step of epochs 1, 2, 26, 100: "
        + ", ".join(f"{steps.get(e, np.nan):.3g}" for e in [1, 2, 26, 100])
        + f"  ({fit.stop_reason_}, {fit.n_iter_} epochs)"
    )

# %%
# ``history_`` numbers the epochs from 1, so its epoch :math:`k` is the
# formulas' :math:`e = k - 1`. On a logarithmic axis the steps can be told
# apart: the constant line; the inverse square root, which falls fast at
# first and then ever more slowly; the exponential, a straight line; the
# staircase of ``Step``; the cosine, flat at first and falling to 0 at the
# end; ``Adaptive``, whose drops come when the noisy per-epoch loss stops
# improving, and which stops once its step would fall below
# :math:`10^{-6}`; and ``Optimal``'s :math:`0.1 / (1 + 0.08 e)` (80 updates
# per epoch).
fig, ax = plt.subplots(figsize=(8, 5))
styles = ["-", "--", "-.", ":", "-", "--", "-."]
for (name, fit), style in zip(schedule_fits.items(), styles, strict=True):
    steps = fit.history_["learning_rate"]
    ax.plot(steps.index, steps, style, linewidth=2, label=name)
ax.set(
    yscale="log",
    xlabel="epoch",
    ylabel="step (history_['learning_rate'])",
    title="The step of every epoch under each schedule, from 0.1",
)
_ = ax.legend()

# %%
# A case where the schedule matters: the noise ball
# -------------------------------------------------
# Per-sample SGD moves with the gradient of *one* sample's loss,
#
# .. math::
#
#    \theta \leftarrow \theta - \eta_e \, g_i(\theta), \qquad
#    g_i(\theta) = 2\, \tilde x_i \, (\tilde x_i^T \theta - y_i) .
#
# At the optimum :math:`\theta^\star` (here
# :class:`~sklearn.linear_model.LinearRegression`'s) the *mean* of the
# :math:`g_i` is zero, but each :math:`g_i` is not: the residuals
# :math:`\tilde x_i^T \theta^\star - y_i` are the noise :math:`\varepsilon`,
# which no line can fit. So even at the optimum every update kicks
# :math:`\theta` away by :math:`\eta_e\, g_i(\theta^\star)`, and with a
# constant step SGD never settles: it wanders in a region around
# :math:`\theta^\star`, the "noise ball", whose size grows with the step.
# A step that shrinks to 0 shrinks the kicks, and the iterate settles. (The
# classical conditions of Robbins and Monro, :math:`\sum_t \eta_t = \infty`
# and :math:`\sum_t \eta_t^2 < \infty`, guarantee it; ``Optimal``'s
# :math:`1/(\alpha (t_0 + t))` meets both.)
lin = LinearRegression().fit(x_train, y_train_004)
theta_star = np.r_[lin.intercept_, lin.coef_]
X_tilde_004 = np.hstack([np.ones((80, 1)), x_train])  # intercept first
per_sample = 2 * X_tilde_004 * (X_tilde_004 @ theta_star - y_train_004)[:, None]
print(f"theta* = (b, w) = {theta_star}")
print(f"mean of the g_i at theta*: {per_sample.mean(axis=0)}")
print(f"largest |g_i| at theta*:   {np.linalg.norm(per_sample, axis=1).max():.3f}")

# %%
# For each fit we measure, after every epoch, the training loss above the
# optimum's, :math:`J(\theta_e) - J(\theta^\star)`, and the distance
# :math:`\lVert \theta_e - \theta^\star \rVert`, from ``coef_history_`` and
# ``intercept_history_`` (the parameters at the start and after every epoch).
# One fit is noisy, so each curve is the median over 20 fits with different
# shuffles (``random_state`` 0 to 19). We add a constant step ten times
# smaller, 0.01, to the schedules above.
best_loss_004 = np.mean((lin.predict(x_train) - y_train_004) ** 2)


def excess_and_distance(fit):
    params = np.column_stack([fit.intercept_history_, fit.coef_history_])
    losses = np.mean((params @ X_tilde_004.T - y_train_004) ** 2, axis=1)
    return losses - best_loss_004, np.linalg.norm(params - theta_star, axis=1)


compared = {
    "constant 0.1": schedules["constant"],
    "constant 0.01": (0.01, Constant(), None),
}
compared |= {
    name: schedules[name]
    for name in ["invscaling", "exponential", "step", "cosine", "adaptive", "optimal"]
}
medians = {}
with warnings.catch_warnings():
    # the constant step's noisy losses rise at times and warn; we measure them
    warnings.simplefilter("ignore", ConvergenceWarning)
    for name, settings in compared.items():
        runs = [
            excess_and_distance(sgd_fit(*settings, seed=seed)) for seed in range(20)
        ]
        length = min(len(excess) for excess, _ in runs)  # adaptive stops early
        medians[name] = (
            np.median([excess[:length] for excess, _ in runs], axis=0),
            np.median([distance[:length] for _, distance in runs], axis=0),
        )
for name, (excess, distance) in medians.items():
    print(
        f"{name:>13}: after epoch 10 {distance[10]:.1e}, after the last "
        f"({len(distance) - 1}) {distance[-1]:.1e} from theta*; loss above "
        f"the optimum's {excess[-1]:.1e}"
    )

# %%
fig, (ax_loss, ax_dist) = plt.subplots(1, 2, figsize=(12, 5))
colors = {name: f"C{k}" for k, name in enumerate(schedules)}
shown = ["constant 0.1", "constant 0.01", "exponential", "step", "cosine"]
for name in shown:
    excess, distance = medians[name]
    color = colors.get(name, colors["constant"])
    style = "--" if name == "constant 0.01" else "-"
    ax_loss.plot(excess, style, color=color, label=name)
    ax_dist.plot(distance, style, color=color, label=name)
ax_loss.set(
    yscale="log",
    xlabel="epoch",
    ylabel="J(theta) - J(theta*) after the epoch",
    title="Training loss above the optimum (median of 20 fits)",
)
ax_dist.set(
    yscale="log",
    xlabel="epoch",
    ylabel="|theta - theta*| after the epoch",
    title="Distance to LinearRegression's optimum (median of 20 fits)",
)
ax_loss.legend()
fig.tight_layout()

# %%
# The constant 0.1 reaches its noise ball within 5 epochs and stays there,
# about :math:`2 \times 10^{-2}` from :math:`\theta^\star`. The constant 0.01
# has a smaller ball, but needs about 50 epochs to reach it. The decaying
# schedules start as fast as 0.1, and their ball shrinks with their step:
#
# * ``Exponential`` ends about 170 times closer than the constant 0.1, and 14
#   times closer than the constant 0.01;
# * ``Step``'s drops at epochs 25, 50 and 75 show as drops of the distance;
#   after the last one its step, :math:`10^{-4}`, is too small to move it
#   much, and it stays near :math:`6 \times 10^{-4}`;
# * ``Cosine`` stays in the large ball while its step is near 0.1, and falls
#   in its last 40 epochs, to :math:`4 \times 10^{-4}`;
# * ``InverseScaling`` and ``Optimal`` (not drawn) decay slowly: their step
#   is still 0.01 at epoch 100, and they end about as close as the constant
#   0.01, which they beat by far in the first epochs (after epoch 10: 0.009
#   and 0.015 against 0.38). Theirs is the decay theory asks for, and it
#   pays over many more epochs;
# * ``Adaptive`` (not drawn) stops early, its step below :math:`10^{-6}`
#   (the shortest of its 20 fits after 45 epochs, where its medians end),
#   about as close as the constant 0.01 gets in 100.
#
# For prediction the difference is small here: the constant step's training
# loss is 5 % above the optimum's, :math:`J(\theta^\star) \approx 0.008`.
# The loss skgd records, ``loss_history_``, is measured along the epoch (each
# sample's loss just before its update), so it also counts the noise of the
# 80 updates, and shows the constant step further above the optimum:
print(f"J(theta*) = {best_loss_004:.5f}")
for name in ["constant", "exponential"]:
    fit = schedule_fits[name]
    print(f"{name:>11}: last loss_history_ {fit.loss_history_[-1]:.5f}")

# %%
# Adaptive learning rates: Adagrad, RMSprop and Adam
# --------------------------------------------------
# The lesson's third way: optimizers that adapt the step to the gradients
# they see, *one coordinate at a time*. With :math:`g_t` the gradient at
# update :math:`t` (:math:`t = 1, 2, \dots`) and all operations taken
# coordinate by coordinate, skgd uses PyTorch's formulas (and defaults):
#
# **Adagrad** divides by the root of the sum of all squared gradients so far:
#
# .. math::
#
#    s_t = s_{t-1} + g_t^2, \qquad
#    \theta_t = \theta_{t-1} - \eta \, \frac{g_t}{\sqrt{s_t} + \epsilon},
#    \qquad \epsilon = 10^{-10} .
#
# **RMSprop** divides by the root of a running *mean* of the squared
# gradients, which forgets old gradients:
#
# .. math::
#
#    v_t = \alpha v_{t-1} + (1 - \alpha)\, g_t^2, \qquad
#    \theta_t = \theta_{t-1} - \eta \, \frac{g_t}{\sqrt{v_t} + \epsilon},
#    \qquad \alpha = 0.99, \ \epsilon = 10^{-8} .
#
# **Adam** keeps a running mean of the gradients (momentum) as well, and
# corrects both means for starting at 0:
#
# .. math::
#
#    m_t = \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \qquad
#    v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2,
#
#    \hat m_t = \frac{m_t}{1 - \beta_1^t}, \qquad
#    \hat v_t = \frac{v_t}{1 - \beta_2^t}, \qquad
#    \theta_t = \theta_{t-1} - \eta \, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon},
#    \qquad \beta_1 = 0.9, \ \beta_2 = 0.999, \ \epsilon = 10^{-8} .
#
# All three divide the gradient by a measure of its own size, so a
# coordinate moves by about :math:`\eta` per update whatever the size of its
# gradient: :math:`\eta` is measured in units of the parameters, not of
# :math:`1/L`. The first update shows it exactly: Adagrad and Adam move every
# coordinate by :math:`\eta \, |g_1| / |g_1| = \eta`, RMSprop by
# :math:`\eta / \sqrt{1 - \alpha} = 10\,\eta`, while plain gradient descent
# moves each by :math:`\eta\,|g_1|`. One batch epoch (one update) on the
# standardised diabetes data, with :math:`\eta = 1` for the three and
# ``"auto"`` for plain descent:
for name, learning_rate in [
    ("sgd", "auto"),
    ("adagrad", 1.0),
    ("rmsprop", 1.0),
    ("adam", 1.0),
]:
    one = GDRegressor(optimizer=name, learning_rate=learning_rate, max_iter=1, tol=None)
    one.fit(Xs_train, y_train)
    moves = np.abs(
        np.r_[
            one.coef_history_[1] - one.coef_history_[0],
            one.intercept_history_[1] - one.intercept_history_[0],
        ]
    )
    print(f"{name:>7}: how far each parameter moved:", moves.round(2))

# %%
# Each has its own learning rate to choose, then. Here the intercept has to
# travel from 0 to :math:`\bar y \approx 152`, so a step of PyTorch's default
# size (0.01 for Adagrad and RMSprop, 0.001 for Adam, what
# ``learning_rate="auto"`` gives them) would need thousands of updates. We
# pick each optimizer's learning rate from a grid, by the training loss after
# 200 batch epochs (the lesson's grid search, on the training loss for
# speed), and compare them with plain gradient descent at ``"auto"``:
candidates = [0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0]
adaptive_fits = {"sgd": GDRegressor(max_iter=200, tol=None).fit(Xs_train, y_train)}
for name in ["adagrad", "rmsprop", "adam"]:
    fits = [
        GDRegressor(optimizer=name, learning_rate=lr, max_iter=200, tol=None).fit(
            Xs_train, y_train
        )
        for lr in candidates
    ]
    final = [fit.loss_history_[-1] - best_loss for fit in fits]
    print(
        f"{name:>7}: loss above the optimum after 200 epochs: "
        + ", ".join(f"{lr:g}: {v:.3g}" for lr, v in zip(candidates, final, strict=True))
    )
    adaptive_fits[name] = fits[int(np.argmin(final))]
    if name == "rmsprop":
        rmsprop_at_3 = fits[candidates.index(3.0)]

# %%
# The candidates' losses are not always in order. RMSprop at 3 ends higher
# than at 1 or 10, though it was closer than both until epoch 188: its loss
# then jumped by three orders of magnitude, and was coming back down when the
# fit ended. RMSprop never shrinks its steps: near the optimum the gradients
# shrink, its running mean :math:`v_t` shrinks with them, so its steps stay
# of size about :math:`\eta`, and a step too large for the valley there can
# throw the fit out of it. (Adagrad's sum only grows, so its steps shrink.)
gaps = rmsprop_at_3.loss_history_ - best_loss
print("RMSprop at 3, loss above the optimum at epochs 180 to 200:")
print(", ".join(f"{gap:.3g}" for gap in gaps[179:]))

# %%
names = [
    f"{name}, learning rate {fit.learning_rate_:.3g}"
    for name, fit in adaptive_fits.items()
]
display = LossCurveDisplay(
    losses=[fit.loss_history_ - best_loss for fit in adaptive_fits.values()],
    names=names,
).plot(log_scale=True)
display.ax_.set(
    ylabel="loss at the epoch's start - optimum's loss",
    title="Four optimizers, batch gradient descent on diabetes",
)

# %%
# On this problem, where the features are standardised, dividing by the
# gradient's size coordinate by coordinate does not help with the slow
# direction: that direction mixes the serum features ``s1`` to ``s5``, it is
# not one coordinate. Adagrad and RMSprop end near plain gradient descent, a
# few units above the optimum (RMSprop's first update, ten times
# :math:`\eta`, first throws the loss up). Adam gets through (0.01 above the
# optimum after 200 epochs), with a bouncing loss on the way; its momentum,
# the running mean :math:`m_t`, is what does it: without it
# (``Adam(betas=(0.0, 0.999))``) Adam ends far above. Plain gradient descent
# with momentum (``optimizer="momentum"``) gets there too: momentum is the
# subject of
# :ref:`sphx_glr_auto_examples_plot_08_momentum_and_saddle_points.py`.
from skgd.optim import Adam

momentum = GDRegressor(optimizer="momentum", max_iter=200, tol=None)
momentum.fit(Xs_train, y_train)
gap = momentum.loss_history_[-1] - best_loss
print(f"momentum, learning rate 'auto': {gap:.3g} above the optimum")

no_momentum = GDRegressor(
    optimizer=Adam(betas=(0.0, 0.999)), learning_rate=10.0, max_iter=200, tol=None
).fit(Xs_train, y_train)
gap = no_momentum.loss_history_[-1] - best_loss
print(f"Adam without momentum, learning rate 10: {gap:.3g} above the optimum")

# %%
# Where the adaptive optimizers shine is a problem whose coordinates have
# very different scales. scikit-learn ships the diabetes features centred and
# scaled to a standard deviation of 0.048; unstandardised, they sit next to
# the intercept's column of 1s. Each feature's curvature (twice its
# variance) is then hundreds of times smaller than the intercept's, which
# sets :math:`L`: plain gradient descent at ``"auto"``, :math:`1/L`, crawls
# along the coefficients, while the adaptive optimizers give every
# coordinate a step of about :math:`\eta`. The loss above the optimum after
# 200 epochs, with the learning rates chosen above (and ``"auto"`` for plain
# gradient descent, now :math:`1/L = 0.5`):
raw_best = np.mean(
    (LinearRegression().fit(X_train, y_train).predict(X_train) - y_train) ** 2
)
print(f"variance of each feature: {np.array2string(X_train.var(axis=0), precision=4)}")
for name, fit in adaptive_fits.items():
    learning_rate = "auto" if name == "sgd" else fit.learning_rate_
    raw = GDRegressor(
        optimizer=name, learning_rate=learning_rate, max_iter=200, tol=None
    ).fit(X_train, y_train)
    gap = raw.loss_history_[-1] - raw_best
    print(f"{name:>7}, learning rate {raw.learning_rate_:<5.3g}: {gap:8.3g} above")

# %%
# Summary
# -------
# * The step multiplies the error along each direction by
#   :math:`1 - \eta\,h` (:math:`h` the curvature there): too small, and it
#   barely shrinks; above :math:`2/L`, it grows. ``learning_rate="auto"``
#   takes the safe :math:`1/L = 1/(2\lambda_{\max}(C))`; the smallest
#   curvature then sets the speed.
# * A grid search (``GridSearchCV`` over ``learning_rate``, the scaler in
#   the pipeline) finds the range that works, at the price of one fit per
#   candidate and fold; ``find_learning_rate`` suggests a step from one fit.
# * With stochastic updates a constant step leaves the fit in a noise ball
#   whose size grows with the step; a decaying schedule starts fast and then
#   settles closer to the optimum.
# * Adagrad, RMSprop and Adam move every coordinate by about
#   :math:`\eta` per update: their learning rate is measured in units of the
#   parameters, and they help most when the coordinates have different
#   scales.
