"""The numbers of the tutorial "Gradient descent by hand, and with GDRegressor"
(examples/plot_01_gradient_descent_by_hand.py, lesson 000).

The reference is lesson 000's own loop, written here as the lesson writes it
(``w`` shared by its functions, Python lists), and closed forms of the
quadratic cost.
"""

import math
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from skgd import GDRegressor

X_DATA = [1.0, 2.0, 3.0]
Y_DATA = [2.0, 4.0, 6.0]
X = np.reshape(X_DATA, (-1, 1))


def lesson_000(epochs=100, lr=0.01):
    """Lesson 000's loop: w after every epoch, the cost before every update,
    and the predictions for x = 4 before and after training."""
    w = 1.0

    def forward(x):
        return x * w

    def cost(xs, ys):
        cost = 0
        for x, y in zip(xs, ys, strict=True):
            y_pred = forward(x)
            cost += (y_pred - y) ** 2
        return cost / len(xs)

    def gradient(xs, ys):
        grad = 0
        for x, y in zip(xs, ys, strict=True):
            grad += 2 * x * (x * w - y)
        return grad / len(xs)

    before = forward(4)
    w_list, cost_list = [], []
    for _ in range(epochs):
        cost_val = cost(X_DATA, Y_DATA)
        grad_val = gradient(X_DATA, Y_DATA)
        w -= lr * grad_val
        w_list.append(w)
        cost_list.append(cost_val)
    return w_list, cost_list, before, forward(4)


def batch(max_iter=100, learning_rate=0.01, **kwargs):
    params = dict(solver="batch", tol=None, fit_intercept=False) | kwargs
    reg = GDRegressor(learning_rate=learning_rate, max_iter=max_iter, **params)
    return reg.fit(X, Y_DATA, coef_init=[1.0])


def test_loss_cost_and_gradient_at_the_start():
    x, y = np.array(X_DATA), np.array(Y_DATA)
    losses = (1.0 * x - y) ** 2
    assert_array_equal(losses, [1.0, 4.0, 9.0])
    assert losses.mean() == pytest.approx(14 / 3, rel=1e-15)
    # The derived gradient 2/N sum x (w x - y) at w = 1 is -28/3, and matches a
    # central difference of the cost.
    grad = 2 / 3 * np.sum(x * (x - y))
    assert grad == pytest.approx(-28 / 3, rel=1e-15)
    h = 1e-6
    numeric = (np.mean(((1 + h) * x - y) ** 2) - np.mean(((1 - h) * x - y) ** 2)) / (
        2 * h
    )
    assert numeric == pytest.approx(grad, rel=1e-8)
    w_list, cost_list, _, _ = lesson_000(epochs=1)
    assert w_list[0] == pytest.approx(1 + 0.28 / 3, rel=1e-15)
    assert cost_list[0] == pytest.approx(14 / 3, rel=1e-15)


def test_taylor_expansion_of_the_first_step():
    w_list, cost_list, _, _ = lesson_000(epochs=2)
    cost0, cost1 = cost_list
    grad0, second = -28 / 3, 28 / 3  # J'(1) and J''
    alpha = 0.01
    first_order = cost0 - alpha * grad0**2
    assert first_order == pytest.approx(3.795555555555556, rel=1e-14)
    assert first_order < cost1 < cost0
    assert cost1 == pytest.approx(
        cost0 - alpha * grad0**2 * (1 - alpha * second / 2), rel=1e-14
    )


@pytest.mark.parametrize("lr, falls", [(0.2, True), (0.23, False)])
def test_the_cost_falls_below_two_over_the_curvature(lr, falls):
    # 2 / J'' = 3/14 = 0.214...
    _, cost_list, _, _ = lesson_000(epochs=3, lr=lr)
    assert (np.diff(cost_list) < 0).all() == falls
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reg = batch(max_iter=1, learning_rate=lr)
    w1 = reg.coef_history_[1, 0]  # after the step (coef_ keeps the best)
    assert (np.mean((w1 * np.array(X_DATA) - Y_DATA) ** 2) < 14 / 3) == falls
    assert (reg.stop_reason_ == "diverged") != falls
    assert any(issubclass(w.category, ConvergenceWarning) for w in caught) != falls


def test_gdregressor_gives_the_lessons_w_and_costs():
    w_list, cost_list, before, after = lesson_000()
    reg = batch()
    assert reg.n_iter_ == 100 and reg.stop_reason_ == "max_iter"
    assert_allclose(reg.loss_history_, cost_list, rtol=1e-14, atol=0)
    assert_allclose(reg.coef_history_[1:, 0], w_list, rtol=1e-15, atol=0)
    assert reg.coef_history_[0, 0] == 1.0
    assert reg.coef_[0] == pytest.approx(w_list[-1], rel=1e-15)
    assert before == 4.0
    assert reg.predict([[4.0]])[0] == pytest.approx(after, rel=1e-15)
    # The numbers the tutorial prints (and the lesson's code prints).
    assert f"{w_list[-1]:.6f}" == "1.999944"
    assert after == pytest.approx(7.999777758621207, rel=1e-14)
    assert_array_equal(reg.history_.index[:3], [1, 2, 3])


def test_the_default_tol_stops_on_scikit_learns_rule():
    # scikit-learn's rule on the lesson's costs: stop after 5 epochs in a row
    # that do not lower the best cost by at least 1e-4.
    _, cost_list, _, _ = lesson_000(epochs=200)
    best, count, n = math.inf, 0, 0
    while count < 5:
        loss = cost_list[n]
        count = count + 1 if loss > best - 1e-4 else 0
        best = min(best, loss)
        n += 1
    reg = GDRegressor(solver="batch", learning_rate=0.01, fit_intercept=False)
    reg.fit(X, Y_DATA, coef_init=[1.0])
    assert reg.stop_reason_ == "converged"
    assert reg.n_iter_ == n == 53
    assert reg.coef_[0] == pytest.approx(2 - (1 - 0.28 / 3) ** n, rel=1e-12)


def test_epochs_until_w_is_within_1e_6_of_2():
    r = 1 - 0.01 * 28 / 3
    w_list, _, _, _ = lesson_000(epochs=200)
    assert_allclose(w_list, 2 - r ** np.arange(1, 201), rtol=1e-13)
    by_loop = next(k for k, w in enumerate(w_list, start=1) if abs(w - 2) < 1e-6)
    by_formula = math.floor(math.log(1e-6) / math.log(r)) + 1
    assert by_loop == by_formula == 142
    reg = batch(max_iter=200)
    distance = np.abs(reg.coef_history_[:, 0] - 2)
    assert np.argmax(distance < 1e-6) == 142
    assert (distance > 0).all()


def test_floating_point_stall_is_not_2():
    w_list, _, _, _ = lesson_000(epochs=400)
    last_change = next(
        k for k in range(1, 400) if w_list[k] == w_list[k - 1]
    )  # epoch k + 1 is the first that leaves w unchanged
    assert last_change + 1 == 351
    assert w_list[-1] == 1.999999999999999 != 2.0
    reg = batch(max_iter=400)
    assert reg.coef_[0] == w_list[-1]
