"""GDClassifier against LogisticRegression, LinearSVC, SGDClassifier and
hand-written updates."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import log_expit
from sklearn.callback import ScoringMonitor
from sklearn.datasets import load_breast_cancer, load_iris, make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.utils import check_random_state

from skgd import GDClassifier

MARGIN_LOSSES = ["hinge", "squared_hinge", "modified_huber", "perceptron"]
LOSSES = ["log_loss", *MARGIN_LOSSES]


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def relative_error(actual, expected):
    return np.abs(actual - expected).max() / np.abs(expected).max()


# -- the optimum against scikit-learn's solvers -------------------------------


def test_binary_log_loss_matches_unpenalised_logistic_regression(cancer):
    # All 30 scaled features separate the classes (LogisticRegression's
    # unpenalised coefficients run off to 1e5): no optimum exists. Four of the
    # "mean" features overlap, and their optimum is unique.
    X, y = cancer[0][:, [0, 1, 4, 8]], cancer[1]
    clf = GDClassifier(max_iter=3000, tol=None).fit(X, y)
    ref = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    assert relative_error(clf.coef_, ref.coef_) < 1e-4
    assert_allclose(clf.intercept_, ref.intercept_, rtol=1e-4)
    assert clf.coef_.shape == (1, 4) and clf.intercept_.shape == (1,)


@pytest.mark.parametrize("C", [0.1, 1.0])
def test_binary_l2_matches_logistic_regression_at_equivalent_strength(cancer, C):
    X, y = cancer
    # mean loss + alpha / 2 ||w||^2 is (C sum loss + ||w||^2 / 2) / (C n).
    clf = GDClassifier(penalty="l2", alpha=1 / (C * len(y)), max_iter=20_000, tol=None)
    clf.fit(X, y)
    ref = LogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(X, y)
    assert relative_error(clf.coef_, ref.coef_) < 1e-4
    assert_allclose(clf.intercept_, ref.intercept_, rtol=1e-4)


def test_multinomial_matches_logistic_regression(iris):
    X, y = iris
    clf = GDClassifier(penalty="l2", alpha=1 / len(y), max_iter=20_000, tol=None)
    clf.fit(X, y)
    ref = LogisticRegression(C=1.0, tol=1e-12, max_iter=10_000).fit(X, y)
    assert clf.coef_.shape == (3, 4)
    assert relative_error(clf.coef_, ref.coef_) < 1e-4
    # Both keep the intercepts centred (their gradients sum to 0 over classes).
    assert_allclose(clf.intercept_, ref.intercept_, rtol=1e-4, atol=1e-6)
    assert_allclose(clf.predict_proba(X), ref.predict_proba(X), atol=1e-6)
    assert_allclose(clf.predict_log_proba(X), ref.predict_log_proba(X), atol=1e-5)


def test_class_weight_matches_logistic_regression(cancer):
    X, y = cancer
    weights = {0: 3.0, 1: 0.5}
    total = np.where(y == 0, 3.0, 0.5).sum()
    C = 0.1  # at C=1 the weighted problem needs 60,000 epochs for 1e-6
    clf = GDClassifier(
        penalty="l2",
        alpha=1 / (C * total),
        class_weight=weights,
        max_iter=20_000,
        tol=None,
    ).fit(X, y)
    ref = LogisticRegression(C=C, class_weight=weights, tol=1e-12, max_iter=10_000).fit(
        X, y
    )
    assert relative_error(clf.coef_, ref.coef_) < 1e-4


def test_balanced_class_weight_equals_explicit_weights(iris):
    X, y = iris[0][:120], iris[1][:120]  # 50, 50, 20 samples
    counts = np.bincount(y)
    explicit = {k: len(y) / (3 * c) for k, c in enumerate(counts)}
    balanced = GDClassifier(class_weight="balanced", max_iter=50, tol=None).fit(X, y)
    by_hand = GDClassifier(class_weight=explicit, max_iter=50, tol=None).fit(X, y)
    assert_allclose(balanced.coef_, by_hand.coef_, rtol=1e-12)
    as_sample_weight = GDClassifier(max_iter=50, tol=None).fit(
        X, y, sample_weight=np.array([explicit[k] for k in y])
    )
    assert_allclose(balanced.coef_, as_sample_weight.coef_, rtol=1e-12)


def test_squared_hinge_matches_linear_svc(iris):
    # Without an intercept (LinearSVC penalises its intercept, skgd does not)
    # both minimise C sum max(0, 1 - m)^2 + ||w||^2 / 2, one-vs-rest.
    X, y = iris
    C = 0.5
    clf = GDClassifier(
        loss="squared_hinge",
        penalty="l2",
        alpha=1 / (C * len(y)),
        fit_intercept=False,
        max_iter=20_000,
        tol=None,
    ).fit(X, y)
    ref = LinearSVC(
        C=C, loss="squared_hinge", fit_intercept=False, dual=False, tol=1e-12
    ).fit(X, y)
    assert relative_error(clf.coef_, ref.coef_) < 1e-4


def test_hinge_lands_near_linear_svc(cancer):
    X, y = cancer
    C = 1.0
    clf = GDClassifier(
        loss="hinge",
        penalty="l2",
        alpha=1 / (C * len(y)),
        lr_schedule="invscaling",
        max_iter=5000,
        tol=None,
    ).fit(X, y)
    ref = LinearSVC(C=C, loss="hinge", dual=True, max_iter=100_000).fit(X, y)
    same_sign = np.sign(clf.decision_function(X)) == np.sign(ref.decision_function(X))
    assert same_sign.mean() >= 0.98
    assert abs(clf.score(X, y) - ref.score(X, y)) <= 0.01


# -- every update against SGDClassifier and by hand -----------------------------


# SGDClassifier's multiclass log loss is one-vs-rest, skgd's is multinomial
# (checked against LogisticRegression and a NumPy loop instead).
@pytest.mark.parametrize(
    "loss, n_classes",
    [(loss, 2) for loss in LOSSES] + [(loss, 3) for loss in MARGIN_LOSSES],
)
def test_sgd_epochs_equal_sgd_classifier(loss, n_classes, iris):
    """Per-sample epochs in data order are SGDClassifier's constant-rate updates
    (the same losses, at the same scale), one-vs-rest for the margin losses."""
    X, y = iris
    if n_classes == 2:
        X, y = X[:100], y[:100]
    lr = 0.01
    ours = GDClassifier(
        loss=loss, solver="sgd", learning_rate=lr, max_iter=3, tol=None, shuffle=False
    ).fit(X, y)
    theirs = SGDClassifier(
        loss=loss,
        penalty=None,
        learning_rate="constant",
        eta0=lr,
        max_iter=3,
        tol=None,
        shuffle=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs.fit(X, y)
    # The parameters after the last update (in data order a class can end
    # worse than it started: diverged, its coef_ goes back to its best).
    assert_allclose(ours.coef_history_[-1], theirs.coef_, rtol=1e-12, atol=1e-14)
    assert_allclose(
        ours.intercept_history_[-1], theirs.intercept_, rtol=1e-12, atol=1e-14
    )


def multinomial_reference(X, y, W, b, lr, batch_size, epochs):
    """Mini-batch softmax regression written out with NumPy, in data order."""
    Y = np.eye(W.shape[0])[y]
    for _ in range(epochs):
        for start in range(0, len(y), batch_size):
            rows = slice(start, start + batch_size)
            z = X[rows] @ W.T + b
            p = np.exp(z - z.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            g = (p - Y[rows]) / len(Y[rows])
            W, b = W - lr * g.T @ X[rows], b - lr * g.sum(axis=0)
    return W, b


@pytest.mark.parametrize("solver, batch_size", [("sgd", 1), ("minibatch", 16)])
def test_multinomial_updates_match_numpy_reference(iris, solver, batch_size):
    X, y = iris
    clf = GDClassifier(
        solver=solver,
        batch_size=batch_size,
        learning_rate=0.1,
        max_iter=3,
        tol=None,
        shuffle=False,
    ).fit(X, y)
    W, b = multinomial_reference(
        X, y, np.zeros((3, 4)), np.zeros(3), 0.1, batch_size, 3
    )
    assert_allclose(clf.coef_, W, rtol=1e-12, atol=1e-14)
    assert_allclose(clf.intercept_, b, rtol=1e-12, atol=1e-14)


def test_loss_history_is_the_mean_log_loss(iris):
    X, y = iris
    clf = GDClassifier(max_iter=5, tol=None).fit(X, y)
    # Batch: each epoch's loss is the objective at its start.
    for epoch in range(5):
        z = X @ clf.coef_history_[epoch].T + clf.intercept_history_[epoch]
        log_p = z - np.logaddexp.reduce(z, axis=1, keepdims=True)
        expected = -log_p[np.arange(len(y)), y].mean()
        assert_allclose(clf.loss_history_[epoch], expected, rtol=1e-12)
    assert clf.coef_history_.shape == (6, 3, 4)
    assert clf.intercept_history_.shape == (6, 3)


# -- numerics -----------------------------------------------------------------


def test_no_overflow_on_separable_or_unscaled_data(cancer):
    X_unscaled, y = load_breast_cancer(return_X_y=True)  # features up to 4e3
    X_scaled = cancer[0]  # separable: the coefficients grow without bound
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        for X in (X_unscaled, X_scaled):
            clf = GDClassifier(max_iter=2000, tol=None).fit(X, y)
            assert np.isfinite(clf.loss_history_).all()
        # Decision values in the thousands: exp would overflow without care.
        proba = clf.predict_proba(X_unscaled)
        log_proba = clf.predict_log_proba(X_unscaled)
    assert (np.diff(clf.loss_history_) < 0).all()
    assert np.abs(clf.decision_function(X_unscaled)).max() > 1000
    assert_allclose(proba.sum(axis=1), 1.0)
    # log_proba stays finite where a probability rounds to 0.
    assert (proba == 0).any() and np.isfinite(log_proba).all()


def test_multinomial_is_stable_for_huge_decision_values(iris):
    X, y = iris
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        clf = GDClassifier(max_iter=5, tol=None).fit(
            X * 1e6, y, coef_init=np.full((3, 4), 1e3) * [[1], [-1], [0]]
        )
    assert np.isfinite(clf.loss_history_).all()
    assert np.isfinite(clf.predict_log_proba(X * 1e6)).all()


def test_divergence_keeps_finite_parameters_and_warns(iris):
    X, y = iris
    with pytest.warns(ConvergenceWarning, match="diverged"):
        clf = GDClassifier(loss="squared_hinge", learning_rate=50.0).fit(X * 100, y)
    assert clf.stop_reason_ == "diverged"
    assert np.isfinite(clf.coef_).all()


# -- predictions and labels ---------------------------------------------------


def test_string_labels_and_predictions(iris):
    X, y = iris
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = GDClassifier(max_iter=200).fit(X, names)
    assert_array_equal(clf.classes_, np.unique(names))
    assert set(clf.predict(X)) <= set(names)
    assert clf.score(X, names) > 0.9
    z = clf.decision_function(X)
    assert_array_equal(clf.predict(X), clf.classes_[z.argmax(axis=1)])


def test_binary_labels_decision_and_probabilities(cancer):
    X, y = cancer
    labels = np.where(y == 1, "benign", "malignant")
    clf = GDClassifier(max_iter=200).fit(X, labels)
    z = clf.decision_function(X)
    assert z.shape == (len(y),)
    # The weight vector is the second class's ("malignant").
    assert_array_equal(clf.predict(X), np.where(z > 0, "malignant", "benign"))
    proba = clf.predict_proba(X)
    assert_allclose(proba[:, 1], 1 / (1 + np.exp(-z)))
    assert_allclose(clf.predict_log_proba(X), np.c_[log_expit(-z), log_expit(z)])


def test_modified_huber_probabilities_by_hand(iris):
    X, y = iris
    clf = GDClassifier(loss="modified_huber", max_iter=100).fit(X, y)
    z = clf.decision_function(X)
    p = (np.clip(z, -1, 1) + 1) / 2
    p[p.sum(axis=1) == 0] = 1
    assert_allclose(clf.predict_proba(X), p / p.sum(axis=1, keepdims=True))
    binary = GDClassifier(loss="modified_huber", max_iter=100).fit(X[:100], y[:100])
    zb = binary.decision_function(X[:100])
    pb = (np.clip(zb, -1, 1) + 1) / 2
    assert_allclose(binary.predict_proba(X[:100]), np.c_[1 - pb, pb])


@pytest.mark.parametrize("loss", ["hinge", "squared_hinge", "perceptron"])
def test_no_probabilities_for_margin_losses(iris, loss):
    clf = GDClassifier(loss=loss, max_iter=5).fit(*iris)
    assert not hasattr(clf, "predict_proba")
    for method in ("predict_proba", "predict_log_proba"):
        with pytest.raises(AttributeError, match=f"has no attribute '{method}'") as e:
            getattr(clf, method)(iris[0])
        assert f"not available for loss='{loss}'" in str(e.value.__cause__)


def test_one_class_is_an_error():
    with pytest.raises(ValueError, match="greater than one; got 1 class"):
        GDClassifier().fit(np.ones((4, 2)), [1, 1, 1, 1])


def test_continuous_targets_are_an_error():
    with pytest.raises(ValueError, match="Unknown label type"):
        GDClassifier().fit(np.ones((4, 2)), [0.1, 0.2, 0.3, 0.4])


# -- partial_fit --------------------------------------------------------------


def test_partial_fit_continues_fit_and_checks_classes(iris):
    X, y = iris
    params = dict(solver="minibatch", batch_size=10, optimizer="adam", random_state=0)
    fitted = GDClassifier(max_iter=4, tol=None, **params).fit(X, y)
    partial = GDClassifier(**params)
    for _ in range(4):
        partial.partial_fit(X, y, classes=[0, 1, 2])
    assert_allclose(partial.coef_, fitted.coef_, rtol=1e-12)
    assert_allclose(partial.loss_history_, fitted.loss_history_, rtol=1e-12)

    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        GDClassifier().partial_fit(X, y)
    with pytest.raises(ValueError, match="not the same as on last call"):
        partial.partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match=r"labels \[7\] that are not in classes_"):
        partial.partial_fit(X[:2], [0, 7])
    with pytest.raises(ValueError, match="'balanced' is not supported"):
        GDClassifier(class_weight="balanced").partial_fit(X, y, classes=[0, 1, 2])


def test_partial_fit_chunks_may_miss_classes(iris):
    X, y = iris
    clf = GDClassifier(learning_rate=0.5)
    for _ in range(20):
        for chunk in np.array_split(np.arange(150), 3):  # one class per chunk
            clf.partial_fit(X[chunk], y[chunk], classes=[0, 1, 2])
    assert clf.coef_.shape == (3, 4)
    assert clf.score(X, y) > 0.8


# -- early stopping, histories, meta-estimators -----------------------------


def test_early_stopping_records_validation_accuracy(cancer):
    X, y = cancer
    clf = GDClassifier(early_stopping=True, random_state=0, max_iter=300).fit(X, y)
    history = clf.history_
    assert {"val_loss", "val_accuracy"} <= set(history.columns)
    # The same stratified split, drawn by hand from the same seed.
    _, val = train_test_split(
        np.arange(len(y)), test_size=0.1, random_state=check_random_state(0), stratify=y
    )
    assert np.bincount(y[val]).tolist() == [21, 36]
    for epoch in (0, len(history) // 2, len(history) - 1):
        z = X[val] @ clf.coef_history_[epoch + 1, 0] + clf.intercept_history_[epoch + 1]
        accuracy = np.mean((z > 0) == (y[val] == 1))
        assert history["val_accuracy"].iloc[epoch] == pytest.approx(accuracy)
    assert clf.stop_reason_ in ("early_stopping", "max_iter")


def test_multinomial_classes_stop_together(iris):
    X, y = iris
    clf = GDClassifier().fit(X, y)
    assert clf.stop_reason_ == "converged"
    # One stopping rule: all classes moved in every recorded epoch.
    steps = np.abs(np.diff(clf.coef_history_, axis=0)).sum(axis=2)
    assert (steps > 0).all()


def test_pipeline_and_grid_search(iris):
    X, y = load_iris(return_X_y=True)  # unscaled: the pipeline scales
    pipe = make_pipeline(StandardScaler(), GDClassifier(max_iter=200))
    search = GridSearchCV(pipe, {"gdclassifier__learning_rate": [0.01, 0.1, 1.0]})
    search.fit(X, y)
    assert search.best_score_ > 0.9
    assert search.best_params_["gdclassifier__learning_rate"] == 1.0


def test_float32_input_keeps_float32(iris):
    X, y = iris
    clf = GDClassifier(max_iter=50).fit(X.astype(np.float32), y)
    assert clf.coef_.dtype == np.float32
    reference = GDClassifier(max_iter=50).fit(X, y)
    assert_allclose(clf.coef_, reference.coef_, rtol=1e-4)


@pytest.mark.parametrize("loss", LOSSES)
def test_every_loss_separates_separable_blobs(loss):
    X, y = make_blobs(n_samples=200, centers=3, cluster_std=0.5, random_state=0)
    X = StandardScaler().fit_transform(X)
    clf = GDClassifier(loss=loss, max_iter=500).fit(X, y)
    assert clf.score(X, y) == 1.0


def test_scoring_monitor_and_verbose_accuracy(iris, capsys):
    X, y = iris
    monitor = ScoringMonitor(scoring="accuracy")
    clf = GDClassifier(max_iter=4, tol=None).set_callbacks(monitor).fit(X, y)
    rows = [row for row in monitor.get_logs().data if row["task_name"] == "epoch"]
    expected = [
        np.mean((X @ W.T + b).argmax(axis=1) == y)
        for W, b in zip(clf.coef_history_[1:], clf.intercept_history_[1:], strict=True)
    ]
    assert_allclose([row["accuracy"] for row in rows], expected)
    GDClassifier(max_iter=2, tol=None, verbose=1, early_stopping=True).fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and "validation accuracy: " in lines[0]


def test_warm_start_and_coef_init_continue_the_fit(iris):
    X, y = iris
    once = GDClassifier(max_iter=20, tol=None).fit(X, y)
    twice = GDClassifier(max_iter=10, tol=None, warm_start=True).fit(X, y).fit(X, y)
    assert_allclose(twice.coef_, once.coef_, rtol=1e-12)
    half = GDClassifier(max_iter=10, tol=None).fit(X, y)
    resumed = GDClassifier(max_iter=10, tol=None).fit(
        X, y, coef_init=half.coef_, intercept_init=half.intercept_
    )
    assert_allclose(resumed.coef_, once.coef_, rtol=1e-12)
    with pytest.raises(ValueError, match=r"coef_init has shape \(4,\)"):
        GDClassifier().fit(X, y, coef_init=np.zeros(4))


@pytest.mark.parametrize(
    "loss, n_classes, curvature",
    [("log_loss", 2, 0.25), ("log_loss", 3, 0.5), ("squared_hinge", 3, 2.0)],
)
def test_auto_learning_rate_is_one_over_the_lipschitz_constant(
    iris, loss, n_classes, curvature
):
    keep = iris[1] < n_classes
    X, y = iris[0][keep], iris[1][keep]
    clf = GDClassifier(loss=loss, max_iter=300, tol=None).fit(X, y)
    augmented = np.c_[X, np.ones(len(X))]
    lambda_max = np.linalg.eigvalsh(augmented.T @ augmented / len(X)).max()
    assert clf.learning_rate_ == pytest.approx(1 / (curvature * lambda_max), rel=1e-3)
    # A step of 1 / L makes a smooth loss decrease at every epoch.
    assert (np.diff(clf.loss_history_) <= 1e-15).all()


def test_early_stopping_validates_on_weighted_samples_only():
    """Zero-weight samples stay in training: the validation weights never sum to
    zero (scikit-learn's one-label-after-trimming check, over many splits)."""
    X = np.random.default_rng(0).uniform(size=(10, 10))
    y = np.arange(10) % 2
    for seed in range(30):
        clf = GDClassifier(early_stopping=True, random_state=seed)
        clf.fit(X, y, sample_weight=y.astype(float))
        assert np.isfinite(clf.val_loss_history_).all()
        assert (clf.predict(X) == 1).all()
