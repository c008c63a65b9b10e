"""The numbers of the tutorial on stretched valleys, momentum and saddle points
(examples/plot_08_momentum_and_saddle_points.py), against closed forms and
update formulas written here in NumPy."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skgd import minimize
from skgd.optim import SGD

ANGLE = np.pi / 6
ROTATION = np.array([[np.cos(ANGLE), -np.sin(ANGLE)], [np.sin(ANGLE), np.cos(ANGLE)]])
EPSILON = 1e-6


def valley(kappa):
    """A = R diag(1/kappa, 1) R', as in the tutorial."""
    return ROTATION @ np.diag([1 / kappa, 1.0]) @ ROTATION.T


def start(kappa):
    return ROTATION @ np.array([-np.sqrt(kappa), 1.0])


def run(kappa, max_iter, **kwargs):
    A = valley(kappa)
    return minimize(
        lambda t: 0.5 * t @ A @ t,
        start(kappa),
        jac=lambda t: A @ t,
        tol=None,
        max_iter=max_iter,
        **kwargs,
    )


def steps_to_tolerance(path):
    error = np.linalg.norm(path, axis=1) / np.linalg.norm(path[0])
    return int(np.nonzero(error > EPSILON)[0][-1]) + 1


@pytest.mark.parametrize("eta", [1 / 8, 0.1])
def test_lesson_000_function_contracts_by_one_minus_eta_lambda(eta):
    # f = 2 t1^2 + 3 t2^2 + 4 t3^2 = t' diag(4, 6, 8) t / 2: each coordinate is
    # multiplied by 1 - eta * lambda_i per step; by hand, for eta = 1/8:
    # 1 - 4/8, 1 - 6/8, 1 - 8/8; for eta = 0.1: 0.6, 0.4, 0.2.
    factors = {1 / 8: [0.5, 0.25, 0.0], 0.1: [0.6, 0.4, 0.2]}[eta]
    result = minimize(
        lambda t: 2 * t[0] ** 2 + 3 * t[1] ** 2 + 4 * t[2] ** 2,
        [1.0, 1.0, 1.0],
        jac=lambda t: np.array([4 * t[0], 6 * t[1], 8 * t[2]]),
        learning_rate=eta,
        tol=None,
        max_iter=6,
    )
    expected = np.array(factors) ** np.arange(7)[:, None]
    assert_allclose(result.x_path, expected, rtol=1e-13, atol=1e-300)


@pytest.mark.parametrize("kappa", [10, 100])
def test_valley_contracts_along_eigenvectors(kappa):
    A = valley(kappa)
    lam, V = np.linalg.eigh(A)
    assert_allclose(lam, [1 / kappa, 1.0], rtol=1e-12)
    c = run(kappa, 5, learning_rate=1.0).x_path @ V
    # Slow direction: 1 - lambda_min / lambda_max = 1 - 1/kappa per step.
    assert_allclose(c[1:, 0] / c[:-1, 0], 1 - 1 / kappa, rtol=1e-12)
    # Steep direction: 1 - 1 = 0, solved in the first step.
    assert_allclose(c[1:, 1], 0.0, atol=1e-14)
    # The best constant step: both factors +-(kappa - 1) / (kappa + 1).
    c = run(kappa, 5, learning_rate=2 / (1 + 1 / kappa)).x_path @ V
    rho = (kappa - 1) / (kappa + 1)
    assert_allclose(c[1:, 0] / c[:-1, 0], rho, rtol=1e-12)
    assert_allclose(c[1:, 1] / c[:-1, 1], -rho, rtol=1e-10)


@pytest.mark.parametrize("kappa", [10, 100, 1000])
def test_gradient_descent_steps_grow_like_kappa(kappa):
    # With eta = 1/lambda_max the error after step 1 is the slow coefficient
    # alone, c_0 (1 - 1/kappa)^k, so the count is a closed form.
    rho = 1 - 1 / kappa
    c0, norm0 = np.sqrt(kappa), np.linalg.norm([np.sqrt(kappa), 1.0])
    expected = int(np.ceil(np.log(EPSILON * norm0 / c0) / np.log(rho)))
    measured = steps_to_tolerance(run(kappa, 15 * kappa, learning_rate=1.0).x_path)
    assert measured == expected
    assert 13.0 < measured / kappa < 13.9  # about kappa * ln(1e6) = 13.8 kappa
    # The best constant step: c_0 rho^k along both directions.
    rho = (kappa - 1) / (kappa + 1)
    expected = int(np.ceil(np.log(EPSILON) / np.log(rho)))
    path = run(kappa, 8 * kappa, learning_rate=2 / (1 + 1 / kappa)).x_path
    assert steps_to_tolerance(path) == expected


def heavy_ball(A, theta0, eta, mu, n_steps):
    """Polyak's heavy ball: theta + mu (theta - theta_prev) - eta grad."""
    theta_prev = theta = np.asarray(theta0, dtype=float)
    path = [theta]
    for _ in range(n_steps):
        theta, theta_prev = theta - eta * A @ theta + mu * (theta - theta_prev), theta
        path.append(theta)
    return np.array(path)


@pytest.mark.parametrize(
    ("optimizer", "eta", "mu"),
    [("momentum", 1.0, 0.9), (SGD(momentum=0.5), 0.7, 0.5), (SGD(), 1.0, 0.0)],
)
def test_minimize_steps_follow_the_heavy_ball_formula(optimizer, eta, mu):
    kappa = 100
    result = run(kappa, 8, optimizer=optimizer, learning_rate=eta)
    expected = heavy_ball(valley(kappa), start(kappa), eta, mu, 8)
    assert_allclose(result.x_path, expected, rtol=1e-12, atol=1e-12)


