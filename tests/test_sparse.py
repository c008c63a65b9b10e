"""Sparse (CSR) input: the same fits as on the dense copy of the data, and
SGDRegressor's updates on sparse data; and the threaded batch epoch."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDRegressor

from skgd import GDClassifier, GDRegressor
from skgd._backends._threads import MIN_ROWS_PER_THREAD, ThreadedRows
from skgd._losses import REGRESSION_LOSSES
from skgd.plotting import loss_grid

SOLVERS = ("batch", "sgd", "minibatch")


@pytest.fixture(scope="module")
def sparse_problem():
    rng = np.random.default_rng(0)
    X = sp.random(120, 30, density=0.15, random_state=0, format="csr")
    y = X @ rng.standard_normal(30) + 0.5 + 0.1 * rng.standard_normal(120)
    return X, y


def fit_both(estimator, X, y, **fit_params):
    """The estimator fitted on sparse ``X`` and on its dense copy."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        on_sparse = estimator.fit(X, y, **fit_params)
        sparse_histories = (on_sparse.coef_history_, on_sparse.intercept_history_)
        sparse_losses = on_sparse.loss_history_
        on_dense = estimator.__sklearn_clone__().fit(X.toarray(), y, **fit_params)
    return sparse_histories, sparse_losses, on_dense


def assert_same_fit(estimator, X, y, rtol=1e-10, **fit_params):
    (coefs, intercepts), losses, dense = fit_both(estimator, X, y, **fit_params)
    scale = np.abs(dense.coef_history_).max()
    assert_allclose(coefs, dense.coef_history_, rtol=0, atol=rtol * scale)
    assert_allclose(intercepts, dense.intercept_history_, rtol=0, atol=rtol * scale)
    assert_allclose(losses, dense.loss_history_, rtol=rtol)


def settings(solver, **params):
    defaults = dict(
        batch_size=7,
        learning_rate=0.1,
        max_iter=4,
        tol=None,
        random_state=0,
        record="update",
    )
    return {**defaults, "solver": solver, **params}


@pytest.mark.parametrize("loss", sorted(REGRESSION_LOSSES))
@pytest.mark.parametrize("penalty", [None, "elasticnet"])
def test_every_regression_loss_and_solver_matches_dense(sparse_problem, loss, penalty):
    # Plain SGD takes the lazy path (scale and deferred thresholds); every
    # update, recorded, must equal the dense update. (But for "sgd" with an L1
    # part: its cumulative penalty moves only the coefficients a sparse row
    # touches, as scikit-learn's; test_sgd_parity checks it on CSR.)
    for solver in SOLVERS if penalty is None else ("batch", "minibatch"):
        estimator = GDRegressor(
            loss=loss, penalty=penalty, alpha=0.05, **settings(solver)
        )
        assert_same_fit(estimator, *sparse_problem)


@pytest.mark.parametrize(
    "optimizer", ["momentum", "nesterov", "adagrad", "rmsprop", "adam"]
)
def test_every_optimizer_matches_dense(sparse_problem, optimizer):
    for solver in SOLVERS:
        estimator = GDRegressor(
            optimizer=optimizer,
            penalty="elasticnet",
            alpha=0.05,
            **settings(solver, learning_rate=0.05),
        )
        assert_same_fit(estimator, *sparse_problem)


@pytest.mark.parametrize(
    "loss", ["log_loss", "hinge", "squared_hinge", "modified_huber", "perceptron"]
)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_every_classification_loss_matches_dense(sparse_problem, loss, n_classes):
    X, _ = sparse_problem
    rng = np.random.default_rng(1)
    y = rng.integers(0, n_classes, X.shape[0])
    # Uneven weights: with equal ones, steps of +-lr / batch_size cancel to an
    # exact 0 margin, where the perceptron's derivative jumps and rounding
    # (a fused multiply-add here, not there) picks the side.
    sample_weight = rng.uniform(0.5, 1.5, X.shape[0])
    for solver in SOLVERS:
        # (The sgd solver's cumulative L1 penalty differs on sparse rows by
        # design; L2 only for it.)
        for penalty in ("l1", "elasticnet") if solver != "sgd" else ("l2",):
            estimator = GDClassifier(
                loss=loss, penalty=penalty, alpha=0.01, **settings(solver)
            )
            assert_same_fit(estimator, X, y, rtol=1e-9, sample_weight=sample_weight)
        assert_allclose(
            estimator.decision_function(X), estimator.decision_function(X.toarray())
        )


def test_sgd_regressor_makes_the_same_updates_on_sparse_data(sparse_problem):
    # SGDRegressor on sparse data keeps the L2 shrink as a scale too; without
    # an intercept (which it damps on sparse data) the updates are the same,
    # with its eta0 twice our step and its alpha half ours.
    X, y = sparse_problem
    ours = GDRegressor(
        solver="sgd",
        learning_rate=0.05,
        penalty="l2",
        alpha=0.02,
        fit_intercept=False,
        shuffle=False,
        max_iter=5,
        tol=None,
    ).fit(X, y)
    theirs = SGDRegressor(
        learning_rate="constant",
        eta0=0.1,
        penalty="l2",
        alpha=0.01,
        fit_intercept=False,
        shuffle=False,
        max_iter=5,
        tol=None,
    ).fit(X, y)
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-12)


