"""The learning-rate range test against a hand-written loop and GridSearchCV."""

import matplotlib
import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_diabetes
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgd import GDRegressor, find_learning_rate
from skgd.plotting import LearningRateFinderDisplay

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def demo_split():
    X, y = load_diabetes(return_X_y=True)
    return train_test_split(X, y, random_state=0)  # the demo's split


def test_batch_test_is_gradient_descent_with_growing_steps(demo_split):
    X_train, _, y_train, _ = demo_split
    X = StandardScaler().fit_transform(X_train)
    result = find_learning_rate(
        GDRegressor(), X, y_train, min_learning_rate=1e-4, max_learning_rate=10.0
    )
    steps = 1e-4 * 1e5 ** (np.arange(60) / 59)
    # The loop by hand: each epoch one update with its step, the loss after it.
    w, b, losses = np.zeros(X.shape[1]), 0.0, []
    for step in steps:
        residual = X @ w + b - y_train
        w, b = w - step * 2 * residual @ X / len(X), b - step * 2 * residual.mean()
        losses.append(np.mean((X @ w + b - y_train) ** 2))
    n = len(result.losses)
    assert 10 < n < 59  # it stopped once the loss blew up
    assert_allclose(result.learning_rates, steps[:n])
    assert_allclose(result.losses, losses[:n], rtol=1e-10)
    assert (result.losses <= 4 * np.minimum.accumulate(result.losses)).all()
    assert losses[n] > 4 * min(losses[:n])  # where the test stopped
    assert result.suggestion == steps[np.argmin(losses[:n])] / 10


# Candidates too large for the data diverge and warn; the search discards them.
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("solver", ["batch", "sgd", "minibatch"])
def test_suggestion_agrees_with_grid_search_on_the_demo_data(demo_split, solver):
    """Within a factor of 3 of GridSearchCV's choice for a 20-epoch budget."""
    X_train, _, y_train, _ = demo_split
    model = make_pipeline(
        StandardScaler(),
        GDRegressor(solver=solver, max_iter=20, tol=None, random_state=0),
    )
    search = GridSearchCV(
        model, {"gdregressor__learning_rate": np.logspace(-4, 1, 16)}, cv=5
    ).fit(X_train, y_train)
    chosen = search.best_params_["gdregressor__learning_rate"]
    suggestion = find_learning_rate(model, X_train, y_train).suggestion
    assert chosen / 3 <= suggestion <= chosen * 3


def test_the_estimator_is_left_alone_and_weights_pass_through(demo_split):
    X_train, _, y_train, _ = demo_split
    model = make_pipeline(StandardScaler(), GDRegressor(learning_rate=0.5))
    weights = np.random.default_rng(0).uniform(0.5, 2, len(y_train))
    result = find_learning_rate(model, X_train, y_train, sample_weight=weights)
    assert not hasattr(model[-1], "coef_")
    assert model[-1].learning_rate == 0.5
    unweighted = find_learning_rate(model, X_train, y_train)
    assert not np.allclose(result.losses[:5], unweighted.losses[:5])
    assert result.estimator[-1].n_iter_ >= len(result.losses)


@pytest.mark.parametrize("constructor", ["from_estimator", "init"])
def test_display_draws_the_test(demo_split, constructor):
    X_train, _, y_train, _ = demo_split
    model = make_pipeline(StandardScaler(), GDRegressor())
    result = find_learning_rate(model, X_train, y_train)
    if constructor == "from_estimator":
        display = LearningRateFinderDisplay.from_estimator(model, X_train, y_train)
    else:
        display = LearningRateFinderDisplay(
            learning_rates=result.learning_rates,
            losses=result.losses,
            suggestion=result.suggestion,
        ).plot()
    assert_allclose(display.line_.get_xdata(), result.learning_rates)
    assert_allclose(display.line_.get_ydata(), result.losses)
    assert display.suggestion_.get_xdata()[0] == result.suggestion
    assert display.ax_.get_xscale() == "log"
    assert display.figure_ is display.ax_.figure


def test_bad_ranges_are_errors(demo_split):
    X_train, _, y_train, _ = demo_split
    with pytest.raises(ValueError, match="min_learning_rate < max_learning_rate"):
        find_learning_rate(GDRegressor(), X_train, y_train, min_learning_rate=1.0,
                           max_learning_rate=0.1)  # fmt: skip
    with pytest.raises(ValueError, match="n_steps >= 2"):
        find_learning_rate(GDRegressor(), X_train, y_train, n_steps=1)
