"""Tutorial 02, exhaustive search and the loss surface (lesson 002).

The references are lesson 002's own loops (copied from ``shared/seeds``,
comments translated), closed forms of the mean squared error on its data, and
batch gradient descent written by hand; none is a value taken from skgd.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning

from skgd import GDRegressor
from skgd.plotting import LossSurfaceDisplay, loss_grid

X_DATA = [1.0, 2.0, 3.0]
Y_DATA = [2.0, 4.0, 6.0]  # y = 2x
Y3_DATA = [5.0, 8.0, 11.0]  # the exercise: y = 3x + 2
X = np.reshape(X_DATA, (-1, 1))
# The Hessian of the exercise's MSE over (w, b) is 2/3 [[14, 6], [6, 3]]:
# eigenvalues (17 -+ sqrt(265)) / 3.
LAMBDA_MIN = (17 - np.sqrt(265)) / 3
LAMBDA_MAX = (17 + np.sqrt(265)) / 3


def lesson_exhaustive_search():
    """Lesson 002's loop over w = 0.0, 0.1, ..., 4.0 (its prints left out)."""
    x_data, y_data = X_DATA, Y_DATA

    def forward(x):
        return x * w

    def loss(x, y):
        y_pred = forward(x)
        return (y_pred - y) ** 2

    w_list, mse_list = [], []
    for w in np.arange(0.0, 4.1, 0.1):  # noqa: B007  (forward reads it)
        l_sum = 0
        for x_val, y_val in zip(x_data, y_data, strict=True):
            l_sum += loss(x_val, y_val)
        w_list.append(w)
        mse_list.append(l_sum / 3)
    return np.array(w_list), np.array(mse_list)


def lesson_exercise_surface():
    """Lesson 002's exercise: the MSE of y = w x + b on a meshgrid of w and b
    (rows follow b, columns w)."""
    x_data, y_data = X_DATA, Y3_DATA

    def forward(x):
        return x * w + b

    def loss(x, y):
        y_pred = forward(x)
        return (y_pred - y) * (y_pred - y)

    W = np.arange(0.0, 4.1, 0.1)
    B = np.arange(0.0, 4.1, 0.1)
    [w, b] = np.meshgrid(W, B)
    l_sum = 0
    for x_val, y_val in zip(x_data, y_data, strict=True):
        l_sum += loss(x_val, y_val)
    return W, B, l_sum / 3


def batch_loop(w, b, lr, epochs):
    """Batch gradient descent on y = w x + b by hand: the parameters at the
    start and after every epoch, and the cost at the start of every epoch."""
    x, y = np.array(X_DATA), np.array(Y3_DATA)
    ws, bs, costs = [w], [b], []
    for _ in range(epochs):
        r = w * x + b - y
        costs.append(np.mean(r**2))
        w, b = w - lr * np.mean(2 * x * r), b - lr * np.mean(2 * r)
        ws.append(w)
        bs.append(b)
    return np.array(ws), np.array(bs), np.array(costs)


def lesson_000_fit():
    reg = GDRegressor(
        solver="batch", learning_rate=0.01, max_iter=100, tol=None, fit_intercept=False
    )
    return reg.fit(X, Y_DATA, coef_init=[1.0])


def exercise_fit(max_iter=1000, learning_rate=0.01, **params):
    reg = GDRegressor(
        solver="batch", learning_rate=learning_rate, max_iter=max_iter, **params
    )
    return reg.fit(X, Y3_DATA, coef_init=[1.0], intercept_init=0.0)


def test_the_lessons_41_values_from_loss_grid():
    w_list, mse_list = lesson_exhaustive_search()
    assert len(w_list) == 41 and w_list[-1] == pytest.approx(4.0)
    assert mse_list[0] == 18.666666666666668  # the lesson's first MSE= line
    grid = loss_grid(lesson_000_fit(), X, Y_DATA, extent=[(0.0, 4.0)], grid_size=41)
    assert grid.names == ("coef[0]",)
    assert_allclose(grid.axes[0], w_list, rtol=0, atol=1e-15)
    assert_allclose(grid.loss, mse_list, rtol=0, atol=1e-13)
    # The closed form: mean((w x - y)^2) = 14/3 (w - 2)^2.
    assert_allclose(grid.loss, 14 / 3 * (w_list - 2) ** 2, rtol=0, atol=1e-13)
    assert grid.axes[0][np.argmin(grid.loss)] == pytest.approx(2.0, abs=1e-15)


def test_the_curve_marks_the_exact_minimum():
    reg = lesson_000_fit()
    display = LossSurfaceDisplay.from_estimator(
        reg, X, Y_DATA, extent=[(0.0, 4.0)], grid_size=41, param_names=("w",)
    )
    x, y = np.array(X_DATA), np.array(Y_DATA)
    assert_allclose(display.minimum, [x @ y / (x @ x)], rtol=1e-12)  # w = 2
    assert display.minimum_loss == pytest.approx(0.0, abs=1e-20)
    assert display.ax_.get_xlabel() == "w"
    # The path: w at the start and after each of the 100 epochs.
    assert len(display.path_.get_xdata()) == 101


