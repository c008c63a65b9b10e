"""GDRegressor against closed forms, scikit-learn peers and hand-written updates."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_diabetes, make_regression
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state

from skgd import GDRegressor

SOLVERS = ["batch", "sgd", "minibatch"]


def reference_path(X, y, w, b, lr, batch_size, orders, sample_weight=None):
    """Mini-batch gradient descent written out with NumPy, update by update.

    Returns the parameters after every update and each epoch's mean loss (each
    sample's loss taken before the update that used it).
    """
    n = len(y)
    sw = (
        np.ones(n) if sample_weight is None else sample_weight * n / sample_weight.sum()
    )
    path, epoch_losses = [], []
    for order in orders:
        losses = []
        for start in range(0, n, batch_size):
            rows = order[start : start + batch_size]
            residual = X[rows] @ w + b - y[rows]
            losses.extend(sw[rows] * residual**2)
            w = w - lr * 2 * (sw[rows] * residual) @ X[rows] / len(rows)
            b = b - lr * 2 * (sw[rows] * residual).sum() / len(rows)
            path.append(np.r_[b, w])
        epoch_losses.append(np.mean(losses))
    return np.array(path), np.array(epoch_losses)


@pytest.mark.parametrize(
    "solver, batch_size", [("sgd", 1), ("minibatch", 7), ("batch", None)]
)
@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_updates_match_numpy_reference(solver, batch_size, shuffle, weighted):
    X, y = make_regression(n_samples=30, n_features=4, noise=1.0, random_state=0)
    sample_weight = np.random.default_rng(0).uniform(0.1, 2, 30) if weighted else None
    w0, b0, lr, epochs = np.full(4, 0.5), 1.0, 0.01, 3
    reg = GDRegressor(
        solver=solver,
        batch_size=batch_size or 32,
        learning_rate=lr,
        max_iter=epochs,
        tol=None,
        shuffle=shuffle,
        random_state=3,
        record="update",
    )
    reg.fit(X, y, sample_weight=sample_weight, coef_init=w0, intercept_init=b0)

    rng = check_random_state(3)
    shuffled = shuffle and solver != "batch"
    orders = [rng.permutation(30) if shuffled else np.arange(30) for _ in range(epochs)]
    path, losses = reference_path(
        X, y, w0, b0, lr, batch_size or 30, orders, sample_weight
    )
    assert reg.t_ == len(path)
    assert_allclose(reg.coef_history_[1:], path[:, 1:], rtol=1e-12)
    assert_allclose(reg.intercept_history_[1:], path[:, 0], rtol=1e-12)
    assert_allclose(reg.loss_history_, losses, rtol=1e-12)
    assert_allclose(reg.coef_history_[0], w0)


def test_batch_auto_reaches_least_squares(diabetes):
    X, y = diabetes
    ols = LinearRegression().fit(X, y)
    reg = GDRegressor(tol=None, max_iter=10_000).fit(X, y)
    assert_allclose(reg.coef_, ols.coef_, rtol=1e-6)
    assert_allclose(reg.intercept_, ols.intercept_, rtol=1e-6)


def test_raw_data_in_a_scaling_pipeline_reaches_least_squares():
    # The raw diabetes data (features of very different scales, non-zero means)
    # through StandardScaler: the coefficients mapped back to the raw features
    # are LinearRegression's on the raw data.
    X, y = load_diabetes(return_X_y=True, scaled=False)
    ols = LinearRegression().fit(X, y)
    pipe = make_pipeline(StandardScaler(), GDRegressor(tol=None, max_iter=10_000))
    pipe.fit(X, y)
    scaler, reg = pipe
    assert_allclose(reg.coef_ / scaler.scale_, ols.coef_, rtol=1e-6)
    assert_allclose(pipe.predict(X), ols.predict(X), rtol=1e-6)


def test_weighted_batch_reaches_weighted_least_squares(diabetes):
    X, y = diabetes
    sample_weight = np.random.default_rng(0).uniform(0, 3, len(y))
    ols = LinearRegression().fit(X, y, sample_weight=sample_weight)
    reg = GDRegressor(tol=None, max_iter=10_000).fit(X, y, sample_weight=sample_weight)
    assert_allclose(reg.coef_, ols.coef_, rtol=1e-6)
    assert_allclose(reg.intercept_, ols.intercept_, rtol=1e-6)


@pytest.mark.parametrize("scaled", [True, False])
def test_auto_step_is_one_over_lipschitz_and_descends(scaled):
    # load_diabetes(scaled=False) is the raw data: features of very different
    # scales and non-zero means. The condition number of its Hessian is ~5e7, so
    # plain gradient descent needs ~1e9 epochs to reach least squares; what
    # "auto" guarantees is a step that never increases the loss.
    X, y = load_diabetes(return_X_y=True, scaled=scaled)
    Xa = np.hstack([X, np.ones((len(X), 1))])
    lipschitz = 2 * np.linalg.eigvalsh(Xa.T @ Xa / len(X)).max()
    reg = GDRegressor(tol=None, max_iter=2000).fit(X, y)
    assert_allclose(reg.learning_rate_, 1 / lipschitz, rtol=1e-3)
    assert np.all(np.diff(reg.loss_history_) <= 0)
    assert reg.loss_history_[-1] < 0.5 * reg.loss_history_[0]


def test_sgd_auto_step_is_one_over_largest_row_norm(diabetes):
    X, y = diabetes
    reg = GDRegressor(solver="sgd", max_iter=2).fit(X, y)
    assert_allclose(reg.learning_rate_, 1 / (2 * ((X**2).sum(1) + 1).max()))
    assert reg.learning_rate == "auto"


@pytest.mark.parametrize("batch_size", [1, 8, 32, 441, 442, 1000])
def test_minibatch_auto_step_is_the_expected_smoothness_of_its_batches(
    diabetes, batch_size
):
    # Gower et al. (ICML 2019), Prop. 3.8, written out: between the per-sample
    # constant (b = 1) and the full batch's (b = n).
    X, y = diabetes
    n = len(X)
    augmented = np.column_stack([X, np.ones(n)])
    full = 2 * np.linalg.eigvalsh(augmented.T @ augmented / n).max()
    largest = 2 * (augmented**2).sum(1).max()
    b = min(batch_size, n)
    expected = (n * (b - 1) * full + (n - b) * largest) / (b * (n - 1))
    reg = GDRegressor(solver="minibatch", batch_size=batch_size, max_iter=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.fit(X, y)
    assert_allclose(reg.learning_rate_, 1 / expected, rtol=2e-4)
    batch = GDRegressor(max_iter=1, tol=None).fit(X, y).learning_rate_
    sgd = GDRegressor(solver="sgd", max_iter=1, tol=None).fit(X, y).learning_rate_
    assert sgd <= reg.learning_rate_ <= batch * (1 + 1e-4)


@pytest.mark.parametrize("solver", ["sgd", "minibatch"])
def test_stochastic_solvers_get_close_to_least_squares(diabetes, solver):
    X, y = diabetes
    ols = LinearRegression().fit(X, y)
    reg = GDRegressor(
        solver=solver, learning_rate=0.002, tol=None, max_iter=200, random_state=0
    ).fit(X, y)
    assert reg.score(X, y) > ols.score(X, y) - 0.01
    assert_allclose(
        reg.loss_history_[-1], np.mean((ols.predict(X) - y) ** 2), rtol=0.05
    )


@pytest.mark.parametrize("solver", SOLVERS)
def test_random_state_makes_fits_reproducible(diabetes, solver):
    X, y = diabetes
    fits = [
        GDRegressor(solver=solver, random_state=seed, max_iter=5, tol=None)
        .fit(X, y)
        .coef_
        for seed in (1, 1, 2)
    ]
    assert_array_equal(fits[0], fits[1])
    assert solver == "batch" or not np.array_equal(fits[0], fits[2])


def test_pipeline_grid_search_over_learning_rate(diabetes):
    X, y = load_diabetes(return_X_y=True, scaled=False)
    pipe = make_pipeline(StandardScaler(), GDRegressor(random_state=0))
    grid = {"gdregressor__learning_rate": [1e-4, 0.01, 0.1, 0.3]}
    search = GridSearchCV(pipe, grid, cv=3).fit(X, y)
    assert search.best_params_["gdregressor__learning_rate"] in (0.01, 0.1)
    assert (
        search.best_estimator_[-1].learning_rate_
        == search.best_params_["gdregressor__learning_rate"]
    )
    assert search.score(X, y) > 0.45


def test_too_large_learning_rate_warns_and_keeps_finite_parameters(diabetes):
    X, y = load_diabetes(return_X_y=True, scaled=False)
    with pytest.warns(ConvergenceWarning, match="diverged"):
        reg = GDRegressor(learning_rate=1e-3).fit(X, y)
    assert reg.stop_reason_ == "diverged"
    assert np.isfinite(reg.coef_).all() and np.isfinite(reg.intercept_)
    assert np.isfinite(reg.predict(X)).all()
    assert reg.loss_history_[-1] > 1e3 * reg.loss_history_[0]
    assert len(reg.coef_history_) == reg.n_iter_ + 1
    # The model kept is the best seen: its loss, computed here, is the lowest.
    kept_loss = np.mean((reg.predict(X) - y) ** 2)
    assert_allclose(kept_loss, reg.loss_history_.min(), rtol=1e-10)


def test_max_iter_warns_and_tol_stops(diabetes):
    X, y = diabetes
    with pytest.warns(ConvergenceWarning, match="Maximum number of epochs"):
        reg = GDRegressor(max_iter=3).fit(X, y)
    assert reg.stop_reason_ == "max_iter" and reg.n_iter_ == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reg = GDRegressor(max_iter=3, tol=None).fit(X, y)
        conv = GDRegressor(tol=1e-2, n_iter_no_change=1).fit(X, y)
    assert conv.stop_reason_ == "converged"
    # The textbook rule: the last change of the loss is below tol, none before.
    changes = -np.diff(conv.loss_history_)
    assert changes[-1] < 1e-2 and np.all(changes[:-1] >= 1e-2)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("tol", [None, 1e-4])
def test_multi_target_equals_separate_fits(diabetes, solver, tol):
    # Targets of very different scales converge after very different numbers of
    # epochs: each must stop on its own, as its separate fit does.
    X, y = diabetes
    Y = np.column_stack([y, y / 1000, -2 * y])
    params = dict(
        solver=solver, max_iter=300, tol=tol, random_state=0, learning_rate=0.01
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        multi = GDRegressor(**params).fit(X, Y)
        singles = [GDRegressor(**params).fit(X, Y[:, k]) for k in range(3)]
    assert multi.coef_.shape == (3, X.shape[1])
    assert multi.intercept_.shape == (3,)
    assert multi.n_iter_ == max(single.n_iter_ for single in singles)
    assert multi.coef_history_.shape == (multi.n_iter_ + 1, 3, X.shape[1])
    if tol is not None:
        assert len({single.n_iter_ for single in singles}) > 1
    for k, single in enumerate(singles):
        assert_allclose(multi.coef_[k], single.coef_, rtol=1e-12)
        assert_allclose(multi.intercept_[k], single.intercept_, rtol=1e-12)


@pytest.mark.parametrize("solver", SOLVERS)
def test_float32_stays_float32(diabetes, solver):
    X, y = diabetes
    reg = GDRegressor(solver=solver, max_iter=5, tol=None, random_state=0)
    reg.fit(X.astype(np.float32), y.astype(np.float32))
    assert reg.coef_.dtype == np.float32
    assert reg.coef_history_.dtype == np.float32
    assert reg.predict(X.astype(np.float32)).dtype == np.float32
    ref = GDRegressor(solver=solver, max_iter=5, tol=None, random_state=0).fit(X, y)
    assert_allclose(reg.coef_, ref.coef_, rtol=1e-3, atol=1e-3)


def test_c_contiguous_input_is_not_copied(monkeypatch, diabetes):
    from skgd._backends import _memory

    X, y = diabetes
    seen = []
    # What the kernels read, for the full batch's epoch and the stochastic
    # solvers'.
    as_the_kernels_take_it = _memory.kernel_data

    def spy(X_given):
        seen.append(as_the_kernels_take_it(X_given))
        return seen[-1]

    monkeypatch.setattr(_memory, "kernel_data", spy)
    GDRegressor(max_iter=2, tol=None).fit(X, y)
    GDRegressor(solver="sgd", max_iter=2, tol=None).fit(X, y)
    assert len(seen) == 2
    assert all(np.shares_memory(X, X_kernel) for X_kernel in seen)


@pytest.mark.parametrize("solver", SOLVERS)
def test_pickle_round_trip(diabetes, solver):
    X, y = diabetes
    reg = GDRegressor(solver=solver, max_iter=5, tol=None, random_state=0).fit(X, y)
    clone = pickle.loads(pickle.dumps(reg))
    assert_array_equal(clone.predict(X), reg.predict(X))
    assert_array_equal(clone.loss_history_, reg.loss_history_)
    pd.testing.assert_frame_equal(clone.history_, reg.history_)


def test_history_frame_and_record_options(diabetes):
    X, y = diabetes
    params = dict(
        solver="minibatch",
        batch_size=100,
        max_iter=4,
        tol=None,
        learning_rate=0.01,
        random_state=0,
    )
    reg = GDRegressor(**params).fit(X, y)
    frame = reg.history_
    assert list(frame.columns) == ["loss", "learning_rate", "n_updates", "time"]
    assert_array_equal(frame.index, [1, 2, 3, 4])
    assert_array_equal(frame["loss"], reg.loss_history_)
    assert_array_equal(frame["n_updates"], [5, 10, 15, 20])
    assert (frame["learning_rate"] == 0.01).all()
    assert np.all(np.diff(frame["time"]) >= 0)
    assert_allclose(reg.coef_history_[-1], reg.coef_)

    per_update = GDRegressor(**params, record="update")
    per_update.fit(X, y)
    assert per_update.coef_history_.shape == (21, X.shape[1])
    # Every fifth update ends an epoch: the per-epoch trajectory is inside.
    assert_array_equal(per_update.coef_history_[::5], reg.coef_history_)

    off = GDRegressor(max_iter=4, tol=None, record=None).fit(X, y)
    assert off.coef_history_ is None and off.intercept_history_ is None
    assert len(off.loss_history_) == 4


@pytest.mark.parametrize("shuffle", [False, True])
def test_partial_fit_continues_and_counts(diabetes, shuffle):
    X, y = diabetes
    params = dict(
        solver="minibatch",
        batch_size=50,
        learning_rate=0.01,
        shuffle=shuffle,
        random_state=0,
    )
    online = GDRegressor(**params)
    for _ in range(3):
        online.partial_fit(X, y)
    assert online.n_iter_ == 3 and online.t_ == 3 * 9
    assert online.coef_history_.shape == (4, X.shape[1])
    assert_array_equal(online.history_.index, [1, 2, 3])
    assert_array_equal(online.history_["n_updates"], [9, 18, 27])
    assert np.all(np.diff(online.history_["time"]) >= 0)

    rng = check_random_state(0)
    orders = [
        rng.permutation(len(y)) if shuffle else np.arange(len(y)) for _ in range(3)
    ]
    path, losses = reference_path(X, y, np.zeros(X.shape[1]), 0.0, 0.01, 50, orders)
    assert_allclose(online.coef_, path[-1, 1:], rtol=1e-12)
    assert_allclose(online.loss_history_, losses, rtol=1e-12)


def test_warm_start_continues_from_previous_solution(diabetes):
    X, y = diabetes
    reg = GDRegressor(max_iter=10, tol=None, warm_start=True).fit(X, y)
    reg.fit(X, y)
    twenty = GDRegressor(max_iter=20, tol=None).fit(X, y)
    assert_allclose(reg.coef_, twenty.coef_, rtol=1e-12)
    assert_allclose(reg.coef_history_[0], twenty.coef_history_[10], rtol=1e-12)


def test_no_intercept_ignores_intercept_init(diabetes):
    X, y = diabetes
    reg = GDRegressor(fit_intercept=False, max_iter=3, tol=None)
    reg.fit(X, y, intercept_init=5.0)
    assert reg.intercept_ == 0.0
    assert_array_equal(reg.intercept_history_, 0.0)


def test_verbose_prints_one_line_per_epoch(diabetes, capsys):
    X, y = diabetes
    GDRegressor(max_iter=3, tol=None, verbose=1).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("Epoch 1, loss: ") and "learning rate" in lines[0]


def test_dataframe_input_sets_feature_names(diabetes):
    X, y = diabetes
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    reg = GDRegressor(max_iter=3, tol=None).fit(frame, y)
    assert_array_equal(reg.feature_names_in_, frame.columns)


@pytest.mark.parametrize(
    "X, message",
    [
        (np.array([[1.0, np.nan], [2.0, 3.0]]), "Input X contains NaN"),
        (np.array([[1.0, np.inf], [2.0, 3.0]]), "Input X contains infinity"),
        (np.empty((0, 2)), "0 sample"),
        (np.array([[1 + 1j, 2.0], [2.0, 3.0]]), "Complex data not supported"),
        (np.array([["a", "b"], ["c", "d"]], dtype=object), "could not convert"),
    ],
)
def test_bad_input_gets_scikit_learn_errors(X, message):
    with pytest.raises(ValueError, match=message):
        GDRegressor().fit(X, np.ones(len(X)))


def test_bad_parameters_and_wrong_feature_count():
    X, y = np.ones((4, 2)), np.ones(4)
    with pytest.raises(ValueError, match="learning_rate"):
        GDRegressor(learning_rate=-1).fit(X, y)
    with pytest.raises(ValueError, match="solver"):
        GDRegressor(solver="newton").fit(X, y)
    with pytest.raises(
        ValueError, match=r"coef_init has shape \(3,\); expected \(2,\)"
    ):
        GDRegressor().fit(X, y, coef_init=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"expected \(2, 2\)"):
        GDRegressor().fit(X, np.ones((4, 2)), coef_init=np.ones(2))
    with pytest.raises(
        ValueError, match="Sample weights must contain at least one non-zero"
    ):
        GDRegressor().fit(X, y, sample_weight=np.zeros(4))
    with pytest.raises(NotFittedError):
        GDRegressor().predict(X)
    with pytest.raises(AttributeError, match="not fitted"):
        GDRegressor().history_  # noqa: B018
    reg = GDRegressor(max_iter=2, tol=None).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features"):
        reg.predict(np.ones((2, 3)))


def test_partial_fit_histories_grow_in_place_without_sharing(diabetes):
    """A stream's histories are extended in amortised time (views of a buffer
    with room), yet behave as fresh arrays: a history handed out earlier does
    not change, a shallow copy of the estimator extends its own, a pickle
    carries the histories and not the buffers, and both continue equally."""
    import copy
    import pickle

    X, y = diabetes
    reg = GDRegressor(solver="sgd", learning_rate=0.01, shuffle=False)
    whole = GDRegressor(solver="sgd", learning_rate=0.01, shuffle=False)
    for k in range(4):
        reg.partial_fit(X[50 * k : 50 * k + 50], y[50 * k : 50 * k + 50])
    handed_out, before = reg.coef_history_, reg.coef_history_.copy()
    twin = copy.copy(reg)
    twin.__dict__ = dict(reg.__dict__)
    twin.partial_fit(X[300:350], y[300:350])
    reg.partial_fit(X[200:250], y[200:250])
    assert_array_equal(handed_out, before)
    assert_array_equal(reg.coef_history_[:5], before)
    assert_array_equal(twin.coef_history_[:5], before)
    assert not np.array_equal(reg.coef_history_[5], twin.coef_history_[5])
    restored = pickle.loads(pickle.dumps(reg))
    assert "_history_buffers" not in vars(restored)
    for k in range(4):
        whole.partial_fit(X[50 * k : 50 * k + 50], y[50 * k : 50 * k + 50])
    whole.partial_fit(X[200:250], y[200:250])
    for est in (reg, restored):
        est.partial_fit(X[250:300], y[250:300])
    whole.partial_fit(X[250:300], y[250:300])
    assert_array_equal(restored.coef_history_, reg.coef_history_)
    assert_array_equal(reg.coef_history_, whole.coef_history_)
    assert_array_equal(reg.intercept_history_, whole.intercept_history_)
    assert reg.coef_history_.shape == (7, X.shape[1])


def test_partial_fit_keeps_auto_step_and_follows_a_new_float(diabetes):
    X, y = diabetes
    reg = GDRegressor(solver="sgd").partial_fit(X[:100], y[:100])
    auto = reg.learning_rate_
    reg.partial_fit(X[100:], y[100:])  # rows of other norms: same step
    assert reg.learning_rate_ == auto
    reg.set_params(learning_rate=0.002).partial_fit(X, y)
    assert reg.learning_rate_ == 0.002
    assert_array_equal(reg.history_["learning_rate"], [auto, auto, 0.002])
