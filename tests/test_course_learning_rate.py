"""The numbers of the tutorial "Choosing the learning rate" (plot_07), checked
against independent references: lesson 001's loop, NumPy's eigenvalues, the
schedules' formulas written by hand, hand-written update rules, and
scikit-learn's LinearRegression."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgd import GDRegressor, find_learning_rate, minimize
from skgd.optim import Adam
from skgd.schedules import (
    Adaptive,
    Constant,
    Cosine,
    Exponential,
    InverseScaling,
    Optimal,
    Step,
)

# --------------------------------------------------------------------------
# Data


def _j(theta):
    return (theta - 2.5) ** 2 - 1


def _dj(theta):
    return 2 * (theta - 2.5)


def _lesson_loop(eta, max_steps=1000):
    """Lesson 001's while-loop, with a cap on the steps."""
    theta, epsilon, history = 0.0, 1e-8, [0.0]
    while True:
        last_theta = theta
        theta = theta - _dj(theta) * eta
        history.append(theta)
        if abs(_j(theta) - _j(last_theta)) < epsilon or len(history) > max_steps:
            return history


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    Xs = StandardScaler().fit(X_train).transform(X_train)
    return X_train, X_test, y_train, y_test, Xs


def _augmented(X):
    return np.hstack([X, np.ones((len(X), 1))])


def _lipschitz(X):
    """L = 2 lambda_max(C) of the mean squared error, C the uncentred
    covariance of the rows with a 1 appended."""
    A = _augmented(X)
    return 2 * np.linalg.eigvalsh(A.T @ A / len(A))[-1]


@pytest.fixture(scope="module")
def lesson_004():
    """Lesson 004's data: y = 1 + 2x + noise, 80 training samples."""
    rng = np.random.RandomState(42)
    x = rng.rand(100, 1)
    y = 1 + 2 * x + 0.1 * rng.randn(100, 1)
    idx = np.arange(100)
    rng.shuffle(idx)
    return x[idx[:80]], y[idx[:80]].ravel()


# --------------------------------------------------------------------------
# Why the step matters: lesson 001's function


def test_lesson_loop_printed_numbers():
    history = _lesson_loop(0.1)
    assert len(history) == 46
    assert history[-1] == pytest.approx(2.499891109642585, abs=1e-15)
    assert _dj(history[-1]) == pytest.approx(-0.0002177807148298072, abs=1e-15)
    assert _j(history[-1]) == pytest.approx(-0.99999998814289, abs=1e-14)


@pytest.mark.parametrize("eta", [0.01, 0.1, 0.5, 0.9, 1.0, 1.1])
def test_minimize_follows_the_lesson_loop(eta):
    history = np.array(_lesson_loop(eta))
    result = minimize(_j, 0.0, jac=_dj, learning_rate=eta, tol=1e-8, max_iter=1000)
    assert result.nit == len(history) - 1
    np.testing.assert_allclose(result.x_path, history, rtol=1e-12)


def test_step_counts_follow_the_factor():
    # theta_k - 2.5 = (1 - 2 eta)^k (0 - 2.5)
    steps = {eta: len(_lesson_loop(eta)) - 1 for eta in [0.01, 0.1, 0.5, 0.9, 1.0]}
    assert steps == {0.01: 423, 0.1: 45, 0.5: 2, 0.9: 45, 1.0: 1}
    history = _lesson_loop(0.1)
    k = np.arange(len(history))
    np.testing.assert_allclose(history, 2.5 - 2.5 * 0.8**k, rtol=1e-12)
    assert _lesson_loop(1.0)[-1] == 5.0  # the stopping rule is fooled
    assert abs(_lesson_loop(1.1)[-1]) > 1e79  # diverges


# --------------------------------------------------------------------------
# The auto step


def test_auto_step_is_one_over_two_lambda_max(diabetes):
    *_, y_train, _, Xs = diabetes
    inverse_l = 1 / _lipschitz(Xs)
    fit = GDRegressor(solver="batch", max_iter=1, tol=None).fit(Xs, y_train)
    # power iteration approaches lambda_max from below, to 1e-4 relative
    assert inverse_l <= fit.learning_rate_ <= inverse_l * (1 + 1e-3)
    assert inverse_l == pytest.approx(0.120755, abs=1e-6)


