"""PredictionPathDisplay, in scikit-learn's Display style: built from each
constructor, artists checked against the recorded parameters by hand."""

import matplotlib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgd import GDClassifier, GDRegressor
from skgd.plotting import PredictionPathDisplay

matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.contour import QuadContourSet  # noqa: E402


@pytest.fixture(scope="module")
def line_data():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (30, 1))
    return x, 1 + 2 * x[:, 0] + 0.1 * rng.standard_normal(30)


@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(0)
    centers = np.array([[0.0, 0.0], [3.0, 0.5], [1.0, 3.0]])
    X = np.repeat(centers, 20, axis=0) + 0.6 * rng.standard_normal((60, 2))
    return X, np.repeat(["a", "b", "c"], 20)


def lesson_004():
    """Seed 004: y = 1 + 2x + eps, seed 42, the 80 training rows; its start."""
    rng = np.random.RandomState(42)  # np.random.seed(42) and its calls
    x = rng.rand(100, 1)
    y = 1 + 2 * x + 0.1 * rng.randn(100, 1)
    idx = np.arange(100)
    rng.shuffle(idx)
    rng = np.random.RandomState(42)
    b, w = rng.randn(1), rng.randn(1)
    return x[idx[:80]], y[idx[:80]], b, w


def assert_line_is(line, w, b):
    """The line drawn is ``w * x + b``."""
    assert_allclose(line.get_ydata(), w * line.get_xdata() + b, rtol=0, atol=1e-12)


def test_regression_from_estimator(line_data):
    X, y = line_data
    reg = GDRegressor(learning_rate=0.2, max_iter=20, tol=None).fit(X, y)
    display = PredictionPathDisplay.from_estimator(reg, X, y)
    assert_array_equal(display.epochs, [0, 1, 20])
    assert [line.get_label() for line in display.lines_] == [
        "epoch 0",
        "epoch 1",
        "epoch 20",
    ]
    for line, k in zip(display.lines_, display.epochs, strict=True):
        assert_line_is(line, reg.coef_history_[k, 0], reg.intercept_history_[k])
    # Light to dark: the colours' sum falls.
    shades = [sum(line.get_color()[:3]) for line in display.lines_]
    assert shades == sorted(shades, reverse=True)
    # The errors of the last epoch: a vertical segment from each point.
    assert isinstance(display.residuals_, LineCollection)
    segments = display.residuals_.get_segments()
    assert len(segments) == len(y)
    fitted = reg.coef_history_[-1, 0] * X[:, 0] + reg.intercept_history_[-1]
    for (start, end), x, target, pred in zip(segments, X[:, 0], y, fitted, strict=True):
        assert_allclose([start, end], [[x, target], [x, pred]], atol=1e-12)
    assert display.residuals_.get_label() == "errors at epoch 20"
    assert len(display.points_) == 1 and display.contours_ is None
    assert display.ax_.get_xlabel() == "x" and display.figure_ is display.ax_.figure


def test_regression_from_init():
    X, y = np.array([[1.0], [2.0], [3.0]]), np.array([2.0, 4.0, 6.0])
    grid = (np.linspace(0.0, 4.0, 5),)
    ws = np.array([1.0, 1.5])
    fig, ax = plt.subplots()
    display = PredictionPathDisplay(
        X=X, y=y, epochs=np.array([0, 3]), grid=grid,
        grid_values=ws[:, None] * grid[0], y_pred=ws[:, None] * X[:, 0],
        feature_names=("hours",),
    ).plot(ax=ax, residuals="first")  # fmt: skip
    assert display.ax_ is ax and ax.get_xlabel() == "hours"
    assert_line_is(display.lines_[1], 1.5, 0.0)
    assert display.residuals_.get_label() == "errors at epoch 0"
    frames = display.frames()
    assert [f.epoch for f in frames] == [0, 3]
    assert_allclose(frames[1].y_pred, [1.5, 3.0, 4.5])


def test_lesson_004_line_after_one_step():
    x_train, y_train, b, w = lesson_004()
    assert_allclose([b[0], w[0]], [0.49671415, -0.1382643], atol=5e-9)
    # The lesson's step 1 to 4 with lr = 0.1, by hand.
    error = b + w * x_train - y_train
    b1 = b - 0.1 * 2 * error.mean()
    w1 = w - 0.1 * 2 * (x_train * error).mean()
    assert_allclose([b1[0], w1[0]], [0.80119529, 0.04511107], atol=5e-9)  # printed
    reg = GDRegressor(learning_rate=0.1, max_iter=30, tol=None, record="epoch")
    reg.fit(x_train, y_train.ravel(), coef_init=w, intercept_init=b)
    display = PredictionPathDisplay.from_estimator(reg, x_train, y_train.ravel())
    before, after_one, _ = display.lines_
    assert_line_is(before, w[0], b[0])
    assert_line_is(after_one, w1[0], b1[0])


def test_residuals_choice(line_data):
    X, y = line_data
    reg = GDRegressor(learning_rate=0.2, max_iter=10, tol=None).fit(X, y)
    epochs = [0, 4, 10]
    display = PredictionPathDisplay.from_estimator(reg, X, y, epochs=epochs)
    assert display.residuals_.get_label() == "errors at epoch 10"
    display.plot(residuals=4)
    drawn = display.residuals_.get_color()[0][:3]
    assert_allclose(drawn, display.lines_[1].get_color()[:3])
    assert display.plot(residuals=None).residuals_ is None
    for bad in (5, "middle", True):
        with pytest.raises(ValueError, match="residuals must be"):
            display.plot(residuals=bad)


