"""minimize against the tutorial's while-loop, closed-form gradients and the
optimizers' own update formulas."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skgd import minimize
from skgd.optim import Adam


def J(theta):
    return (theta - 2.5) ** 2 - 1


def dJ(theta):
    return 2 * (theta - 2.5)


def tutorial_loop(eta=0.1, theta=0.0, epsilon=1e-8):
    """The lesson's loop, verbatim but for the history."""
    theta_history = [theta]
    while True:
        gradient = dJ(theta)
        last_theta = theta
        theta = theta - gradient * eta
        theta_history.append(theta)
        if np.abs(J(theta) - J(last_theta)) < epsilon:
            break
    return theta, theta_history


@pytest.mark.parametrize("jac", [dJ, None])
def test_reproduces_the_tutorial_while_loop(jac):
    theta, history = tutorial_loop()
    result = minimize(J, 0.0, jac=jac, learning_rate=0.1, tol=1e-8)
    assert result.success and result.status == 0
    assert result.nit == len(history) - 1
    assert isinstance(result.x, float)
    # The exact gradient repeats the loop bit for bit; finite differences of a
    # quadratic are exact up to rounding.
    rtol = 0 if jac is not None else 1e-10
    assert_allclose(result.x, theta, rtol=rtol)
    assert_allclose(result.x_path, history, rtol=rtol, atol=1e-12)
    assert_allclose(result.fun_path, J(np.array(history)), rtol=1e-9)
    assert result.fun == result.fun_path[-1]


def test_three_variables_converge_to_zero_with_finite_differences():
    def f(t):
        return 2 * t[0] ** 2 + 3 * t[1] ** 2 + 4 * t[2] ** 2

    x0 = np.array([1.0, -2.0, 3.0])
    result = minimize(f, x0, learning_rate=0.1, tol=1e-14, max_iter=500)
    assert result.success
    assert_allclose(result.x, 0.0, atol=1e-6)
    assert result.fun < 1e-12
    # Each coordinate shrinks by its own factor 1 - 0.1 * (4, 6, 8) per step.
    steps = np.arange(4)[:, np.newaxis]
    assert_allclose(result.x_path[:4], x0 * (1 - 0.1 * np.array([4, 6, 8])) ** steps)
    assert result.x_path.shape == (result.nit + 1, 3)


def test_finite_difference_gradient_matches_the_closed_form():
    def f(t):
        return 2 * t[0] ** 2 + 3 * t[1] ** 2 + 4 * t[2] ** 2

    point = np.array([0.3, -1.7, 2.2])
    result = minimize(f, point, max_iter=1, tol=None, learning_rate=1e-12)
    assert_allclose(result.jac, [4 * 0.3, 6 * -1.7, 8 * 2.2], rtol=1e-8)


def test_optimizers_take_their_own_steps():
    """Adam's first step moves every coordinate by the learning rate."""
    result = minimize(
        lambda t: np.sum(t**2), [1.0, -3.0], jac=lambda t: 2 * t, optimizer=Adam(),
        learning_rate=0.01, max_iter=1, tol=None,
    )  # fmt: skip
    assert_allclose(result.x_path[1], [0.99, -2.99])


def test_divergence_stops_at_the_last_finite_point():
    with np.errstate(over="ignore"):  # the function's own overflow, to inf
        result = minimize(lambda t: np.exp(t**2), 2.0, learning_rate=10.0)
    assert result.status == 2 and not result.success
    assert np.isfinite(result.x) and np.isfinite(result.fun)
    assert "diverged" in result.message


def test_max_iter_is_not_success():
    result = minimize(J, 0.0, learning_rate=1e-4, max_iter=5)
    assert result.status == 1 and not result.success and result.nit == 5


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="learning_rate"):
        minimize(J, 0.0, learning_rate=-1.0)
    with pytest.raises(ValueError, match="optimizer"):
        minimize(J, 0.0, optimizer="lbfgs")
    with pytest.raises(ValueError, match="fun\\(x0\\) is nan"):
        minimize(lambda t: np.nan, 0.0)
