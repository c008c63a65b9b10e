"""
Choosing the learning rate
==========================

Too small a step crawls, too large a step diverges. Four ways to choose it:
a grid search with cross-validation, a schedule that shrinks the step as the
fit goes, an adaptive optimizer that scales the step per parameter, and the
learning-rate range test, which finds a good step in one short run.
"""

# %%
# The data: diabetes, standardised in a pipeline
# ----------------------------------------------
import warnings

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgd import GDRegressor

X, y = load_diabetes(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

# %%
# A grid search
# -------------
# With a budget of 20 epochs of mini-batch gradient descent, which step is
# best? Candidates that diverge warn, score badly and lose.
model = make_pipeline(
    StandardScaler(),
    GDRegressor(solver="minibatch", max_iter=20, tol=None, random_state=0),
)
grid = {"gdregressor__learning_rate": np.logspace(-4, 1, 16)}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    search = GridSearchCV(model, grid, cv=5).fit(X_train, y_train)
chosen = search.best_params_["gdregressor__learning_rate"]
test_r2 = search.score(X_test, y_test)
print(f"GridSearchCV's learning rate: {chosen:.3g}, test R2 {test_r2:.3f}")

# %%
# The learning-rate range test
# ----------------------------
# One short run whose step grows every epoch, from 1e-5 until the loss blows
# up; a tenth of the step with the lowest loss is suggested. It costs one fit,
# not 80.
from skgd import find_learning_rate
from skgd.plotting import LearningRateFinderDisplay

display = LearningRateFinderDisplay.from_estimator(model, X_train, y_train)
print(f"suggested: {display.suggestion:.3g} (GridSearchCV: {chosen:.3g})")

# %%
# Schedules
# ---------
# A constant step leaves stochastic gradient descent bouncing in a noise ball;
# a decaying schedule lets it settle. ``history_`` shows the step of every
# epoch.
from skgd.plotting import LossCurveDisplay

suggestion = find_learning_rate(model, X_train, y_train).suggestion
fits = []
for schedule in ["constant", "invscaling", "exponential", "cosine"]:
    fit = make_pipeline(
        StandardScaler(),
        GDRegressor(
            solver="sgd",
            learning_rate=suggestion,
            lr_schedule=schedule,
            max_iter=50,
            tol=None,
            random_state=0,
        ),
    ).fit(X_train, y_train)
    fits.append(fit)
display = LossCurveDisplay.from_estimator(
    fits, names=["constant", "invscaling", "exponential", "cosine"], log_scale=True
)
print(fits[-1][-1].history_["learning_rate"].iloc[[0, 24, 49]])

# %%
# Adaptive optimizers
# -------------------
# Adagrad, RMSprop and Adam divide each parameter's step by a running size of
# its gradients (PyTorch's formulas). Their step is then about the learning
# rate per update and coordinate, whatever the size of the gradient: their
# learning rate is set by how far the parameters have to travel (coefficients
# in the tens here), not by the curvature. ``learning_rate="auto"`` gives plain
# gradient descent its safe step ``1 / L``.
optimizers = [("sgd", "auto"), ("adagrad", 10.0), ("rmsprop", 1.0), ("adam", 1.0)]
fits = [
    make_pipeline(
        StandardScaler(),
        GDRegressor(
            solver="minibatch",
            optimizer=name,
            learning_rate=lr,
            max_iter=100,
            tol=None,
            random_state=0,
        ),
    ).fit(X_train, y_train)  # fmt: skip
    for name, lr in optimizers
]
display = LossCurveDisplay.from_estimator(
    fits, names=[f"{name}, learning rate {lr}" for name, lr in optimizers],
    log_scale=True,
)  # fmt: skip
for (name, _), fit in zip(optimizers, fits, strict=True):
    print(f"{name:>8}: test R2 {fit.score(X_test, y_test):.3f}")
