"""Every fit says truthfully what it did: divergence at every step size.

The reference is the update map written out by hand: for the squared error in
data order (``shuffle=False``) an epoch is a fixed linear map of the parameters
(and of the momentum buffer) plus a constant, so the fit diverges exactly when
the map's spectral radius exceeds 1. Each solver and optimizer is tried just
below and just above its own critical step (2/L for full-batch gradient
descent), on the two lessons' data sets.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.preprocessing import StandardScaler

from skgd import GDClassifier, GDRegressor

MOMENTUM = 0.9  # skgd's "momentum" and "nesterov"


def lesson_000():
    """y = w x on x = [1, 2, 3], no intercept, from w = 1."""
    X = np.array([[1.0], [2.0], [3.0]])
    return X, np.array([2.0, 4.0, 6.0]), dict(coef_init=[1.0]), False


def lesson_004():
    """y = 1 + 2x + eps, N=100, seed 42: the 80 training rows, from zero."""
    rng = np.random.RandomState(42)
    x = rng.rand(100, 1)
    y = 1 + 2 * x + 0.1 * rng.randn(100, 1)
    idx = np.arange(100)
    rng.shuffle(idx)
    train = idx[:80]
    return x[train], y[train, 0], {}, True


LESSONS = {"y=wx": lesson_000, "y=1+2x": lesson_004}


def epoch_map(X, fit_intercept, batch_size, optimizer, learning_rate):
    """The linear part of one epoch of updates, in data order, on the state
    ``(theta)`` or ``(theta, momentum buffer)`` (PyTorch's SGD formulas)."""
    A = np.column_stack([X, np.ones(len(X))]) if fit_intercept else X
    p = A.shape[1]
    eye = np.eye(p)
    size = p if optimizer == "sgd" else 2 * p
    epoch = np.eye(size)
    eta, mu = learning_rate, MOMENTUM
    for start in range(0, len(A), batch_size):
        batch = A[start : start + batch_size]
        H = 2 * batch.T @ batch / len(batch)  # Hessian of the batch's mean loss
        if optimizer == "sgd":
            step = eye - eta * H
        elif optimizer == "momentum":  # b' = mu b + g; theta' = theta - eta b'
            step = np.block([[eye - eta * H, -eta * mu * eye], [H, mu * eye]])
        else:  # nesterov: theta' = theta - eta (g + mu b')
            step = np.block(
                [[eye - eta * (1 + mu) * H, -eta * mu**2 * eye], [H, mu * eye]]
            )
        epoch = step @ epoch
    return epoch


def spectral_radius(*args):
    return np.abs(np.linalg.eigvals(epoch_map(*args))).max()


def critical_step(X, fit_intercept, batch_size, optimizer):
    """The smallest step at which the epoch map's spectral radius reaches 1
    (found on a grid 1% apart, then by bisection: the radius need not grow
    monotonically with the step beyond it)."""

    def stable(step):
        return spectral_radius(X, fit_intercept, batch_size, optimizer, step) < 1

    low = 1e-4 / np.abs(X).max() ** 2
    assert stable(low)
    while stable(low * 1.01):
        low *= 1.01
    high = low * 1.01
    for _ in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if stable(middle) else (low, middle)
    return low


BATCH_SIZES = {"batch": None, "sgd": 1, "minibatch": 2}


def fit_quietly(reg, X, y, **fit_params):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reg.fit(X, y, **fit_params)
    return [str(w.message) for w in caught if w.category is ConvergenceWarning]


def fit_quietly_partial(reg, X, y):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reg.partial_fit(X, y)
    return [str(w.message) for w in caught if w.category is ConvergenceWarning]


def mse(reg, X, y):
    return np.mean((reg.predict(X) - y) ** 2)


def test_the_critical_steps_are_the_lessons_2_over_L():
    X, _, _, _ = lesson_000()
    assert_allclose(critical_step(X, False, 3, "sgd"), 2 / (2 * 14 / 3))
    X, _, _, _ = lesson_004()
    assert round(critical_step(X, True, len(X), "sgd"), 4) == 0.8055


def fit_at(lesson, solver, optimizer, tol, factor):
    """A fit in data order at ``factor`` times its configuration's critical
    step; the spectral radius of its epoch map is checked to be on the side
    ``factor`` says."""
    X, y, fit_params, fit_intercept = LESSONS[lesson]()
    batch_size = BATCH_SIZES[solver] or len(X)
    step = factor * critical_step(X, fit_intercept, batch_size, optimizer)
    radius = spectral_radius(X, fit_intercept, batch_size, optimizer, step)
    assert (radius > 1) == (factor > 1)
    reg = GDRegressor(
        solver=solver,
        batch_size=batch_size,
        optimizer=optimizer,
        learning_rate=step,
        tol=tol,
        shuffle=False,
        fit_intercept=fit_intercept,
    )
    messages = fit_quietly(reg, X, y, **fit_params)
    start = GDRegressor(fit_intercept=fit_intercept, max_iter=1, tol=None)
    start_loss = start.fit(X, y, **fit_params).loss_history_[0]
    return reg, messages, mse(reg, X, y), start_loss


CONFIGURATIONS = pytest.mark.parametrize(
    "lesson, solver, optimizer, tol",
    [
        (lesson, solver, optimizer, tol)
        for lesson in LESSONS
        for solver in ("batch", "sgd", "minibatch")
        for optimizer in ("sgd", "momentum", "nesterov")
        for tol in (1e-4, None)
    ],
)


@CONFIGURATIONS
def test_just_above_the_critical_step_diverges(lesson, solver, optimizer, tol):
    reg, messages, loss, start_loss = fit_at(lesson, solver, optimizer, tol, 1.03)
    assert reg.stop_reason_ == "diverged"
    assert any("diverged" in m and "learning rate" in m for m in messages)
    assert np.isfinite(reg.coef_).all()
    # The best parameters seen are kept: never worse than the start.
    assert loss <= start_loss * (1 + 1e-12)


@CONFIGURATIONS
def test_just_below_the_critical_step_does_not_diverge(lesson, solver, optimizer, tol):
    reg, messages, loss, start_loss = fit_at(lesson, solver, optimizer, tol, 0.97)
    assert reg.stop_reason_ in ("converged", "max_iter")
    assert not any("diverged" in m for m in messages)
    # Better than where it started (a step this large can still leave a poor
    # model: per-sample steps near 1 / ||x||^2 fit the last samples).
    assert loss < start_loss


@pytest.mark.parametrize("step", [0.22, 0.3])
@pytest.mark.parametrize("tol", [1e-4, None])
def test_the_lessons_slowly_diverging_steps_are_reported(step, tol):
    # 0.22 on y = w x was "converged" after 6 epochs with its loss up from 4.67
    # to 7.85, and "max_iter" at w = -178.5 with tol=None, without a warning.
    X, y, fit_params, _ = lesson_000()
    reg = GDRegressor(learning_rate=step, tol=tol, fit_intercept=False)
    with pytest.warns(ConvergenceWarning, match="diverged"):
        reg.fit(X, y, **fit_params)
    assert reg.stop_reason_ == "diverged"
    assert_allclose(reg.coef_, [1.0])  # the start was the best it saw
    assert reg.loss_history_[-1] > reg.loss_history_[0]


@pytest.mark.parametrize("step", [0.81, 0.83])
def test_the_lessons_steps_above_2_over_l_are_reported(step):
    X, y, _, _ = lesson_004()
    reg = GDRegressor(learning_rate=step)
    with pytest.warns(ConvergenceWarning, match="diverged"):
        reg.fit(X, y)
    assert reg.stop_reason_ == "diverged"
    below = GDRegressor(learning_rate=0.8).fit(X, y)
    assert below.stop_reason_ == "converged"


def standardised(load):
    X, y = load(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize(
    "solver, optimizer",
    [("sgd", "rmsprop"), ("sgd", "adam"), ("minibatch", "adam"), ("sgd", "sgd")],
)
def test_a_blow_up_inside_the_first_stochastic_epoch_is_divergence(solver, optimizer):
    # The first recorded loss is measured along the first epoch: it blew up
    # with the parameters and raised the reference with it ("converged" at an
    # R^2 of -68,000). The reference is the loss before any update.
    X, y = standardised(load_diabetes)
    reg = GDRegressor(
        solver=solver, optimizer=optimizer, learning_rate=1e4, random_state=0
    )
    with pytest.warns(ConvergenceWarning, match="diverged"):
        reg.fit(X, y)
    assert reg.stop_reason_ == "diverged"
    zero_model = np.mean(y**2)
    assert mse(reg, X, y) <= zero_model


def test_a_classifier_blown_up_in_its_first_epoch_diverges():
    X, y = standardised(load_breast_cancer)
    clf = GDClassifier(solver="sgd", learning_rate=1e4, random_state=0)
    with pytest.warns(ConvergenceWarning, match="diverged"):
        clf.fit(X, y)
    assert clf.stop_reason_ == "diverged"
    assert np.isfinite(clf.coef_).all()


def test_adaptive_optimizers_at_sane_steps_do_not_diverge():
    X, y = standardised(load_diabetes)
    for solver in ("batch", "sgd", "minibatch"):
        for optimizer in ("adagrad", "rmsprop", "adam"):
            reg = GDRegressor(
                solver=solver, optimizer=optimizer, max_iter=300, random_state=0
            )
            messages = fit_quietly(reg, X, y)
            assert reg.stop_reason_ != "diverged", (solver, optimizer)
            assert not any("diverged" in m for m in messages)


# -- the other side: a fit that starts next to the optimum and sits in the
# -- stochastic solvers' noise is not diverging ---------------------------------


@pytest.mark.parametrize("tol", [1e-4, None])
@pytest.mark.parametrize(
    "solver, optimizer, learning_rate",
    [
        ("sgd", "sgd", "auto"),
        ("minibatch", "sgd", "auto"),
        ("sgd", "momentum", 0.002),
        ("batch", "adam", 0.01),
        ("minibatch", "adam", 0.01),
    ],
)
def test_a_warm_start_at_the_optimum_sitting_in_noise_is_not_divergence(
    solver, optimizer, learning_rate, tol
):
    X, y = standardised(load_diabetes)
    ols = LinearRegression().fit(X, y)
    reg = GDRegressor(
        solver=solver,
        optimizer=optimizer,
        learning_rate=learning_rate,
        tol=tol,
        max_iter=100,
        random_state=0,
    )
    messages = fit_quietly(
        reg, X, y, coef_init=ols.coef_, intercept_init=ols.intercept_
    )
    assert reg.stop_reason_ in ("converged", "max_iter")
    assert not any("diverged" in m for m in messages)
    # It moved away (the noise is real) ...
    last = reg.coef_history_[-1]
    assert not np.allclose(last, ols.coef_)
    # ... and where it ended above the optimum it started at, it says so and
    # keeps the best parameters it saw: never worse than the start.
    # (Losses within 1e-6 of the problem's scale, the all-zero model's loss,
    # are equal.)
    end = np.mean((X @ last + reg.intercept_history_[-1] - y) ** 2)
    start, slack = mse(ols, X, y), 1e-6 * np.mean(y**2)
    assert ("noise" in " ".join(messages)) == (end > start + slack)
    assert mse(reg, X, y) <= start + slack


def weak_signal(seed, n_samples=500, n_features=5, signal=0.1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    y = signal * X @ rng.standard_normal(n_features) + rng.standard_normal(n_samples)
    return X, y


@pytest.mark.parametrize("signal", [0.0, 0.1])
@pytest.mark.parametrize("solver", ["sgd", "minibatch"])
def test_a_fit_from_zero_in_the_noise_of_weak_signal_is_not_divergence(solver, signal):
    # With little to learn the stochastic solvers' noise can end above the
    # all-zero model they started from: no divergence, the best parameters.
    for seed in range(5):
        X, y = weak_signal(seed, signal=signal)
        zero_loss = np.mean(y**2)
        reg = GDRegressor(solver=solver, random_state=seed)
        messages = fit_quietly(reg, X, y)
        assert reg.stop_reason_ != "diverged", seed
        assert not any("diverged" in m for m in messages)
        assert mse(reg, X, y) <= zero_loss * (1 + 1e-9)
        first = GDRegressor(solver=solver, random_state=seed)
        fit_quietly_partial(first, X, y)
        assert first.stop_reason_ != "diverged", seed


@pytest.mark.parametrize("loss", ["log_loss", "modified_huber", "squared_hinge"])
def test_a_classifier_on_random_labels_is_not_divergence(loss):
    for seed in range(5):
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((200, 5))
        y = rng.integers(0, 2, 200)
        clf = GDClassifier(loss=loss, solver="sgd", random_state=seed)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            clf.fit(X, y)
        assert clf.stop_reason_ != "diverged", seed
        assert not any("diverged" in str(w.message) for w in caught)


@pytest.mark.parametrize("solver", ["sgd", "minibatch"])
def test_warm_refits_of_a_noisy_fit_are_never_worse_nor_diverged(solver):
    X, y = standardised(load_diabetes)
    for seed in range(6):
        reg = GDRegressor(
            solver=solver, random_state=seed, max_iter=200, warm_start=True
        )
        fit_quietly(reg, X, y)
        for _ in range(2):
            start = mse(reg, X, y)
            messages = fit_quietly(reg, X, y)
            assert reg.stop_reason_ != "diverged", seed
            assert not any("diverged" in m for m in messages)
            assert mse(reg, X, y) <= start * (1 + 1e-9)


def test_a_warm_start_at_the_optimum_with_a_step_too_large_diverges():
    X, y = standardised(load_diabetes)
    ols = LinearRegression().fit(X, y)
    critical = critical_step(X, True, 1, "sgd")
    reg = GDRegressor(solver="sgd", learning_rate=1.5 * critical, shuffle=False)
    with pytest.warns(ConvergenceWarning, match="diverged"):
        reg.fit(X, y, coef_init=ols.coef_, intercept_init=ols.intercept_)
    assert reg.stop_reason_ == "diverged"
    assert_allclose(reg.coef_, ols.coef_)  # nothing it saw was better


def test_a_loss_still_rising_below_its_start_is_not_called_converged():
    # Start next to the optimum along the unstable direction of a step just
    # above 2/L, far from it along the stable one: the loss first falls, then
    # rises. A max_iter too short to see it pass the start warns that it was
    # still rising.
    X, y, _, _ = lesson_004()
    A = np.column_stack([X, np.ones(len(X))])
    eigenvalues, eigenvectors = np.linalg.eigh(2 * A.T @ A / len(X))
    optimum = np.linalg.lstsq(A, y, rcond=None)[0]
    start = optimum + eigenvectors[:, 0] + 1e-3 * eigenvectors[:, 1]
    step = 1.02 * 2 / eigenvalues[1]
    reg = GDRegressor(learning_rate=step, max_iter=100, tol=None)
    messages = fit_quietly(reg, X, y, coef_init=start[:1], intercept_init=start[1])
    losses = reg.loss_history_
    assert losses[-1] > 1.2 * losses.min() and losses[-1] < losses[0]
    assert reg.stop_reason_ == "max_iter"
    assert any("still rising" in m for m in messages)


def test_the_auto_step_of_a_single_row_is_its_own():
    # One row: no batch spread to measure; the step is the row's 1 / L.
    for solver in ("batch", "sgd", "minibatch"):
        reg = GDRegressor(solver=solver, max_iter=5, tol=None)
        fit_quietly(reg, np.array([[10.0, 5.0]]), np.array([1.0]))
        assert_allclose(reg.learning_rate_, 1 / (2 * (100 + 25 + 1)))
        assert reg.stop_reason_ != "diverged"


def test_the_minibatch_auto_step_without_shuffling_bounds_each_fixed_batch():
    # Random batches average the one stiff block away; fixed ones meet it.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((442, 3))
    X[:32, 0], X[32:, 0] = 10.0, 0.0
    y = X @ [1.0, 2.0, 3.0] + 0.1 * rng.standard_normal(442)
    reg = GDRegressor(solver="minibatch", batch_size=32, shuffle=False)
    messages = fit_quietly(reg, X, y)
    assert reg.stop_reason_ != "diverged"
    assert not any("diverged" in m for m in messages)
    norms = (X**2).sum(1) + 1
    stiffest = max(norms[i : i + 32].mean() for i in range(0, 442, 32))
    assert_allclose(reg.learning_rate_, 1 / (2 * stiffest))


@pytest.mark.parametrize("optimizer", ["momentum", "nesterov"])
@pytest.mark.parametrize("solver", ["sgd", "minibatch"])
def test_the_stochastic_auto_step_with_momentum_is_divided_by_its_gain(
    solver, optimizer
):
    # A steady gradient piles up 1 / (1 - mu) times in the buffer: the
    # per-sample safe step with momentum 0.9 diverged on standardised diabetes.
    X, y = standardised(load_diabetes)
    plain = GDRegressor(solver=solver, max_iter=1, tol=None).fit(X, y)
    reg = GDRegressor(solver=solver, optimizer=optimizer, random_state=0)
    messages = fit_quietly(reg, X, y)
    assert_allclose(reg.learning_rate_, plain.learning_rate_ * (1 - 0.9))
    assert reg.stop_reason_ == "converged"
    assert not any("diverged" in m for m in messages)
    assert mse(reg, X, y) < 1.1 * mse(LinearRegression().fit(X, y), X, y)


@pytest.mark.parametrize("solver", ["sgd", "minibatch"])
def test_warm_refits_of_the_perceptron_are_not_divergence(solver):
    # Its start can be next to a loss of 0, which no multiple of measures.
    X, y = standardised(load_breast_cancer)
    for seed in range(5):
        clf = GDClassifier(
            loss="perceptron", solver=solver, random_state=seed, warm_start=True
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
            clf.fit(X, y)
        assert clf.stop_reason_ != "diverged", seed


def test_dampening_never_makes_the_stochastic_auto_step_larger():
    # A buffer gain below 1 (dampening) does not shrink the first update.
    from skgd.optim import SGD

    X, y = standardised(load_diabetes)
    plain = GDRegressor(solver="sgd", max_iter=1, tol=None).fit(X, y)
    for dampening in (0.5, 0.99, 1.0):
        reg = GDRegressor(
            solver="sgd", optimizer=SGD(momentum=0.5, dampening=dampening)
        )
        fit_quietly(reg, X, y)
        gain = max((1 - dampening) / (1 - 0.5), 1.0)
        assert_allclose(reg.learning_rate_, plain.learning_rate_ / gain)
        assert reg.stop_reason_ != "diverged"
