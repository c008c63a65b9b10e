"""Dask: the batch solver as a map-reduce on a real two-process LocalCluster,
against the in-memory fit of the same data; stochastic solvers through
partial_fit per chunk; out-of-core data larger than the workers' memory."""

import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from skgd import GDClassifier, GDRegressor
from skgd._backends import _dask_chunks

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

#: Each worker's memory limit, and data far larger than both together.
WORKER_MEMORY = 1024**3


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            memory_limit=WORKER_MEMORY,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1500, 6)) * [1.0, 2.0, 0.5, 1.0, 3.0, 1.0]
    y = X @ rng.normal(size=6) + 1.5 + 0.3 * rng.normal(size=1500)
    weights = rng.uniform(0.0, 2.0, size=1500)
    return X, y, weights


def on_dask(array):
    """Uneven row chunks, persisted on the cluster."""
    return da.from_array(array, chunks=(400,) + array.shape[1:]).persist()


def fit_both(estimator, X, y, **fit_params):
    """``estimator`` fitted in memory, and a clone of it on the Dask copies."""
    dask_params = {
        k: on_dask(v) if isinstance(v, np.ndarray) else v for k, v in fit_params.items()
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        in_memory = estimator.fit(X, y, **fit_params)
        on_cluster = estimator.__sklearn_clone__().fit(
            on_dask(X), on_dask(y), **dask_params
        )
    return in_memory, on_cluster


def assert_same_fit(in_memory, on_cluster, rtol=1e-10):
    """Coefficients to ``rtol`` relative, and every history."""
    scale = np.abs(in_memory.coef_).max()
    assert_allclose(on_cluster.coef_, in_memory.coef_, rtol=0, atol=rtol * scale)
    assert_allclose(
        on_cluster.intercept_, in_memory.intercept_, rtol=0, atol=rtol * scale
    )
    assert on_cluster.n_iter_ == in_memory.n_iter_
    assert on_cluster.stop_reason_ == in_memory.stop_reason_
    assert on_cluster.t_ == in_memory.t_
    assert_allclose(on_cluster.learning_rate_, in_memory.learning_rate_, rtol=1e-12)
    assert_allclose(on_cluster.loss_history_, in_memory.loss_history_, rtol=rtol)
    assert_allclose(
        on_cluster.coef_history_, in_memory.coef_history_, atol=rtol * scale
    )
    memory_frame = in_memory.history_.drop(columns="time")
    cluster_frame = on_cluster.history_.drop(columns="time")
    pd.testing.assert_frame_equal(cluster_frame, memory_frame, rtol=rtol)


REGRESSOR_SETTINGS = {
    "auto step": dict(),
    "momentum": dict(optimizer="momentum", learning_rate=0.01),
    "nesterov, cosine": dict(
        optimizer="nesterov", learning_rate=0.01, lr_schedule="cosine"
    ),
    "adam, elasticnet": dict(
        optimizer="adam", learning_rate=0.1, penalty="elasticnet", alpha=0.05
    ),
    "rmsprop, l1": dict(optimizer="rmsprop", learning_rate=0.01, penalty="l1"),
    "adagrad, invscaling": dict(
        optimizer="adagrad", learning_rate=0.5, lr_schedule="invscaling"
    ),
    "l2, no intercept": dict(penalty="l2", alpha=0.1, fit_intercept=False),
    "adaptive schedule, converges": dict(
        learning_rate=0.3, lr_schedule="adaptive", tol=1e-6, max_iter=500
    ),
    "early stopping": dict(early_stopping=True, tol=1e-4, max_iter=100),
    "huber, per update": dict(loss="huber", record="update"),
    "quantile": dict(loss="quantile", quantile=0.8, learning_rate=0.5),
    "diverges": dict(learning_rate=5.0),
}


@pytest.mark.parametrize(
    "params", REGRESSOR_SETTINGS.values(), ids=REGRESSOR_SETTINGS.keys()
)
def test_regressor_matches_the_in_memory_fit(client, problem, params):
    X, y, weights = problem
    params = {"max_iter": 40, "random_state": 0, "record": "epoch", **params}
    in_memory, on_cluster = fit_both(GDRegressor(**params), X, y, sample_weight=weights)
    assert_same_fit(in_memory, on_cluster)
    if params.get("learning_rate") == 5.0:
        assert on_cluster.stop_reason_ == "diverged"
    if params.get("early_stopping"):
        assert on_cluster.stop_reason_ == "early_stopping"


def test_regressor_float32_and_several_targets(client, problem):
    X, y, _ = problem
    Y = np.column_stack([y, -2.0 * y + 1.0]).astype(np.float32)
    in_memory, on_cluster = fit_both(GDRegressor(max_iter=30), X.astype(np.float32), Y)
    assert on_cluster.coef_.dtype == np.float32
    assert on_cluster.coef_.shape == (2, 6)
    assert_same_fit(in_memory, on_cluster, rtol=1e-5)


CLASSIFIER_SETTINGS = {
    "binary log loss": (2, dict()),
    "multinomial, adam": (3, dict(optimizer="adam", learning_rate=0.05)),
    "one-vs-rest hinge, l1": (3, dict(loss="hinge", penalty="l1", alpha=0.01)),
    "balanced, early stopping": (
        3,
        dict(
            class_weight="balanced",
            early_stopping=True,
            tol=1e-3,
            learning_rate=1.0,
            max_iter=100,
        ),
    ),
    "modified huber, class weights": (
        2,
        dict(loss="modified_huber", class_weight={0: 3}),
    ),
}


@pytest.mark.parametrize(
    "n_classes, params",
    CLASSIFIER_SETTINGS.values(),
    ids=CLASSIFIER_SETTINGS.keys(),
)
def test_classifier_matches_the_in_memory_fit(client, problem, n_classes, params):
    X, y, _ = problem
    # Uneven classes, so that "balanced" weighs them differently.
    labels = np.digitize(y, np.quantile(y, [0.2, 0.7][: n_classes - 1]))
    params = {"max_iter": 40, "random_state": 0, "record": "epoch", **params}
    in_memory, on_cluster = fit_both(GDClassifier(**params), X, labels)
    assert_array_equal(on_cluster.classes_, in_memory.classes_)
    assert_same_fit(in_memory, on_cluster)
    if params.get("early_stopping"):
        assert "val_accuracy" in on_cluster.history_
        assert on_cluster.stop_reason_ == "early_stopping"


def test_predictions_are_lazy_dask_arrays(client, problem):
    X, y, _ = problem
    labels = np.array(["low", "mid", "high"])[np.digitize(y, [-1.0, 2.0])]
    classifier = GDClassifier(max_iter=20).fit(on_dask(X), on_dask(labels))
    regressor = GDRegressor(max_iter=20).fit(on_dask(X), on_dask(y))
    X_dask = on_dask(X)
    for model, method in [
        (classifier, "predict"),
        (classifier, "predict_proba"),
        (classifier, "predict_log_proba"),
        (classifier, "decision_function"),
        (regressor, "predict"),
    ]:
        lazy = getattr(model, method)(X_dask)
        assert isinstance(lazy, da.Array)
        expected = getattr(model, method)(X)
        assert lazy.shape == expected.shape
        assert lazy.dtype == expected.dtype
        assert_array_equal(lazy.compute(), expected)


def test_dask_dataframe(client, problem):
    X, y, _ = problem
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(6)]).assign(y=y)
    table = dd.from_pandas(frame, npartitions=4).persist()
    features = table.drop(columns="y")
    in_memory = GDRegressor(max_iter=20).fit(frame.drop(columns="y"), y)
    # As the recipe has it, and as the DataFrame itself.
    from_arrays = GDRegressor(max_iter=20).fit(
        features.to_dask_array(lengths=True), table["y"].to_dask_array(lengths=True)
    )
    from_frames = GDRegressor(max_iter=20).fit(features, table["y"])
    assert_same_fit(in_memory, from_arrays)
    assert_same_fit(in_memory, from_frames)
    assert_array_equal(from_frames.feature_names_in_, in_memory.feature_names_in_)
    assert not hasattr(from_arrays, "feature_names_in_")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "X does not have valid feature names"
        predicted = from_frames.predict(features).compute()
    assert_allclose(predicted, in_memory.predict(frame.drop(columns="y")))