def test_lazy_scale_folded_back_before_it_underflows(sparse_problem):
    # lr * l2 = 0.05: the scale falls by 0.95 a sample, below 1e-9 after about
    # 400 samples, and is folded back into the coefficients several times.
    X, y = sparse_problem
    estimator = GDRegressor(
        penalty="elasticnet", alpha=0.5, l1_ratio=0.2, **settings("sgd", max_iter=20)
    )
    assert_same_fit(estimator.set_params(penalty="l2"), X, y)
    # With the cumulative L1 penalty: SGDRegressor's updates (no intercept,
    # which it damps on sparse data; its eta0 twice our step, alpha half ours).
    params = dict(max_iter=20, tol=None, shuffle=False, fit_intercept=False)
    ours = GDRegressor(
        solver="sgd", learning_rate=0.1, penalty="elasticnet", alpha=0.5,
        l1_ratio=0.2, **params,
    ).fit(X, y)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = SGDRegressor(
            learning_rate="constant", eta0=0.2, penalty="elasticnet", alpha=0.25,
            l1_ratio=0.2, **params,
        ).fit(X, y)  # fmt: skip
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-10, atol=1e-14)


def test_shrink_to_zero_step(sparse_problem):
    # learning_rate * alpha = 1: the L2 step sets every coefficient to 0 first.
    X, y = sparse_problem
    estimator = GDRegressor(
        penalty="l2", alpha=2.0, **settings("sgd", learning_rate=0.5)
    )
    assert_same_fit(estimator, X, y)


def test_index_dtype_float32_and_auto_step(sparse_problem):
    X, y = sparse_problem
    wide = X.copy()
    wide.indices, wide.indptr = (
        wide.indices.astype(np.int64),
        wide.indptr.astype(np.int64),
    )
    for solver in SOLVERS:
        params = dict(solver=solver, max_iter=3, tol=None, shuffle=False)
        dense = GDRegressor(**params).fit(X.toarray(), y)
        for data in (X, wide, sp.csc_matrix(X), sp.csr_array(X)):
            fitted = GDRegressor(**params).fit(data, y)
            # "auto": the power iteration and the row norms on sparse rows.
            assert fitted.learning_rate_ == pytest.approx(dense.learning_rate_, 1e-12)
            assert_allclose(fitted.coef_, dense.coef_, rtol=1e-10)
        single = GDRegressor(**params).fit(X.astype(np.float32), y)
        assert single.coef_.dtype == np.float32
        assert_allclose(single.coef_, dense.coef_, rtol=1e-4)


def test_early_stopping_partial_fit_and_loss_grid(sparse_problem):
    X, y = sparse_problem
    estimator = GDRegressor(early_stopping=True, **settings("minibatch"))
    assert_same_fit(estimator, X, y)
    assert_allclose(estimator.predict(X), estimator.predict(X.toarray()))

    chunks = GDRegressor(**settings("sgd"))
    dense_chunks = GDRegressor(**settings("sgd"))
    for rows in np.array_split(np.arange(X.shape[0]), 3):
        chunks.partial_fit(X[rows], y[rows])
        dense_chunks.partial_fit(X[rows].toarray(), y[rows])
    assert_allclose(chunks.coef_history_, dense_chunks.coef_history_, rtol=1e-10)

    fitted = GDRegressor(fit_intercept=False, max_iter=3, tol=None).fit(X[:, :2], y)
    on_sparse = loss_grid(fitted, X[:, :2], y, grid_size=5)
    on_dense = loss_grid(fitted, X[:, :2].toarray(), y, grid_size=5)
    assert_allclose(on_sparse.loss, on_dense.loss, rtol=1e-12)


@pytest.fixture
def thread_counts(monkeypatch):
    """The number of threads of each threaded gradient sum, as they happen."""
    counts = []
    summed_on_threads = ThreadedRows.gradient_sums

    def counted(self, *args):
        counts.append(len(self.shares))
        return summed_on_threads(self, *args)

    monkeypatch.setattr(ThreadedRows, "gradient_sums", counted)
    return counts


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_threaded_batch_epoch_equals_one_thread(optimizer, thread_counts):
    # Two threads each sum half the rows; only the order of the sums changes.
    calls = thread_counts
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2 * MIN_ROWS_PER_THREAD, 5))
    y = X @ rng.standard_normal(5) + 1.0
    params = dict(optimizer=optimizer, penalty="l2", max_iter=10, tol=None)
    one = GDRegressor(n_jobs=1, **params).fit(X, y)
    assert not calls
    two = GDRegressor(n_jobs=2, **params).fit(X, y)
    assert calls == [2] * 10
    assert_allclose(two.coef_history_, one.coef_history_, rtol=1e-12)
    assert_allclose(two.loss_history_, one.loss_history_, rtol=1e-12)


def test_threaded_search_over_threaded_fits_is_bit_identical(thread_counts):
    """GridSearchCV on threads over fits that sum their batches on threads:
    the same numbers, to the last bit, as the search run sequentially (each
    thread's sums land in buffers of their own, added in a fixed order)."""
    from joblib import parallel_config
    from numpy.testing import assert_array_equal
    from sklearn.model_selection import GridSearchCV

    rng = np.random.default_rng(1)
    X = rng.standard_normal((4 * MIN_ROWS_PER_THREAD, 5))
    y = X @ rng.standard_normal(5) + 0.5 * rng.standard_normal(len(X))
    search = GridSearchCV(
        GDRegressor(n_jobs=2, max_iter=5, tol=None, optimizer="adam"),
        {"learning_rate": [0.01, 0.1]},
        cv=2,
    )
    with parallel_config(backend="threading", n_jobs=2):
        threaded = clone(search).set_params(n_jobs=2).fit(X, y)
    assert set(thread_counts) == {2}
    sequential = clone(search).set_params(n_jobs=1).fit(X, y)
    for key in ("mean_test_score", "split0_test_score", "split1_test_score"):
        assert_array_equal(threaded.cv_results_[key], sequential.cv_results_[key])
    assert_array_equal(threaded.best_estimator_.coef_, sequential.best_estimator_.coef_)
