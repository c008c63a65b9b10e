"""SGDClassifier and SGDRegressor on their home ground, side by side: large
sparse text-like data (plain and averaged per-sample SGD), and one epoch of
averaged SGD with each peer's default step on large dense data, with how far
each ends from the optimal loss.

Each skgd row makes the peer's updates (same losses, steps, penalties and
averaging, samples in data order), so both end at the same coefficients (the
note gives the difference) and the ratio is the time of the same work.
"""

import time
import warnings

import numpy as np
from data import make_data, make_sparse_data
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier, SGDRegressor

from skgd import GDClassifier, GDRegressor
from skgd.optim import Adam
from skgd.schedules import InverseScaling


def _quietly(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def _difference(ours, theirs):
    ours, theirs = np.ravel(ours.coef_), np.ravel(theirs.coef_)
    return float(np.max(np.abs(ours - theirs)) / max(np.max(np.abs(theirs)), 1e-300))


def _interleaved(fits, repeats):
    """Each fit's median seconds, the fits run in turn (the machine's noise
    hits both alike), and the last fitted estimators."""
    times = [[] for _ in fits]
    fitted = [None] * len(fits)
    for _ in range(repeats):
        for k, fit in enumerate(fits):
            start = time.perf_counter()
            fitted[k] = fit()
            times[k].append(time.perf_counter() - start)
    return [float(np.median(t)) for t in times], fitted


def sparse_text_rows(Row, n_samples, n_features, nnz_per_row, repeats, epochs=3):
    """Hinge + L2 classification of text-like CSR rows: plain and averaged
    per-sample SGD against SGDClassifier's same updates."""
    X, y = make_sparse_data(n_samples, n_features, nnz_per_row)
    labels = (y > np.median(y)).astype(int)
    shared = dict(
        loss="hinge", penalty="l2", alpha=1e-5, max_iter=epochs, tol=None,
        shuffle=False, fit_intercept=False,
    )  # fmt: skip
    rows = []
    name = f"sparse {n_samples} x {n_features}, {nnz_per_row} nnz/row, {epochs} epochs"
    for average in (False, True):

        def ours(average=average):
            return _quietly(
                GDClassifier(solver="sgd", learning_rate=0.01, average=average,
                             record=None, **shared),
                X, labels,
            )  # fmt: skip

        def theirs(average=average):
            return _quietly(
                SGDClassifier(learning_rate="constant", eta0=0.01, average=average,
                              **shared),
                X, labels,
            )  # fmt: skip

        (t_ours, t_theirs), (fit_ours, fit_theirs) = _interleaved(
            [ours, theirs], repeats
        )
        what = "averaged sgd" if average else "sgd"
        rows.append(
            Row(
                f"{what} hinge + l2, {name}", t_ours, "SGDClassifier", t_theirs,
                1 / 1.3 if not average else None,
                f"coef differ by {_difference(fit_ours, fit_theirs):.1e}",
            )
        )  # fmt: skip
    return rows + _lazy_adam_rows(Row, X, labels, shared, name, repeats)


def _lazy_adam_rows(Row, X, labels, shared, name, repeats):
    """Adam on the same rows: the lazy update (the touched coordinates only)
    against the dense one, which moves every coordinate at every update, and
    the lazy per-sample fit against SGDClassifier's plain SGD (other updates,
    the same workload)."""
    rows = []
    subset = slice(0, X.shape[0] // 10)  # the dense update is slow: fewer rows
    minibatch = dict(shared, max_iter=1, solver="minibatch", batch_size=32)
    fits = [
        lambda lazy=lazy: _quietly(
            GDClassifier(
                optimizer=Adam(lazy=lazy), learning_rate=0.001, record=None, **minibatch
            ),
            X[subset],
            labels[subset],
        )  # fmt: skip
        for lazy in (True, False)
    ]
    (t_lazy, t_dense), _ = _interleaved(fits, repeats)
    rows.append(
        Row(
            f"lazy adam minibatch 32, 1 epoch of {X[subset].shape[0]} rows of "
            f"{name.split(',')[0]}", t_lazy, "skgd adam (dense update)", t_dense,
            None, "updates differ: see skgd.optim.Adam's lazy",
        )
    )  # fmt: skip

    def lazy_adam():
        return _quietly(
            GDClassifier(solver="sgd", optimizer=Adam(lazy=True),
                         learning_rate=0.001, record=None, **shared),
            X, labels,
        )  # fmt: skip

    def plain():
        return _quietly(
            SGDClassifier(learning_rate="constant", eta0=0.01, **shared), X, labels
        )

    (t_lazy, t_plain), _ = _interleaved([lazy_adam, plain], repeats)
    rows.append(
        Row(
            f"lazy adam sgd hinge + l2, {name}", t_lazy,
            "SGDClassifier (plain sgd)", t_plain, None,
            "other updates, the same rows and epochs",
        )
    )  # fmt: skip
    return rows


def _log_loss_objective(clf, X, y, alpha):
    """The mean log loss plus ``alpha / 2 * ||coef||**2``, which both fits
    minimise."""
    coef = np.ravel(clf.coef_)
    z = X @ coef + np.ravel(clf.intercept_)[0]
    loss = np.mean(np.logaddexp(0.0, -np.where(y == 1, 1.0, -1.0) * z))
    return float(loss + 0.5 * alpha * coef @ coef)


def time_to_quality_rows(Row, n_samples, n_features, repeats):
    """One epoch of averaged per-sample SGD with each peer's default step
    (SGDClassifier's "optimal", SGDRegressor's per-update "invscaling"),
    against the peer making the same updates; the note gives how far each
    ends above the optimum (the penalised log loss of LogisticRegression;
    the least-squares MSE), which the target (1e-3) is about."""
    X, y = make_data(n_samples, n_features)
    rows = []
    # Logistic regression: labels from the noisy linear problem.
    labels = (y > 0).astype(int)
    alpha = 1e-4  # SGDClassifier's default
    optimum = LogisticRegression(C=1 / (alpha * n_samples), tol=1e-10, max_iter=1000)
    best = _log_loss_objective(optimum.fit(X, labels), X, labels, alpha)
    clf_params = dict(loss="log_loss", penalty="l2", alpha=alpha, max_iter=1,
                      tol=None, shuffle=False, average=True)  # fmt: skip

    def ours_clf():
        return _quietly(
            GDClassifier(solver="sgd", learning_rate=1.0, lr_schedule="optimal",
                         record=None, **clf_params),
            X, labels,
        )  # fmt: skip

    def theirs_clf():
        return _quietly(SGDClassifier(**clf_params), X, labels)

    (t_ours, t_theirs), (fit_ours, fit_theirs) = _interleaved(
        [ours_clf, theirs_clf], repeats
    )
    gaps = [
        _log_loss_objective(f, X, labels, alpha) - best for f in (fit_ours, fit_theirs)
    ]
    rows.append(
        Row(
            f"averaged sgd, log loss, 1 epoch, {n_samples} x {n_features}",
            t_ours, "SGDClassifier(average=True)", t_theirs, 1.0,
            f"'optimal' step; above the optimum by {gaps[0]:.1e} (peer {gaps[1]:.1e})",
        )
    )  # fmt: skip
    # Least squares.
    coef, *_ = np.linalg.lstsq(np.column_stack([X, np.ones(n_samples)]), y)
    best = float(np.mean((X @ coef[:-1] + coef[-1] - y) ** 2))
    reg_params = dict(max_iter=1, tol=None, shuffle=False, average=True)

    def ours_reg():
        return _quietly(
            GDRegressor(solver="sgd", learning_rate=0.005, penalty=None,
                        lr_schedule=InverseScaling(power_t=0.25, per="update"),
                        record=None, **reg_params),
            X, y,
        )  # fmt: skip

    def theirs_reg():
        return _quietly(SGDRegressor(eta0=0.01, penalty=None, **reg_params), X, y)

    (t_ours, t_theirs), (fit_ours, fit_theirs) = _interleaved(
        [ours_reg, theirs_reg], repeats
    )
    gaps = [
        float(np.mean((X @ f.coef_ + f.intercept_ - y) ** 2)) - best
        for f in (fit_ours, fit_theirs)
    ]
    rows.append(
        Row(
            f"averaged sgd, squared error, 1 epoch, {n_samples} x {n_features}",
            t_ours, "SGDRegressor(average=True)", t_theirs, 1.0,
            f"invscaling per update; above the optimum by {gaps[0]:.1e} "
            f"(peer {gaps[1]:.1e})",
        )
    )  # fmt: skip
    return rows
