"""The solvers tutorial (plot_05): the three update rules of lessons 001, 002
and 003, checked against the rules written by hand in NumPy.

Every reference here is computed in this file: the lessons' loops (lesson
002's batch and SGD loops), one NumPy function that makes an epoch of any of
the three rules in data order, the exponentially weighted mean written out,
and, for ``n_jobs``, the same fit on one thread. No timing is asserted.
"""

import matplotlib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skgd import GDRegressor
from skgd.plotting import LossCurveDisplay

matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")

SOLVERS = {"batch": None, "sgd": 1, "minibatch": 7}  # batch size (None: all)


def epoch_by_hand(X, y, w, b, lr, batch_size):
    """One epoch in data order, one update per batch of ``batch_size`` rows:
    w -= lr * 2/|B| sum x_i (y_hat_i - y_i), b likewise, with y_hat from the
    parameters before the update. Returns the parameters after every update,
    and each sample's loss at the moment it was used."""
    path, used_losses = [], []
    for start in range(0, len(y), batch_size):
        Xb, yb = X[start : start + batch_size], y[start : start + batch_size]
        residual = Xb @ w + b - yb
        used_losses.extend(residual**2)
        w = w - lr * 2 * Xb.T @ residual / len(yb)
        b = b - lr * 2 * residual.mean()
        path.append((w.copy(), b))
    return path, np.array(used_losses)


def hand_fit(X, y, w, b, lr, batch_size, epochs):
    """``epochs`` epochs of ``epoch_by_hand``: the path after every update and
    each epoch's mean used loss."""
    path, epoch_losses = [(np.array(w, float), float(b))], []
    for _ in range(epochs):
        steps, used = epoch_by_hand(X, y, path[-1][0], path[-1][1], lr, batch_size)
        path.extend(steps)
        epoch_losses.append(used.mean())
    return path, np.array(epoch_losses)


@pytest.fixture
def data():
    rng = np.random.default_rng(5)
    X = rng.standard_normal((50, 3))
    y = X @ np.array([1.5, -2.0, 0.5]) + 0.7 + 0.2 * rng.standard_normal(50)
    return X, y


