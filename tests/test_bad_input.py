"""Bad input gets a clear error, or is handled exactly; a fit that raises
leaves the estimator as it was."""

import pickle
import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

import skgd
from skgd import FeatureScaleWarning, GDClassifier, GDRegressor, minimize
from skgd.optim import SGD, Adagrad, Adam, RMSprop

SOLVERS = ["batch", "sgd", "minibatch"]


# -- atomic fits ------------------------------------------------------------------


class Interrupt(BaseException):
    """Stands for Ctrl-C (KeyboardInterrupt) without stopping the test run."""


def interrupting_schedule(at_epoch, exception=RuntimeError):
    def schedule(epoch):
        if epoch == at_epoch:
            raise exception("interrupted")
        return 1.0

    return schedule


def state(estimator):
    """The estimator's fitted state (everything but its parameters), pickled to
    compare by value; the random stream as the next numbers it draws."""
    params = estimator.get_params(deep=False)
    fitted = {k: v for k, v in vars(estimator).items() if k not in params}
    rng = fitted.pop("_rng", None)
    if rng is not None:
        fitted["_rng"] = pickle.loads(pickle.dumps(rng)).random_sample(3)
    return {k: pickle.dumps(v) for k, v in fitted.items()}


@pytest.mark.parametrize("exception", [RuntimeError, KeyboardInterrupt, Interrupt])
@pytest.mark.parametrize("solver", SOLVERS)
def test_an_interrupted_refit_leaves_the_classifier_as_it_was(solver, exception):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 3))
    pets = np.where(X[:, 0] > 0, "cat", "dog")
    mail = np.where(X[:, 1] > 0, "ham", "spam")
    clf = GDClassifier(solver=solver, random_state=0).fit(X, pets)
    before = state(clf)
    predictions = clf.predict(X)
    clf.set_params(lr_schedule=interrupting_schedule(2, exception))
    with pytest.raises(exception, match="interrupted"):
        clf.fit(X, mail)
    assert state(clf) == before
    assert_array_equal(clf.predict(X), predictions)
    assert set(clf.classes_) == {"cat", "dog"}


def test_an_interrupted_first_fit_leaves_an_unfitted_estimator(diabetes):
    X, y = diabetes
    reg = GDRegressor(lr_schedule=interrupting_schedule(3))
    with pytest.raises(RuntimeError, match="interrupted"):
        reg.fit(X, y)
    assert vars(reg).keys() == vars(GDRegressor()).keys()
    with pytest.raises(NotFittedError):
        reg.predict(X)


def test_an_interrupted_partial_fit_changes_nothing(diabetes):
    X, y = diabetes
    reg = GDRegressor(solver="sgd", random_state=0)
    reg.partial_fit(X, y)
    before = state(reg)
    reg.set_params(lr_schedule=interrupting_schedule(1))
    with pytest.raises(RuntimeError):
        reg.partial_fit(X, y)
    assert state(reg) == before
    # The random stream was not consumed either: the next call makes the
    # updates it would have made.
    reg.set_params(lr_schedule="constant")
    reference = GDRegressor(solver="sgd", random_state=0)
    reference.partial_fit(X, y)
    assert_allclose(reg.partial_fit(X, y).coef_, reference.partial_fit(X, y).coef_)


def test_a_refit_that_fails_validation_keeps_the_fit(diabetes):
    X, y = diabetes
    reg = GDRegressor().fit(X, y)
    before = state(reg)
    with pytest.raises(ValueError):
        reg.fit(X[:, :5], y, coef_init=np.zeros(3))
    assert state(reg) == before


# -- values that passed validation before ------------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_initial_parameters_are_refused(diabetes, bad):
    X, y = diabetes
    coef = np.zeros(X.shape[1])
    coef[2] = bad
    with pytest.raises(ValueError, match="coef_init contains"):
        GDRegressor().fit(X, y, coef_init=coef)
    with pytest.raises(ValueError, match="intercept_init contains"):
        GDRegressor().fit(X, y, intercept_init=bad)


@pytest.mark.parametrize("weight", [np.nan, np.inf, -1.0])
def test_class_weights_must_be_finite_and_non_negative(weight):
    X = np.arange(20.0).reshape(10, 2)
    y = np.array([0, 1] * 5)
    clf = GDClassifier(class_weight={0: 1.0, 1: weight})
    with pytest.raises(ValueError, match="finite, non-negative"):
        clf.fit(X, y)
    with pytest.raises(ValueError, match="finite, non-negative"):
        clf.partial_fit(X, y, classes=[0, 1])


def test_class_weights_all_zero_are_refused():
    X = np.arange(20.0).reshape(10, 2)
    y = np.array([0, 1] * 5)
    with pytest.raises(ValueError, match="weight of 0"):
        GDClassifier(class_weight={0: 0.0, 1: 0.0}).fit(X, y)


