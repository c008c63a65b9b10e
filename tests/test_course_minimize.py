"""Tutorial 03 (lessons 001 and 000): minimize makes the lessons' steps."""

import numpy as np
from numpy.testing import assert_allclose

from skgd import minimize


def lesson_001_loop():
    """Lesson 001's while-loop, as written."""
    eta, theta, epsilon = 0.1, 0.0, 1e-8
    history = [theta]
    while True:
        gradient = 2 * (theta - 2.5)
        last_theta = theta
        theta = theta - gradient * eta
        history.append(theta)
        if abs(((theta - 2.5) ** 2 - 1) - ((last_theta - 2.5) ** 2 - 1)) < epsilon:
            break
    return np.array(history)


def test_minimize_makes_the_steps_of_lesson_001():
    history = lesson_001_loop()
    result = minimize(
        lambda t: (t - 2.5) ** 2 - 1, 0.0, jac=lambda t: 2 * (t - 2.5), tol=1e-8
    )
    assert len(result.x_path) == len(history) == 46
    assert_allclose(result.x_path, history, rtol=0, atol=1e-15)
    # The distance to the minimum shrinks by 1 - 2 * eta = 0.8 per step.
    assert_allclose(2.5 - history, 2.5 * 0.8 ** np.arange(46), rtol=0, atol=1e-15)


def test_the_examples_of_lesson_000_shrink_by_their_factors():
    half_square = minimize(
        lambda x: 0.5 * x**2, 1.0, jac=lambda x: x, tol=None, max_iter=5
    )
    assert_allclose(half_square.x_path, 0.9 ** np.arange(6), rtol=1e-15)
    result = minimize(
        lambda t: 2 * t[0] ** 2 + 3 * t[1] ** 2 + 4 * t[2] ** 2,
        [1.0, 1.0, 1.0],
        jac=lambda t: np.array([4 * t[0], 6 * t[1], 8 * t[2]]),
        tol=None,
        max_iter=3,
    )
    steps = np.arange(4)[:, np.newaxis]
    assert_allclose(result.x_path, np.array([0.6, 0.4, 0.2]) ** steps, rtol=1e-14)
