"""scikit-learn's SGD on its home ground, update for update: averaged SGD,
the "optimal" and per-update "invscaling" steps, the cumulative L1 penalty,
SGDClassifier's regression losses, ``l1_ratio=None`` and ``sparsify``.

The translation (see ``skgd.schedules``): ``solver="sgd"``,
``learning_rate = eta0`` (halved for the regressor's squared error, whose
scale is twice scikit-learn's, with ``alpha`` doubled). On sparse data
scikit-learn damps the intercept's updates (by 0.01), so the sparse
comparisons fit none.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose
from sklearn.datasets import load_iris, make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDClassifier, SGDRegressor
from sklearn.preprocessing import StandardScaler

from skgd import GDClassifier, GDRegressor
from skgd.schedules import InverseScaling, Optimal

IN_ORDER = dict(tol=None, shuffle=False)


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def regression():
    X, y = make_regression(200, 5, noise=1.0, random_state=0)
    return X, y


def sparse_rows(X, cut):
    """``X`` with its small entries zeroed, as CSR."""
    return sp.csr_matrix(np.where(np.abs(X) > cut, X, 0.0))


def fit_theirs(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def assert_same_updates(ours, theirs, *, last_iterate=False):
    """The same coefficients and intercepts, to 1e-10. ``last_iterate``: the
    parameters after the last update (``coef_history_[-1]``), for a fit whose
    end skgd judges (a class ending above its start gets its best epoch's
    parameters back; scikit-learn keeps the last)."""
    coef = ours.coef_history_[-1] if last_iterate else ours.coef_
    intercept = ours.intercept_history_[-1] if last_iterate else ours.intercept_
    assert_allclose(coef, theirs.coef_, rtol=1e-10, atol=1e-12)
    assert_allclose(
        np.ravel(intercept), np.ravel(theirs.intercept_), rtol=1e-10, atol=1e-12
    )


# -- "optimal" and per-update schedules ------------------------------------------


@pytest.mark.parametrize("loss", ["hinge", "log_loss", "modified_huber"])
def test_optimal_is_sgd_classifiers_default_step(iris, loss):
    X, y = iris
    X, y = X[:100], y[:100]
    theirs = fit_theirs(
        SGDClassifier(loss=loss, penalty="l2", alpha=0.01, max_iter=4, **IN_ORDER),
        X, y,
    )  # fmt: skip
    ours = GDClassifier(
        loss=loss, solver="sgd", learning_rate=1.0, lr_schedule="optimal",
        penalty="l2", alpha=0.01, max_iter=4, **IN_ORDER,
    ).fit(X, y)  # fmt: skip
    assert_same_updates(ours, theirs)
    # scikit-learn's t0 heuristic: the first step is alpha ** -0.25.
    assert ours.history_["learning_rate"].iloc[0] == pytest.approx(0.01**-0.25)


def test_optimal_one_vs_rest_with_the_defaults_shuffled(iris):
    """SGDClassifier's defaults (hinge, L2 of 1e-4, shuffled); its shuffling
    is its own, so both visit the data in order here, one-vs-rest."""
    X, y = iris
    theirs = fit_theirs(SGDClassifier(max_iter=5, **IN_ORDER), X, y)
    ours = GDClassifier(
        loss="hinge", solver="sgd", penalty="l2", learning_rate=1.0,
        lr_schedule="optimal", max_iter=5, **IN_ORDER,
    ).fit(X, y)  # fmt: skip
    assert_same_updates(ours, theirs, last_iterate=True)


def test_optimal_takes_the_auto_step_as_one(iris):
    """The schedule is the step: ``learning_rate="auto"`` does not scale it
    again, so the defaults but the solver and schedule are SGDClassifier's."""
    X, y = iris
    theirs = fit_theirs(SGDClassifier(max_iter=5, **IN_ORDER), X, y)
    ours = GDClassifier(
        loss="hinge", solver="sgd", penalty="l2", lr_schedule="optimal",
        max_iter=5, **IN_ORDER,
    ).fit(X, y)  # fmt: skip
    assert ours.learning_rate_ == 1.0
    assert_same_updates(ours, theirs, last_iterate=True)