def test_in_memory_targets_and_weights_with_empty_chunks(client, problem):
    """A dask X (filtered: some chunks are empty) with y and sample weights in
    memory; a warm start continues from the previous fit."""
    X, y, weights = problem
    rows = np.arange(len(y))
    keep = (X[:, 0] > 0.6) & ((rows < 200) | (rows >= 400))  # chunk 1 is empty
    X_dask = da.from_array(X, chunks=(200, 6))[da.from_array(keep, chunks=200)]
    X_dask.compute_chunk_sizes()
    assert 0 in X_dask.chunks[0]
    params = dict(max_iter=15, warm_start=True, learning_rate="auto")
    in_memory = GDRegressor(**params).fit(X[keep], y[keep], weights[keep])
    on_cluster = GDRegressor(**params).fit(X_dask, y[keep], weights[keep])
    assert_same_fit(in_memory, on_cluster)
    in_memory.fit(X[keep], y[keep], weights[keep])
    on_cluster.fit(X_dask, y[keep], weights[keep])
    assert on_cluster.n_iter_ == 15
    assert_same_fit(in_memory, on_cluster)


@pytest.mark.filterwarnings("ignore:Dask currently has limited support")
def test_classifier_on_a_dask_dataframe(client, problem):
    X, y, _ = problem
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(6)])
    labels = pd.Series(np.where(y > 1.0, "high", "low"), name="label")
    in_memory = GDClassifier(max_iter=20).fit(frame, labels)
    on_cluster = GDClassifier(max_iter=20).fit(
        dd.from_pandas(frame, npartitions=3), dd.from_pandas(labels, npartitions=3)
    )
    assert_same_fit(in_memory, on_cluster)
    assert_array_equal(on_cluster.feature_names_in_, frame.columns)


