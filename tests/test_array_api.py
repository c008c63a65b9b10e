"""Fits on array-API arrays (``array_api_strict``, PyTorch CPU tensors) under
``array_api_dispatch``: the NumPy fit's coefficients and histories, to 1e-10
in float64 and 1e-5 in float32, with the results in the input's namespace.

The reference is the NumPy fit, whose updates the other tests check against
scikit-learn, PyTorch and the lessons' loops; the device backend is written
separately (array operations, not the compiled kernels), so a difference in
any formula shows here.
"""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn import clone, config_context
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from skgd import GDClassifier, GDRegressor
from skgd._losses import LOSSES
from skgd._losses._arrays import ARRAY_LOSSES
from skgd.optim import Adam, RMSprop
from skgd.optim._array_rules import ARRAY_RULES
from skgd.optim._rules import RULES

xps = pytest.importorskip("array_api_strict")

NAMESPACES = ["array_api_strict", "torch"]
DTYPES = ["float64", "float32"]


def namespace(name):
    if name == "torch":
        return pytest.importorskip("torch")
    return xps


def to_namespace(name, array):
    return None if array is None else namespace(name).asarray(array)


def namespace_name(array):
    return type(array).__module__.split(".")[0]


def host(array):
    if array is None or isinstance(array, np.ndarray | float):
        return array
    if namespace_name(array) == "torch":
        return array.cpu().numpy()
    return np.asarray(array)


def regression_data(n_targets=1):
    X, y = make_regression(
        n_samples=90, n_features=4, n_targets=n_targets, noise=5.0, random_state=0
    )
    return StandardScaler().fit_transform(X), y / 50.0


def classification_data(n_classes=2):
    X, y = make_classification(
        n_samples=90, n_features=4, n_informative=3, n_redundant=0,
        n_classes=n_classes, n_clusters_per_class=1, random_state=0,
    )  # fmt: skip
    return StandardScaler().fit_transform(X), y


FITTED_ARRAYS = (
    "coef_", "intercept_", "loss_history_", "val_loss_history_", "coef_history_",
    "intercept_history_",
)  # fmt: skip


def fit_both(estimator, X, y, ns, dtype, **fit_params):
    """The NumPy fit and the fit on ``ns`` arrays of the same data."""
    X = X.astype(dtype)
    estimator = clone(estimator).set_params(random_state=0)
    reference = clone(estimator).fit(X, y, **fit_params)
    device_params = {k: to_namespace(ns, v) for k, v in fit_params.items()}
    with config_context(array_api_dispatch=True):
        fitted = clone(estimator).fit(
            to_namespace(ns, X), to_namespace(ns, y), **device_params
        )
    return reference, fitted


def assert_same_fit(reference, fitted, ns, dtype):
    tolerance = 1e-10 if dtype == "float64" else 1e-5
    for name in FITTED_ARRAYS:
        expected, got = getattr(reference, name), getattr(fitted, name)
        if expected is None:
            assert got is None, name
            continue
        if isinstance(expected, np.ndarray):
            assert namespace_name(got) == ns, name
        assert_allclose(host(got), expected, rtol=tolerance, atol=tolerance)
    assert fitted.n_iter_ == reference.n_iter_
    assert fitted.stop_reason_ == reference.stop_reason_
    assert fitted.t_ == reference.t_