@pytest.mark.parametrize("labels", ["learnable", "random"])
def test_optimal_first_steps_are_not_divergence(labels):
    """Its first steps are far above the safe step: the loss after one
    ``partial_fit`` (or a few epochs on random labels) is many times the
    start's, yet the parameters are SGDClassifier's and no one diverged: the
    fit keeps them and says it has not converged."""
    X, y = make_classification(2000, 20, random_state=1)
    if labels == "random":
        y = np.random.default_rng(0).integers(0, 2, len(y))
    theirs = SGDClassifier(shuffle=False).partial_fit(X[:200], y[:200], [0, 1])
    ours = GDClassifier(
        loss="hinge", solver="sgd", penalty="l2", lr_schedule="optimal", shuffle=False
    )
    with pytest.warns(ConvergenceWarning, match="times the loss at the start"):
        ours.partial_fit(X[:200], y[:200], classes=[0, 1])
    assert ours.stop_reason_ == "max_iter"
    assert_same_updates(ours, theirs)
    # Further calls continue from those parameters, as scikit-learn's.
    theirs.partial_fit(X[200:], y[200:])
    ours.partial_fit(X[200:], y[200:])
    assert_same_updates(ours, theirs)


def test_optimal_regressor(regression):
    X, y = regression
    X, y = X / 10, (y - y.mean()) / y.std()
    theirs = fit_theirs(
        SGDRegressor(learning_rate="optimal", penalty="l2", alpha=0.05, max_iter=3,
                     **IN_ORDER),
        X, y,
    )  # fmt: skip
    ours = GDRegressor(
        solver="sgd", learning_rate=1.0, lr_schedule="optimal", penalty="l2",
        alpha=0.1, max_iter=3, **IN_ORDER,
    ).fit(X, y)  # fmt: skip
    assert_same_updates(ours, theirs)


def test_optimal_needs_alpha(iris):
    X, y = iris
    with pytest.raises(ValueError, match="needs alpha > 0"):
        GDClassifier(solver="sgd", lr_schedule="optimal", alpha=0.0).fit(X, y)
    # Explicit alpha and t0: the formula, written out.
    schedule = Optimal(alpha=0.5, t0=10.0)
    steps = np.arange(5)
    assert_allclose(schedule.multipliers(steps, 5), 1 / (0.5 * (10.0 + steps)))


def test_invscaling_per_update_is_sgds(iris, regression):
    X, y = iris
    theirs = fit_theirs(
        SGDClassifier(loss="hinge", learning_rate="invscaling", eta0=0.1,
                      power_t=0.3, penalty="l2", alpha=0.01, max_iter=4, **IN_ORDER),
        X, y,
    )  # fmt: skip
    ours = GDClassifier(
        loss="hinge", solver="sgd", learning_rate=0.1,
        lr_schedule=InverseScaling(power_t=0.3, per="update"), penalty="l2",
        alpha=0.01, max_iter=4, **IN_ORDER,
    ).fit(X, y)  # fmt: skip
    assert_same_updates(ours, theirs, last_iterate=True)
    X, y = regression
    theirs = fit_theirs(
        SGDRegressor(learning_rate="invscaling", eta0=0.05, max_iter=4, penalty="l2",
                     alpha=0.01, **IN_ORDER),
        X, y,
    )  # fmt: skip
    ours = GDRegressor(
        solver="sgd", learning_rate=0.025,
        lr_schedule=InverseScaling(power_t=0.25, per="update"),
        penalty="l2", alpha=0.02, max_iter=4, **IN_ORDER,
    ).fit(X, y)  # fmt: skip
    assert_same_updates(ours, theirs)
    # The history records each epoch's first step: eta0 / t ** 0.25.
    first = ours.history_["learning_rate"].to_numpy()
    assert_allclose(first, 0.025 / (1 + 200 * np.arange(4)) ** 0.25)


