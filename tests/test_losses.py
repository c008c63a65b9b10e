"""Robust losses: each gradient written out by hand, and the optimum of each
against its scikit-learn peer."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import make_regression
from sklearn.linear_model import HuberRegressor, QuantileRegressor
from sklearn.svm import LinearSVR

from skgd import GDRegressor

EPSILON, QUANTILE = 0.7, 0.8

# d loss / d prediction, with r = prediction - y; the subgradient 0 at kinks.
DERIVATIVES = {
    "squared_error": lambda r: 2 * r,
    "huber": lambda r: np.where(np.abs(r) <= EPSILON, 2 * r, 2 * EPSILON * np.sign(r)),
    "epsilon_insensitive": lambda r: np.where(np.abs(r) > EPSILON, np.sign(r), 0.0),
    "squared_epsilon_insensitive": lambda r: (
        2 * np.sign(r) * np.maximum(np.abs(r) - EPSILON, 0)
    ),
    "absolute_error": np.sign,
    "quantile": lambda r: np.where(r < 0, -QUANTILE, np.where(r > 0, 1 - QUANTILE, 0)),
}
VALUES = {
    "squared_error": lambda r: r**2,
    "huber": lambda r: np.where(
        np.abs(r) <= EPSILON, r**2, 2 * EPSILON * np.abs(r) - EPSILON**2
    ),
    "epsilon_insensitive": lambda r: np.maximum(np.abs(r) - EPSILON, 0),
    "squared_epsilon_insensitive": lambda r: np.maximum(np.abs(r) - EPSILON, 0) ** 2,
    "absolute_error": np.abs,
    "quantile": lambda r: np.maximum(-QUANTILE * r, (1 - QUANTILE) * r),
}


@pytest.fixture(scope="module")
def outliers():
    X, y = make_regression(
        n_samples=200, n_features=3, noise=5.0, bias=3.0, random_state=0
    )
    y[:10] += 200 * np.random.default_rng(0).standard_normal(10)
    return X, y


@pytest.mark.parametrize("loss", DERIVATIVES)
def test_updates_and_losses_match_the_formulas(loss):
    X, y = make_regression(n_samples=12, n_features=2, noise=1.0, random_state=1)
    y = y / np.abs(y).max()  # residuals on both sides of every kink
    w, b, lr = np.array([0.1, -0.2]), 0.05, 0.1
    reg = GDRegressor(
        loss=loss,
        epsilon=EPSILON,
        quantile=QUANTILE,
        solver="minibatch",
        batch_size=4,
        learning_rate=lr,
        max_iter=2,
        tol=None,
        shuffle=False,
        record="update",
    ).fit(X, y, coef_init=w, intercept_init=b)
    epoch_losses = []
    for epoch in range(2):
        values = []
        for start in range(0, 12, 4):
            rows = slice(start, start + 4)
            r = X[rows] @ w + b - y[rows]
            values.extend(VALUES[loss](r))
            d = DERIVATIVES[loss](r)
            w, b = w - lr * d @ X[rows] / 4, b - lr * d.mean()
            update = 3 * epoch + start // 4 + 1
            assert_allclose(reg.coef_history_[update], w, rtol=1e-12, atol=1e-15)
            assert_allclose(reg.intercept_history_[update], b, rtol=1e-12)
        epoch_losses.append(np.mean(values))
    assert_allclose(reg.loss_history_, epoch_losses, rtol=1e-12)


def test_huber_matches_huber_regressor(outliers):
    """HuberRegressor also fits a scale sigma; at its solution the coefficients
    minimise our huber loss with epsilon * sigma as the threshold."""
    X, y = outliers
    peer = HuberRegressor(epsilon=1.35, alpha=0.0, tol=1e-10, max_iter=10_000)
    peer.fit(X, y)
    reg = GDRegressor(
        loss="huber", epsilon=1.35 * peer.scale_, max_iter=100_000, tol=1e-12
    ).set_params(n_iter_no_change=20)
    reg.fit(X, y)
    assert_allclose(reg.coef_, peer.coef_, rtol=1e-5)
    assert_allclose(reg.intercept_, peer.intercept_, rtol=1e-5)


def pinball(X, y, coef, intercept, quantile):
    u = y - X @ coef - intercept
    return np.mean(np.maximum(quantile * u, (quantile - 1) * u))


@pytest.mark.parametrize("loss, quantile", [("quantile", 0.8), ("absolute_error", 0.5)])
def test_quantile_losses_reach_quantile_regressor(outliers, loss, quantile):
    """The pinball loss is piecewise linear: compare the objective reached, and
    the coefficients loosely."""
    X, y = outliers
    peer = QuantileRegressor(quantile=quantile, alpha=0.0).fit(X, y)
    reg = GDRegressor(
        loss=loss, quantile=quantile, learning_rate=1.0, max_iter=20_000, tol=None
    ).fit(X, y)
    optimum = pinball(X, y, peer.coef_, peer.intercept_, quantile)
    reached = pinball(X, y, reg.coef_, reg.intercept_, quantile)
    assert optimum <= reached <= optimum * (1 + 1e-4)
    assert_allclose(reg.coef_, peer.coef_, rtol=1e-3)


@pytest.mark.parametrize(
    "loss, schedule, rtol",
    [
        ("squared_epsilon_insensitive", "constant", 1e-6),
        ("epsilon_insensitive", "invscaling", 1e-4),
    ],
)
def test_epsilon_insensitive_losses_match_linear_svr(outliers, loss, schedule, rtol):
    """LinearSVR minimises ||w||^2 / 2 + C * sum(loss): our L2 penalty with
    alpha = 1 / (C * n_samples). No intercept: liblinear penalises it."""
    X, y = outliers
    C, epsilon = 1.0, 2.0
    peer = LinearSVR(
        C=C,
        epsilon=epsilon,
        loss=loss,
        fit_intercept=False,
        tol=1e-10,
        max_iter=1_000_000,
    ).fit(X, y)
    reg = GDRegressor(
        loss=loss,
        epsilon=epsilon,
        penalty="l2",
        alpha=1 / (C * len(y)),
        fit_intercept=False,
        learning_rate=1.0 if schedule == "invscaling" else "auto",
        lr_schedule=schedule,
        max_iter=50_000,
        tol=1e-12 if schedule == "constant" else None,
    ).fit(X, y)
    assert_allclose(reg.coef_, peer.coef_, rtol=rtol)


def test_robust_losses_resist_outliers(outliers):
    X, y = outliers
    clean = slice(10, None)
    errors = {}
    for loss in ("squared_error", "huber", "absolute_error"):
        reg = GDRegressor(loss=loss, epsilon=5.0, learning_rate=0.3, max_iter=5000)
        reg.set_params(tol=None).fit(X, y)
        errors[loss] = np.mean(np.abs(reg.predict(X[clean]) - y[clean]))
    assert errors["huber"] < errors["squared_error"]
    assert errors["absolute_error"] < errors["squared_error"]
