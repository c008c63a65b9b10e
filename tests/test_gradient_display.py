"""GradientDisplay and objective_gradient, in scikit-learn's Display style: built
from each constructor, the artists and the gradient checked against lesson 004."""

import matplotlib
import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgd import GDClassifier, GDRegressor
from skgd.plotting import GradientDisplay, LossGrid, objective_gradient

matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")
from matplotlib.contour import QuadContourSet  # noqa: E402
from matplotlib.text import Annotation  # noqa: E402

#: What lesson 004 printed: the loss and the gradient at its start.
LESSON_LOSS = 2.7421577700550976
LESSON_B_GRAD, LESSON_W_GRAD = -3.044811379650508, -1.8337537171510832
RATES = [0.2, 0.8, 1.1]


@pytest.fixture(scope="module")
def lesson():
    """Lesson 004's training set and start, drawn as the lesson draws them."""
    rng = np.random.RandomState(42)
    x = rng.rand(100, 1)
    y = 1 + 2 * x + 0.1 * rng.randn(100, 1)
    idx = np.arange(100)
    rng.shuffle(idx)
    b, w = np.random.RandomState(42).randn(2)
    return x[idx[:80]], y[idx[:80], 0], w, b


@pytest.fixture(scope="module")
def fitted(lesson):
    x, y, w, b = lesson
    reg = GDRegressor(learning_rate=0.1, max_iter=3, tol=None)
    return reg.fit(x, y, coef_init=[w], intercept_init=b)


def mse(x, y, w, b):
    """The lessons' loss, mean((b + w x - y)**2), at each (w, b)."""
    w, b = np.broadcast_arrays(np.asarray(w, float), np.asarray(b, float))
    return np.mean((w[..., None] * x[:, 0] + b[..., None] - y) ** 2, axis=-1)


def grid_of(bs, ws):
    """(w, b) at each cell of the contours: rows follow w, columns b."""
    b, w = np.meshgrid(bs, ws)
    return w, b


def slope(line):
    (x0, x1), (y0, y1) = line.get_xdata(), line.get_ydata()
    return (y1 - y0) / (x1 - x0)


def test_gradient_is_the_lessons(lesson, fitted):
    x, y, w, b = lesson
    gradient = objective_gradient(fitted, x, y)  # at the start of the path
    assert_allclose(gradient, [LESSON_W_GRAD, LESSON_B_GRAD], rtol=1e-12)
    # Anywhere, it is the lesson's formula: 2 mean(x * error), 2 mean(error).
    error = 0.3 + 1.5 * x[:, 0] - y
    by_hand = [2 * np.mean(x[:, 0] * error), 2 * np.mean(error)]
    assert_allclose(objective_gradient(fitted, x, y, params=[1.5, 0.3]), by_hand)
    display = GradientDisplay.from_estimator(fitted, x, y, grid_size=7)
    assert_allclose(display.params, [w, b], rtol=1e-15)
    assert_allclose(display.gradient, gradient, rtol=1e-15)
    assert_allclose(display.loss, LESSON_LOSS, rtol=1e-12)
    assert display.param_names == ("w", "b")


@pytest.mark.parametrize("constructor", ["from_estimator", "init"])
def test_gradient_display_draws_sections_tangents_and_arrow(
    lesson, fitted, constructor
):
    x, y, w, b = lesson
    if constructor == "from_estimator":
        display = GradientDisplay.from_estimator(
            fitted, x, y, learning_rates=RATES, grid_size=7
        )
    else:
        ws, bs = np.linspace(-1, 5, 7), np.linspace(-2, 4, 7)
        display = GradientDisplay(
            params=np.array([w, b]),
            gradient=objective_gradient(fitted, x, y),
            loss=mse(x, y, w, b),
            sections=(
                LossGrid(("w",), (ws,), mse(x, y, ws, b)),
                LossGrid(("b",), (bs,), mse(x, y, w, bs)),
            ),
            grid=LossGrid(("b", "w"), (bs, ws), mse(x, y, *grid_of(bs, ws))),
            learning_rates=RATES,
        ).plot()
    along_b, along_w = display.section_lines_
    assert_allclose(along_b.get_ydata(), mse(x, y, w, along_b.get_xdata()))
    assert_allclose(along_w.get_ydata(), mse(x, y, along_w.get_xdata(), b))
    # The tangents touch the sections at the point, with the gradient's slopes.
    for line, at, grad in zip(
        display.tangent_lines_, (b, w), (LESSON_B_GRAD, LESSON_W_GRAD), strict=True
    ):
        assert_allclose(slope(line), grad, rtol=1e-9)
        assert_allclose(np.mean(line.get_xdata()), at)
        assert_allclose(np.mean(line.get_ydata()), LESSON_LOSS, rtol=1e-9)
    texts = [text.get_text() for text in display.slope_texts_]
    assert texts == ["slope ∂L/∂b = -3.045", "slope ∂L/∂w = -1.834"]
    # The contours: b along x, w along y; the arrow from the point along -grad.
    assert isinstance(display.contour_, QuadContourSet)
    assert isinstance(display.arrow_, Annotation)
    assert_allclose(display.arrow_.xyann, (b, w))
    assert_allclose(display.arrow_.xy, (b - LESSON_B_GRAD, w - LESSON_W_GRAD))
    section_b, section_w, contours = display.axes_
    assert (section_b.get_xlabel(), section_w.get_xlabel()) == ("b", "w")
    assert (contours.get_xlabel(), contours.get_ylabel()) == ("b", "w")
    assert display.figure_ is contours.figure
    assert "−∇L" in " ".join(t.get_text() for t in contours.get_legend().get_texts())


