"""What the lessons' figures need from the Displays: the parameters' names and
the lessons' axis order, the exact minimum, honest cross-sections, readable
contour levels, raw and smoothed loss curves together, and what each solver's
epoch loss measures."""

import matplotlib
import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import LinearRegression, Ridge

from skgd import GDClassifier, GDRegressor
from skgd.plotting import LossCurveDisplay, LossSurfaceDisplay, animate_surface
from skgd.plotting._loss_surface import readable_levels

matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")

pytestmark = pytest.mark.filterwarnings("ignore:Animation was deleted")


@pytest.fixture(scope="module")
def lesson():
    """Lesson 004's data and start: y = 1 + 2x + noise, (b, w) = (0.497, -0.138)."""
    rng = np.random.RandomState(42)
    x = rng.rand(100, 1)
    y = 1 + 2 * x[:, 0] + 0.1 * rng.randn(100)
    order = np.arange(100)
    rng.shuffle(order)
    return x[order[:80]], y[order[:80]], 0.49671415, -0.1382643


def lesson_fit(lesson, **params):
    x, y, b, w = lesson
    reg = GDRegressor(**{"learning_rate": 0.1, "max_iter": 30, "tol": None, **params})
    return reg.fit(x, y, coef_init=[w], intercept_init=b)


def test_the_lessons_names_and_axis_order(lesson):
    x, y, _, _ = lesson
    reg = lesson_fit(lesson)
    display = LossSurfaceDisplay.from_estimator(reg, x, y)
    assert display.grid.names == ("intercept", "coef[0]")
    assert (display.ax_.get_xlabel(), display.ax_.get_ylabel()) == ("b", "w")
    # b along x: the path's x data is the intercept's history.
    assert_allclose(display.path_.get_xdata(), reg.intercept_history_)
    named = LossSurfaceDisplay.from_estimator(reg, x, y, param_names=("bias", "slope"))
    assert (named.ax_.get_xlabel(), named.ax_.get_ylabel()) == ("bias", "slope")
    by_name = LossSurfaceDisplay.from_estimator(
        reg, x, y, param_names={"coef[0]": "θ1", "intercept": "θ0"}
    )
    assert (by_name.ax_.get_xlabel(), by_name.ax_.get_ylabel()) == ("θ0", "θ1")
    with pytest.raises(ValueError, match="param_names must name each"):
        LossSurfaceDisplay.from_estimator(reg, x, y, param_names=("w",))
    # Two features, no intercept: their own names, in their order.
    X2 = np.column_stack([x[:, 0], x[:, 0] ** 2])
    two = GDRegressor(fit_intercept=False, max_iter=20).fit(X2, y)
    display = LossSurfaceDisplay.from_estimator(two, X2, y)
    assert display.grid.names == ("coef[0]", "coef[1]")
    assert display.ax_.get_xlabel() == "coef[0]"


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_star_is_the_exact_minimum_where_there_is_a_closed_form(lesson):
    x, y, b0, _ = lesson
    reg = lesson_fit(lesson)
    display = LossSurfaceDisplay.from_estimator(reg, x, y, grid_size=60)
    exact = LinearRegression().fit(x, y)
    assert_allclose(display.minimum, [exact.intercept_, exact.coef_[0]], rtol=1e-10)
    assert display.minimum_.get_label() == "minimum"
    # The grid's lowest point is off it (the lesson's 60-point grid).
    cell = np.unravel_index(np.argmin(display.grid.loss), display.grid.loss.shape)
    assert display.grid.axes[1][cell[0]] != pytest.approx(exact.coef_[0], abs=1e-3)
    # With an L2 penalty l2 / 2 * w**2: Ridge's minimum (alpha = n * l2 / 2).
    ridge = lesson_fit(lesson, penalty="l2", alpha=0.1)
    display = LossSurfaceDisplay.from_estimator(ridge, x, y)
    exact = Ridge(alpha=len(y) * 0.1 / 2).fit(x, y)
    assert_allclose(display.minimum, [exact.intercept_, exact.coef_[0]], rtol=1e-10)
    # On a cross-section (b fixed at the start), the section's own minimum:
    # w = sum(x * (y - b)) / sum(x**2).
    section = LossSurfaceDisplay.from_estimator(reg, x, y, fixed={"intercept": b0})
    w_best = np.sum(x[:, 0] * (y - b0)) / np.sum(x[:, 0] ** 2)
    assert_allclose(section.minimum, [w_best], rtol=1e-10)
    assert_allclose(
        section.minimum_.get_ydata(), [np.mean((w_best * x[:, 0] + b0 - y) ** 2)]
    )
    # No closed form (the log loss, an L1 penalty): the grid's lowest point.
    clf = GDClassifier(max_iter=20).fit(x, y > 2)
    display = LossSurfaceDisplay.from_estimator(clf, x, y > 2)
    assert display.minimum is None
    assert display.minimum_.get_label() == "minimum of the grid"
    lasso = lesson_fit(lesson, penalty="l1", alpha=0.01)
    assert LossSurfaceDisplay.from_estimator(lasso, x, y).minimum is None


