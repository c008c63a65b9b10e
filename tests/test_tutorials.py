"""The seed tutorials' numbers, reproduced with GDRegressor.

Each reference is computed here by the tutorial's own loop (copied from
``shared/seeds``), or is a number the tutorial printed.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning

from skgd import GDRegressor

X_DATA = [1.0, 2.0, 3.0]
Y_DATA = [2.0, 4.0, 6.0]


def tutorial_batch_loop(w=1.0, lr=0.01, epochs=100):
    """Seed 000: gradient descent on y = w * x, cost printed before each step."""
    costs = []
    for _ in range(epochs):
        cost = sum((x * w - y) ** 2 for x, y in zip(X_DATA, Y_DATA)) / len(X_DATA)
        grad = sum(2 * x * (x * w - y) for x, y in zip(X_DATA, Y_DATA)) / len(X_DATA)
        w -= lr * grad
        costs.append(cost)
    return w, costs


def tutorial_sgd_loop(w=1.0, lr=0.01, epochs=100):
    """Seed 002: per-sample SGD in data order; also the loss each sample had
    when it was used, averaged per epoch (what ``loss_history_`` records)."""
    epoch_losses = []
    for _ in range(epochs):
        losses = []
        for x, y in zip(X_DATA, Y_DATA):
            losses.append((x * w - y) ** 2)
            grad = 2 * x * (x * w - y)
            w = w - lr * grad
        epoch_losses.append(np.mean(losses))
    return w, epoch_losses


def test_batch_gradient_descent_on_y_equals_wx():
    w, costs = tutorial_batch_loop()
    reg = GDRegressor(learning_rate=0.01, max_iter=100, tol=None, fit_intercept=False)
    reg.fit(np.reshape(X_DATA, (-1, 1)), Y_DATA, coef_init=[1.0])
    assert_allclose(reg.coef_, [w], rtol=1e-14)
    assert_allclose(reg.loss_history_, costs, rtol=1e-13)
    assert reg.n_iter_ == 100 and reg.t_ == 100
    assert_allclose(reg.coef_history_[0], [1.0])
    assert_allclose(reg.predict([[4.0]]), [4 * w], rtol=1e-14)


def test_sgd_in_data_order_on_y_equals_wx():
    w, epoch_losses = tutorial_sgd_loop()
    reg = GDRegressor(
        solver="sgd",
        learning_rate=0.01,
        max_iter=100,
        tol=None,
        shuffle=False,
        fit_intercept=False,
    )
    reg.fit(np.reshape(X_DATA, (-1, 1)), Y_DATA, coef_init=[1.0])
    assert_allclose(reg.coef_, [w], rtol=1e-14)
    assert_allclose(reg.loss_history_, epoch_losses, rtol=1e-12)
    assert reg.t_ == 300


def tutorial_004_data():
    """Seed 004: y = 1 + 2x + eps, N=100, seed 42, shuffled 80/20 split."""
    true_b, true_w, N = 1, 2, 100
    np.random.seed(42)
    x = np.random.rand(N, 1)
    epsilon = 0.1 * np.random.randn(N, 1)
    y = true_b + true_w * x + epsilon
    idx = np.arange(N)
    np.random.shuffle(idx)
    train_idx = idx[: int(N * 0.8)]
    return x[train_idx], y[train_idx]


def test_one_batch_step_of_tutorial_004():
    x_train, y_train = tutorial_004_data()
    np.random.seed(42)
    b = np.random.randn(1)
    w = np.random.randn(1)
    # The tutorial's steps 1 to 4, with lr = 0.1.
    yhat = b + w * x_train
    error = yhat - y_train
    loss = (error**2).mean()
    b_new = b - 0.1 * 2 * error.mean()
    w_new = w - 0.1 * 2 * (x_train * error).mean()

    reg = GDRegressor(learning_rate=0.1, max_iter=1, tol=None)
    reg.fit(x_train, y_train.ravel(), coef_init=w, intercept_init=b)
    assert_allclose(reg.loss_history_, [loss], rtol=1e-14)
    assert_allclose(reg.intercept_, b_new[0], rtol=1e-14)
    assert_allclose(reg.coef_, w_new, rtol=1e-14)
    # The numbers the tutorial printed.
    assert_allclose(reg.loss_history_[0], 2.7421577700550976, rtol=1e-12)
    assert_allclose([reg.intercept_, reg.coef_[0]], [0.80119529, 0.04511107], atol=5e-9)


@pytest.mark.parametrize("tol", [1e-4, None])
def test_too_high_learning_rate_of_tutorial_004_diverges(tol):
    x_train, y_train = tutorial_004_data()
    b0, w0 = 0.49671415, -0.1382643
    reg = GDRegressor(learning_rate=1.1, max_iter=1000, tol=tol)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reg.fit(x_train, y_train.ravel(), coef_init=[w0], intercept_init=b0)
    messages = [str(w.message) for w in caught if w.category is ConvergenceWarning]
    assert len(messages) == 1 and "diverged" in messages[0]
    assert "StandardScaler" in messages[0]
    assert reg.stop_reason_ == "diverged"
    assert np.isfinite(reg.coef_history_).all()
    # The growth is in the history ...
    assert reg.loss_history_[-1] > 10 * reg.loss_history_.min()
    # ... and the model kept is the best one seen: its loss, computed here, is
    # the lowest of the history.
    kept_loss = np.mean((reg.intercept_ + reg.coef_[0] * x_train - y_train) ** 2)
    assert_allclose(kept_loss, reg.loss_history_.min(), rtol=1e-12)


def test_sgd_in_data_order_printed_loss_of_lessons_002_003():
    """Seeds 002 and 003: the per-sample loop prints, each epoch, the loss of
    the last sample after its update; skgd gives the loop's ``w`` and, from
    ``coef_history_``, the printed loss (tutorial plot_06)."""
    # Seed 003's data are sets: they iterate in data order (the loop relies on it).
    assert list({1.0, 2.0, 3.0}) == X_DATA and list({2.0, 4.0, 6.0}) == Y_DATA
    w, weights, printed, before = 1.0, [1.0], [], []
    for _ in range(100):
        for x, y in zip(X_DATA, Y_DATA):
            before.append((x * w - y) ** 2)
            grad = 2 * x * (x * w - y)
            w = w - 0.01 * grad
            weights.append(w)
            loss = (x * w - y) ** 2
        printed.append(loss)

    reg = GDRegressor(
        solver="sgd",
        shuffle=False,
        learning_rate=0.01,
        max_iter=100,
        tol=None,
        fit_intercept=False,
        record="update",
    )
    reg.fit(np.reshape(X_DATA, (-1, 1)), Y_DATA, coef_init=[1.0])
    assert_allclose(reg.coef_, [w], rtol=1e-12)
    assert reg.intercept_ == 0.0 and reg.t_ == 300
    assert_allclose(reg.coef_history_[:, 0], weights, rtol=1e-12)
    # The printed loss: the last sample's, with w at the end of each epoch.
    rebuilt = (X_DATA[-1] * reg.coef_history_[3::3, 0] - Y_DATA[-1]) ** 2
    assert_allclose(rebuilt, printed, rtol=1e-12)
    assert_allclose(printed[0], 4.919240100095999, rtol=1e-12)  # the lesson's print
    # ... which is not loss_history_ (the epoch's mean before each update).
    epoch_means = np.reshape(before, (100, 3)).mean(axis=1)
    assert_allclose(reg.loss_history_, epoch_means, rtol=1e-12)
    assert not np.allclose(reg.loss_history_, printed)

    # With an intercept (seed 002's exercise data, y = 3x + 2): w and b
    # updated from the same error, as skgd does.
    y_line = [5.0, 8.0, 11.0]
    w, b = 1.0, 0.0
    for _ in range(100):
        for x, y in zip(X_DATA, y_line):
            error = x * w + b - y
            w, b = w - 0.01 * 2 * x * error, b - 0.01 * 2 * error
    reg = GDRegressor(
        solver="sgd", shuffle=False, learning_rate=0.01, max_iter=100, tol=None
    )
    reg.fit(np.reshape(X_DATA, (-1, 1)), y_line, coef_init=[1.0], intercept_init=0.0)
    assert_allclose([reg.coef_[0], reg.intercept_], [w, b], rtol=1e-12)
