"""The Displays, in scikit-learn's style: built from each constructor, artists
checked against the fitted histories."""

import matplotlib
import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression, SGDRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgd import GDClassifier, GDRegressor, minimize
from skgd.plotting import LossCurveDisplay, LossSurfaceDisplay, loss_grid
from skgd.plotting._loss_surface import estimator_loss_grid

matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")
from matplotlib.contour import QuadContourSet  # noqa: E402
from mpl_toolkits.mplot3d.art3d import Poly3DCollection  # noqa: E402


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


# -- LossSurfaceDisplay and loss_grid -------------------------------------------


@pytest.fixture(scope="module")
def line():
    """The lesson's y = 1 + 2x + noise."""
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (80, 1))
    return x, 1 + 2 * x[:, 0] + 0.1 * rng.standard_normal(80)


def mse(w, b, x, y):
    return np.mean((np.multiply.outer(w, x[:, 0]) + b[..., np.newaxis] - y) ** 2, -1)


def test_loss_grid_is_the_mean_squared_error_with_its_penalty(line):
    x, y = line
    reg = GDRegressor(penalty="l2", alpha=0.5, max_iter=30).fit(x, y)
    grid = loss_grid(reg, x, y, grid_size=7)
    assert grid.names == ("intercept", "coef[0]")  # b along x, w along y
    b, w = np.meshgrid(*grid.axes)
    assert_allclose(grid.loss, mse(w, b, x, y) + 0.25 * w**2, rtol=1e-12)
    # A cross-section holds the intercept at its fitted value, or a given one.
    section = loss_grid(reg, x, y, fixed="intercept", grid_size=9)
    b = np.full(9, reg.intercept_)
    assert_allclose(
        section.loss, mse(section.axes[0], b, x, y) + 0.25 * section.axes[0] ** 2
    )
    section = loss_grid(reg, x, y, fixed={"intercept": 0.0}, grid_size=9)
    assert_allclose(
        section.loss, mse(section.axes[0], 0 * b, x, y) + 0.25 * section.axes[0] ** 2
    )


def test_loss_grid_of_a_binary_classifier_is_its_log_loss(line):
    x, y = line
    labels = y > 2
    clf = GDClassifier(max_iter=20).fit(x, labels)
    grid = loss_grid(clf, x, labels, grid_size=5, extent=[(-2, 2), (-1, 1)])
    b, w = np.meshgrid(*grid.axes)
    z = np.multiply.outer(w, x[:, 0]) + b[..., np.newaxis]
    margin = np.where(labels, 1, -1) * z
    assert_allclose(grid.loss, np.logaddexp(0, -margin).mean(-1), rtol=1e-12)


@pytest.mark.parametrize("constructor", ["from_estimator", "init"])
def test_loss_surface_contours_path_and_minimum(line, constructor):
    x, y = line
    reg = GDRegressor(learning_rate=0.3, max_iter=40).fit(x, y)
    if constructor == "from_estimator":
        display = LossSurfaceDisplay.from_estimator(reg, x, y, grid_size=30)
    else:
        data = estimator_loss_grid(reg, x, y, grid_size=30)
        display = LossSurfaceDisplay(**data._asdict()).plot()
    assert isinstance(display.loss_artist_, QuadContourSet)
    assert_allclose(display.path_.get_xdata(), reg.intercept_history_)
    assert_allclose(display.path_.get_ydata(), reg.coef_history_[:, 0])
    # Batch: the loss at each epoch's start is the loss along the path.
    assert_allclose(display.path_loss[:-1], reg.loss_history_, rtol=1e-10)
    # Least squares: the star is the exact minimiser, LinearRegression's.
    exact = LinearRegression().fit(x, y)
    assert_allclose(display.minimum_.get_xdata(), [exact.intercept_], rtol=1e-10)
    assert_allclose(display.minimum_.get_ydata(), exact.coef_, rtol=1e-10)
    assert display.minimum_.get_label() == "minimum"
    # The lessons' names, b along x and w along y, unless told otherwise.
    expected = ("b", "w") if constructor == "from_estimator" else display.grid.names
    assert (display.ax_.get_xlabel(), display.ax_.get_ylabel()) == expected