def crossings_by_hand(path, j, value):
    """Where the polyline ``path`` meets ``path[:, j] == value``."""
    points = []
    for k in range(len(path)):
        if path[k, j] == value:
            points.append(path[k])
        elif k + 1 < len(path):
            a, c = path[k, j] - value, path[k + 1, j] - value
            if a * c < 0:
                points.append(path[k] + a / (a - c) * (path[k + 1] - path[k]))
    return np.array(points)


def test_a_cross_section_shows_where_the_path_crossed_it(lesson):
    x, y, b0, w0 = lesson
    # lr = 0.8 bounces across the valley: b crosses its start's value again.
    reg = lesson_fit(lesson, learning_rate=0.8, max_iter=12)
    path = np.column_stack([reg.coef_history_[:, 0], reg.intercept_history_])
    section = LossSurfaceDisplay.from_estimator(reg, x, y, fixed={"intercept": b0})
    expected = crossings_by_hand(path, 1, b0)
    assert len(expected) >= 2  # the start, and later steps across b = b0
    assert section.path_kind == "crossings"
    assert_allclose(section.path_.get_xdata(), expected[:, 0])
    # On the section these are true points of the path: the loss there.
    losses = [np.mean((w * x[:, 0] + b0 - y) ** 2) for w in expected[:, 0]]
    assert_allclose(section.path_.get_ydata(), losses, rtol=1e-10)
    assert section.path_.get_linestyle() == "None"  # points, not a path
    assert section.path_.get_label() == "where the path crossed b = 0.497"
    assert section.ax_.get_title() == "b fixed at 0.497"
    # A fit that never comes back to w's start crosses its section once.
    other = LossSurfaceDisplay.from_estimator(reg, x, y, fixed={"coef[0]": w0})
    assert_allclose(other.path_.get_xdata(), crossings_by_hand(path, 0, w0)[:, 1])
    with pytest.raises(ValueError, match="not a path"):
        animate_surface(section)
    # Several parameters fixed: the path was never on the section; its
    # projection is drawn dashed, and said to be one.
    X3 = np.column_stack([x[:, 0], x[:, 0] ** 2])
    three = GDRegressor(max_iter=10, tol=None).fit(X3, y)
    projected = LossSurfaceDisplay.from_estimator(
        three, X3, y, fixed={"coef[1]": None, "intercept": None}
    )
    assert projected.path_kind == "projected"
    assert_allclose(projected.path_.get_xdata(), three.coef_history_[:, 0])
    assert projected.path_.get_linestyle() == "--"
    assert "projected" in projected.path_.get_label()


