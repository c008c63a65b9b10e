"""The kernels against the memory wall: how far each epoch is from the limits
it can reach on this machine, with the goals of the memory-wall issue.

- the adaptive optimizers' epochs against plain SGD's (batch and mini-batch
  256): the rule's per-coordinate work should hide behind reading ``X``;
- the full-batch epoch's time per element at 10, 100 and 1000 features (the
  same number of elements), against one read of the same ``X``;
- the per-sample SGD epoch against a bare compiled dot-and-axpy loop making
  the same updates (the least a per-sample epoch can do).

``run.batch_rows`` has the full-batch epoch against one read of ``X`` on one
and two threads.
"""

import numba
import numpy as np
from data import make_data
from peers import gd_fitter

#: The goals of the memory-wall issue.
ADAPTIVE_VS_SGD = 1.15
BATCH_VS_READ = 1.3
SGD_VS_BARE_LOOP = 1.1


@numba.njit(nogil=True, fastmath=True)
def bare_sgd_epoch(X, y, w, learning_rate):
    """Per-sample SGD on the mean squared error, data order, no penalty: the
    row's dot product, then its axpy (``w[-1]`` is the intercept)."""
    n_features = X.shape[1]
    for i in range(X.shape[0]):
        z = float(w[n_features])
        for j in range(n_features):
            z += X[i, j] * w[j]
        step = learning_rate * 2.0 * (z - y[i])
        for j in range(n_features):
            w[j] -= step * X[i, j]
        w[n_features] -= step


def adaptive_rows(Row, X, y, repeats, label, epoch_times):
    """Adam, RMSprop and Adagrad epochs against plain SGD's, batch and
    mini-batch 256, all timed in turn."""
    rows = []
    adaptive = ("adam", "rmsprop", "adagrad")
    for solver in ("batch", "minibatch"):
        what = "batch" if solver == "batch" else "minibatch(256)"
        fits = [
            gd_fitter(X, y, solver, 1e-3, 256, optimizer=optimizer)
            for optimizer in ("sgd", *adaptive)
        ]
        plain, *times = epoch_times(fits, repeats)
        for optimizer, seconds in zip(adaptive, times, strict=True):
            rows.append(
                Row(
                    f"{what} epoch{label}, {optimizer}",
                    seconds,
                    f"{what} epoch{label}, sgd",
                    plain,
                    ADAPTIVE_VS_SGD,
                )
            )
    return rows


def width_rows(Row, n_elements, repeats, epoch_time, median_time, read):
    """The full-batch epoch at 10, 100 and 1000 features, each against one
    read of its ``X`` (the same number of elements): flat when every ratio
    meets the goal."""
    rows = []
    for n_features in (10, 100, 1000):
        X, y = make_data(n_elements // n_features, n_features)
        floor = median_time(lambda X=X: read(X), repeats)
        ours = epoch_time(gd_fitter(X, y, "batch", 1e-3), repeats)
        per_element = ours / X.size * 1e9
        rows.append(
            Row(
                f"batch epoch, {X.shape[0]} x {n_features}",
                ours,
                "read of X, 1 thread(s)",
                floor,
                BATCH_VS_READ,
                f"{per_element:.3f} ns an element",
            )
        )
        del X, y
    return rows


def bare_loop_rows(Row, X, y, repeats, label, epoch_times):
    """The per-sample epoch against ``bare_sgd_epoch``, same updates, the two
    timed in turn (each as a fit of several epochs less a fit of one)."""
    lr = 1e-3
    w = np.zeros(X.shape[1] + 1, dtype=X.dtype)

    def bare(epochs):
        w[:] = 0.0
        for _ in range(epochs):
            bare_sgd_epoch(X, y, w, lr)

    ours = gd_fitter(X, y, "sgd", lr)
    ours_seconds, bare_seconds = epoch_times([ours, bare], repeats)
    bare(1)
    difference = np.abs(ours(1).coef_ - w[:-1]).max() / np.abs(w[:-1]).max()
    return [
        Row(
            f"sgd epoch{label}, sgd, against a bare loop",
            ours_seconds,
            "bare dot-and-axpy loop",
            bare_seconds,
            SGD_VS_BARE_LOOP,
            f"coef differ by {difference:.1e}",
        )
    ]