def test_loss_surface_in_3d_and_every_update_of_sgd(line):
    x, y = line
    sgd = GDRegressor(solver="sgd", learning_rate=0.1, max_iter=2, record="update")
    sgd.fit(x, y)
    display = LossSurfaceDisplay.from_estimator(sgd, x, y, kind="surface", grid_size=20)
    assert isinstance(display.loss_artist_, Poly3DCollection)
    assert display.ax_.name == "3d"
    bs, ws, zs = display.path_.get_data_3d()
    assert len(bs) == sgd.t_ + 1
    assert_allclose(zs, mse(ws, bs, x, y), rtol=1e-10)
    # The path is drawn over the surface (in order), never hidden behind it.
    assert display.ax_.computed_zorder is False
    assert display.path_.get_zorder() > display.loss_artist_.get_zorder()
    _, flat = plt.subplots()
    with pytest.raises(ValueError, match="3-D axes"):
        LossSurfaceDisplay.from_estimator(sgd, x, y, kind="surface", ax=flat)


def test_one_parameter_curve_is_the_exhaustive_search(line):
    X, y = np.array([[1.0], [2.0], [3.0]]), np.array([2.0, 4.0, 6.0])
    reg = GDRegressor(fit_intercept=False, learning_rate=0.01, max_iter=100, tol=None)
    reg.fit(X, y, coef_init=[1.0])
    display = LossSurfaceDisplay.from_estimator(
        reg, X, y, extent=[(0, 4)], grid_size=41
    )
    w = np.linspace(0, 4, 41)
    exhaustive = [np.mean((wi * X[:, 0] - y) ** 2) for wi in w]  # the lesson's loop
    assert_allclose(display.loss_artist_.get_ydata(), exhaustive, rtol=1e-12)
    assert_allclose(display.path_.get_xdata(), reg.coef_history_[:, 0])
    assert display.minimum_.get_xdata()[0] == pytest.approx(2.0, rel=1e-12)
    assert display.minimum_.get_ydata()[0] == pytest.approx(0.0, abs=1e-12)


def test_from_function_draws_the_minimize_path():
    def J(theta):
        return (theta - 2.5) ** 2 - 1

    result = minimize(J, 0.0, learning_rate=0.1)
    display = LossSurfaceDisplay.from_function(J, result.x_path, extent=[(-1, 6)])
    assert_allclose(display.path_.get_xdata(), result.x_path)
    assert_allclose(display.path_.get_ydata(), result.fun_path)
    assert display.minimum_.get_xdata()[0] == pytest.approx(2.5, abs=0.02)
    two = minimize(lambda t: t[0] ** 2 + 3 * t[1] ** 2, [2.0, 1.0], max_iter=20)
    display = LossSurfaceDisplay.from_function(
        lambda t: t[0] ** 2 + 3 * t[1] ** 2, two.x_path, grid_size=11
    )
    assert isinstance(display.loss_artist_, QuadContourSet)
    w, b = np.meshgrid(*display.grid.axes)
    assert_allclose(display.grid.loss, w**2 + 3 * b**2)


def test_loss_surface_in_a_pipeline_measures_the_transformed_data(line):
    x, y = line
    pipe = make_pipeline(StandardScaler(), GDRegressor(max_iter=50)).fit(x * 100, y)
    grid = loss_grid(pipe, x * 100, y, grid_size=5)
    b, w = np.meshgrid(*grid.axes)
    assert_allclose(grid.loss, mse(w, b, StandardScaler().fit_transform(x), y))


def test_loss_surface_errors(line):
    x, y = line
    with pytest.raises(NotFittedError):
        LossSurfaceDisplay.from_estimator(GDRegressor(), x, y)
    X3 = np.column_stack([x, x**2])
    three = GDRegressor(max_iter=5).fit(X3, y)
    with pytest.raises(ValueError, match="one or two parameters; this model has 3"):
        LossSurfaceDisplay.from_estimator(three, X3, y)
    # Fixing one of the three leaves two: a slice of the surface.
    display = LossSurfaceDisplay.from_estimator(three, X3, y, fixed="coef[1]")
    assert display.grid.names == ("intercept", "coef[0]")
    with pytest.raises(ValueError, match="Unknown parameters"):
        loss_grid(three, X3, y, fixed="slope")
    multiclass = GDClassifier(max_iter=5).fit(x, np.digitize(y, [1.8, 2.4]))
    binary = GDClassifier(max_iter=5).fit(x, y > 2)
    with pytest.raises(ValueError, match=r"labels \[2\] that are not in classes_"):
        loss_grid(binary, x, np.full(len(y), 2))
    with pytest.raises(ValueError, match="one weight vector; this model has 3"):
        loss_grid(multiclass, x, np.digitize(y, [1.8, 2.4]))
    no_path = GDRegressor(max_iter=5, record=None).fit(x, y)
    assert LossSurfaceDisplay.from_estimator(no_path, x, y).path_ is None
    with pytest.raises(ValueError, match="kind must be"):
        LossSurfaceDisplay.from_estimator(no_path, x, y, kind="wireframe")
