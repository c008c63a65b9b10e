"""Learning-rate schedules against their formulas and torch's schedulers."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.datasets import make_regression

from skgd import GDRegressor
from skgd.schedules import Adaptive, Constant, Cosine, Exponential, InverseScaling, Step

EPOCHS = 12

FORMULAS = {
    "constant": (Constant(), lambda e: 1.0),
    "invscaling": (InverseScaling(power_t=0.25), lambda e: (e + 1) ** -0.25),
    "exponential": (Exponential(gamma=0.8), lambda e: 0.8**e),
    "step": (Step(step_size=3, gamma=0.5), lambda e: 0.5 ** (e // 3)),
    "cosine": (
        Cosine(n_epochs=8, final=0.1),
        lambda e: 0.1 + 0.9 * (1 + math.cos(math.pi * min(e, 8) / 8)) / 2,
    ),
    "callable": (lambda e: 1 / (1 + e), lambda e: 1 / (1 + e)),
}


@pytest.fixture(scope="module")
def data():
    X, y = make_regression(n_samples=40, n_features=3, noise=1.0, random_state=0)
    return X, y


@pytest.mark.parametrize("name", FORMULAS)
def test_history_records_each_epochs_learning_rate(data, name):
    schedule, formula = FORMULAS[name]
    reg = GDRegressor(learning_rate=0.01, lr_schedule=schedule, max_iter=EPOCHS)
    reg.set_params(tol=None).fit(*data)
    expected = [0.01 * formula(e) for e in range(EPOCHS)]
    assert_allclose(reg.history_["learning_rate"], expected, rtol=1e-12)


@pytest.mark.parametrize("name", ["exponential", "step", "cosine"])
def test_each_epoch_steps_with_its_learning_rate(data, name):
    """Batch GD written out by hand with the scheduled step."""
    X, y = data
    schedule, formula = FORMULAS[name]
    reg = GDRegressor(
        learning_rate=0.05, lr_schedule=schedule, max_iter=EPOCHS, tol=None
    ).fit(X, y)
    w, b = np.zeros(3), 0.0
    for epoch in range(EPOCHS):
        residual = X @ w + b - y
        lr = 0.05 * formula(epoch)
        w, b = w - lr * 2 * residual @ X / 40, b - lr * 2 * residual.mean()
    assert_allclose(reg.coef_, w, rtol=1e-10)
    assert_allclose(reg.intercept_, b, rtol=1e-10)


@pytest.mark.parametrize("name", ["exponential", "step", "cosine"])
def test_schedules_match_torch_schedulers(name):
    torch = pytest.importorskip("torch")
    parameter = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([parameter], lr=1.0)
    scheduler = {
        "exponential": lambda: torch.optim.lr_scheduler.ExponentialLR(optimizer, 0.8),
        "step": lambda: torch.optim.lr_scheduler.StepLR(optimizer, 3, gamma=0.5),
        "cosine": lambda: torch.optim.lr_scheduler.CosineAnnealingLR(
            optimizer, T_max=8, eta_min=0.1
        ),
    }[name]()
    torch_rates = []
    for _ in range(9):  # CosineAnnealingLR is periodic after T_max
        torch_rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    schedule = FORMULAS[name][0]
    ours = [schedule.multiplier(e, max_iter=100) for e in range(9)]
    assert_allclose(ours, torch_rates, rtol=1e-12, atol=1e-15)


def test_partial_fit_continues_the_schedule(data):
    reg = GDRegressor(learning_rate=0.01, lr_schedule=Exponential(gamma=0.5))
    for _ in range(3):
        reg.partial_fit(*data)
    assert_allclose(reg.history_["learning_rate"], [0.01, 0.005, 0.0025])


def test_adaptive_divides_the_step_by_five_when_the_loss_stalls(data):
    X, y = data
    reg = GDRegressor(
        solver="sgd",
        learning_rate=0.02,
        lr_schedule="adaptive",
        tol=1e-3,
        n_iter_no_change=2,
        random_state=0,
        max_iter=5000,
    ).fit(X, y)
    rates = reg.history_["learning_rate"].to_numpy()
    distinct = np.unique(rates)[::-1]
    # Each reduction is a factor 5, down to the smallest step above 1e-6.
    assert_allclose(distinct, 0.02 * 0.2 ** np.arange(len(distinct)))
    assert distinct[-1] >= 1e-6 > distinct[-1] * 0.2
    assert reg.stop_reason_ == "converged"
    # A reduction follows n_iter_no_change epochs without an improvement of tol.
    losses = reg.loss_history_
    first = np.flatnonzero(rates < 0.02)[0]
    best_before = np.minimum.accumulate(losses[: first - 2])[-1]
    assert np.all(losses[first - 2 : first] > best_before - 1e-3)


def test_adaptive_without_tol_keeps_the_step(data):
    reg = GDRegressor(learning_rate=0.01, lr_schedule=Adaptive(), tol=None)
    reg.set_params(max_iter=20).fit(*data)
    assert_allclose(reg.history_["learning_rate"], 0.01)


@pytest.mark.parametrize("bad", [lambda e: 0.0, lambda e: float("nan"), lambda e: "x"])
def test_a_schedule_returning_a_bad_multiplier_is_an_error(data, bad):
    with pytest.raises(ValueError, match="positive finite multiplier"):
        GDRegressor(lr_schedule=bad).fit(*data)


def test_unknown_schedule_names_are_rejected(data):
    with pytest.raises(ValueError, match="lr_schedule"):
        GDRegressor(lr_schedule="linear").fit(*data)