def test_auto_step_on_other_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4)) * [1.0, 3.0, 0.5, 2.0] + [1.0, 0.0, -2.0, 0.5]
    y = X @ [1.0, -2.0, 0.5, 3.0] + rng.normal(size=200)
    with_b = GDRegressor(max_iter=1, tol=None).fit(X, y)
    assert with_b.learning_rate_ == pytest.approx(1 / _lipschitz(X), rel=1e-3)
    without_b = GDRegressor(max_iter=1, tol=None, fit_intercept=False).fit(X, y)
    expected = 1 / (2 * np.linalg.eigvalsh(X.T @ X / len(X))[-1])
    assert without_b.learning_rate_ == pytest.approx(expected, rel=1e-3)


def test_auto_step_of_the_per_sample_solver(diabetes):
    *_, y_train, _, Xs = diabetes
    fit = GDRegressor(solver="sgd", max_iter=1, tol=None).fit(Xs, y_train)
    largest = np.max(2 * np.sum(_augmented(Xs) ** 2, axis=1))
    assert fit.learning_rate_ == pytest.approx(1 / largest, rel=1e-12)


def test_condition_number(diabetes):
    Xs = diabetes[4]
    A = _augmented(Xs)
    eigenvalues = np.linalg.eigvalsh(A.T @ A / len(A))
    assert eigenvalues[-1] / eigenvalues[0] == pytest.approx(443, abs=1)
    assert np.corrcoef(Xs[:, 4], Xs[:, 5])[0, 1] == pytest.approx(0.89, abs=0.01)


def _batch_loop(X, y, eta, epochs):
    """Batch gradient descent on the mean squared error, by hand; the loss at
    the start of every epoch."""
    A = _augmented(X)
    theta = np.zeros(A.shape[1])
    losses = []
    for _ in range(epochs):
        residual = A @ theta - y
        losses.append(np.mean(residual**2))
        theta = theta - eta * 2 / len(A) * A.T @ residual
    return np.array(losses)


@pytest.mark.parametrize("multiple", [0.1, 1.0, 1.9])
def test_multiples_of_the_safe_step(diabetes, multiple):
    *_, y_train, _, Xs = diabetes
    eta = multiple / _lipschitz(Xs)
    fit = GDRegressor(learning_rate=eta, max_iter=100, tol=None).fit(Xs, y_train)
    np.testing.assert_allclose(
        fit.loss_history_, _batch_loop(Xs, y_train, eta, 100), rtol=1e-9
    )
    assert fit.stop_reason_ == "max_iter"
    if multiple == 1.0:
        assert np.all(np.diff(fit.loss_history_) < 0)


def test_above_two_over_l_diverges(diabetes):
    *_, y_train, _, Xs = diabetes
    eta = 2.1 / _lipschitz(Xs)
    with pytest.warns(ConvergenceWarning):
        fit = GDRegressor(learning_rate=eta, max_iter=100, tol=None).fit(Xs, y_train)
    assert fit.stop_reason_ == "diverged"
    by_hand = _batch_loop(Xs, y_train, eta, 100)
    assert by_hand[-1] > 1e6 * by_hand[0]  # grows without bound


def test_slow_and_fast_ends(diabetes):
    *_, y_train, _, Xs = diabetes
    best = np.mean((LinearRegression().fit(Xs, y_train).predict(Xs) - y_train) ** 2)
    inverse_l = 1 / _lipschitz(Xs)
    losses = {m: _batch_loop(Xs, y_train, m * inverse_l, 100) for m in [0.1, 1, 1.9]}
    assert losses[1.9][-1] < losses[1][-1]  # ends lower
    # 100 epochs at 0.1/L get about as far as 10 at 1/L
    ratio = (losses[0.1][99] - best) / (losses[1][9] - best)
    assert 0.8 < ratio < 1.5


# --------------------------------------------------------------------------
# Grid search and the range test


