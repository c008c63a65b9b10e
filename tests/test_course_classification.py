"""The classification tutorial's numbers (examples/plot_09_classification.py),
against references computed here: the loss formulas and their derivatives
written by hand, a batch gradient-descent loop in NumPy, scikit-learn's
LogisticRegression and SGDClassifier.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.special import expit
from sklearn.datasets import make_blobs
from sklearn.linear_model import LogisticRegression, SGDClassifier

from skgd import GDClassifier
from skgd._losses import _classification
from skgd.plotting import objective_gradient

# The tutorial's data and its bad start: w at -45 degrees, a quarter turn
# from the clouds' direction.
X, Y = make_blobs(n_samples=200, centers=[(-1, -1), (1, 1)], random_state=0)
N = len(Y)
Y_PM = np.where(Y == 1, 1.0, -1.0)
W0, B0 = np.array([2.0, -2.0]), 1.0
ALPHA = 1 / N


def log_loss(m):
    return np.log1p(np.exp(-m))


def d_log_loss(m):
    return -1.0 / (1.0 + np.exp(m))


def hinge(m):
    return np.maximum(0.0, 1.0 - m)


def d_hinge(m):
    # -1 at the kink, as scikit-learn's SGD.
    return np.where(m <= 1.0, -1.0, 0.0)


FORMULAS = {"log_loss": (log_loss, d_log_loss), "hinge": (hinge, d_hinge)}


def hand_batch_descent(loss, w, b, lr, epochs, alpha):
    """Full-batch gradient descent on mean loss(y (w.x + b)) + alpha/2 |w|^2,
    the path of (w, b) from the start, by the formulas."""
    value, derivative = FORMULAS[loss]
    coefs, intercepts, objectives = [w.copy()], [b], []
    for _ in range(epochs):
        m = Y_PM * (X @ w + b)
        objectives.append(value(m).mean() + alpha / 2 * w @ w)
        g = derivative(m) * Y_PM
        w, b = w - lr * (g @ X / N + alpha * w), b - lr * g.mean()
        coefs.append(w.copy())
        intercepts.append(b)
    return np.array(coefs), np.array(intercepts), np.array(objectives)


def angle(w):
    return np.degrees(np.arctan2(w[..., 1], w[..., 0]))


@pytest.mark.parametrize("loss", ["log_loss", "hinge"])
def test_losses_and_derivatives_of_the_margin(loss):
    value, derivative = FORMULAS[loss]
    function = getattr(_classification, f"_{loss}")
    margins = np.concatenate([np.linspace(-30, 30, 241), [1.0, 1.0 + 1e-9]])
    for y in (-1.0, 1.0):
        for m in margins:
            z = m / y  # the decision value with margin y * z = m
            got_value, got_derivative = function(loss, z, y, None, 0.0)
            assert_allclose(got_value, value(m), rtol=1e-12, atol=1e-300)
            # d loss / d z = l'(m) * dm/dz = l'(m) * y
            assert_allclose(got_derivative, derivative(m) * y, rtol=1e-12)
    # The derivative formulas themselves, by central differences (off the kink).
    m, h = np.array([-2.5, -0.3, 0.4, 0.9, 1.5, 4.0]), 1e-6
    numeric = (value(m + h) - value(m - h)) / (2 * h)
    assert_allclose(derivative(m), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("loss", ["log_loss", "hinge"])
def test_start_objective_gradient_and_path_match_the_hand_loop(loss):
    clf = GDClassifier(
        loss=loss, penalty="l2", alpha=ALPHA, learning_rate=0.2, max_iter=300, tol=None
    ).fit(X, Y, coef_init=[W0], intercept_init=[B0])
    coefs, intercepts, objectives = hand_batch_descent(loss, W0, B0, 0.2, 300, ALPHA)
    assert_allclose(clf.loss_history_, objectives, rtol=1e-10)
    assert_allclose(clf.coef_history_[:, 0], coefs, rtol=1e-9, atol=1e-12)
    assert_allclose(clf.intercept_history_[:, 0], intercepts, rtol=1e-9, atol=1e-12)
    # The gradient at the start, by the chain rule: mean l'(m) y x + alpha w.
    value, derivative = FORMULAS[loss]
    g = derivative(Y_PM * (X @ W0 + B0)) * Y_PM
    expected = np.r_[g @ X / N + ALPHA * W0, g.mean()]
    assert_allclose(objective_gradient(clf, X, Y), expected, rtol=1e-12)
    # The boundary turns a quarter turn: w from -45 degrees to about 45.
    assert angle(coefs[0]) == pytest.approx(-45.0)
    assert angle(clf.coef_history_[300, 0]) == pytest.approx(45.0, abs=1.0)
    # It turns steadily (the hinge, non-smooth, jitters by 0.1 degree at the
    # end, from epoch 135 on).
    turning = np.diff(angle(clf.coef_history_[:, 0]))
    assert np.all(turning[: 300 if loss == "log_loss" else 130] > 0)
    assert np.ptp(angle(clf.coef_history_[250:, 0])) < 0.5


def test_log_loss_gradient_is_probability_minus_label():
    clf = GDClassifier(penalty="l2", alpha=ALPHA, max_iter=1, tol=None)
    clf.fit(X, Y, coef_init=[W0], intercept_init=[B0])
    error = expit(X @ W0 + B0) - Y  # sigma(z) - t, t in {0, 1}
    expected = np.r_[error @ X / N + ALPHA * W0, error.mean()]
    assert_allclose(objective_gradient(clf, X, Y), expected, rtol=1e-12)


@pytest.mark.parametrize("C", [0.1, 1.0, 10.0])
def test_l2_log_loss_has_the_optimum_of_logistic_regression(C):
    reference = LogisticRegression(C=C, solver="newton-cg", tol=1e-12).fit(X, Y)
    # LogisticRegression: C * sum(loss) + |w|^2 / 2; divided by C * N, skgd's
    # mean(loss) + alpha / 2 |w|^2 with alpha = 1 / (C * N).
    fit = GDClassifier(
        penalty="l2", alpha=1 / (C * N), solver="batch", max_iter=1000, tol=None
    ).fit(X, Y)
    assert_allclose(fit.coef_, reference.coef_, atol=1e-10)
    assert_allclose(fit.intercept_, reference.intercept_, atol=1e-10)
    # The mapping matters: a penalty off by a factor 2 misses the optimum.
    for wrong in (2 / (C * N), 1 / (2 * C * N)):
        off = GDClassifier(penalty="l2", alpha=wrong, max_iter=1000, tol=None)
        assert np.abs(off.fit(X, Y).coef_ - reference.coef_).max() > 1e-3


def test_l2_log_loss_with_sample_weights_uses_their_sum():
    weights = np.random.default_rng(0).uniform(0.5, 2.0, N)
    C = 1.0
    reference = LogisticRegression(C=C, solver="newton-cg", tol=1e-12)
    reference.fit(X, Y, sample_weight=weights)
    fit = GDClassifier(
        penalty="l2", alpha=1 / (C * weights.sum()), max_iter=1000, tol=None
    ).fit(X, Y, sample_weight=weights)
    assert_allclose(fit.coef_, reference.coef_, atol=1e-10)
    assert_allclose(fit.intercept_, reference.intercept_, atol=1e-10)


def test_predict_proba_is_the_logistic_function_and_hinge_has_none():
    clf = GDClassifier(
        penalty="l2", alpha=ALPHA, learning_rate=0.2, max_iter=300, tol=None
    ).fit(X, Y, coef_init=[W0], intercept_init=[B0])
    z = X @ clf.coef_[0] + clf.intercept_[0]
    assert_allclose(clf.decision_function(X), z, rtol=1e-12)
    assert_allclose(clf.predict_proba(X), np.c_[1 - expit(z), expit(z)], rtol=1e-12)
    assert_allclose(
        clf.predict_log_proba(X), np.c_[-np.logaddexp(0, z), -np.logaddexp(0, -z)]
    )
    svm = GDClassifier(loss="hinge", max_iter=5, tol=None).fit(X, Y)
    assert not hasattr(svm, "predict_proba")
    with pytest.raises(AttributeError) as info:
        svm.predict_proba(X)
    assert "not available for loss='hinge'" in str(info.value.__cause__)


@pytest.mark.parametrize("loss", ["log_loss", "hinge"])
def test_sgdclassifier_scale_same_alpha_and_step(loss):
    same = dict(penalty="l2", alpha=ALPHA, max_iter=5, tol=None, shuffle=False)
    ours = GDClassifier(loss=loss, solver="sgd", learning_rate=0.01, **same).fit(X, Y)
    theirs = SGDClassifier(loss=loss, learning_rate="constant", eta0=0.01, **same)
    theirs.fit(X, Y)
    assert_allclose(ours.coef_, theirs.coef_, rtol=1e-12)
    assert_allclose(ours.intercept_, theirs.intercept_, rtol=1e-12)
