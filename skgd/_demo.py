"""``python -m skgd demo``: the three solvers on the diabetes data (regression)
and on the breast-cancer data (classification)."""

import time
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import (
    LinearRegression,
    LogisticRegression,
    SGDClassifier,
    SGDRegressor,
)
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ._demo_figures import plot_learning_rate_finder, plot_learning_rates
from ._estimators._classifier import GDClassifier
from ._estimators._regressor import GDRegressor

LEARNING_RATES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, "auto"]
HEADER = (
    "solver",
    "learning rate",
    "epochs",
    "stop",
    "train loss",
    "test {}",
    "fit time",
)


class Task:
    """One half of the demo: a dataset, the skgd estimator and its references."""

    def __init__(self, name, load, estimator, references, score, loss, loss_name):
        self.name, self.load, self.estimator = name, load, estimator
        self.references, self.score, self.loss = references, score, loss
        self.loss_name = loss_name


TASKS = [
    Task(
        "diabetes",
        load_diabetes,
        GDRegressor,
        {
            "LinearRegression": LinearRegression(),
            "SGDRegressor": SGDRegressor(random_state=0),
        },
        score="R2",
        loss=lambda model, X, y: np.mean((model.predict(X) - y) ** 2),
        loss_name="mean squared error",
    ),
    Task(
        "breast cancer",
        load_breast_cancer,
        GDClassifier,
        {
            "LogisticRegression": LogisticRegression(),
            "SGDClassifier": SGDClassifier(loss="log_loss", random_state=0),
        },
        score="accuracy",
        loss=lambda model, X, y: log_loss(y, model.predict_proba(X)),
        loss_name="log loss",
    ),
]


def _warning_kind(message):
    text = str(message)
    if "diverged" in text:
        return "diverged"
    if "rising" in text:
        return "still rising"
    if "noise" in text:
        return "ended in their noise"
    return "reached max_iter" if "Maximum number of epochs" in text else "other"


def fit_solvers(estimator, X_train, y_train, random_state=0):
    """For each solver, choose the learning rate by 5-fold ``GridSearchCV``.

    Returns two dicts by solver: the fitted ``GridSearchCV`` over
    ``Pipeline(StandardScaler(), estimator(solver=...))``, and a ``Counter`` of
    the ConvergenceWarnings its fits raised, by kind ("diverged", ...).
    """
    searches, warned = {}, {}
    for solver in ("batch", "sgd", "minibatch"):
        pipe = make_pipeline(
            StandardScaler(), estimator(solver=solver, random_state=random_state)
        )
        step = pipe.steps[-1][0]
        search = GridSearchCV(pipe, {f"{step}__learning_rate": LEARNING_RATES}, cv=5)
        with warnings.catch_warnings(record=True) as caught:
            # Too-large candidate rates diverge and warn; the search discards
            # them, and the demo counts them rather than hiding them.
            warnings.simplefilter("always", ConvergenceWarning)
            searches[solver] = search.fit(X_train, y_train)
        warned[solver] = Counter(
            _warning_kind(w.message)
            for w in caught
            if issubclass(w.category, ConvergenceWarning)
        )
    return searches, warned


def format_warnings(warned):
    """One line per solver whose search fits warned."""
    n_fits = 5 * len(LEARNING_RATES) + 1
    lines = []
    for solver, counts in warned.items():
        if counts:
            kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
            lines.append(f"  {solver}: {kinds} (of {n_fits} fits)")
    if not lines:
        return "No fit of the searches warned."
    return "ConvergenceWarnings in the searches:\n" + "\n".join(lines)


def _reference_row(task, name, model, X_train, y_train, X_test, y_test):
    model = make_pipeline(StandardScaler(), model)
    start = time.perf_counter()
    model.fit(X_train, y_train)
    elapsed = time.perf_counter() - start
    train_loss = task.loss(model, X_train, y_train)
    epochs = getattr(model[-1], "n_iter_", None)  # an array for LogisticRegression
    epochs = "-" if epochs is None else int(np.max(epochs))
    score = model.score(X_test, y_test)
    return (name, "-", epochs, "-", train_loss, score, elapsed)


