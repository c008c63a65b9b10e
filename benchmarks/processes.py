"""Measurements that need a fresh process: the first fit, and peak memory."""

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent

FIRST_FIT = """
import numpy as np
from {module} import {name}
X = np.random.default_rng(0).standard_normal((200, 5))
{name}().fit(X, X.sum(axis=1))
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


def first_fit_seconds(module, name, repeats):
    """Median wall time of a new Python process importing ``name`` and fitting
    it on 200 x 5 data (after one run, so that numba's disk cache is warm)."""
    script = FIRST_FIT.format(module=module, name=name)
    subprocess.run([sys.executable, "-c", script], check=True)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", script], check=True)
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


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
