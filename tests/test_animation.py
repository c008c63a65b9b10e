"""The animations, in scikit-learn's Display style: each frame's artists
checked against the recorded histories and the Displays' frames."""

import matplotlib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skgd import GDClassifier, GDRegressor, minimize
from skgd.plotting import (
    LossSurfaceDisplay,
    PredictionPathDisplay,
    animate_predictions,
    animate_surface,
)

matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")
from matplotlib.animation import FuncAnimation, PillowWriter  # noqa: E402

# An animation never rendered warns when collected; these tests draw frames
# by hand.
pytestmark = pytest.mark.filterwarnings("ignore:Animation was deleted")


@pytest.fixture(scope="module")
def line_data():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (20, 1))
    return x, 1 + 2 * x[:, 0] + 0.1 * rng.standard_normal(20)


@pytest.fixture(scope="module")
def fits(line_data):
    """Three fits of different path lengths: 6 and 4 epochs, and SGD's 40
    updates (2 epochs of 20 samples)."""
    X, y = line_data
    batch = GDRegressor(learning_rate=0.1, max_iter=5, tol=None).fit(X, y)
    faster = GDRegressor(learning_rate=0.5, max_iter=3, tol=None).fit(X, y)
    sgd = GDRegressor(
        solver="sgd", learning_rate=0.05, max_iter=2, tol=None, record="update",
        random_state=0,
    ).fit(X, y)  # fmt: skip
    return batch, faster, sgd


def recorded(fit):
    """The recorded (intercept, coef[0]) of each row: b along x, w along y."""
    return fit.intercept_history_, fit.coef_history_[:, 0]


def assert_frame_shows(anim, k, paths):
    """At frame ``k`` each trail holds the first ``k + 1`` points of its path
    (a finished path all of them) and each head the last of those."""
    anim.update_frame(k)
    for (xs, ys), line, head in zip(paths, anim.trails_, anim.heads_, strict=True):
        end = min(k, len(xs) - 1) + 1
        assert_allclose(line.get_xdata(), xs[:end])
        assert_allclose(line.get_ydata(), ys[:end])
        assert_allclose(head.get_xdata(), xs[end - 1 : end])
        assert_allclose(head.get_ydata(), ys[end - 1 : end])
    assert anim.text_.get_text() == f"step {k}"


def test_surface_frames_show_the_first_points_of_each_path(line_data, fits):
    X, y = line_data
    batch, faster, sgd = fits
    display = LossSurfaceDisplay.from_estimator(batch, X, y)
    assert display.grid.names == ("intercept", "coef[0]")
    fig, ax = plt.subplots()
    anim = animate_surface(
        display, others=[faster, sgd], labels=["batch", "faster", "sgd"], ax=ax
    )
    assert isinstance(anim, FuncAnimation)
    assert anim.ax_ is ax and anim.figure_ is fig
    assert len(anim.steps_) == len(sgd.coef_history_) == 41  # the longest path
    paths = [recorded(fit) for fit in fits]
    for k in (0, 1, 3, 4, 6, 20, 40):
        assert_frame_shows(anim, k, paths)
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels == ["minimum", "batch", "faster", "sgd"]


def test_surface_accepts_displays_and_arrays(line_data, fits):
    X, y = line_data
    batch, faster, _ = fits
    display = LossSurfaceDisplay.from_estimator(batch, X, y)
    other = LossSurfaceDisplay.from_estimator(faster, X, y)
    points = np.array([[0.5, 0.5], [1.0, 1.0]])
    anim = animate_surface(display, others=[other, points])
    paths = [recorded(batch), recorded(faster), points.T]
    for k in range(len(anim.steps_)):
        assert_frame_shows(anim, k, paths)
    labels = [text.get_text() for text in anim.ax_.get_legend().get_texts()]
    assert labels[1:] == ["path 1", "path 2", "path 3"]


