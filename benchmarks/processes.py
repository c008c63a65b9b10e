"""Measurements that need a fresh process: the first fits, and peak memory."""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent

# Both estimators' defaults on two datasets a user starts with, standardised:
# the whole process is timed, from the interpreter's start.
FIRST_FITS = """
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.preprocessing import StandardScaler
from {module} import {regressor}, {classifier}
tasks = ((load_diabetes, {regressor}), (load_breast_cancer, {classifier}))
for load, estimator in tasks:
    X, y = load(return_X_y=True)
    estimator().fit(StandardScaler().fit_transform(X), y)
"""

PEAK_MEMORY = """
import json, sys, time
import numpy as np
sys.path.insert(0, {here!r})
from data import make_data
from {module} import {name}

def high_water_mark():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) * 1024

X, y = make_data({n_samples}, {n_features}, np.{dtype})
{name}(**{params}).fit(X[:1000], y[:1000])  # load the compiled code
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")  # the high-water mark starts again from here
before = high_water_mark()
start = time.perf_counter()
model = {name}(**{params}).fit(X, y)
seconds = time.perf_counter() - start
extra = high_water_mark() - before
mse = float(np.mean((model.predict(X) - y) ** 2))
print(json.dumps(dict(seconds=seconds, extra=extra, x_bytes=X.nbytes, mse=mse)))
"""


def _process_seconds(script, env=None):
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-W", "ignore", "-c", script],
        check=True,
        env=None if env is None else {**os.environ, **env},
    )
    return time.perf_counter() - start


def first_fits_seconds(repeats):
    """Median wall times of a new process fitting GDRegressor and GDClassifier
    with an empty numba cache (cold) and with the cache those fits filled
    (warm), and of one fitting SGDRegressor and SGDClassifier; interleaved."""
    ours = FIRST_FITS.format(
        module="skgd", regressor="GDRegressor", classifier="GDClassifier"
    )
    peers = FIRST_FITS.format(
        module="sklearn.linear_model",
        regressor="SGDRegressor",
        classifier="SGDClassifier",
    )
    _process_seconds(peers)  # the OS's file cache warm for both
    cold, warm, peer = [], [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as cache:
            peer.append(_process_seconds(peers))
            cold.append(_process_seconds(ours, {"NUMBA_CACHE_DIR": cache}))
            warm.append(_process_seconds(ours, {"NUMBA_CACHE_DIR": cache}))

    def median(times):
        return sorted(times)[len(times) // 2]

    return median(cold), median(warm), median(peer)


def fit_in_fresh_process(module, name, params, n_samples, n_features, dtype):
    """Time, extra peak memory (bytes above the process's memory with ``X``
    loaded) and training MSE of one fit, in a process of its own."""
    script = PEAK_MEMORY.format(
        here=str(HERE),
        module=module,
        name=name,
        params=params,
        n_samples=n_samples,
        n_features=n_features,
        dtype=dtype,
    )
    out = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout)
