"""Early stopping, stop reasons, verbose output and scikit-learn's callbacks."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.callback import ProgressBar, ScoringMonitor
from sklearn.datasets import make_regression
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.utils import check_random_state

from skgd import GDRegressor


@pytest.fixture(scope="module")
def noisy():
    # Few samples, many features: the validation loss turns up while the
    # training loss still falls.
    X, y = make_regression(
        n_samples=50, n_features=100, n_informative=5, noise=30.0, random_state=0
    )
    return X, y


def test_validation_losses_and_restored_parameters(noisy):
    X, y = noisy
    reg = GDRegressor(
        learning_rate=0.002,
        early_stopping=True,
        validation_fraction=0.25,
        n_iter_no_change=10,
        tol=0.0,
        random_state=0,
        max_iter=5000,
    ).fit(X, y)
    # The split, made independently with the same random stream.
    _, val = train_test_split(
        np.arange(50), test_size=0.25, random_state=check_random_state(0)
    )
    expected = [
        np.mean((X[val] @ w + b - y[val]) ** 2)
        for w, b in zip(reg.coef_history_[1:], reg.intercept_history_[1:], strict=True)
    ]
    assert_allclose(reg.val_loss_history_, expected, rtol=1e-10)
    assert_allclose(reg.history_["val_loss"], expected, rtol=1e-10)
    assert reg.stop_reason_ == "early_stopping"
    best = int(np.argmin(reg.val_loss_history_))
    assert reg.n_iter_ == best + 1 + 10
    assert_allclose(reg.coef_, reg.coef_history_[best + 1])
    assert_allclose(reg.intercept_, reg.intercept_history_[best + 1])
    # The training loss was still falling: this was not plain convergence.
    assert reg.loss_history_[-1] < reg.loss_history_[best]


def test_without_early_stopping_there_is_no_validation_loss(noisy):
    reg = GDRegressor(max_iter=3, tol=None).fit(*noisy)
    assert reg.val_loss_history_ is None
    assert "val_loss" not in reg.history_


def test_early_stopping_restores_the_best_epoch_at_max_iter(noisy):
    X, y = noisy
    reg = GDRegressor(
        learning_rate=0.002, early_stopping=True, tol=None, random_state=0
    ).set_params(max_iter=1000, validation_fraction=0.25)
    reg.fit(X, y)
    assert reg.stop_reason_ == "max_iter"
    best = int(np.argmin(reg.val_loss_history_))
    assert best < 900
    assert_allclose(reg.coef_, reg.coef_history_[best + 1])


class StopAfter:
    """A callback that stops the fit after ``n_epochs`` epochs."""

    def __init__(self, n_epochs):
        self.n_epochs = n_epochs

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None):
        if context.task_name != "epoch":
            return False
        return fitted_estimator.n_iter_ >= self.n_epochs


def test_a_callback_stops_the_fit(noisy):
    reg = GDRegressor(max_iter=500, tol=None).set_callbacks(StopAfter(7))
    reg.fit(*noisy)
    assert reg.n_iter_ == 7
    assert reg.stop_reason_ == "callback"


def test_a_callback_stops_each_fit_of_a_grid_search(noisy):
    reg = GDRegressor(max_iter=500, tol=None).set_callbacks(StopAfter(4))
    search = GridSearchCV(reg, {"learning_rate": [1e-3, 1e-2]}, cv=2).fit(*noisy)
    assert search.best_estimator_.n_iter_ == 4


def test_scoring_monitor_scores_every_epoch(noisy):
    X, y = noisy
    monitor = ScoringMonitor(scoring="r2")
    reg = GDRegressor(learning_rate=0.002, max_iter=5, tol=None).set_callbacks(monitor)
    reg.fit(X, y)
    rows = [row for row in monitor.get_logs().data if row["task_name"] == "epoch"]
    expected = [
        r2_score(y, X @ w + b)
        for w, b in zip(reg.coef_history_[1:], reg.intercept_history_[1:], strict=True)
    ]
    assert_allclose([row["r2"] for row in rows], expected, rtol=1e-10)


def test_progress_bar_over_epochs_also_in_grid_search(noisy, capsys):
    pytest.importorskip("rich")
    GDRegressor(max_iter=20, tol=None).set_callbacks(ProgressBar()).fit(*noisy)
    assert "GDRegressor - fit" in capsys.readouterr().out
    search = GridSearchCV(
        GDRegressor(max_iter=10, tol=None), {"learning_rate": [1e-3, 1e-2]}, cv=2
    ).set_callbacks(ProgressBar())
    search.fit(*noisy)
    out = capsys.readouterr().out
    assert "GridSearchCV - fit" in out and "GDRegressor - fit" in out


def test_verbose_prints_one_line_per_epoch(noisy, capsys):
    GDRegressor(learning_rate=0.001, max_iter=3, tol=None, verbose=1).fit(*noisy)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    for epoch, line in enumerate(lines, start=1):
        assert line.startswith(f"Epoch {epoch}, loss: ")
        assert "learning rate: 0.001," in line and line.endswith(" s")


def test_verbose_shows_the_validation_loss(noisy, capsys):
    GDRegressor(max_iter=2, tol=None, verbose=1, early_stopping=True).fit(*noisy)
    assert "validation loss: " in capsys.readouterr().out


def test_partial_fit_after_early_stopping_keeps_the_validation_column(noisy):
    reg = GDRegressor(max_iter=3, tol=None, early_stopping=True).fit(*noisy)
    validation = reg.val_loss_history_.copy()
    reg.partial_fit(*noisy)
    assert reg.n_iter_ == 4
    assert_allclose(reg.val_loss_history_[:3], validation)
    assert np.isnan(reg.val_loss_history_[3])
    assert list(reg.history_.index) == [1, 2, 3, 4]
    assert reg.history_["val_loss"].isna().tolist() == [False, False, False, True]
