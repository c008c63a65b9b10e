"""The benchmark script runs (a seconds-long smoke run, so that it never rots).

Timings are not asserted here: speed is measured by ``make bench``, side by side.
"""

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parents[1] / "benchmarks" / "run.py"


def test_benchmark_smoke_run_prints_the_table():
    out = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout
    assert "sgd epoch / SGDRegressor epoch" in out
    difference = float(out.rsplit("max relative difference", 1)[1])
    # Same updates as SGDRegressor with eta0 = 2 * learning_rate.
    assert difference < 1e-12