def tuned(kappa):
    root = np.sqrt(kappa)
    return 4 / (1 + 1 / root) ** 2, ((root - 1) / (root + 1)) ** 2


@pytest.mark.parametrize("kappa", [10, 100, 1000])
def test_tuned_heavy_ball_steps_grow_like_sqrt_kappa(kappa):
    eta, mu = tuned(kappa)
    root = np.sqrt(kappa)
    reference = heavy_ball(valley(kappa), start(kappa), eta, mu, int(20 * root))
    measured = steps_to_tolerance(
        run(kappa, int(20 * root), optimizer=SGD(momentum=mu), learning_rate=eta).x_path
    )
    assert measured == steps_to_tolerance(reference)
    assert 8.0 < measured / root < 8.6
    # Above ln(eps) / ln(sqrt(mu)), the rate of every direction.
    assert measured > np.log(EPSILON) / np.log(np.sqrt(mu))


def test_fixed_momentum_is_slower_than_gd_on_a_round_valley():
    # mu = 0.9, eta = 1: complex roots of size sqrt(0.9) for kappa = 10.
    reference = heavy_ball(valley(10), start(10), 1.0, 0.9, 1400)
    measured = steps_to_tolerance(
        run(10, 1400, optimizer="momentum", learning_rate=1.0).x_path
    )
    assert measured == steps_to_tolerance(reference)
    assert measured > steps_to_tolerance(run(10, 150, learning_rate=1.0).x_path)
    assert abs(measured - np.log(EPSILON) / np.log(np.sqrt(0.9))) < 10


@pytest.mark.parametrize(
    ("x0", "minimum"), [(-2.0, 0), (-0.5, 0), (0.1, 0), (0.15, 2), (0.5, 2), (2.0, 2)]
)
def test_the_start_decides_the_minimum_of_the_quartic(x0, minimum):
    roots = np.sort(np.roots([4, 0, -8, 1]).real)  # g'(x) = 4x^3 - 8x + 1
    result = minimize(
        lambda x: x**4 - 4 * x**2 + x,
        x0,
        jac=lambda x: 4 * x**3 - 8 * x + 1,
        learning_rate=0.05,
    )
    assert result.success
    assert abs(result.x - roots[minimum]) < 1e-4  # the |change of g| < 1e-8 rule
    assert (x0 < roots[1]) == (minimum == 0)


def saddle(p):
    return p[0] ** 2 - p[1] ** 2 + 0.5 * p[1] ** 4


def grad_saddle(p):
    return np.array([2 * p[0], -2 * p[1] + 2 * p[1] ** 3])


def test_on_the_x_axis_gradient_descent_converges_to_the_saddle():
    result = minimize(saddle, [1.5, 0.0], jac=grad_saddle, learning_rate=0.1)
    assert result.success  # the tol rule cannot tell a saddle from a minimum
    assert_array_equal(result.x_path[:, 1], 0.0)
    assert_allclose(result.x_path[:, 0], 1.5 * 0.8 ** np.arange(result.nit + 1))
    assert np.linalg.norm(result.x) < 1e-3
    # The Hessian there has eigenvalues of both signs.
    assert_allclose(np.linalg.eigvalsh(np.diag([2.0, -2.0])), [-2.0, 2.0])


@pytest.mark.parametrize("sign", [1, -1])
def test_a_tiny_perturbation_escapes_the_saddle(sign):
    eta, y0 = 0.1, sign * 1e-6
    result = minimize(saddle, [1.5, y0], jac=grad_saddle, learning_rate=eta)
    assert result.success
    assert_allclose(result.x, [0.0, sign * 1.0], atol=1e-4)
    # y_{k+1} = y_k - eta (-2 y_k + 2 y_k^3) = y_k (1 + 2 eta - 2 eta y_k^2).
    y = result.x_path[:, 1]
    assert_allclose(y[1:] / y[:-1], 1 + 2 * eta - 2 * eta * y[:-1] ** 2, rtol=1e-12)
    escape = np.argmax(np.abs(y) > 0.5)
    assert abs(escape - np.log(0.5 / 1e-6) / np.log(1 + 2 * eta)) < 2


def test_a_smaller_perturbation_is_stopped_by_the_tol_rule():
    stopped = minimize(saddle, [1.5, 1e-8], jac=grad_saddle, learning_rate=0.1)
    assert stopped.success and np.linalg.norm(stopped.x) < 1e-3
    escaped = minimize(
        saddle,
        [1.5, 1e-8],
        jac=grad_saddle,
        learning_rate=0.1,
        tol=None,
        max_iter=150,
    )
    assert_allclose(escaped.x, [0.0, 1.0], atol=1e-8)


def test_basins_of_the_quartic_split_at_its_maximum():
    roots = np.sort(np.roots([4, 0, -8, 1]).real)
    starts = np.linspace(-2, 2, 401)
    ends = np.array(
        [
            minimize(
                lambda x: x**4 - 4 * x**2 + x,
                x0,
                jac=lambda x: 4 * x**3 - 8 * x + 1,
                learning_rate=0.05,
            ).x
            for x0 in starts
        ]
    )
    expected = np.where(starts < roots[1], roots[0], roots[2])
    assert_allclose(ends, expected, atol=1e-4)