def test_record_update_draws_the_ends_of_epochs(line_data):
    X, y = line_data
    params = dict(solver="sgd", learning_rate=0.05, max_iter=4, tol=None)
    by_update = GDRegressor(**params, record="update", random_state=0).fit(X, y)
    by_epoch = GDRegressor(**params, record="epoch", random_state=0).fit(X, y)
    assert len(by_update.coef_history_) == by_update.t_ + 1
    shown = [
        PredictionPathDisplay.from_estimator(fit, X, y, epochs=[0, 1, 3, 4])
        for fit in (by_update, by_epoch)
    ]
    for line, k in zip(shown[0].lines_, [0, 1, 3, 4], strict=True):
        row = k * len(y)  # one update per sample
        assert_line_is(line, by_update.coef_history_[row, 0],
                       by_update.intercept_history_[row])  # fmt: skip
    assert_allclose(shown[0].grid_values, shown[1].grid_values, rtol=1e-12)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_classifier_boundaries(blobs, n_classes):
    X, y = blobs
    keep = np.isin(y, ["a", "b", "c"][:n_classes])
    X, y = X[keep], y[keep]
    clf = GDClassifier(learning_rate=0.5, max_iter=30, tol=None).fit(X, y)
    display = PredictionPathDisplay.from_estimator(clf, X, y, grid_size=50)
    # The all-zero start has no boundary; the others are drawn, one contour
    # for two classes and one per pair of classes for three.
    assert display.contours_[0] == []
    n_pairs = n_classes * (n_classes - 1) // 2
    assert [len(c) for c in display.contours_[1:]] == [n_pairs] * 2
    contours = [c for drawn in display.contours_ for c in drawn]
    assert all(isinstance(c, QuadContourSet) for c in contours)
    assert all(list(c.levels) == [0.0] and c.allsegs[0] for c in contours)
    styles = {str(drawn[0].get_linestyle()) for drawn in display.contours_[1:]}
    assert len(styles) == 2
    labels = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert labels == [f"class {c}" for c in clf.classes_] + [
        "epoch 0 (no boundary in view)",
        "epoch 1",
        "epoch 30",
    ]
    assert len(display.points_) == n_classes and display.lines_ is None
    # The last epoch's values are the fitted model's.
    xx, yy = np.meshgrid(*display.grid)
    scores = clf.decision_function(np.column_stack([xx.ravel(), yy.ravel()]))
    assert_allclose(display.grid_values[-1].reshape(scores.shape), scores)
    assert_array_equal(display.y_pred[-1], clf.predict(X))
    assert display.ax_.get_xlabel() == "x[0]"


def test_pipeline_draws_the_original_features(line_data):
    X, y = line_data
    X_bad = 10 * X + 5  # the lesson's "bad" feature, scaled in the pipeline
    pipe = make_pipeline(StandardScaler(), GDRegressor(max_iter=15, tol=None))
    pipe.fit(X_bad, y)
    reg, scaler = pipe[-1], pipe[0]
    display = PredictionPathDisplay.from_estimator(pipe, X_bad, y, epochs=[2, 15])
    assert_allclose(display.points_[0].get_offsets()[:, 0], X_bad[:, 0])
    for line, k in zip(display.lines_, [2, 15], strict=True):
        z = (line.get_xdata() - scaler.mean_[0]) / scaler.scale_[0]
        expected = reg.coef_history_[k, 0] * z + reg.intercept_history_[k]
        assert_allclose(line.get_ydata(), expected, atol=1e-12)
    assert_allclose(display.y_pred[-1], pipe.predict(X_bad))
    clf = make_pipeline(StandardScaler(), GDClassifier(max_iter=5, tol=None))
    X2 = np.column_stack([X_bad[:, 0], y])
    clf.fit(X2, y > 2)
    shown = PredictionPathDisplay.from_estimator(clf, X2, y > 2, grid_size=20)
    assert_array_equal(shown.y_pred[-1], clf.predict(X2))


def test_errors(line_data, blobs):
    X, y = line_data
    with pytest.raises(NotFittedError):
        PredictionPathDisplay.from_estimator(GDRegressor(), X, y)
    with pytest.raises(NotFittedError):
        PredictionPathDisplay.from_estimator(make_pipeline(GDRegressor()), X, y)
    unrecorded = GDRegressor(max_iter=3, tol=None, record=None).fit(X, y)
    with pytest.raises(ValueError, match="record=None"):
        PredictionPathDisplay.from_estimator(unrecorded, X, y)
    reg = GDRegressor(max_iter=3, tol=None).fit(X, y)
    for bad in ([4], [], 2, [0.5]):
        with pytest.raises(ValueError, match="epochs must be"):
            PredictionPathDisplay.from_estimator(reg, X, y, epochs=bad)
    with pytest.raises(ValueError, match="fitted on 1"):
        PredictionPathDisplay.from_estimator(reg, np.hstack([X, X]), y)
    two = np.hstack([X, X**2])
    fits = {
        "GDRegressor and X of 2": (GDRegressor, two, y, y),
        "2-D y": (GDRegressor, X, np.c_[y, y], y),
        "GDClassifier and X of 1": (GDClassifier, X, y > 2, y > 2),
    }
    for message, (model, data, fit_target, target) in fits.items():
        fitted = model(max_iter=3, tol=None).fit(data, fit_target)
        with pytest.raises(ValueError, match=message):
            PredictionPathDisplay.from_estimator(fitted, data, target)
