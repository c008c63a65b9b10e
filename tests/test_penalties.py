"""Penalties: the batch solver reaches scikit-learn's Ridge, Lasso and ElasticNet;
the proximal step written out by hand."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_regression
from sklearn.linear_model import ElasticNet, Lasso, Ridge

from skgd import GDRegressor


def converged_fit(X, y, **params):
    return GDRegressor(max_iter=100_000, tol=1e-12, n_iter_no_change=20, **params).fit(
        X, y
    )


# Ours: mean((Xw + b - y)**2) + alpha * (l1_ratio |w|_1 + (1 - l1_ratio) / 2 ||w||^2).
# scikit-learn's Lasso and ElasticNet minimise half our squared error plus the
# same penalty, so their alpha is half ours; Ridge minimises the sum of squares
# plus alpha_ridge ||w||^2, so alpha_ridge = n * alpha / 2.
def peer(name, alpha, n_samples, l1_ratio=0.5):
    return {
        "l2": Ridge(alpha=n_samples * alpha / 2, tol=1e-12),
        "l1": Lasso(alpha=alpha / 2, tol=1e-12, max_iter=100_000),
        "elasticnet": ElasticNet(
            alpha=alpha / 2, l1_ratio=l1_ratio, tol=1e-12, max_iter=100_000
        ),
    }[name]


@pytest.mark.parametrize("penalty", ["l2", "l1", "elasticnet"])
@pytest.mark.parametrize("alpha", [0.1, 4.0])
def test_batch_solver_reaches_the_scikit_learn_optimum(diabetes, penalty, alpha):
    X, y = diabetes
    reference = peer(penalty, alpha, len(y), l1_ratio=0.3).fit(X, y)
    reg = converged_fit(X, y, penalty=penalty, alpha=alpha, l1_ratio=0.3)
    assert reg.stop_reason_ == "converged"
    scale = np.abs(reference.coef_).max()
    assert_allclose(reg.coef_, reference.coef_, rtol=0, atol=1e-5 * scale)
    assert_allclose(reg.intercept_, reference.intercept_, rtol=1e-5)


def test_l1_gives_the_exact_zeros_of_lasso(diabetes):
    X, y = diabetes
    reference = peer("l1", 6.0, len(y)).fit(X, y)
    reg = converged_fit(X, y, penalty="l1", alpha=6.0)
    assert 0 < (reference.coef_ == 0).sum() < X.shape[1]
    assert_array_equal(reg.coef_ == 0, reference.coef_ == 0)


@pytest.mark.parametrize("solver", ["sgd", "minibatch"])
def test_stochastic_solvers_approach_lasso(diabetes, solver):
    """With a shrinking step the stochastic solvers come near Lasso's solution.
    (Their iterates are only sometimes exactly sparse: each sample's gradient
    noise and the soft threshold both scale with the step.)"""
    X, y = diabetes
    reg = GDRegressor(
        solver=solver,
        penalty="l1",
        alpha=6.0,
        learning_rate=1e-2,
        lr_schedule="adaptive",
        tol=1e-3,
        random_state=0,
    ).fit(X, y)
    reference = peer("l1", 6.0, len(y)).fit(X, y)
    assert_allclose(
        reg.coef_, reference.coef_, atol=0.02 * np.abs(reference.coef_).max()
    )


@pytest.mark.parametrize("solver, batch_size", [("sgd", 1), ("minibatch", 5)])
def test_one_update_is_a_gradient_step_then_a_soft_threshold(solver, batch_size):
    X, y = make_regression(n_samples=20, n_features=4, random_state=0)
    w0, b0, lr, alpha, l1_ratio = np.array([0.3, -0.2, 1e-4, 2.0]), 0.5, 0.01, 3, 0.4
    reg = GDRegressor(
        solver=solver,
        batch_size=batch_size,
        penalty="elasticnet",
        alpha=alpha,
        l1_ratio=l1_ratio,
        learning_rate=lr,
        max_iter=1,
        tol=None,
        shuffle=False,
        record="update",
    ).fit(X, y, coef_init=w0, intercept_init=b0)
    batch = slice(0, batch_size)
    residual = X[batch] @ w0 + b0 - y[batch]
    grad_w = 2 * residual @ X[batch] / batch_size + alpha * (1 - l1_ratio) * w0
    w = w0 - lr * grad_w
    w = np.sign(w) * np.maximum(np.abs(w) - lr * alpha * l1_ratio, 0)
    b = b0 - lr * 2 * residual.mean()  # the intercept is not penalised
    assert_allclose(reg.coef_history_[1], w, rtol=1e-12)
    assert_allclose(reg.intercept_history_[1], b, rtol=1e-12)


def test_loss_history_is_the_penalised_objective(diabetes):
    X, y = diabetes
    reg = GDRegressor(
        penalty="elasticnet", alpha=2.0, l1_ratio=0.5, max_iter=5, tol=None
    ).fit(X, y)
    for epoch in range(5):
        w, b = reg.coef_history_[epoch], reg.intercept_history_[epoch]
        objective = np.mean((X @ w + b - y) ** 2) + 2.0 * (
            0.5 * np.abs(w).sum() + 0.25 * w @ w
        )
        assert_allclose(reg.loss_history_[epoch], objective, rtol=1e-12)


def test_auto_step_accounts_for_the_l2_curvature(diabetes):
    X, y = diabetes
    plain = GDRegressor(max_iter=1, tol=None).fit(X, y)
    ridge = GDRegressor(penalty="l2", alpha=3.0, max_iter=1, tol=None).fit(X, y)
    assert_allclose(1 / ridge.learning_rate_, 1 / plain.learning_rate_ + 3.0)