# Each solver, optimizer family, penalty and schedule kind, and every
# regression loss.
REGRESSORS = [
    GDRegressor(),
    GDRegressor(solver="minibatch", batch_size=16),
    GDRegressor(solver="minibatch", batch_size=16, shuffle=False, penalty="l2"),
    GDRegressor(optimizer="momentum", penalty="l1", alpha=0.01),
    GDRegressor(
        solver="minibatch",
        batch_size=20,
        optimizer="nesterov",
        lr_schedule="invscaling",
        penalty="elasticnet",
        alpha=0.01,
    ),  # fmt: skip
    GDRegressor(optimizer="adagrad", learning_rate=0.5, penalty="l1", alpha=0.01),
    GDRegressor(
        solver="minibatch",
        batch_size=16,
        optimizer="rmsprop",
        learning_rate=0.01,
        lr_schedule="cosine",
        max_iter=30,
    ),  # fmt: skip
    GDRegressor(
        solver="minibatch",
        batch_size=16,
        learning_rate=0.05,
        max_iter=30,
        optimizer=RMSprop(centered=True, momentum=0.5),
    ),  # fmt: skip
    GDRegressor(solver="minibatch", optimizer="adam", learning_rate=0.05, max_iter=40),
    GDRegressor(
        optimizer=Adam(amsgrad=True),
        learning_rate=0.05,
        penalty="elasticnet",
        max_iter=40,
    ),  # fmt: skip
    GDRegressor(solver="minibatch", batch_size=16, average=True, max_iter=30),
    GDRegressor(early_stopping=True, record="update", max_iter=40),
    GDRegressor(loss="huber", epsilon=0.5, lr_schedule="step"),
    GDRegressor(loss="epsilon_insensitive", lr_schedule="invscaling", max_iter=50),
    GDRegressor(loss="squared_epsilon_insensitive"),
    GDRegressor(loss="absolute_error", lr_schedule="adaptive", max_iter=50),
    GDRegressor(
        loss="quantile",
        quantile=0.3,
        solver="minibatch",
        lr_schedule="optimal",
        max_iter=30,
    ),  # fmt: skip
    GDRegressor(fit_intercept=False, record=None),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ns", NAMESPACES)
@pytest.mark.parametrize("estimator", REGRESSORS, ids=repr)
def test_regressor_fits_as_on_numpy(estimator, ns, dtype):
    X, y = regression_data()
    weights = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference, fitted = fit_both(estimator, X, y, ns, dtype, sample_weight=weights)
    assert_same_fit(reference, fitted, ns, dtype)
    with config_context(array_api_dispatch=True):
        predicted = fitted.predict(to_namespace(ns, X.astype(dtype)))
    assert namespace_name(predicted) == ns
    tolerance = 1e-10 if dtype == "float64" else 1e-4
    assert_allclose(host(predicted), reference.predict(X.astype(dtype)), atol=tolerance)


# A loss of each kind: smooth and probabilistic, kinked, the multinomial, the
# regression losses on the labels; with class weights and early stopping.
CLASSIFIERS = [
    (GDClassifier(), 2),
    (GDClassifier(), 3),
    (GDClassifier(solver="minibatch", batch_size=16, optimizer="adam"), 3),
    (GDClassifier(loss="hinge", penalty="l2", lr_schedule="invscaling"), 2),
    (GDClassifier(loss="hinge", solver="minibatch", class_weight="balanced"), 3),
    (GDClassifier(loss="modified_huber", penalty="elasticnet"), 3),
    (GDClassifier(loss="squared_hinge", penalty="l2"), 2),
    # RMSprop at a constant step ends oscillating about the optimum and
    # amplifies any rounding there: the NumPy fit's own coefficients move by
    # 6e-6 (log loss) and 3e-5 (squared hinge) when its rows are permuted.
    # A decaying step settles: with the log loss, to 1e-16.
    (
        GDClassifier(optimizer="rmsprop", learning_rate=0.01, lr_schedule="invscaling"),
        2,
    ),
    (GDClassifier(loss="perceptron", tol=None, max_iter=20), 2),
    (GDClassifier(loss="squared_error", early_stopping=True), 3),
    (GDClassifier(loss="huber", solver="minibatch", average=10, max_iter=30), 2),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ns", NAMESPACES)
@pytest.mark.parametrize(
    "estimator, n_classes", CLASSIFIERS, ids=[f"{e!r}-{n}" for e, n in CLASSIFIERS]
)
def test_classifier_fits_as_on_numpy(estimator, n_classes, ns, dtype):
    X, y = classification_data(n_classes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference, fitted = fit_both(estimator, X, y, ns, dtype)
    assert_same_fit(reference, fitted, ns, dtype)
    if estimator.early_stopping:
        assert_allclose(
            fitted.history_["val_accuracy"], reference.history_["val_accuracy"]
        )
    np.testing.assert_array_equal(fitted.classes_, reference.classes_)
    X_ns = to_namespace(ns, X.astype(dtype))
    tolerance = 1e-10 if dtype == "float64" else 1e-4
    methods = ["decision_function", "predict"]
    if hasattr(reference, "predict_proba"):
        methods += ["predict_proba", "predict_log_proba"]
    for method in methods:
        with config_context(array_api_dispatch=True):
            got = getattr(fitted, method)(X_ns)
        assert namespace_name(got) == ns, method
        expected = getattr(reference, method)(X.astype(dtype))
        assert_allclose(host(got), expected, atol=tolerance, err_msg=method)


@pytest.mark.parametrize("ns", NAMESPACES)
def test_partial_fit_and_warm_start_continue_as_on_numpy(ns):
    X, y = regression_data(n_targets=2)
    estimator = GDRegressor(
        solver="minibatch", batch_size=16, optimizer="adam", learning_rate=0.05,
        warm_start=True, max_iter=5, tol=None, random_state=0,
    )  # fmt: skip
    reference, fitted = clone(estimator), clone(estimator)
    halves = [slice(0, 45), slice(45, 90)]
    for part in halves:
        reference.partial_fit(X[part], y[part])
        with config_context(array_api_dispatch=True):
            fitted.partial_fit(to_namespace(ns, X[part]), to_namespace(ns, y[part]))
    assert_same_fit(reference, fitted, ns, "float64")
    # A stream extends the histories' buffer in place, as on the host.
    buffer = fitted._history_buffers["coef_history_"][0]
    with config_context(array_api_dispatch=True):
        fitted.partial_fit(to_namespace(ns, X[:45]), to_namespace(ns, y[:45]))
    assert fitted._history_buffers["coef_history_"][0] is buffer
    reference.partial_fit(X[:45], y[:45])
    assert_same_fit(reference, fitted, ns, "float64")
    reference.fit(X, y)
    with config_context(array_api_dispatch=True):
        fitted.fit(to_namespace(ns, X), to_namespace(ns, y))
    assert_same_fit(reference, fitted, ns, "float64")


def test_the_per_sample_solver_refuses_device_arrays_and_names_the_others():
    X, y = regression_data()
    estimator = GDRegressor(solver="sgd")
    with config_context(array_api_dispatch=True):
        with pytest.raises(ValueError, match="solver='minibatch'.*solver='batch'"):
            estimator.fit(xps.asarray(X), xps.asarray(y))
    assert not hasattr(estimator, "coef_")
    assert not estimator.__sklearn_tags__().array_api_support
    assert GDRegressor(solver="minibatch").__sklearn_tags__().array_api_support


def test_a_diverging_fit_on_a_device_says_so_and_keeps_finite_parameters():
    X, y = regression_data()
    estimator = GDRegressor(learning_rate=10.0, max_iter=50)
    with config_context(array_api_dispatch=True):
        with pytest.warns(ConvergenceWarning, match="diverged"):
            estimator.fit(xps.asarray(X), xps.asarray(y))
    assert estimator.stop_reason_ == "diverged"
    assert np.isfinite(host(estimator.coef_)).all()


def test_every_loss_and_rule_has_an_array_version():
    assert set(ARRAY_LOSSES) == set(LOSSES)
    assert set(ARRAY_RULES) == set(RULES)


def test_array_api_strict_input_imports_no_torch():
    code = (
        "import os; os.environ['SCIPY_ARRAY_API'] = '1'\n"
        "import sys, array_api_strict as xp, sklearn\n"
        "from skgd import GDClassifier\n"
        "X = xp.asarray([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])\n"
        "y = xp.asarray([0, 1, 1, 0])\n"
        "with sklearn.config_context(array_api_dispatch=True):\n"
        "    GDClassifier(max_iter=3, tol=None).fit(X, y).predict(X)\n"
        "assert 'torch' not in sys.modules and 'cupy' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_displays_draw_a_device_fit_with_host_data():
    from skgd.plotting import LossCurveDisplay, LossSurfaceDisplay

    X, y = regression_data()
    X = X[:, :1]
    with config_context(array_api_dispatch=True):
        fitted = GDRegressor(max_iter=20, tol=None).fit(xps.asarray(X), xps.asarray(y))
    reference = GDRegressor(max_iter=20, tol=None).fit(X, y)
    curve = LossCurveDisplay.from_estimator(fitted)
    assert_allclose(curve.losses[0], reference.loss_history_, rtol=1e-10)
    surface = LossSurfaceDisplay.from_estimator(fitted, X, y)
    expected = LossSurfaceDisplay.from_estimator(reference, X, y)
    assert_allclose(surface.path, expected.path, rtol=1e-10, atol=1e-12)


def test_float32_sums_do_not_lose_precision_with_the_number_of_rows():
    # Non-centred features, a large intercept: summed in float32 over 200,000
    # rows the gradient moved the coefficients by 5e-6 to 9e-6 relative, 30
    # times the host's float32 error; the device adds blocks of rows in
    # float64, as the host adds its gradient.
    rng = np.random.default_rng(0)
    X = rng.normal(3.0, 1.0, (200_000, 10))
    y = X @ rng.normal(size=10) + 100.0
    estimator = GDRegressor(max_iter=20, tol=None)
    exact = clone(estimator).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference, fitted = fit_both(estimator, X, y, "torch", "float32")
    for fit in (reference, fitted):
        assert_allclose(host(fit.coef_), exact.coef_, rtol=1e-6)
        assert_allclose(host(fit.loss_history_), exact.loss_history_, rtol=1e-6)
