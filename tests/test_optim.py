"""Optimizers against their update formulas written out by hand, and torch.optim."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.datasets import make_regression
from sklearn.model_selection import GridSearchCV

from skgd import GDRegressor
from skgd.optim import SGD, Adagrad, Adam, RMSprop

# -- the formulas, written out by hand (torch.optim's documentation) -------------


def sgd_reference(momentum=0.0, dampening=0.0, nesterov=False):
    def step(theta, g, state, lr, t):
        if momentum:
            b = g if t == 1 else momentum * state["b"] + (1 - dampening) * g
            state["b"] = b
            g = g + momentum * b if nesterov else b
        return theta - lr * g

    return step


def adagrad_reference(lr_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
    def step(theta, g, state, lr, t):
        s = state.get("s", initial_accumulator_value) + g**2
        state["s"] = s
        return theta - lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(s) + eps)

    return step


def rmsprop_reference(alpha=0.99, eps=1e-8, momentum=0.0, centered=False):
    def step(theta, g, state, lr, t):
        v = alpha * state.get("v", 0.0) + (1 - alpha) * g**2
        state["v"] = v
        if centered:
            a = alpha * state.get("a", 0.0) + (1 - alpha) * g
            state["a"] = a
            v = v - a**2
        d = np.sqrt(v) + eps
        if momentum:
            state["b"] = momentum * state.get("b", 0.0) + g / d
            return theta - lr * state["b"]
        return theta - lr * g / d

    return step


def adam_reference(betas=(0.9, 0.999), eps=1e-8, amsgrad=False):
    def step(theta, g, state, lr, t):
        m = betas[0] * state.get("m", 0.0) + (1 - betas[0]) * g
        v = betas[1] * state.get("v", 0.0) + (1 - betas[1]) * g**2
        state["m"], state["v"] = m, v
        if amsgrad:
            v = state["v_max"] = np.maximum(state.get("v_max", 0.0), v)
        m_hat, v_hat = m / (1 - betas[0] ** t), v / (1 - betas[1] ** t)
        return theta - lr * m_hat / (np.sqrt(v_hat) + eps)

    return step


CASES = {
    "sgd": (SGD(), sgd_reference()),
    "momentum": (SGD(momentum=0.9), sgd_reference(momentum=0.9)),
    "dampened": (SGD(momentum=0.5, dampening=0.3), sgd_reference(0.5, 0.3)),
    "nesterov": (SGD(momentum=0.9, nesterov=True), sgd_reference(0.9, 0, True)),
    "adagrad": (Adagrad(), adagrad_reference()),
    "adagrad_decay": (
        Adagrad(lr_decay=0.1, initial_accumulator_value=0.5),
        adagrad_reference(0.1, 0.5),
    ),
    "rmsprop": (RMSprop(), rmsprop_reference()),
    "rmsprop_centered": (
        RMSprop(alpha=0.9, momentum=0.5, centered=True),
        rmsprop_reference(0.9, 1e-8, 0.5, True),
    ),
    "adam": (Adam(), adam_reference()),
    "amsgrad": (
        Adam(betas=(0.8, 0.9), amsgrad=True),
        adam_reference((0.8, 0.9), amsgrad=True),
    ),
}
NAMED = {
    "sgd": "sgd",
    "momentum": "momentum",
    "nesterov": "nesterov",
    "adagrad": "adagrad",
    "rmsprop": "rmsprop",
    "adam": "adam",
}


@pytest.mark.parametrize("case", CASES)
def test_update_matches_the_formula(case):
    optimizer, reference = CASES[case]
    rng = np.random.default_rng(0)
    theta = rng.standard_normal(5)
    expected, reference_state = theta.copy(), {}
    state = optimizer.init(theta)
    for t in range(1, 5):  # one update, then several
        g = rng.standard_normal(5)
        updates, state = optimizer.update(g, state, theta, learning_rate=0.1)
        theta = theta + updates
        expected = reference(expected, g, reference_state, 0.1, t)
        assert_allclose(theta, expected, rtol=1e-12, atol=1e-15)
        assert state.count == t


def reference_fit(X, y, w, b, lr, batch_size, epochs, step):
    """Mini-batch gradient descent on the MSE with a hand-written ``step``."""
    theta, state, t, path = np.r_[w, b], {}, 0, []
    for _ in range(epochs):
        for start in range(0, len(y), batch_size):
            rows = slice(start, start + batch_size)
            residual = X[rows] @ theta[:-1] + theta[-1] - y[rows]
            g = np.r_[2 * residual @ X[rows], 2 * residual.sum()] / len(y[rows])
            t += 1
            theta = step(theta, g, state, lr, t)
            path.append(theta)
    return np.array(path)


@pytest.fixture(scope="module")
def small_problem():
    X, y = make_regression(n_samples=30, n_features=3, noise=1.0, random_state=0)
    return X, y / 30, np.array([0.5, -0.5, 0.2]), 0.3


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("solver, batch_size", [("sgd", 1), ("minibatch", 7)])
def test_every_update_of_a_fit_matches_the_formula(
    small_problem, case, solver, batch_size
):
    X, y, w0, b0 = small_problem
    optimizer, reference = CASES[case]
    reg = GDRegressor(
        solver=solver,
        batch_size=batch_size,
        optimizer=optimizer,
        learning_rate=0.01,
        max_iter=2,
        tol=None,
        shuffle=False,
        record="update",
    ).fit(X, y, coef_init=w0, intercept_init=b0)
    path = reference_fit(X, y, w0, b0, 0.01, batch_size, 2, reference)
    assert reg.t_ == reg.optimizer_state_.count == len(path)
    assert_allclose(reg.coef_history_[1:], path[:, :-1], rtol=1e-10, atol=1e-13)
    assert_allclose(reg.intercept_history_[1:], path[:, -1], rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("name", NAMED)
def test_named_optimizers_run_the_batch_solver(small_problem, name):
    X, y, w0, b0 = small_problem
    optimizer, reference = CASES[name]
    reg = GDRegressor(
        optimizer=name, learning_rate=0.05, max_iter=3, tol=None, record="update"
    ).fit(X, y, coef_init=w0, intercept_init=b0)
    path = reference_fit(X, y, w0, b0, 0.05, 30, 3, reference)
    assert_allclose(reg.coef_history_[1:], path[:, :-1], rtol=1e-10, atol=1e-13)
    assert reg.optimizer_.get_params() == optimizer.get_params()


TORCH_OPTIMIZERS = {
    "sgd": lambda torch, p, lr: torch.optim.SGD(p, lr=lr),
    "momentum": lambda torch, p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9),
    "nesterov": lambda torch, p, lr: torch.optim.SGD(
        p, lr=lr, momentum=0.9, nesterov=True
    ),
    "adagrad": lambda torch, p, lr: torch.optim.Adagrad(p, lr=lr),
    "rmsprop": lambda torch, p, lr: torch.optim.RMSprop(p, lr=lr),
    "adam": lambda torch, p, lr: torch.optim.Adam(p, lr=lr),
}


@pytest.mark.parametrize("name", TORCH_OPTIMIZERS)
@pytest.mark.parametrize("batch_size", [1, 8, 30])
def test_same_weights_as_torch(small_problem, name, batch_size):
    torch = pytest.importorskip("torch")
    X, y, w0, b0 = small_problem
    linear = torch.nn.Linear(3, 1).double()
    with torch.no_grad():
        linear.weight[:] = torch.tensor(w0)[None]
        linear.bias[:] = b0
    optimizer = TORCH_OPTIMIZERS[name](torch, linear.parameters(), 0.01)
    X_t, y_t = torch.tensor(X), torch.tensor(y)
    for _ in range(3):
        for start in range(0, 30, batch_size):
            optimizer.zero_grad()
            batch = slice(start, start + batch_size)
            loss = torch.nn.functional.mse_loss(linear(X_t[batch])[:, 0], y_t[batch])
            loss.backward()
            optimizer.step()

    reg = GDRegressor(
        solver="minibatch",
        batch_size=batch_size,
        optimizer=name,
        learning_rate=0.01,
        max_iter=3,
        tol=None,
        shuffle=False,
    ).fit(X, y, coef_init=w0, intercept_init=b0)
    assert_allclose(reg.coef_, linear.weight.detach().numpy()[0], rtol=1e-12)
    assert_allclose(reg.intercept_, linear.bias.item(), rtol=1e-12)


def test_partial_fit_continues_the_optimizer_state(small_problem):
    X, y, _, _ = small_problem
    params = dict(solver="minibatch", batch_size=7, optimizer="adam", shuffle=False)
    fitted = GDRegressor(**params, max_iter=4, tol=None).fit(X, y)
    partial = GDRegressor(**params)
    for _ in range(4):
        partial.partial_fit(X, y)
    assert_allclose(partial.coef_, fitted.coef_, rtol=1e-12)
    assert partial.optimizer_state_.count == fitted.optimizer_state_.count == 20


def test_auto_learning_rate_of_adaptive_optimizers_is_their_default(small_problem):
    X, y, _, _ = small_problem
    reg = GDRegressor(optimizer="adam", max_iter=2, tol=None).fit(X, y)
    assert reg.learning_rate_ == 0.001
    reg = GDRegressor(optimizer=RMSprop(), max_iter=2, tol=None).fit(X, y)
    assert reg.learning_rate_ == 0.01


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_optimizer_instances_clone_and_are_searchable(small_problem):
    X, y, _, _ = small_problem
    reg = GDRegressor(optimizer=Adam(betas=(0.9, 0.99)), max_iter=20)
    copy = clone(reg)
    assert copy.optimizer is not reg.optimizer
    assert copy.optimizer.get_params() == {
        "betas": (0.9, 0.99),
        "eps": 1e-8,
        "amsgrad": False,
        "lazy": False,
    }
    search = GridSearchCV(
        reg,
        {"learning_rate": [0.01, 0.1], "optimizer__betas": [(0.9, 0.99), (0.5, 0.9)]},
        cv=2,
    ).fit(X, y)
    assert set(search.cv_results_["param_optimizer__betas"]) == {
        (0.9, 0.99),
        (0.5, 0.9),
    }
    assert search.best_estimator_.optimizer_.betas in [(0.9, 0.99), (0.5, 0.9)]


@pytest.mark.parametrize(
    "optimizer, message",
    [
        (SGD(nesterov=True), "Nesterov momentum requires"),
        (Adam(betas=(0.9, 1.5)), "betas must be two numbers"),
        (RMSprop(alpha=2.0), "alpha"),
        ("adamw", "optimizer"),
    ],
)
def test_invalid_optimizers_are_rejected(small_problem, optimizer, message):
    X, y, _, _ = small_problem
    with pytest.raises(ValueError, match=message):
        GDRegressor(optimizer=optimizer).fit(X, y)