def test_surface_frames_and_trail(line_data, fits):
    X, y = line_data
    _, _, sgd = fits
    display = LossSurfaceDisplay.from_estimator(sgd, X, y)
    anim = animate_surface(display, frames=5, trail=3)
    assert_array_equal(anim.steps_, [0, 10, 20, 30, 40])
    xs, ys = recorded(sgd)
    anim.update_frame(2)  # point 20 and the two before it
    assert_allclose(anim.trails_[0].get_xdata(), xs[18:21])
    assert_allclose(anim.heads_[0].get_ydata(), ys[20:21])
    assert anim.text_.get_text() == "step 20"
    chosen = animate_surface(display, frames=[0, 7], trail=False)
    assert chosen.trails_ == [None]
    chosen.update_frame(1)
    assert_allclose(chosen.heads_[0].get_xdata(), xs[7:8])
    legend = [text.get_text() for text in chosen.ax_.get_legend().get_texts()]
    assert legend == ["minimum", "path"]


def test_one_parameter_curve(line_data):
    X, y = line_data
    fits = [
        GDRegressor(fit_intercept=False, learning_rate=lr, max_iter=n, tol=None)
        for lr, n in ((0.1, 6), (0.5, 3))
    ]
    slow, fast = (fit.fit(X, y) for fit in fits)
    display = LossSurfaceDisplay.from_estimator(slow, X, y)
    assert len(display.grid.axes) == 1
    anim = animate_surface(display, others=[fast])
    # The display's path rolls down the curve at its exact losses; the
    # other's losses are read off the drawn curve.
    axis, loss = display.grid.axes[0], display.grid.loss
    fast_w = fast.coef_history_[:, 0]
    paths = [
        (slow.coef_history_[:, 0], display.path_loss),
        (fast_w, np.interp(fast_w, axis, loss, left=np.nan, right=np.nan)),
    ]
    for k in range(len(anim.steps_)):
        assert_frame_shows(anim, k, paths)
    assert anim.ax_.get_ylabel() == "loss"


def test_function_path():
    result = minimize(lambda x: (x - 3.0) ** 2, x0=0.0, learning_rate=0.2, max_iter=5)
    display = LossSurfaceDisplay.from_function(lambda x: (x - 3.0) ** 2, result.x_path)
    anim = animate_surface(display)
    anim.update_frame(len(anim.steps_) - 1)
    assert_allclose(anim.trails_[0].get_xdata(), np.ravel(result.x_path))
    assert_allclose(anim.trails_[0].get_ydata(), (np.ravel(result.x_path) - 3) ** 2)


def test_surface_errors(line_data, fits):
    X, y = line_data
    batch, _, _ = fits
    display = LossSurfaceDisplay.from_estimator(batch, X, y)
    with pytest.raises(ValueError, match="one column per parameter"):
        animate_surface(display, others=[np.zeros((3, 3))])
    no_intercept = GDRegressor(fit_intercept=False, max_iter=2, tol=None).fit(X, y)
    with pytest.raises(ValueError, match="does not match the grid's parameters"):
        animate_surface(display, others=[no_intercept])
    curve = LossSurfaceDisplay.from_estimator(no_intercept, X, y)
    with pytest.raises(ValueError, match="does not match the grid's parameters"):
        animate_surface(display, others=[curve])
    unrecorded = GDRegressor(max_iter=2, tol=None, record=None).fit(X, y)
    with pytest.raises(ValueError, match="record=None"):
        animate_surface(display, others=[unrecorded])
    with pytest.raises(ValueError, match="has no path"):
        animate_surface(LossSurfaceDisplay(grid=display.grid))
    with pytest.raises(ValueError, match="labels must name each of the 2 paths"):
        animate_surface(display, others=[batch], labels=["one"])
    with pytest.raises(ValueError, match="frames must be"):
        animate_surface(display, frames=[0, 99])
    with pytest.raises(ValueError, match="trail must be"):
        animate_surface(display, trail=0)