def test_prediction_dtype_follows_the_computation(client, problem):
    """Fitted in float64, predicting float32 chunks gives float64, as in memory."""
    X, y, _ = problem
    regressor = GDRegressor(max_iter=5).fit(X, np.column_stack([y, y]))
    classifier = GDClassifier(max_iter=5).fit(X, np.digitize(y, [0.0, 2.0]))
    X32 = X.astype(np.float32)
    for method in (regressor.predict, classifier.predict_proba):
        lazy = method(on_dask(X32))
        assert lazy.dtype == method(X32).dtype == np.float64
        assert lazy.compute().dtype == np.float64


def test_batch_partial_fit_continues_on_the_cluster(client, problem):
    X, y, _ = problem
    in_memory, on_cluster = GDRegressor(optimizer="adam"), GDRegressor(optimizer="adam")
    X_dask, y_dask = on_dask(X), on_dask(y)
    for _ in range(3):
        in_memory.partial_fit(X, y)
        on_cluster.partial_fit(X_dask, y_dask)
    assert_same_fit(in_memory, on_cluster)


def test_auto_step_by_map_reduce_power_iteration(client, problem, monkeypatch):
    """Above MAX_GRAM_SIZE columns, each power iteration is a map-reduce."""
    X, y, _ = problem
    monkeypatch.setattr(_dask_chunks, "MAX_GRAM_SIZE", 0)
    in_memory, on_cluster = fit_both(GDRegressor(max_iter=5), X, y)
    assert_same_fit(in_memory, on_cluster)


def test_works_without_a_distributed_client(problem):
    X, y, _ = problem
    with __import__("dask").config.set(scheduler="threads"):
        X_dask = da.from_array(X, chunks=(400, 6))
        y_dask = da.from_array(y, chunks=400)
        on_threads = GDRegressor(max_iter=10).fit(X_dask, y_dask)
    assert_same_fit(GDRegressor(max_iter=10).fit(X, y), on_threads)


def test_stochastic_solvers_learn_chunk_by_chunk(client, problem):
    """One partial_fit per chunk: the documented loop, and dask-ml's Incremental
    (which runs the same calls on the workers)."""
    X, y, _ = problem
    X_dask, y_dask = on_dask(X), on_dask(y)
    params = dict(solver="minibatch", batch_size=32, learning_rate=0.01, shuffle=False)
    in_memory = GDRegressor(**params)
    for rows in np.split(np.arange(len(y)), [400, 800, 1200]):
        in_memory.partial_fit(X[rows], y[rows])
    looped = GDRegressor(**params)
    for X_chunk, y_chunk in zip(X_dask.blocks, y_dask.blocks, strict=True):
        looped.partial_fit(X_chunk.compute(), y_chunk.compute())
    assert_same_fit(in_memory, looped, rtol=1e-14)

    incremental = pytest.importorskip("dask_ml.wrappers").Incremental(
        GDRegressor(**params), shuffle_blocks=False
    )
    incremental.fit(X_dask, y_dask)
    assert_same_fit(in_memory, incremental.estimator_, rtol=1e-14)