@pytest.mark.parametrize(
    "schedule, formula",
    [
        ("exponential", lambda u, n: 0.95**u),
        ("step", lambda u, n: 0.1 ** (u // 10)),
        ("cosine", lambda u, n: (1 + np.cos(np.pi * u / n)) / 2),
    ],
)
def test_every_schedule_can_count_updates(regression, schedule, formula):
    """A minibatch fit with a schedule per update is the NumPy loop with the
    step of each update given by the formula."""
    from skgd.schedules import SCHEDULES

    X, y = regression
    lr, batch, epochs = 0.01, 40, 3
    ours = GDRegressor(
        solver="minibatch", batch_size=batch, learning_rate=lr,
        lr_schedule=SCHEDULES[schedule](per="update"), max_iter=epochs, **IN_ORDER,
    ).fit(X, y)  # fmt: skip
    w, b, u = np.zeros(X.shape[1]), 0.0, 0
    n_updates = epochs * (len(y) // batch)
    for _ in range(epochs):
        for start in range(0, len(y), batch):
            rows = slice(start, start + batch)
            r = X[rows] @ w + b - y[rows]
            step = lr * formula(u, n_updates)
            w, b = w - step * 2 * X[rows].T @ r / len(r), b - step * 2 * r.mean()
            u += 1
    assert_allclose(ours.coef_, w, rtol=1e-10)
    assert_allclose(ours.intercept_, b, rtol=1e-10)


# -- averaging --------------------------------------------------------------------


@pytest.mark.parametrize("average", [True, 50, 1000])
@pytest.mark.parametrize("sparse", [False, True])
def test_averaged_sgd_regressor(regression, average, sparse):
    X, y = regression
    fit_intercept = not sparse
    if sparse:
        X = sparse_rows(X, 0.7)
    theirs = SGDRegressor(
        learning_rate="constant", eta0=0.01, average=average, penalty="l2",
        alpha=0.01, max_iter=4, fit_intercept=fit_intercept, **IN_ORDER,
    )  # fmt: skip
    fit_theirs(theirs, X, y)
    ours = GDRegressor(
        solver="sgd", learning_rate=0.005, average=average, penalty="l2",
        alpha=0.02, max_iter=4, fit_intercept=fit_intercept, **IN_ORDER,
    ).fit(X, y)  # fmt: skip
    assert_same_updates(ours, theirs)
    # The average is the model (once it has started: 800 updates are made);
    # the history keeps the raw iterates.
    averaged = not np.allclose(ours.coef_history_[-1], ours.coef_)
    assert averaged == (average <= 800)


@pytest.mark.parametrize("average", [True, 7])
@pytest.mark.parametrize("sparse", [False, True])
def test_averaged_sgd_classifier_with_the_optimal_step(average, sparse):
    X, y = make_classification(150, 8, n_informative=4, random_state=1)
    fit_intercept = not sparse
    X = sparse_rows(X, 0.5) if sparse else X
    params = dict(penalty="l2", alpha=0.01, max_iter=3, fit_intercept=fit_intercept)
    theirs = fit_theirs(
        SGDClassifier(loss="hinge", average=average, **params, **IN_ORDER), X, y
    )
    ours = GDClassifier(
        loss="hinge", solver="sgd", learning_rate=1.0, lr_schedule="optimal",
        average=average, **params, **IN_ORDER,
    ).fit(X, y)  # fmt: skip
    assert_same_updates(ours, theirs)


def test_averaging_starts_after_average_samples(regression):
    """``average`` larger than the samples seen: the raw parameters, as
    scikit-learn's (averaging has not started)."""
    X, y = regression
    late = GDRegressor(solver="sgd", learning_rate=0.005, average=10_000,
                       max_iter=2, **IN_ORDER).fit(X, y)  # fmt: skip
    assert_allclose(late.coef_, late.coef_history_[-1])
    # The batch and minibatch solvers average their iterates too: the mean
    # of the parameters after each update from the one reaching sample 100.
    fit = GDRegressor(solver="minibatch", batch_size=50, learning_rate=0.01,
                      average=100, max_iter=5, record="update", **IN_ORDER)  # fmt: skip
    fit.fit(X, y)
    path = fit.coef_history_[1:]  # after each of the 20 updates
    assert_allclose(fit.coef_, path[1:].mean(axis=0), rtol=1e-12)
    batch = GDRegressor(learning_rate=0.1, average=True, max_iter=10, tol=None)
    batch.fit(X, y)
    assert_allclose(batch.coef_, batch.coef_history_[1:].mean(axis=0), rtol=1e-12)


@pytest.mark.parametrize("sparse", [False, True])
def test_averaged_l1_is_the_mean_of_the_iterates(sparse):
    """With the cumulative L1 penalty the average is the mean of the
    parameters after each update (scikit-learn's lazy average is not: it
    counts each of the penalty's steps in every averaged update)."""
    X, y = make_classification(200, 15, n_informative=4, random_state=2)
    X = sparse_rows(X, 0.5) if sparse else X
    fit = GDClassifier(
        loss="hinge", solver="sgd", penalty="elasticnet", l1_ratio=0.5, alpha=0.01,
        learning_rate=0.01, average=40, max_iter=3, record="update",
        fit_intercept=not sparse, **IN_ORDER,
    ).fit(X, y)  # fmt: skip
    iterates = fit.coef_history_[40:]  # after updates 40 to 600
    assert_allclose(fit.coef_, iterates.mean(axis=0), rtol=1e-10, atol=1e-13)
    assert_allclose(
        fit.intercept_, fit.intercept_history_[40:].mean(axis=0), atol=1e-13
    )


def test_partial_fit_continues_the_average(regression):
    X, y = regression
    theirs = SGDRegressor(learning_rate="constant", eta0=0.01, average=30,
                          penalty=None, shuffle=False)  # fmt: skip
    ours = GDRegressor(solver="sgd", learning_rate=0.005, average=30, shuffle=False)
    for rows in (slice(0, 20), slice(20, 120), slice(120, 200)):
        theirs.partial_fit(X[rows], y[rows])
        ours.partial_fit(X[rows], y[rows])
    assert_same_updates(ours, theirs)


# -- L1: exact zeros --------------------------------------------------------------


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("penalty", ["l1", "elasticnet"])
def test_cumulative_l1_penalty_is_sgds(penalty, sparse):
    """Tsuruoka et al.'s cumulative penalty, as SGDClassifier applies it (on
    sparse rows, to the coefficients each update touches)."""
    X, y = make_classification(300, 25, n_informative=5, n_redundant=0, random_state=0)
    X = sparse_rows(X, 0.5) if sparse else X
    params = dict(
        loss="hinge", penalty=penalty, l1_ratio=0.5, alpha=0.01, max_iter=4,
        fit_intercept=not sparse,
    )  # fmt: skip
    theirs = fit_theirs(
        SGDClassifier(learning_rate="constant", eta0=0.01, **params, **IN_ORDER), X, y
    )
    ours = GDClassifier(solver="sgd", learning_rate=0.01, **params, **IN_ORDER)
    ours.fit(X, y)
    assert_same_updates(ours, theirs)
    assert np.sum(ours.coef_ == 0) == np.sum(theirs.coef_ == 0) > 0


def test_l1_zeroes_the_noise_features():
    """20 noise features: the cumulative penalty zeroes most of them, exactly,
    as SGDClassifier (with its defaults, the optimal step, shuffled)."""
    X, y = make_classification(
        1000, 25, n_informative=5, n_redundant=0, shuffle=False, random_state=0
    )
    X = StandardScaler().fit_transform(X)
    theirs = SGDClassifier(penalty="l1", alpha=0.01, random_state=0).fit(X, y)
    ours = GDClassifier(
        loss="hinge", solver="sgd", learning_rate=1.0, lr_schedule="optimal",
        penalty="l1", alpha=0.01, random_state=0,
    ).fit(X, y)  # fmt: skip
    noise_ours, noise_theirs = ours.coef_[0, 5:], theirs.coef_[0, 5:]
    assert np.sum(noise_theirs == 0) >= 10
    assert np.sum(noise_ours == 0) >= 10
    assert np.all(ours.coef_[0, :5] != 0)  # the informative ones stay
    # The proximal step of the minibatch solver keeps most of them near 0.
    prox = GDClassifier(
        loss="hinge", solver="minibatch", learning_rate=0.01, penalty="l1",
        alpha=0.01, random_state=0, max_iter=20, tol=None,
    ).fit(X, y)  # fmt: skip
    assert np.sum(prox.coef_[0, 5:] == 0) < np.sum(noise_ours == 0)


def test_sparsify_and_densify(iris):
    X, y = iris
    clf = GDClassifier(
        loss="hinge", solver="sgd", penalty="l1", alpha=0.05, learning_rate=0.01,
        max_iter=20, random_state=0,
    ).fit(X, y)  # fmt: skip
    dense_scores = clf.decision_function(X)
    assert clf.sparsify() is clf and sp.issparse(clf.coef_)
    assert_allclose(clf.decision_function(X), dense_scores)
    assert clf.coef_.nnz == np.count_nonzero(clf.densify().coef_)
    assert isinstance(clf.coef_, np.ndarray)


# -- l1_ratio=None, SGDClassifier's regression losses ------------------------------


def test_l1_ratio_none(iris):
    X, y = iris
    GDClassifier(penalty="l2", l1_ratio=None, max_iter=5, tol=None).fit(X, y)
    with pytest.raises(ValueError, match="l1_ratio must be set"):
        GDClassifier(penalty="elasticnet", l1_ratio=None).fit(X, y)


@pytest.mark.parametrize(
    "loss",
    ["squared_error", "huber", "epsilon_insensitive", "squared_epsilon_insensitive"],
)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_sgd_classifiers_regression_losses(iris, loss, n_classes):
    X, y = iris
    X, y = X[: 50 * n_classes], y[: 50 * n_classes]
    params = dict(loss=loss, penalty="l2", alpha=0.01, max_iter=3, epsilon=0.3)
    theirs = fit_theirs(
        SGDClassifier(learning_rate="constant", eta0=0.01, **params, **IN_ORDER), X, y
    )
    ours = GDClassifier(solver="sgd", learning_rate=0.01, **params, **IN_ORDER)
    ours.fit(X, y)
    assert_same_updates(ours, theirs, last_iterate=True)
    with pytest.raises(AttributeError, match="has no attribute 'predict_proba'"):
        ours.predict_proba(X)