@pytest.mark.parametrize("scale", [1e308, 1e-310])
@pytest.mark.parametrize("solver", SOLVERS)
def test_uniform_sample_weights_of_any_size_give_the_unweighted_fit(
    diabetes, solver, scale
):
    # The mean-one normalisation overflowed (an untrained model) or divided by
    # a subnormal sum (a false "diverged").
    X, y = diabetes
    params = dict(solver=solver, max_iter=20, tol=None, random_state=0)
    unweighted = GDRegressor(**params).fit(X, y)
    weighted = GDRegressor(**params).fit(X, y, sample_weight=np.full(len(y), scale))
    assert_array_equal(weighted.coef_, unweighted.coef_)
    assert weighted.stop_reason_ == unweighted.stop_reason_


def csr_with_column(index, n_columns=3):
    data = np.array([1.0, 2.0, 3.0])
    indices = np.array([0, index, 1])
    indptr = np.array([0, 2, 3])
    return sp.csr_matrix((data, indices, indptr), shape=(2, n_columns))


@pytest.mark.parametrize("index", [3, 1_000_000, -1])
def test_sparse_column_indices_out_of_range_are_refused(index):
    X = csr_with_column(index)
    with pytest.raises(ValueError, match="column indices outside"):
        GDRegressor().fit(X, [1.0, 2.0])
    with pytest.raises(ValueError, match="column indices outside"):
        GDClassifier().fit(X, [0, 1])
    fitted = GDRegressor().fit(csr_with_column(2), [1.0, 2.0])
    with pytest.raises(ValueError, match="column indices outside"):
        fitted.predict(X)
    fitted = GDClassifier().fit(csr_with_column(2), [0, 1])
    with pytest.raises(ValueError, match="column indices outside"):
        fitted.predict(X)


@pytest.mark.parametrize("optimizer", [Adagrad, RMSprop, Adam])
def test_an_eps_of_zero_is_refused(optimizer):
    X = np.column_stack([np.zeros(10), np.arange(10.0)])  # a zero gradient
    reg = GDRegressor(optimizer=optimizer(eps=0.0))
    with pytest.raises(InvalidParameterError, match="eps"):
        reg.fit(X, np.arange(10.0))


@pytest.mark.parametrize(
    "name", ["batch_size", "max_iter", "n_jobs", "learning_rate", "n_iter_no_change"]
)
def test_true_is_no_number(diabetes, name):
    X, y = diabetes
    with pytest.raises(InvalidParameterError, match=name):
        GDRegressor(**{name: True}).fit(X, y)
    with pytest.raises(InvalidParameterError, match=name):
        GDClassifier(**{name: True}).fit(X, y > y.mean())


def test_a_schedule_returning_an_array_is_told_what_it_returned(diabetes):
    X, y = diabetes
    reg = GDRegressor(lr_schedule=lambda epoch: np.array([0.5]))
    with pytest.raises(ValueError, match=r"array\(\[0.5\]\), of shape \(1,\)"):
        reg.fit(X, y)
    # A NumPy scalar is a number.
    GDRegressor(lr_schedule=lambda epoch: np.float64(0.5), max_iter=3).fit(X, y)


def test_an_unknown_optimizer_name_or_rule_is_refused():
    with pytest.raises(ValueError, match="optimizer"):
        minimize(lambda x: x**2, 1.0, optimizer="bogus")

    class Bogus(SGD):
        _rule = "bogus"

    with pytest.raises(ValueError, match="update rule 'bogus'"):
        minimize(lambda x: x**2, 1.0, optimizer=Bogus())
    with pytest.raises(ValueError, match="update rule 'bogus'"):
        GDRegressor(optimizer=Bogus()).fit([[1.0], [2.0]], [1.0, 2.0])


@pytest.mark.parametrize("solver", SOLVERS)
def test_huge_targets_are_an_overflow_not_a_learning_rate(solver):
    X = np.arange(10.0).reshape(5, 2)
    with pytest.raises(ValueError, match="targets are too large"):
        GDRegressor(solver=solver).fit(X, np.full(5, 1e200))


@pytest.mark.parametrize("learning_rate", ["auto", 0.01])
@pytest.mark.parametrize("solver", SOLVERS)
def test_features_whose_squares_overflow_are_refused(solver, learning_rate):
    # The auto step was 1 / inf = 0: the fit "converged" without moving.
    X = np.array([[1e160, 1.0], [2e160, 2.0], [3e160, 0.5]])
    reg = GDRegressor(solver=solver, learning_rate=learning_rate)
    with pytest.raises(ValueError, match="Scaling input data with StandardScaler"):
        reg.fit(X, [1.0, 2.0, 3.0])


def test_features_on_wildly_different_scales_get_a_warning():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 2)) * [1e6, 1e-3]
    y = X @ [1e-6, 1e3] + 0.1 * rng.standard_normal(200)
    with pytest.warns(FeatureScaleWarning, match="differ by a factor of 8.2"):
        GDRegressor(max_iter=50).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FeatureScaleWarning)
        GDRegressor(max_iter=50).fit(StandardScaler().fit_transform(X), y)
    assert skgd.FeatureScaleWarning is FeatureScaleWarning


# -- early stopping -----------------------------------------------------------------


