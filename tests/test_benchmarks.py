"""The benchmark script runs (a seconds-long smoke run, so that it never rots).

Timings are not asserted here: speed is measured by ``make bench``, side by side.
What is asserted is that each row compares like with like: the peers make the
same updates, so the coefficients agree.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[1] / "benchmarks" / "run.py"


def test_benchmark_smoke_run_prints_the_table():
    out = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout
    for row in (
        "batch epoch, sgd, 1 thread(s)",
        "batch epoch, sgd, 2 thread(s)",
        "sgd epoch, sgd",
        "sgd epoch, sgd, against a bare loop",
        "batch epoch, adam",
        "minibatch(256) epoch float32, rmsprop",
        "batch epoch, 400 x 1000",
        "reach LinearRegression's MSE within 1e-6",
        "peak memory above X, float32",
        "first fits, new process, empty cache",
        "first fits, new process, cache warm",
        "sgd epoch, sparse",
        "sgd hinge + l2, sparse",
        "averaged sgd hinge + l2, sparse",
        "lazy adam minibatch 32",
        "lazy adam sgd hinge + l2, sparse",
        "averaged sgd, log loss, 1 epoch",
        "averaged sgd, squared error, 1 epoch",
    ):
        assert row in out
    differences = {
        line.split("  ")[0]: float(re.search(r"coef differ by (\S+)", line)[1])
        for line in out.splitlines()
        if "coef differ by" in line
    }
    # SGDRegressor (eta0 = 2 * learning_rate) and PyTorch's loop make the same
    # updates as skgd in float64, dense and sparse.
    for name, difference in differences.items():
        if "float32" not in name:
            # (Averaging's lazy sums round differently from scikit-learn's.)
            assert difference < (1e-10 if "averaged" in name else 1e-12), name
    # The averaged fits make the peers' updates: they end as far from the
    # optimum (the log loss's up to rounding, which its first large steps,
    # alpha ** -0.25, amplify over thousands of updates).
    gaps = re.findall(r"(log loss|squared error).*optimum by (\S+) \(peer (\S+)\)", out)
    assert [loss for loss, *_ in gaps] == ["log loss", "squared error"]
    for loss, ours, theirs in gaps:
        rel = 0.2 if loss == "log loss" else 1e-6
        assert float(ours) == pytest.approx(float(theirs), rel=rel)
    mse_gap = float(re.search(r"epochs; MSE (\S+) relative", out)[1])
    assert 0 <= mse_gap <= 1e-6


def test_scaling_out_smoke_run_prints_the_table():
    pytest.importorskip("distributed")
    out = subprocess.run(
        [sys.executable, str(SCRIPT.parent / "scaling_out.py"), "--quick"],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout
    for row in (
        "batch epoch, Dask",
        "scheduling overhead per epoch, 100 chunks",
        "out-of-core batch epoch, .npy stack",
        "peak memory of a worker",
        "client's peak memory above its start",
    ):
        assert row in out
    # The Dask fit and the in-memory fit make the same updates.
    difference = float(re.search(r"coef differ by (\S+)", out)[1])
    assert difference < 1e-12


def test_device_epoch_smoke_run_prints_the_table():
    pytest.importorskip("torch")
    out = subprocess.run(
        [sys.executable, str(SCRIPT.parent / "device_epoch.py"), "--quick"],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout
    for row in (
        "batch epoch, sgd",
        "batch epoch, adam",
        "PyTorch loop by hand",
        "minibatch(256) epoch",
    ):
        assert row in out
    # The device fit makes the NumPy fit's updates (float32 here).
    difference = float(re.search(r"NumPy fit: (\S+) \(relative\)", out)[1])
    assert difference < 1e-5