def test_the_exercise_surface_from_loss_grid():
    W, B, lesson_mse = lesson_exercise_surface()
    fit = exercise_fit()
    grid = loss_grid(fit, X, Y3_DATA, extent=[(0.0, 4.0), (0.0, 4.0)], grid_size=41)
    assert grid.names == ("intercept", "coef[0]")
    assert_allclose(grid.axes[0], B, atol=1e-15)
    assert_allclose(grid.axes[1], W, atol=1e-15)
    # skgd's rows follow w, the lesson's follow b.
    assert_allclose(grid.loss.T, lesson_mse, rtol=0, atol=1e-12)
    # The valley: MSE(4, 2) = 14/3, MSE(3, 3) = 1, MSE(4, 0) = 2/3 (rows w).
    assert_allclose(
        [grid.loss[30, 20], grid.loss[40, 20], grid.loss[30, 30], grid.loss[40, 0]],
        [0.0, 14 / 3, 1.0, 2 / 3],
        atol=1e-12,
    )
    # Along b = 8 - 2w the cost is 2/3 (w - 3)^2 (the lesson's grid points on it).
    for i in range(20, 41):
        j = 80 - 2 * i  # b = 8 - 2w on the 0.1 grid
        assert grid.loss[i, j] == pytest.approx(2 / 3 * (i / 10 - 3) ** 2, abs=1e-12)


def test_the_batch_path_on_the_surface():
    ws, bs, costs = batch_loop(1.0, 0.0, 0.01, 1000)
    fit = exercise_fit(tol=None)
    assert_allclose(fit.coef_history_[:, 0], ws, rtol=1e-12)
    assert_allclose(fit.intercept_history_, bs, rtol=1e-12, atol=1e-14)
    assert_allclose(fit.loss_history_, costs, rtol=1e-12)
    display = LossSurfaceDisplay.from_estimator(
        fit, X, Y3_DATA, extent=[(0.0, 4.0), (0.0, 4.0)], grid_size=41
    )
    assert_allclose(display.minimum, [2.0, 3.0], atol=1e-12)  # (b, w)
    assert len(display.path_.get_xdata()) == 1001
    assert (display.ax_.get_xlabel(), display.ax_.get_ylabel()) == ("b", "w")


def test_the_path_shrinks_by_one_minus_eta_lambda_along_each_axis():
    fit = exercise_fit(tol=None)
    H = 2 / 3 * np.array([[14.0, 6.0], [6.0, 3.0]])
    eigenvalues, eigenvectors = np.linalg.eigh(H)
    assert_allclose(eigenvalues, [LAMBDA_MIN, LAMBDA_MAX], rtol=1e-12)
    kappa = (17 + np.sqrt(265)) / (17 - np.sqrt(265))
    assert eigenvalues[1] / eigenvalues[0] == pytest.approx(kappa, rel=1e-12)
    assert kappa == pytest.approx(46.14, abs=5e-3)
    offsets = (
        np.column_stack([fit.coef_history_[:, 0] - 3, fit.intercept_history_ - 2])
        @ eigenvectors
    )
    k = np.arange(len(offsets))[:, np.newaxis]
    predicted = offsets[0] * (1 - 0.01 * eigenvalues) ** k
    assert_allclose(offsets, predicted, rtol=1e-9, atol=1e-14)
    # After 1000 epochs about 0.09 of the distance along the valley is left.
    assert offsets[1000, 0] / offsets[0, 0] == pytest.approx(0.09, abs=5e-3)


def test_auto_learning_rate_is_one_over_lambda_max():
    auto = GDRegressor(max_iter=1, tol=None).fit(X, Y3_DATA)
    assert 1 / auto.learning_rate_ == pytest.approx(LAMBDA_MAX, rel=1e-8)


def test_the_step_limit_and_the_best_constant_step():
    assert 2 / LAMBDA_MAX == pytest.approx(0.1803, abs=1e-4)
    with pytest.warns(ConvergenceWarning, match="diverged"):
        too_large = exercise_fit(max_iter=200, tol=None, learning_rate=0.19)
    assert too_large.stop_reason_ == "diverged"
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        below = exercise_fit(max_iter=2000, tol=None, learning_rate=0.179)
    assert_allclose([below.coef_[0], below.intercept_], [3.0, 2.0], atol=1e-9)
    kappa = LAMBDA_MAX / LAMBDA_MIN
    best = 2 / (LAMBDA_MIN + LAMBDA_MAX)
    ws, bs, _ = batch_loop(1.0, 0.0, best, 101)
    distance = np.hypot(ws - 3, bs - 2)
    assert distance[101] / distance[100] == pytest.approx(
        (kappa - 1) / (kappa + 1), rel=1e-9
    )
    assert (kappa - 1) / (kappa + 1) == pytest.approx(0.958, abs=5e-4)
    assert 1 - 2 / kappa == pytest.approx(0.957, abs=5e-4)


def test_the_default_tol_stops_on_the_valley_floor():
    """The stopping rule written by hand: stop once the cost has not improved
    on the best so far by ``tol`` for ``n_iter_no_change`` epochs in a row."""
    tol, patience = 1e-4, 5
    ws, bs, costs = batch_loop(1.0, 0.0, 0.01, 1000)
    best, bad, n_epochs = np.inf, 0, 0
    for cost in costs:
        n_epochs += 1
        bad = bad + 1 if cost > best - tol else 0
        best = min(best, cost)
        if bad >= patience:
            break
    assert n_epochs < 1000
    early = exercise_fit()
    assert early.stop_reason_ == "converged"
    assert early.n_iter_ == n_epochs
    assert_allclose([early.coef_[0], early.intercept_], [ws[n_epochs], bs[n_epochs]])
    assert abs(early.coef_[0] - 3) > 0.15 and abs(early.intercept_ - 2) > 0.3
