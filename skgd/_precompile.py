"""``python -m skgd precompile``: compile the kernels into numba's cache ahead.

Each kernel is compiled for one loss, one optimizer rule, one dtype and dense
or sparse ``X``; a tiny fit of each combination compiles (or loads) it, and
numba writes it to its cache, where every later process finds it.
"""

import itertools
import time
import warnings

import numpy as np
import scipy.sparse as sp

from ._estimators._classifier import LOSSES as CLASSIFICATION_LOSSES
from ._jit import CACHE, CACHE_DIRECTORY
from ._losses import REGRESSION_LOSSES
from .optim._optimizers import OPTIMIZERS

SOLVERS = ("batch", "sgd", "minibatch")


def combinations(everything=False):
    """``(estimator class, params, dtype, sparse)`` of each fit to compile."""
    from ._estimators._classifier import GDClassifier
    from ._estimators._regressor import GDRegressor

    default = {GDRegressor: "squared_error", GDClassifier: "log_loss"}
    losses = {
        GDRegressor: sorted(REGRESSION_LOSSES),
        GDClassifier: sorted(CLASSIFICATION_LOSSES),
    }
    pairs = []
    for estimator, names in losses.items():
        if everything:
            pairs += [
                (estimator, loss, optimizer)
                for loss, optimizer in itertools.product(names, OPTIMIZERS)
            ]
        else:
            pairs += [(estimator, default[estimator], opt) for opt in OPTIMIZERS]
            pairs += [(estimator, loss, "sgd") for loss in names]
    layouts = (False, True) if everything else (False,)
    for (estimator, loss, optimizer), solver, dtype, sparse in itertools.product(
        dict.fromkeys(pairs), SOLVERS, (np.float64, np.float32), layouts
    ):
        params = dict(loss=loss, optimizer=optimizer, solver=solver)
        yield estimator, params, dtype, sparse


def _data(estimator, dtype, sparse):
    from ._estimators._classifier import GDClassifier

    rng = np.random.default_rng(0)
    X = rng.standard_normal((12, 3)).astype(dtype)
    if estimator is GDClassifier:
        # Three classes (the multinomial and one-vs-rest kernels), and two.
        data = [(X, np.arange(12) % 3), (X, np.arange(12) % 2)]
    else:
        data = [(X, X @ np.array([1.0, -1.0, 0.5], dtype=dtype))]
    return [(sp.csr_matrix(X), y) for X, y in data] if sparse else data


def precompile(everything=False, out=print):
    """Fit every combination once on tiny data; return how many were fitted."""
    if not CACHE:
        out("skgd: numba has no writable cache here; nothing to precompile into.")
        return 0
    where = CACHE_DIRECTORY or "numba's cache"
    jobs = list(combinations(everything))
    out(f"skgd: compiling the kernels of {len(jobs)} kinds of fit into {where}")
    start = time.perf_counter()
    for k, (estimator, params, dtype, sparse) in enumerate(jobs, 1):
        for X, y in _data(estimator, dtype, sparse):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                estimator(max_iter=2, tol=None, **params).fit(X, y)
        if k % 10 == 0 or k == len(jobs):
            out(f"  {k}/{len(jobs)} ({time.perf_counter() - start:.0f} s)")
    return len(jobs)
