"""Lesson 004 (梯度下降 Gradient Descent), as the tutorial
``examples/plot_04_learning_rate_and_scaling.py`` reproduces it.

The references are the lesson's own formulas and loops (written here in
NumPy), closed forms, NumPy's eigenvalues and scikit-learn's
``LinearRegression``; the lesson's printed numbers are checked too.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skgd import GDRegressor
from skgd.plotting import GradientDisplay, loss_grid, objective_gradient

B0, W0 = 0.49671415, -0.1382643  # the start the lesson prints


def lesson_data(scale=1.0):
    """The lesson's data: ``np.random.seed(42)`` then ``rand``, ``randn`` and
    ``shuffle`` (a RandomState seeded 42 draws the same numbers). With
    ``scale=10`` the "bad" feature of its step 4.2: x * 10 and w / 10."""
    rng = np.random.RandomState(42)
    x = rng.rand(100, 1) * scale
    y = 1 + 2 / scale * x + 0.1 * rng.randn(100, 1)
    idx = np.arange(100)
    rng.shuffle(idx)
    return x[idx[:80]], y[idx[:80]]


def lesson_start():
    rng = np.random.RandomState(42)
    return rng.randn(1), rng.randn(1)


def lesson_steps(x, y, b, w, lr, epochs):
    """The lesson's steps 1 to 4, repeated: the loss before each update and
    the parameters after each."""
    losses, path = [], [(b.copy(), w.copy())]
    for _ in range(epochs):
        yhat = b + w * x
        error = yhat - y
        losses.append((error**2).mean())
        b_grad = 2 * error.mean()
        w_grad = 2 * (x * error).mean()
        b = b - lr * b_grad
        w = w - lr * w_grad
        path.append((b, w))
    bs, ws = (np.array([p[k][0] for p in path]) for k in (0, 1))
    return np.array(losses), bs, ws


def hessian(x):
    """The MSE's Hessian over (b, w): 2/n A^T A, A's rows (1, x_i)."""
    A = np.column_stack([np.ones(len(x)), x])
    return 2 * A.T @ A / len(x)


@pytest.fixture(scope="module")
def data():
    x_train, y_train = lesson_data()
    return x_train, y_train, y_train.ravel()


def test_start_and_one_step(data):
    x_train, y_train, y_fit = data
    b, w = lesson_start()
    assert_allclose([b[0], w[0]], [B0, W0], atol=5e-9)
    losses, bs, ws = lesson_steps(x_train, y_train, b, w, 0.1, 1)
    error = b + w * x_train - y_train
    b_grad, w_grad = 2 * error.mean(), 2 * (x_train * error).mean()

    one = GDRegressor(learning_rate=0.1, max_iter=1, tol=None)
    one.fit(x_train, y_fit, coef_init=w, intercept_init=b)
    assert_allclose(one.loss_history_, losses, rtol=1e-14)
    assert_allclose(objective_gradient(one, x_train, y_fit), [w_grad, b_grad], 1e-14)
    assert_allclose(one.intercept_history_, bs, rtol=1e-14)
    assert_allclose(one.coef_history_[:, 0], ws, rtol=1e-14)
    # What the lesson prints.
    assert_allclose(one.loss_history_[0], 2.7421577700550976, rtol=1e-14)
    assert_allclose([w_grad, b_grad], [-1.8337537171510832, -3.044811379650508])
    assert_allclose(
        objective_gradient(one, x_train, y_fit),
        [-1.8337537171510832, -3.044811379650508],
        rtol=1e-14,
    )
    assert_allclose([one.intercept_, one.coef_[0]], [0.80119529, 0.04511107], atol=5e-9)


def test_second_step(data):
    x_train, y_train, y_fit = data
    b, w = lesson_start()
    losses, bs, ws = lesson_steps(x_train, y_train, b, w, 0.1, 2)
    two = GDRegressor(learning_rate=0.1, max_iter=2, tol=None)
    two.fit(x_train, y_fit, coef_init=w, intercept_init=b)
    assert_allclose(two.loss_history_, losses, rtol=1e-14)
    assert_allclose(two.intercept_history_, bs, rtol=1e-14)
    assert_allclose(two.coef_history_[:, 0], ws, rtol=1e-14)
    # The gradient at the second step's start, by the lesson's formula.
    error = bs[1] + ws[1] * x_train - y_train
    expected = [2 * (x_train * error).mean(), 2 * error.mean()]
    got = objective_gradient(two, x_train, y_fit, params=[ws[1], bs[1]])
    assert_allclose(got, expected, rtol=1e-13)


def test_loss_surface_and_the_lessons_manual_gradients(data):
    x_train, y_train, y_fit = data
    b, w = lesson_start()
    # The lesson's grid, by its broadcasting code.
    b_range = np.linspace(-2, 4, 101)
    w_range = np.linspace(-1, 5, 101)
    bs, ws = np.meshgrid(b_range, w_range)
    all_predictions = np.apply_along_axis(lambda x: bs + ws * x, 1, x_train)
    all_losses = ((all_predictions - y_train.reshape(-1, 1, 1)) ** 2).mean(axis=0)

    one = GDRegressor(learning_rate=0.1, max_iter=1, tol=None)
    one.fit(x_train, y_fit, coef_init=w, intercept_init=b)
    grid = loss_grid(one, x_train, y_fit, extent=[(-2, 4), (-1, 5)], grid_size=101)
    assert grid.names == ("intercept", "coef[0]")
    assert_allclose(grid.axes[0], b_range)
    assert_allclose(grid.axes[1], w_range)
    assert_allclose(grid.loss, all_losses, rtol=1e-13)

    # manual_grad_b = -2.90 and manual_grad_w = -1.79: forward differences
    # over two cells (0.12) at the grid point nearest the start.
    i, j = np.argmin(np.abs(w_range - w)), np.argmin(np.abs(b_range - b))
    assert_allclose([b_range[j], w_range[i]], [0.52, -0.16])
    slope_b = (all_losses[i, j + 2] - all_losses[i, j]) / 0.12
    slope_w = (all_losses[i + 2, j] - all_losses[i, j]) / 0.12
    assert round(slope_b, 2) == -2.90 and round(slope_w, 2) == -1.79

    # The steps GradientDisplay draws: params - lr * exact gradient.
    error = b + w * x_train - y_train
    gradient = np.array([2 * (x_train * error).mean(), 2 * error.mean()])
    rates = [0.2, 0.8, 1.1]
    display = GradientDisplay.from_estimator(
        one, x_train, y_fit, learning_rates=rates, extent=[(-1, 5), (-2, 4)]
    )
    expected = np.array([w[0], b[0]]) - np.outer(rates, gradient)
    assert_allclose(display.steps, expected, rtol=1e-13)
    # The lesson's own step of 0.2 with its rounded gradients.
    assert_allclose([b[0] + 0.2 * 2.90, w[0] + 0.2 * 1.79], [1.077, 0.220], atol=5e-4)


def test_learning_rates_and_divergence(data):
    x_train, y_train, y_fit = data
    b, w = lesson_start()
    lambdas = np.linalg.eigvalsh(hessian(x_train))
    auto = GDRegressor(max_iter=1, tol=None).fit(x_train, y_fit)
    # "auto" is 1 / L, L found by a few power iterations.
    assert_allclose(auto.learning_rate_, 1 / lambdas.max(), rtol=1e-6)
    assert 0.8 < 2 / lambdas.max() < 1.1  # 0.8 converges, 1.1 does not
    assert_allclose(2 / lambdas.max(), 0.8055, atol=1e-4)

    for rate in (0.2, 0.8):
        losses, bs, ws = lesson_steps(x_train, y_train, b, w, rate, 30)
        fit = GDRegressor(learning_rate=rate, max_iter=30, tol=None)
        with warnings.catch_warnings():
            warnings.simplefilter("error", ConvergenceWarning)
            fit.fit(x_train, y_fit, coef_init=w, intercept_init=b)
        assert fit.stop_reason_ == "max_iter"
        assert_allclose(fit.loss_history_, losses, rtol=1e-12)
        assert_allclose(fit.intercept_, bs[-1], rtol=1e-12)
        assert_allclose(fit.coef_, [ws[-1]], rtol=1e-12)
    # 0.8 bounces: the steep direction's factor is negative, near -1.
    assert -1 < 1 - 0.8 * lambdas.max() < -0.98

    losses, bs, ws = lesson_steps(x_train, y_train, b, w, 1.1, 30)
    fit = GDRegressor(learning_rate=1.1, max_iter=30, tol=None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit.fit(x_train, y_fit, coef_init=w, intercept_init=b)
    messages = [str(m.message) for m in caught if m.category is ConvergenceWarning]
    assert len(messages) == 1
    assert "diverged" in messages[0] and "learning_rate=1.1" in messages[0]
    assert fit.stop_reason_ == "diverged"
    n = fit.n_iter_
    assert 1 < n < 30
    # The recorded growth is the lesson's loop's ...
    assert_allclose(fit.loss_history_, losses[:n], rtol=1e-12)
    assert_allclose(fit.intercept_history_, bs[: n + 1], rtol=1e-12)
    assert_allclose(fit.coef_history_[:, 0], ws[: n + 1], rtol=1e-12)
    # ... growing by (1 - 1.1 lambda_max)^2 an epoch ...
    growth = losses[n - 1] / losses[n - 2]
    assert_allclose(growth, (1 - 1.1 * lambdas.max()) ** 2, rtol=1e-3)
    # ... and the kept parameters are the best seen: the start, finite.
    assert np.isfinite(fit.coef_history_).all()
    assert np.isfinite([fit.intercept_, *fit.coef_]).all()
    assert_allclose([fit.intercept_, fit.coef_[0]], [b[0], w[0]], rtol=1e-15)


def test_bad_feature_and_condition_numbers(data):
    x_train, y_train, y_fit = data
    bad_x_train, bad_y_train = lesson_data(scale=10)
    assert np.array_equal(bad_x_train, 10 * x_train)
    assert_allclose(bad_y_train, y_train, rtol=0, atol=1e-15)
    scaled_x_train = StandardScaler().fit(x_train).transform(x_train)
    from_bad = StandardScaler().fit(bad_x_train).transform(bad_x_train)
    assert_allclose(from_bad, scaled_x_train, atol=1e-15)

    b, w = lesson_start()
    kappas, epochs = [], []
    for X in (x_train, bad_x_train, scaled_x_train):
        H = hessian(X)
        # Closed form of a 2x2 symmetric matrix's eigenvalues.
        mean = np.trace(H) / 2
        half = np.sqrt((H[0, 0] - H[1, 1]) ** 2 / 4 + H[0, 1] ** 2)
        lam_min, lam_max = mean - half, mean + half
        assert_allclose(H[0, 0], 2)  # curvature along b
        assert_allclose(H[1, 1], 2 * np.mean(X**2))  # curvature along w
        kappas.append(lam_max / lam_min)

        fit = GDRegressor(max_iter=2000, tol=None).fit(
            X, y_fit, coef_init=w, intercept_init=b
        )
        assert_allclose(fit.learning_rate_, 1 / lam_max, rtol=1e-6)
        # The lesson's loop with the same step.
        losses, _, _ = lesson_steps(X, y_train, b, w, fit.learning_rate_, 2000)
        best = np.mean((LinearRegression().fit(X, y_fit).predict(X) - y_fit) ** 2)
        assert_allclose(fit.loss_history_, losses, rtol=1e-9, atol=1e-15)
        k = int(np.argmax(losses - best < 1e-6))
        assert k == int(np.argmax(fit.loss_history_ - best < 1e-6))
        # The bound from the slow direction's factor 1 - 1/kappa.
        if lam_max / lam_min > 1 + 1e-9:
            factor = -2 * np.log1p(-lam_min / lam_max)
            assert k <= np.ceil(np.log((losses[0] - best) / 1e-6) / factor)
        epochs.append(k)

    assert_allclose(kappas, [16.44, 112.01, 1.0], atol=5e-3)
    assert epochs[2] == 1 and epochs[0] < epochs[1]
    assert epochs == [98, 618, 1]  # the counts of the lesson's loop
    # The bad feature's step is 26 times smaller.
    assert_allclose(
        np.linalg.eigvalsh(hessian(bad_x_train)).max()
        / np.linalg.eigvalsh(hessian(x_train)).max(),
        26.1,
        atol=0.05,
    )


def test_standard_scaler_pipeline_converges_in_one_epoch(data):
    x_train, _, y_fit = data
    bad_x_train, _ = lesson_data(scale=10)
    pipe = make_pipeline(StandardScaler(), GDRegressor()).fit(bad_x_train, y_fit)
    reg = pipe[-1]
    assert_allclose(reg.learning_rate_, 0.5, rtol=1e-12)
    exact = make_pipeline(StandardScaler(), LinearRegression()).fit(bad_x_train, y_fit)
    best = np.mean((exact.predict(bad_x_train) - y_fit) ** 2)
    assert_allclose(reg.loss_history_[0], np.mean(y_fit**2), rtol=1e-12)  # from 0
    assert_allclose(reg.loss_history_[1:], best, rtol=1e-12)
    assert_allclose(reg.coef_history_[1], exact[-1].coef_, rtol=1e-12)
    assert_allclose(reg.intercept_history_[1], exact[-1].intercept_, rtol=1e-12)
    assert reg.stop_reason_ == "converged" and reg.n_iter_ == 1 + 1 + 5
    # Back in the bad feature's units: LinearRegression on it.
    plain = LinearRegression().fit(bad_x_train, y_fit)
    mean, sd = pipe[0].mean_[0], pipe[0].scale_[0]
    assert_allclose(reg.coef_ / sd, plain.coef_, rtol=1e-12)
    assert_allclose(reg.intercept_ - reg.coef_[0] * mean / sd, plain.intercept_, 1e-12)
    # One step from the lesson's start lands there too.
    b, w = lesson_start()
    one = make_pipeline(StandardScaler(), GDRegressor(max_iter=1, tol=None))
    one.fit(bad_x_train, y_fit, gdregressor__coef_init=w, gdregressor__intercept_init=b)
    assert_allclose(one[-1].coef_, exact[-1].coef_, rtol=1e-12)
    assert_allclose(one[-1].intercept_, exact[-1].intercept_, rtol=1e-12)


def test_repeated_updates_reach_least_squares(data):
    x_train, y_train, y_fit = data
    b, w = lesson_start()
    _, bs, ws = lesson_steps(x_train, y_train, b, w, 0.1, 1000)
    reg = GDRegressor(learning_rate=0.1, max_iter=1000, tol=None)
    reg.fit(x_train, y_fit, coef_init=w, intercept_init=b)
    assert_allclose([reg.intercept_, reg.coef_[0]], [bs[-1], ws[-1]], rtol=1e-11)
    plain = LinearRegression().fit(x_train, y_fit)
    fitted, exact = [reg.intercept_, reg.coef_[0]], [plain.intercept_, *plain.coef_]
    assert_allclose(fitted, exact, atol=1e-6)
    assert_allclose([plain.intercept_, plain.coef_[0]], [1.0235, 1.9690], atol=1e-4)
