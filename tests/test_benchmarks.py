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
        "reach LinearRegression's MSE within 1e-6",
        "peak memory above X, float32",
        "first fits, new process, empty cache",
        "first fits, new process, cache warm",
        "sgd epoch, sparse",
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
            assert difference < 1e-12, name
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
