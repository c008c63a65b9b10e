"""The Displays, in scikit-learn's style: built from each constructor, artists
checked against the fitted histories."""

import matplotlib
import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import SGDRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgd import GDClassifier, GDRegressor
from skgd.plotting import LossCurveDisplay

matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 2))
    return X, X @ [1.5, -2.0] + 0.5 + 0.1 * rng.standard_normal(60)


@pytest.mark.parametrize("constructor", ["from_estimator", "init"])
def test_loss_curve_draws_each_fit(data, constructor):
    X, y = data
    fits = [
        GDRegressor(learning_rate=lr, max_iter=30, tol=None).fit(X, y)
        for lr in (0.01, 0.1)
    ]
    if constructor == "from_estimator":
        display = LossCurveDisplay.from_estimator(fits)
    else:
        display = LossCurveDisplay(
            losses=[f.loss_history_ for f in fits],
            names=["learning_rate=0.01", "learning_rate=0.1"],
        ).plot()
    assert len(display.lines_) == 2 and display.val_lines_ == [None, None]
    for line, fit in zip(display.lines_, fits, strict=True):
        assert_allclose(line.get_ydata(), fit.loss_history_)
        assert_allclose(line.get_xdata(), np.arange(1, fit.n_iter_ + 1))
    labels = [line.get_label() for line in display.lines_]
    assert labels == ["learning_rate=0.01", "learning_rate=0.1"]
    assert display.ax_.get_xlabel() == "epoch"
    assert display.figure_ is display.ax_.figure


def test_loss_curve_validation_log_scale_and_given_axes(data):
    X, y = data
    pipe = make_pipeline(StandardScaler(), GDClassifier(early_stopping=True))
    pipe.fit(X, y > 0.5)
    fig, ax = plt.subplots()
    display = LossCurveDisplay.from_estimator(pipe, ax=ax, log_scale=True)
    assert display.ax_ is ax
    assert ax.get_yscale() == "log" and ax.get_xscale() == "log"
    assert_allclose(display.val_lines_[0].get_ydata(), pipe[-1].val_loss_history_)
    assert display.val_lines_[0].get_linestyle() == "--"
    smoothed = LossCurveDisplay.from_estimator(pipe, smoothing=0.5)
    assert smoothed.val_lines_[0].get_ydata()[0] == pipe[-1].val_loss_history_[0]
    assert not np.allclose(
        smoothed.val_lines_[0].get_ydata(), pipe[-1].val_loss_history_
    )


def test_loss_curve_smoothing_is_the_exponentially_weighted_mean(data):
    X, y = data
    fit = GDRegressor(solver="sgd", learning_rate=0.05, max_iter=20, tol=None)
    fit.fit(X, y)
    display = LossCurveDisplay.from_estimator(fit, smoothing=0.9)
    expected, running = [], fit.loss_history_[0]
    for cost in fit.loss_history_:  # the tutorial's loop
        running = 0.9 * running + 0.1 * cost
        expected.append(running)
    assert_allclose(display.lines_[0].get_ydata(), expected)
    with pytest.raises(ValueError, match="smoothing must be in"):
        display.plot(smoothing=1.0)


def test_loss_curve_needs_a_fitted_skgd_estimator(data):
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(GDRegressor())
    with pytest.raises(TypeError, match="has no loss_history_"):
        LossCurveDisplay.from_estimator(SGDRegressor().fit(*data))