def test_early_stopping_without_shuffle_trains_in_data_order(diabetes):
    X, y = diabetes
    lr, seed = 0.003, 7
    reg = GDRegressor(
        solver="sgd",
        learning_rate=lr,
        early_stopping=True,
        shuffle=False,
        max_iter=3,
        tol=None,
        random_state=seed,
    ).fit(X, y)
    # The split, as scikit-learn draws it from the estimator's random stream.
    train, _ = train_test_split(
        np.arange(len(y)), test_size=0.1, random_state=np.random.RandomState(seed)
    )
    w, b = np.zeros(X.shape[1]), 0.0
    for _ in range(3):
        for i in np.sort(train):
            residual = X[i] @ w + b - y[i]
            w, b = w - lr * 2 * residual * X[i], b - lr * 2 * residual
        assert_allclose(reg.coef_history_[_ + 1], w, rtol=1e-10)


def test_early_stopping_does_not_copy_x():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50_000, 40))  # 16 MB
    y = X @ rng.standard_normal(40)
    GDRegressor(early_stopping=True, max_iter=2, tol=None).fit(X, y)  # compile
    tracemalloc.start()
    GDRegressor(early_stopping=True, max_iter=2, tol=None).fit(X, y)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 0.2 * X.nbytes


# -- shapes and histories ----------------------------------------------------------


def test_the_tutorials_one_target_shapes_are_accepted():
    # Lesson 004: y_train of shape (80, 1), w and b of shape (1,).
    rng = np.random.default_rng(42)
    x = rng.uniform(size=(80, 1))
    y = 1 + 2 * x + 0.1 * rng.standard_normal((80, 1))
    w, b = np.array([-0.1383]), np.array([0.4967])
    reg = GDRegressor(learning_rate=0.1, max_iter=10, tol=None)
    reg.fit(x, y, coef_init=w, intercept_init=b)
    two_d = GDRegressor(learning_rate=0.1, max_iter=10, tol=None)
    two_d.fit(x, y, coef_init=w.reshape(1, 1), intercept_init=b)
    assert_array_equal(reg.coef_, two_d.coef_)
    assert reg.coef_.shape == (1, 1)


def test_parameter_histories_stop_at_their_memory_budget(diabetes, monkeypatch):
    X, y = diabetes
    params = dict(solver="minibatch", record="update", max_iter=10, tol=None)
    full = GDRegressor(random_state=0, **params).fit(X, y)
    per_epoch = full.coef_history_[1:15].nbytes + full.intercept_history_[1:15].nbytes
    monkeypatch.setattr(skgd._engine._history, "HISTORY_MEMORY_BUDGET", 3.5 * per_epoch)
    reg = GDRegressor(random_state=0, **params)
    with pytest.warns(UserWarning, match="stop before epoch 4"):
        reg.fit(X, y)
    assert len(reg.coef_history_) == 1 + 3 * 14  # three epochs of 14 updates
    assert_array_equal(reg.coef_history_, full.coef_history_[: 1 + 3 * 14])
    assert len(reg.loss_history_) == 10
    assert_array_equal(reg.coef_, full.coef_)
    # partial_fit keeps the history the prefix it is.
    reg.partial_fit(X, y)
    assert len(reg.coef_history_) == 1 + 3 * 14 and len(reg.loss_history_) == 11


@pytest.mark.parametrize(
    "first, then", [("epoch", None), ("epoch", "update"), (None, "epoch")]
)
def test_partial_fit_refuses_to_mix_recording_modes(diabetes, first, then):
    X, y = diabetes
    reg = GDRegressor(solver="sgd", record=first).partial_fit(X, y)
    before = state(reg)
    reg.set_params(record=then)
    with pytest.raises(ValueError, match="record changed"):
        reg.partial_fit(X, y)
    assert state(reg) == before
    reg.set_params(record=first).partial_fit(X, y)
    assert reg.n_iter_ == 2


def test_the_demo_is_reproducible_and_shows_stop_reasons():
    from skgd._demo import HEADER, format_table, lr_finder_model
    from skgd._demo_figures import plot_learning_rate_finder

    assert "stop" in HEADER
    row = ("batch", "0.1", 1000, "max_iter", 1.0, 0.5, 0.01)
    assert "max_iter" in format_table([row], "R2")
    X, y = load_diabetes(return_X_y=True)
    suggestions = []
    for _ in range(2):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = lr_finder_model()
            suggestions.append(plot_learning_rate_finder(model, X, y, "/dev/null"))
    assert suggestions[0] == suggestions[1]


def test_sparse_float32_row_norms_are_squared_in_float64():
    # 3e19 squared overflows float32, not float64: the step is the dense one.
    X = np.array([[3e19, 0.0], [0.0, 1e19], [1e19, 1e19]], dtype=np.float32)
    y = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    steps = [
        GDRegressor(solver="sgd", max_iter=1, tol=None).fit(data, y).learning_rate_
        for data in (X, sp.csr_matrix(X))
    ]
    assert np.isfinite(steps).all() and steps[0] > 0
    assert_allclose(steps[1], steps[0], rtol=1e-6)
