"""``python -m skgd demo``: the three solvers on the diabetes data."""

import time
import warnings

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, SGDRegressor
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ._regressor import GDRegressor

LEARNING_RATES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, "auto"]
HEADER = ("solver", "learning rate", "epochs", "train loss", "test R2", "fit time")


def fit_solvers(X_train, y_train, random_state=0):
    """For each solver, choose the learning rate by 5-fold ``GridSearchCV``.

    Returns a dict solver -> fitted ``GridSearchCV`` over
    ``Pipeline(StandardScaler(), GDRegressor(solver=...))``.
    """
    searches = {}
    for solver in ("batch", "sgd", "minibatch"):
        pipe = make_pipeline(
            StandardScaler(), GDRegressor(solver=solver, random_state=random_state)
        )
        search = GridSearchCV(
            pipe, {"gdregressor__learning_rate": LEARNING_RATES}, cv=5
        )
        with warnings.catch_warnings():
            # Too-large candidate rates diverge and warn; the search discards them.
            warnings.simplefilter("ignore", ConvergenceWarning)
            searches[solver] = search.fit(X_train, y_train)
    return searches


def _training_loss(model, X_train, y_train):
    """The mean squared error of the final model: the same number for every row."""
    return np.mean((model.predict(X_train) - y_train) ** 2)


def _reference_row(name, model, X_train, y_train, X_test, y_test):
    start = time.perf_counter()
    model.fit(X_train, y_train)
    elapsed = time.perf_counter() - start
    train_loss = _training_loss(model, X_train, y_train)
    epochs = getattr(model[-1], "n_iter_", "-")
    return (name, "-", epochs, train_loss, model.score(X_test, y_test), elapsed)


def results_table(searches, X_train, y_train, X_test, y_test):
    """Rows of the demo table: one per solver, then the scikit-learn references."""
    rows = []
    for solver, search in searches.items():
        reg = search.best_estimator_[-1]
        rows.append(
            (
                solver,
                f"{reg.learning_rate_:.4g}",
                reg.n_iter_,
                _training_loss(search, X_train, y_train),
                search.score(X_test, y_test),
                search.refit_time_,
            )
        )
    rows.append(
        _reference_row(
            "LinearRegression",
            make_pipeline(StandardScaler(), LinearRegression()),
            X_train,
            y_train,
            X_test,
            y_test,
        )
    )
    rows.append(
        _reference_row(
            "SGDRegressor",
            make_pipeline(StandardScaler(), SGDRegressor(random_state=0)),
            X_train,
            y_train,
            X_test,
            y_test,
        )
    )
    return rows


def format_table(rows):
    lines = ["{:<18}{:>14}{:>8}{:>12}{:>9}{:>11}".format(*HEADER)]
    for name, lr, epochs, loss, r2, seconds in rows:
        lines.append(
            f"{name:<18}{lr:>14}{epochs!s:>8}{loss:>12.2f}{r2:>9.4f}"
            f"{seconds * 1e3:>9.1f}ms"
        )
    return "\n".join(lines)


def plot_loss_curves(searches, out):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for solver, search in searches.items():
        reg = search.best_estimator_[-1]
        epochs = np.arange(1, reg.n_iter_ + 1)
        ax.plot(
            epochs,
            reg.loss_history_,
            label=f"{solver} (learning rate {reg.learning_rate_:.3g})",
        )
    ax.set(
        xscale="log",
        yscale="log",
        xlabel="epoch",
        ylabel="training loss (mean squared error)",
        title="GDRegressor on the diabetes data (standardised)",
    )
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def run_demo(out="skgd-demo.png"):
    X, y = load_diabetes(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    print(
        f"diabetes: {len(X_train)} training and {len(X_test)} test samples, "
        f"{X.shape[1]} features; learning rate chosen by 5-fold GridSearchCV "
        f"over {LEARNING_RATES}\n"
    )
    searches = fit_solvers(X_train, y_train)
    print(format_table(results_table(searches, X_train, y_train, X_test, y_test)))
    plot_loss_curves(searches, out)
    print(f"\nloss curves written to {out}")