def test_predictions_regression_frames(line_data):
    X, y = line_data
    reg = GDRegressor(learning_rate=0.3, max_iter=4, tol=None).fit(X, y)
    display = PredictionPathDisplay.from_estimator(reg, X, y, epochs=range(5))
    anim = animate_predictions(display)
    line, residuals = anim.artists_
    for k, frame in enumerate(display.frames()):
        anim.update_frame(k)
        assert_allclose(line.get_xdata(), display.grid[0])
        assert_allclose(line.get_ydata(), frame.grid_values)
        segments = np.array(residuals.get_segments())
        assert_allclose(segments[:, 0], np.column_stack([X[:, 0], y]))
        assert_allclose(segments[:, 1], np.column_stack([X[:, 0], frame.y_pred]))
        mse = np.mean((y - frame.y_pred) ** 2)
        assert anim.text_.get_text() == f"epoch {frame.epoch}, MSE {mse:.4g}"
    sparse = animate_predictions(display, frames=[0, 4], errors=False)
    assert len(sparse.artists_) == 1
    sparse.update_frame(1)
    assert_allclose(sparse.artists_[0].get_ydata(), display.frames()[4].grid_values)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_predictions_classifier_frames(n_classes):
    rng = np.random.default_rng(0)
    centers = np.array([[0.0, 0.0], [3.0, 0.5], [1.0, 3.0]])[:n_classes]
    X = np.repeat(centers, 10, axis=0) + 0.6 * rng.standard_normal((10 * n_classes, 2))
    y = np.repeat(list("abc"[:n_classes]), 10)
    clf = GDClassifier(learning_rate=0.5, max_iter=3, tol=None).fit(X, y)
    display = PredictionPathDisplay.from_estimator(
        clf, X, y, epochs=range(4), grid_size=30
    )
    anim = animate_predictions(display)
    regions, boundary, wrong = anim.artists_
    for k, frame in enumerate(display.frames()):
        anim.update_frame(k)
        values = frame.grid_values
        indices = values.argmax(-1) if values.ndim == 3 else (values > 0).astype(int)
        assert_array_equal(np.ravel(regions.get_array()), indices.ravel())
        assert_allclose(wrong.get_offsets(), X[frame.y_pred != y].reshape(-1, 2))
        accuracy = np.mean(frame.y_pred == y)
        assert anim.text_.get_text() == f"epoch {frame.epoch}, accuracy {accuracy:.3g}"
    # The last epoch's boundary is drawn, and lies on the grid.
    segments = np.concatenate(boundary.get_segments())
    low = [axis[0] for axis in display.grid]
    high = [axis[-1] for axis in display.grid]
    assert (segments >= np.subtract(low, 1e-9)).all()
    assert (segments <= np.add(high, 1e-9)).all()


def test_gif_export_and_jshtml(line_data, fits, tmp_path):
    X, y = line_data
    batch, faster, _ = fits
    display = LossSurfaceDisplay.from_estimator(batch, X, y)
    anim = animate_surface(display, others=[faster], interval=50)
    path = tmp_path / "race.gif"
    anim.save(path, writer=PillowWriter(fps=20), dpi=40)
    assert path.read_bytes()[:4] == b"GIF8"
    from PIL import Image

    with Image.open(path) as gif:
        assert gif.n_frames == len(anim.steps_) == 6
    html = anim.to_jshtml()
    assert html.lstrip().startswith("<") and "<script" in html and "<img" in html
    reg = PredictionPathDisplay.from_estimator(batch, X, y, epochs=[0, 1, 5])
    predictions = animate_predictions(reg)
    predictions.save(tmp_path / "fit.gif", writer=PillowWriter(fps=2), dpi=40)
    assert (tmp_path / "fit.gif").read_bytes()[:4] == b"GIF8"
    assert "<script" in predictions.to_jshtml()


def test_save_gif_draws_the_frames_of_save(line_data, fits, tmp_path):
    X, y = line_data
    batch, _, sgd = fits
    display = LossSurfaceDisplay.from_estimator(batch, X, y)
    anim = animate_surface(display, others=[sgd], frames=8, interval=100)
    anim.save_gif(tmp_path / "fast.gif", dpi=40)
    anim.save(tmp_path / "slow.gif", writer=PillowWriter(fps=10), dpi=40)
    from PIL import Image

    with (
        Image.open(tmp_path / "fast.gif") as fast,
        Image.open(tmp_path / "slow.gif") as slow,
    ):
        assert fast.n_frames == slow.n_frames == 8
        assert fast.size == slow.size and fast.info["duration"] == 100
        for k in (0, 7):
            fast.seek(k)
            slow.seek(k)
            a = np.asarray(fast.convert("RGB"), dtype=float)
            b = np.asarray(slow.convert("RGB"), dtype=float)
            assert np.mean(np.abs(a - b)) < 8  # the same picture, but for the palette
    assert anim.figure_.dpi == 100  # restored
    reg = PredictionPathDisplay.from_estimator(batch, X, y, epochs=[0, 1, 5])
    animate_predictions(reg).save_gif(tmp_path / "fit.gif", fps=2)
    with Image.open(tmp_path / "fit.gif") as gif:
        assert gif.n_frames == 3