def test_contour_levels_are_round_numbers(lesson):
    x, y, _, _ = lesson
    display = LossSurfaceDisplay.from_estimator(lesson_fit(lesson), x, y)
    levels = np.asarray(display.loss_artist_.levels)
    loss = display.grid.loss
    assert levels[0] <= loss.min() and levels[-1] >= loss.max()
    assert np.all(np.diff(levels) > 0) and len(levels) >= 20
    # Each level has few digits: a multiple of 1, 2 or 5 times a power of
    # ten no larger than the gaps around it.
    for k in range(1, len(levels) - 1):
        gap = min(levels[k] - levels[k - 1], levels[k + 1] - levels[k])
        step = 10.0 ** np.floor(np.log10(gap / 5))
        assert levels[k] / step == pytest.approx(round(levels[k] / step), abs=1e-6)
    # Denser at the valley floor (evenly spaced in the square root).
    assert levels[1] - levels[0] < levels[-1] - levels[-2]
    assert readable_levels(np.zeros((3, 3)), 30) == 30  # flat: matplotlib's


def test_the_3d_path_is_drawn_over_the_surface(lesson):
    x, y, _, _ = lesson
    display = LossSurfaceDisplay.from_estimator(
        lesson_fit(lesson), x, y, kind="surface"
    )
    assert display.ax_.computed_zorder is False
    assert display.path_.get_zorder() > display.loss_artist_.get_zorder()
    assert display.path_.get_linewidth() >= 2


def test_smoothing_draws_the_raw_and_the_smoothed_curve(lesson):
    x, y, _, _ = lesson
    sgd = lesson_fit(lesson, solver="sgd", learning_rate=0.05, random_state=0)
    display = LossCurveDisplay.from_estimator(sgd, smoothing=0.8)
    (raw,), (smooth,) = display.raw_lines_, display.lines_
    assert_allclose(raw.get_ydata(), sgd.loss_history_)
    running, expected = sgd.loss_history_[0], []
    for cost in sgd.loss_history_:
        running = 0.8 * running + 0.2 * cost
        expected.append(running)
    assert_allclose(smooth.get_ydata(), expected)
    assert raw.get_color() == smooth.get_color() and raw.get_alpha() < 1
    assert (raw.get_label(), smooth.get_label()) == ("raw", "smoothed (weight 0.8)")
    assert LossCurveDisplay.from_estimator(sgd).raw_lines_ is None


def test_the_curves_say_what_an_epochs_loss_measures(lesson):
    batch = lesson_fit(lesson, random_state=0)
    sgd = lesson_fit(lesson, solver="sgd", random_state=0)
    one = LossCurveDisplay.from_estimator(batch)
    assert one.ax_.get_ylabel() == "loss at the epoch's start"
    assert LossCurveDisplay.from_estimator(sgd).ax_.get_ylabel() == (
        "mean loss during the epoch"
    )
    both = LossCurveDisplay.from_estimator([batch, sgd])
    assert [line.get_label() for line in both.lines_] == [
        "solver='batch' (loss at the epoch's start)",
        "solver='sgd' (mean loss during the epoch)",
    ]
    # Why they differ at epoch 1: batch's is the loss at the start...
    x, y, b, w = lesson
    assert batch.loss_history_[0] == pytest.approx(np.mean((w * x[:, 0] + b - y) ** 2))
    # ... sgd's the mean of each sample's loss when it was used, lower.
    assert sgd.loss_history_[0] < batch.loss_history_[0]


def test_the_loss_curves_animate_epoch_by_epoch(lesson):
    fits = [lesson_fit(lesson, max_iter=n) for n in (10, 4)]
    display = LossCurveDisplay.from_estimator(fits)
    anim = display.animate(smoothing=0.5)
    assert len(anim.steps_) == 10
    anim.update_frame(5)  # the first 6 epochs; the short fit at its end
    assert_allclose(display.lines_[0].get_xdata(), np.arange(1, 7))
    assert_allclose(display.raw_lines_[0].get_ydata(), fits[0].loss_history_[:6])
    assert_allclose(display.raw_lines_[1].get_ydata(), fits[1].loss_history_)
    assert anim.text_.get_text() == "epoch 6"
    # The axes keep the whole fits' range.
    assert display.ax_.get_xlim()[1] >= 10