@pytest.mark.parametrize(
    "make_input, message",
    [
        (
            lambda X, y: (X.map_blocks(lambda b: b * np.nan), y),
            "Input X contains NaN",
        ),
        (lambda X, y: (X, y[:-1]), "inconsistent numbers of samples"),
        (lambda X, y: (X[X[:, 0] > 0], y), "unknown size"),
        (lambda X, y: (X[:, 0], y), "Expected 2D array"),
    ],
    ids=["nan", "lengths", "unknown chunks", "1-D X"],
)
def test_bad_input(client, problem, make_input, message):
    X, y, _ = problem
    X_dask, y_dask = make_input(on_dask(X), on_dask(y))
    with pytest.raises(ValueError, match=message):
        GDRegressor().fit(X_dask, y_dask)


def test_bad_weights_and_stochastic_fit_are_refused(client, problem):
    X, y, weights = problem
    with pytest.raises(ValueError, match="Negative values in data passed to"):
        GDRegressor().fit(on_dask(X), on_dask(y), sample_weight=on_dask(-weights))
    with pytest.raises(ValueError, match="at least one non-zero number"):
        GDRegressor().fit(on_dask(X), on_dask(y), sample_weight=on_dask(0 * weights))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        GDRegressor().fit(on_dask(X), y[:-1])
    with pytest.raises(ValueError, match="solver='batch', or call partial_fit"):
        GDRegressor(solver="sgd").fit(on_dask(X), on_dask(y))


def memory(field):
    """This process's ``VmRSS`` (resident memory) or ``VmHWM`` (its peak since
    the last reset), in bytes."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+) kB", status).group(1)) * 1024


def reset_peak_memory():
    """Reset the peak to the current resident memory; return that."""
    Path("/proc/self/clear_refs").write_text("5")
    return memory("VmRSS")


def peak_memory_since_reset():
    return memory("VmHWM")


@pytest.mark.skipif(
    not Path("/proc/self/clear_refs").exists(), reason="needs Linux's VmHWM reset"
)
def test_out_of_core_fit_never_gathers_X(client):
    """2.4 GB of X, never materialised whole (each task draws its chunk), on two
    workers of 1 GiB each; neither the client nor a worker holds it."""
    n_samples, n_features = 3_000_000, 100
    X = da.random.default_rng(0).random(
        (n_samples, n_features), chunks=(100_000, n_features)
    )
    assert X.nbytes > 2 * WORKER_MEMORY
    coef = np.linspace(-1.0, 1.0, n_features)
    y = X @ coef + 0.5
    learning_rate, n_epochs = 0.01, 2

    workers = set(client.scheduler_info()["workers"])
    client.run(reset_peak_memory)
    client_start = reset_peak_memory()
    model = GDRegressor(learning_rate=learning_rate, max_iter=n_epochs, tol=None)
    model.fit(X, y)
    client_peak = peak_memory_since_reset()
    worker_peaks = client.run(peak_memory_since_reset)

    # The update written out, with Dask's own array operations.
    W, b = np.zeros(n_features), 0.0
    for _ in range(n_epochs):
        residual = X @ W + b - y
        grad, grad_b = da.compute(
            2.0 * (X.T @ residual) / n_samples, 2.0 * residual.mean()
        )
        W, b = W - learning_rate * grad, b - learning_rate * grad_b
    assert_allclose(model.coef_, W, rtol=1e-10)
    assert_allclose(model.intercept_, b, rtol=1e-10)

    assert set(client.scheduler_info()["workers"]) == workers  # none restarted
    assert client_peak - client_start < X.nbytes / 20
    assert max(worker_peaks.values()) < WORKER_MEMORY


def test_skgd_does_not_import_dask_for_in_memory_data():
    code = (
        "import sys, numpy as np, skgd\n"
        "X = np.random.default_rng(0).normal(size=(50, 3))\n"
        "skgd.GDRegressor(max_iter=3).fit(X, X.sum(axis=1)).predict(X)\n"
        "skgd.GDClassifier(max_iter=3).fit(X, X[:, 0] > 0).predict(X)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('dask', 'distributed')))\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"


@pytest.mark.parametrize("scale", [1e308, 1e-310])
@pytest.mark.parametrize("early_stopping", [False, True])
def test_uniform_weights_of_any_size_give_the_unweighted_fit(
    client, problem, scale, early_stopping
):
    X, y, _ = problem
    params = dict(max_iter=5, tol=None, early_stopping=early_stopping, random_state=0)
    unweighted = GDRegressor(**params).fit(X, y)
    weights = on_dask(np.full(len(y), scale))
    on_cluster = GDRegressor(**params).fit(
        on_dask(X), on_dask(y), sample_weight=weights
    )
    assert_allclose(on_cluster.coef_, unweighted.coef_, rtol=1e-10)