def test_grid_search_ranks(diabetes):
    X_train, X_test, y_train, y_test, _ = diabetes
    model = make_pipeline(
        StandardScaler(), GDRegressor(solver="batch", max_iter=20, tol=None)
    )
    grid = {"gdregressor__learning_rate": [0.001, 0.01, 0.1, "auto", 0.2, 0.3, 1.0]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = GridSearchCV(model, grid, cv=5).fit(X_train, y_train)
    scores = dict(
        zip(
            map(str, search.cv_results_["param_gdregressor__learning_rate"]),
            search.cv_results_["mean_test_score"],
            strict=True,
        )
    )
    good = min(scores["0.1"], scores["auto"], scores["0.2"])
    assert good > 0.5
    assert max(scores["0.001"], scores["0.01"], scores["0.3"], scores["1.0"]) < 0
    assert abs(scores["0.1"] - scores["0.2"]) < 0.01
    exact = make_pipeline(StandardScaler(), LinearRegression()).fit(X_train, y_train)
    assert search.score(X_test, y_test) == pytest.approx(
        exact.score(X_test, y_test), abs=0.01
    )


def test_range_test_steps_and_suggestion(diabetes):
    X_train, _, y_train, _, _ = diabetes
    model = make_pipeline(
        StandardScaler(), GDRegressor(solver="batch", max_iter=20, tol=None)
    )
    result = find_learning_rate(model, X_train, y_train)
    k = np.arange(len(result.learning_rates))
    np.testing.assert_allclose(
        result.learning_rates, 1e-5 * (10 / 1e-5) ** (k / 59), rtol=1e-12
    )
    lowest = result.learning_rates[np.argmin(result.losses)]
    assert result.suggestion == pytest.approx(lowest / 10)
    inverse_l = 1 / _lipschitz(StandardScaler().fit_transform(X_train))
    assert lowest > 2 * inverse_l  # the lowest loss comes above 2/L
    assert 0.05 < result.suggestion < inverse_l


# --------------------------------------------------------------------------
# Schedules


def _sgd(x, y, learning_rate, schedule, tol=None, seed=0, max_iter=100):
    return GDRegressor(
        solver="sgd",
        learning_rate=learning_rate,
        lr_schedule=schedule,
        max_iter=max_iter,
        tol=tol,
        random_state=seed,
    ).fit(x, y)


def test_schedules_step_per_epoch(lesson_004):
    x, y = lesson_004
    e = np.arange(100.0)
    expected = {
        "constant": (Constant(), np.full(100, 0.1)),
        "invscaling": (InverseScaling(power_t=0.5), 0.1 * (e + 1) ** -0.5),
        "exponential": (Exponential(gamma=0.95), 0.1 * 0.95**e),
        "step": (Step(step_size=25, gamma=0.1), 0.1 * 0.1 ** np.floor(e / 25)),
        "cosine": (Cosine(), 0.1 * 0.5 * (1 + np.cos(np.pi * e / 100))),
    }
    for name, (schedule, steps) in expected.items():
        fit = _sgd(x, y, 0.1, schedule)
        recorded = fit.history_["learning_rate"].to_numpy()
        np.testing.assert_allclose(recorded, steps, rtol=1e-9, atol=1e-15, err_msg=name)
    # Optimal counts updates: 80 per epoch, the step of each epoch's first
    fit = _sgd(x, y, 1.0, Optimal(alpha=0.01, t0=1000.0))
    np.testing.assert_allclose(
        fit.history_["learning_rate"].to_numpy(),
        1 / (0.01 * (1000 + 80 * e)),
        rtol=1e-12,
    )


def test_adaptive_schedule_divides_by_five(lesson_004):
    x, y = lesson_004
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit = _sgd(x, y, 0.1, Adaptive(), tol=1e-4)
    steps = fit.history_["learning_rate"].to_numpy()
    powers = np.log(steps / 0.1) / np.log(0.2)
    np.testing.assert_allclose(powers, np.round(powers), atol=1e-9)
    assert np.all(np.diff(steps) <= 0)
    assert fit.stop_reason_ == "converged"
    assert steps[-1] * 0.2 < 1e-6 <= steps[-1]


def test_default_optimal_diverges_on_this_regression(lesson_004):
    x, y = lesson_004
    with pytest.warns(ConvergenceWarning):
        fit = _sgd(x, y, "auto", "optimal")
    # scikit-learn's heuristic, on its scale (a = alpha / 2 = 5e-5): eta0 =
    # a ** -0.25 / max(1, loss'(-a ** -0.25)), and the squared loss's
    # derivative there, -a ** -0.25 - 1, is negative; skgd's regressor takes
    # half of scikit-learn's step (its loss is twice scikit-learn's).
    first = fit.history_["learning_rate"].iloc[0]
    assert first == pytest.approx(0.5 * 5e-5**-0.25)
    assert fit.stop_reason_ == "diverged"


def test_noise_ball(lesson_004):
    x, y = lesson_004
    lin = LinearRegression().fit(x, y)
    theta_star = np.r_[lin.intercept_, lin.coef_]

    def final_distance(learning_rate, schedule, seed):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            fit = _sgd(x, y, learning_rate, schedule, seed=seed)
        return np.linalg.norm(np.r_[fit.intercept_, fit.coef_] - theta_star)

    seeds = range(10)
    constant = np.median([final_distance(0.1, Constant(), s) for s in seeds])
    small = np.median([final_distance(0.01, Constant(), s) for s in seeds])
    exponential = np.median([final_distance(0.1, Exponential(0.95), s) for s in seeds])
    cosine = np.median([final_distance(0.1, Cosine(), s) for s in seeds])
    assert 0.01 < constant < 0.05  # the noise ball of the constant 0.1
    assert small < constant / 5
    assert exponential < constant / 50
    assert exponential < small / 5
    assert cosine < small


# --------------------------------------------------------------------------
# Adaptive optimizers


def test_first_adaptive_update(diabetes):
    *_, y_train, _, Xs = diabetes
    for name, size in [("adagrad", 1.0), ("adam", 1.0), ("rmsprop", 1 / np.sqrt(0.01))]:
        fit = GDRegressor(optimizer=name, learning_rate=1.0, max_iter=1, tol=None)
        fit.fit(Xs, y_train)
        moved = np.r_[fit.coef_history_[1], fit.intercept_history_[1]]
        np.testing.assert_allclose(np.abs(moved), size, rtol=1e-6, err_msg=name)


def _adam_loop(X, y, eta, epochs, beta1=0.9, beta2=0.999, eps=1e-8):
    """Batch gradient descent with Adam (PyTorch's formulas), by hand."""
    A = _augmented(X)
    theta = np.zeros(A.shape[1])
    m = np.zeros_like(theta)
    v = np.zeros_like(theta)
    losses = []
    for t in range(1, epochs + 1):
        residual = A @ theta - y
        losses.append(np.mean(residual**2))
        g = 2 / len(A) * A.T @ residual
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        theta = theta - eta * m_hat / (np.sqrt(v_hat) + eps)
    return np.array(losses)


def test_adam_and_momentum_on_diabetes(diabetes):
    *_, y_train, _, Xs = diabetes
    best = np.mean((LinearRegression().fit(Xs, y_train).predict(Xs) - y_train) ** 2)
    adam = GDRegressor(optimizer="adam", learning_rate=10.0, max_iter=200, tol=None)
    adam.fit(Xs, y_train)
    by_hand = _adam_loop(Xs, y_train, 10.0, 200)
    np.testing.assert_allclose(adam.loss_history_, by_hand, rtol=1e-6)
    assert by_hand[-1] - best < 0.05
    no_momentum = _adam_loop(Xs, y_train, 10.0, 200, beta1=0.0)
    assert no_momentum[-1] - best > 100
    fit = GDRegressor(
        optimizer=Adam(betas=(0.0, 0.999)), learning_rate=10.0, max_iter=200, tol=None
    ).fit(Xs, y_train)
    np.testing.assert_allclose(fit.loss_history_, no_momentum, rtol=1e-6)
    plain = _batch_loop(Xs, y_train, 1 / _lipschitz(Xs), 200)
    assert plain[-1] - best > 1


def test_adaptive_optimizers_on_unscaled_features(diabetes):
    X_train, _, y_train, _, _ = diabetes
    best = np.mean(
        (LinearRegression().fit(X_train, y_train).predict(X_train) - y_train) ** 2
    )
    plain = _batch_loop(X_train, y_train, 1 / _lipschitz(X_train), 200)
    adam = _adam_loop(X_train, y_train, 10.0, 200)
    assert plain[-1] - best > 20 * (adam[-1] - best)