def results_table(task, searches, X_train, y_train, X_test, y_test):
    """Rows of a demo table: one per solver, then the scikit-learn references.

    The training loss is the task's loss of the final model (no penalty), the
    same number for every row.
    """
    rows = []
    for solver, search in searches.items():
        gd = search.best_estimator_[-1]
        rows.append(
            (
                solver,
                f"{gd.learning_rate_:.4g}",
                gd.n_iter_,
                gd.stop_reason_,
                task.loss(search, X_train, y_train),
                search.score(X_test, y_test),
                search.refit_time_,
            )
        )
    for name, model in task.references.items():
        rows.append(_reference_row(task, name, model, X_train, y_train, X_test, y_test))
    return rows


def format_table(rows, score):
    header = [h.format(score) for h in HEADER]
    lines = ["{:<20}{:>14}{:>8}{:>11}{:>12}{:>15}{:>11}".format(*header)]
    for name, lr, epochs, stop, loss, test_score, seconds in rows:
        lines.append(
            f"{name:<20}{lr:>14}{epochs!s:>8}{stop:>11}{loss:>12.4g}"
            f"{test_score:>15.4f}{seconds * 1e3:>9.1f}ms"
        )
    return "\n".join(lines)


def plot_loss_curves(results, out):
    """One panel per task: each solver's training loss per epoch."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results), figsize=(12, 4.5))
    for ax, (task, searches) in zip(axes, results, strict=True):
        for solver, search in searches.items():
            gd = search.best_estimator_[-1]
            epochs = np.arange(1, gd.n_iter_ + 1)
            ax.plot(
                epochs,
                gd.loss_history_,
                label=f"{solver} (learning rate {gd.learning_rate_:.3g})",
            )
        ax.set(
            xscale="log",
            yscale="log",
            xlabel="epoch",
            ylabel=f"training loss ({task.loss_name})",
            title=f"{task.estimator.__name__} on the {task.name} data (standardised)",
        )
        ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def lr_finder_model():
    """The model of the demo's range test (seeded: the same suggestion every run)."""
    return make_pipeline(
        StandardScaler(), GDRegressor(solver="minibatch", random_state=0)
    )


def run_demo(out="skgd-demo.png"):
    """The demo; ``out`` names the loss curves' file, the other figures go
    beside it with the same extension."""
    out = Path(out)
    beside = {
        name: out.with_name(f"{out.stem}-{name}{out.suffix}")
        for name in ("learning-rates", "lr-finder")
    }
    results = []
    for task in TASKS:
        X, y = task.load(return_X_y=True)
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
        print(
            f"{task.estimator.__name__} on {task.name}: {len(X_train)} training and "
            f"{len(X_test)} test samples, {X.shape[1]} features; learning rate "
            f"chosen by 5-fold GridSearchCV over {LEARNING_RATES}\n"
        )
        searches, warned = fit_solvers(task.estimator, X_train, y_train)
        rows = results_table(task, searches, X_train, y_train, X_test, y_test)
        print(format_table(rows, task.score))
        print(format_warnings(warned), end="\n\n")
        results.append((task, searches))
    plot_loss_curves(results, out)
    print(f"loss curves written to {out}")

    plot_learning_rates(beside["learning-rates"])
    print(
        f"the lesson's learning rates on the loss surface: {beside['learning-rates']}"
    )
    X, y = load_diabetes(return_X_y=True)
    suggestion = plot_learning_rate_finder(lr_finder_model(), X, y, beside["lr-finder"])
    print(
        f"learning-rate range test of the minibatch GDRegressor: suggests "
        f"{suggestion:.3g} ({beside['lr-finder']})"
    )