@pytest.mark.parametrize("solver", list(SOLVERS))
def test_epochs_in_data_order_follow_the_hand_written_rule(data, solver):
    X, y = data
    batch_size = SOLVERS[solver] or len(y)
    w0, b0, lr, epochs = np.array([0.3, 0.1, -0.2]), 0.5, 0.02, 4
    path, epoch_losses = hand_fit(X, y, w0, b0, lr, batch_size, epochs)
    fit = GDRegressor(
        solver=solver,
        batch_size=SOLVERS[solver] or 32,
        learning_rate=lr,
        max_iter=epochs,
        tol=None,
        shuffle=False,
        record="update",
    ).fit(X, y, coef_init=w0, intercept_init=b0)

    # The updates per epoch: 1, N, ceil(N / m) (the last batch of 7 has 1 row).
    per_epoch = -(-len(y) // batch_size)
    assert fit.t_ == epochs * per_epoch == len(path) - 1
    assert fit.history_["n_updates"].tolist() == [
        per_epoch * (e + 1) for e in range(epochs)
    ]
    # The parameters after every update.
    assert_allclose(fit.coef_history_, [w for w, _ in path], rtol=1e-12, atol=1e-14)
    assert_allclose(
        fit.intercept_history_, [b for _, b in path], rtol=1e-12, atol=1e-14
    )
    assert_allclose(fit.coef_, path[-1][0], rtol=1e-12)
    # What loss_history_ measures: batch, the cost at each epoch's start
    # (which is also the mean loss of its one update's samples); SGD and
    # mini-batch, the mean of each sample's loss when it was used.
    assert_allclose(fit.loss_history_, epoch_losses, rtol=1e-12)
    if solver == "batch":
        starts = [np.mean((X @ w + b - y) ** 2) for w, b in path[:-1]]
        assert_allclose(fit.loss_history_, starts, rtol=1e-12)


def test_the_lessons_first_epoch():
    """Lesson 002's loops (the same in lessons 000 and 003), as written, for
    one epoch: batch w = 1.0933..., SGD w = 1.260688."""
    x_data, y_data = [1.0, 2.0, 3.0], [2.0, 4.0, 6.0]
    w = 1.0
    grad = sum(2 * x * (x * w - y) for x, y in zip(x_data, y_data, strict=True))
    w_batch = w - 0.01 * grad / len(x_data)
    w_sgd = 1.0
    for x, y in zip(x_data, y_data, strict=True):
        w_sgd = w_sgd - 0.01 * 2 * x * (x * w_sgd - y)
    # mini-batches of 2: samples (1, 2), then (3)
    w_mb = 1.0
    for xs, ys in [([1.0, 2.0], [2.0, 4.0]), ([3.0], [6.0])]:
        g = sum(2 * x * (x * w_mb - y) for x, y in zip(xs, ys, strict=True))
        w_mb = w_mb - 0.01 * g / len(xs)

    X3, y3 = np.array([[1.0], [2.0], [3.0]]), np.array(y_data)
    for solver, batch_size, expected in [
        ("batch", 32, w_batch),
        ("sgd", 32, w_sgd),
        ("minibatch", 2, w_mb),
    ]:
        fit = GDRegressor(
            solver=solver,
            batch_size=batch_size,
            learning_rate=0.01,
            max_iter=1,
            tol=None,
            shuffle=False,
            fit_intercept=False,
        ).fit(X3, y3, coef_init=[1.0])
        assert_allclose(fit.coef_, [expected], rtol=1e-15)
    assert_allclose([w_batch, w_sgd], [1.0933333333333333, 1.260688], rtol=1e-15)


@pytest.mark.parametrize("beta", [0.9, 0.99])
def test_smoothing_is_the_exponentially_weighted_mean(beta):
    values = np.random.default_rng(0).exponential(size=300)
    display = LossCurveDisplay(losses=[values]).plot(smoothing=beta)
    s = np.empty_like(values)
    s[0] = values[0]
    for t in range(1, len(values)):
        s[t] = beta * s[t - 1] + (1 - beta) * values[t]
    assert_allclose(display.lines_[0].get_ydata(), s, rtol=1e-14)
    assert_allclose(display.raw_lines_[0].get_ydata(), values)
    # The unrolled form of the tutorial's formula.
    t = len(values)
    unrolled = (1 - beta) * sum(
        beta**k * values[t - 1 - k] for k in range(t - 1)
    ) + beta ** (t - 1) * values[0]
    assert_allclose(s[-1], unrolled, rtol=1e-12)
    plt.close(display.figure_)


def test_two_threads_give_the_one_thread_fit():
    """n_jobs=2 splits the batch gradient's sum over two halves of the rows:
    the same fit, to the rounding of the sums. SGD ignores n_jobs: the same
    bits."""
    from skgd._backends._threads import n_batch_threads

    rng = np.random.default_rng(2)
    n = 60_000  # at least 20,000 rows a thread, so two threads are used
    assert n_batch_threads(2, n) == 2
    X = rng.standard_normal((n, 6))
    y = X @ rng.standard_normal(6) + 0.3 + rng.standard_normal(n)

    # The split itself, in NumPy: the two halves' sums add up to the whole.
    w, b = rng.standard_normal(6), 0.1
    residual = X @ w + b - y
    halves = [slice(0, n // 2), slice(n // 2, n)]
    split = sum(X[h].T @ residual[h] for h in halves)
    assert_allclose(split, X.T @ residual, rtol=1e-12)

    common = dict(learning_rate=0.05, max_iter=5, tol=None, shuffle=False)
    one = GDRegressor(solver="batch", n_jobs=1, **common).fit(X, y)
    two = GDRegressor(solver="batch", n_jobs=2, **common).fit(X, y)
    assert_allclose(two.coef_, one.coef_, rtol=1e-12)
    assert_allclose(two.intercept_, one.intercept_, rtol=1e-12)
    assert_allclose(two.loss_history_, one.loss_history_, rtol=1e-12)
    # and both are the hand-written batch rule
    path, _ = hand_fit(X, y, np.zeros(6), 0.0, 0.05, n, 5)
    assert_allclose(two.coef_, path[-1][0], rtol=1e-10)

    common = dict(learning_rate=0.001, max_iter=1, tol=None, shuffle=False)
    for solver in ["sgd", "minibatch"]:
        one = GDRegressor(solver=solver, n_jobs=1, **common).fit(X, y)
        two = GDRegressor(solver=solver, n_jobs=2, **common).fit(X, y)
        assert_array_equal(two.coef_, one.coef_)
        assert two.intercept_ == one.intercept_