def test_steps_are_params_minus_learning_rate_times_gradient(lesson, fitted):
    x, y, w, b = lesson
    display = GradientDisplay.from_estimator(
        fitted, x, y, learning_rates=RATES, grid_size=7
    )
    assert len(display.step_markers_) == len(RATES)
    for rate, step, markers in zip(
        RATES, display.steps, display.step_markers_, strict=True
    ):
        new_w, new_b = w - rate * LESSON_W_GRAD, b - rate * LESSON_B_GRAD
        assert_allclose(step, [new_w, new_b], rtol=1e-12)
        on_b, on_w, on_contours = (np.r_[m.get_xdata(), m.get_ydata()] for m in markers)
        # On a cross-section, the step of its own parameter, on the section.
        assert_allclose(on_b, [new_b, mse(x, y, w, new_b)], rtol=1e-12)
        assert_allclose(on_w, [new_w, mse(x, y, new_w, b)], rtol=1e-12)
        assert_allclose(on_contours, [new_b, new_w], rtol=1e-12)
    # 1.1 overshoots the valley of b: the loss grows; 0.2 and 0.8 lower it.
    losses_on_b = [m[0].get_ydata()[0] for m in display.step_markers_]
    assert losses_on_b[0] < LESSON_LOSS and losses_on_b[1] < LESSON_LOSS
    assert losses_on_b[2] > LESSON_LOSS


def test_given_params_axes_and_names(lesson, fitted):
    x, y, _, _ = lesson
    fig, axes = plt.subplots(1, 3)
    display = GradientDisplay.from_estimator(
        fitted, x, y, params=[2.0, 1.0], param_names=("slope", "offset"),
        extent=[(0.0, 4.0), (-1.0, 3.0)], grid_size=5, ax=axes,
    )  # fmt: skip
    assert display.axes_[2] is axes[2] and display.figure_ is fig
    assert_allclose(display.params, [2.0, 1.0])
    assert display.grid.names == ("intercept", "coef[0]")
    assert_allclose(display.grid.axes[0], np.linspace(-1, 3, 5))
    assert_allclose(display.grid.loss, mse(x, y, *grid_of(*display.grid.axes)))
    assert axes[2].get_xlabel() == "offset" and axes[0].get_xlabel() == "offset"
    assert display.slope_texts_[1].get_text().startswith("slope ∂L/∂slope")
    with pytest.raises(ValueError, match="three panels"):
        display.plot(ax=axes[:2])


def test_unrecorded_path_needs_params(lesson):
    x, y, w, b = lesson
    reg = GDRegressor(learning_rate=0.1, max_iter=2, tol=None, record=None)
    reg.fit(x, y)
    with pytest.raises(ValueError, match="record=None"):
        GradientDisplay.from_estimator(reg, x, y)
    display = GradientDisplay.from_estimator(reg, x, y, params=[w, b], grid_size=5)
    assert_allclose(display.gradient, [LESSON_W_GRAD, LESSON_B_GRAD], rtol=1e-12)
    with pytest.raises(ValueError, match="params must hold 2 values"):
        objective_gradient(reg, x, y, params=[w])


def test_errors_for_unfitted_and_too_many_parameters(lesson):
    x, y, _, _ = lesson
    with pytest.raises(NotFittedError):
        GradientDisplay.from_estimator(GDRegressor(), x, y)
    with pytest.raises(NotFittedError):
        objective_gradient(GDRegressor(), x, y)
    X = np.column_stack([x, x**2])
    reg = GDRegressor(max_iter=2, tol=None).fit(X, y)
    with pytest.raises(ValueError, match="two parameters; this model has 3"):
        GradientDisplay.from_estimator(reg, X, y)
    assert objective_gradient(reg, X, y).shape == (3,)
    two = GDRegressor(max_iter=2, tol=None).fit(x, np.column_stack([y, y]))
    with pytest.raises(ValueError, match="one weight vector"):
        GradientDisplay.from_estimator(two, x, np.column_stack([y, y]))


def test_pipeline_and_classifier(lesson):
    x, y, _, _ = lesson
    pipe = make_pipeline(StandardScaler(), GDRegressor(max_iter=3, tol=None))
    pipe.fit(x, y)
    display = GradientDisplay.from_estimator(pipe, x, y, grid_size=5)
    scaled = StandardScaler().fit_transform(x)
    assert_allclose(display.gradient, objective_gradient(pipe[-1], scaled, y))
    start = pipe[-1].coef_history_[0, 0], pipe[-1].intercept_history_[0]
    assert_allclose(display.loss, mse(scaled, y, *start))
    clf = GDClassifier(max_iter=3, tol=None).fit(x, y > 2)
    display = GradientDisplay.from_estimator(clf, x, y > 2, grid_size=5)
    assert np.isfinite(display.gradient).all() and len(display.section_lines_) == 2
