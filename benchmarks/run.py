"""Side-by-side timings of skgd against its peers and the memory-bandwidth limit.

Run ``make bench`` (or ``python benchmarks/run.py [--quick]``). Every row times
skgd and its peer in the same run, on the same data (fixed seed), as medians
over several repeats, and prints their ratio next to the target; the table is
a reStructuredText table, as on the docs' Performance page.
"""

import argparse
import os
import platform
import time
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numba
import numpy as np
from data import make_data, make_sparse_data
from memory_wall import (
    BATCH_VS_READ,
    adaptive_rows,
    bare_loop_rows,
    width_rows,
)
from peers import gd_fitter, sgd_regressor_fitter, torch_epoch
from processes import first_fits_seconds, fit_in_fresh_process
from sgd_home import sparse_text_rows, time_to_quality_rows


class Row(NamedTuple):
    name: str
    ours: float  # seconds (or bytes, for memory)
    peer: str
    theirs: float
    target: float | None = None  # the ratio ours / theirs must not exceed it
    note: str = ""
    unit: str = "s"  # or "bytes"

    @property
    def ratio(self):
        return self.ours / self.theirs if self.theirs else float("nan")


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def epoch_times(fits, repeats, epochs=4):
    """Seconds per epoch of each fit: a fit of ``1 + epochs`` epochs minus a
    fit of one, so that input validation and set-up are not counted. All the
    fits run in turn (the machine's drift hits them alike), and the medians
    are taken."""
    for fit in fits:
        fit(1)  # compiled, and X in the file cache, before the timing
    one, more = [[] for _ in fits], [[] for _ in fits]
    for _ in range(repeats):
        for k, fit in enumerate(fits):
            one[k].append(median_time(lambda fit=fit: fit(1), 1))
            more[k].append(median_time(lambda fit=fit: fit(1 + epochs), 1))
    return [
        max(float(np.median(m)) - float(np.median(o)), 0.0) / epochs
        for o, m in zip(one, more, strict=True)
    ]


def epoch_time(fit, repeats, epochs=4):
    """``epoch_times`` of one fit."""
    return epoch_times([fit], repeats, epochs)[0]


@numba.njit(nogil=True, fastmath=True)
def streaming_read(X):
    """Touch every element of X once: the floor for a full-batch epoch."""
    total = 0.0
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            total += X[i, j]
    return total


def threaded_read(X, pool, n_threads):
    """``streaming_read`` with each thread reading its share of the rows."""
    shares = np.array_split(np.arange(len(X)), n_threads)
    futures = [pool.submit(streaming_read, X[s[0] : s[-1] + 1]) for s in shares]
    return sum(future.result() for future in futures)


def relative_difference(ours, theirs):
    return float(np.abs(ours - theirs).max() / np.abs(theirs).max())


def batch_rows(X, y, repeats, label):
    """The batch epoch against one read of X, on one and on two threads."""
    streaming_read(X[:10])
    read = median_time(lambda: streaming_read(X), repeats)
    with ThreadPoolExecutor(2) as pool:
        read_2 = median_time(lambda: threaded_read(X, pool, 2), repeats)
    rows = []
    for n_jobs, floor in ((1, read), (2, read_2)):
        fit = gd_fitter(X, y, "batch", 1e-3, n_jobs=n_jobs)
        rows.append(
            Row(
                f"batch epoch{label}, sgd, {n_jobs} thread(s)",
                epoch_time(fit, repeats),
                f"read of X, {n_jobs} thread(s)",
                floor,
                BATCH_VS_READ,
            )
        )
    return rows


def sgd_rows(X, y, repeats, label):
    """Per-sample SGD against SGDRegressor making the same updates."""
    lr = 1e-3
    peer = epoch_time(sgd_regressor_fitter(X, y, lr), repeats)
    difference = relative_difference(
        gd_fitter(X, y, "sgd", lr)(2).coef_, sgd_regressor_fitter(X, y, lr)(2).coef_
    )
    rows = []
    for optimizer in ("sgd", "adam"):
        ours = epoch_time(gd_fitter(X, y, "sgd", lr, optimizer=optimizer), repeats)
        note = f"coef differ by {difference:.1e}" if optimizer == "sgd" else ""
        target = 0.5 if optimizer == "sgd" and not label else None
        rows.append(
            Row(
                f"sgd epoch{label}, {optimizer}",
                ours,
                "SGDRegressor",
                peer,
                target,
                note,
            )
        )
    return rows


def torch_rows(X, y, repeats, label):
    """Mini-batch epochs against PyTorch's loop, same updates."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return []
    rows = []
    for optimizer, lr in (("sgd", 1e-3), ("adam", 1e-3)):
        for batch_size in (32, 256):
            epoch = torch_epoch(X, y, lr, batch_size, optimizer)
            coef, _ = epoch()
            ours_fit = gd_fitter(X, y, "minibatch", lr, batch_size, optimizer)
            difference = relative_difference(ours_fit(1).coef_, coef)
            rows.append(
                Row(
                    f"minibatch({batch_size}) epoch{label}, {optimizer}",
                    epoch_time(ours_fit, repeats),
                    "PyTorch loop",
                    median_time(epoch, max(1, repeats // 2)),
                    0.02 if batch_size == 256 and optimizer == "sgd" else None,
                    f"coef differ by {difference:.1e}",
                )
            )
    return rows


def reach_least_squares_rows(n_samples, n_features):
    """Time and peak memory of batch GD ("auto" step) to reach
    LinearRegression's training MSE within 1e-6, against LinearRegression.

    The number of epochs is read off a first fit's ``loss_history_``; the timed
    fits run that many, each in a process of its own.
    """
    shape = dict(n_samples=n_samples, n_features=n_features)
    exact = fit_in_fresh_process(
        "sklearn.linear_model", "LinearRegression", {}, dtype="float64", **shape
    )
    X, y = make_data(n_samples, n_features)
    probe = gd_fitter(X, y, "batch", "auto", n_jobs=-1)(300)
    reached = np.flatnonzero(probe.loss_history_ <= exact["mse"] * (1 + 1e-6))
    epochs = int(reached[0]) if reached.size else 300
    del X, y, probe
    params = dict(max_iter=epochs, tol=None, record=None, n_jobs=-1)
    rows = []
    for dtype in ("float64", "float32"):
        ours = fit_in_fresh_process("skgd", "GDRegressor", params, dtype=dtype, **shape)
        gap = ours["mse"] / exact["mse"] - 1
        if dtype == "float64":
            rows.append(
                Row(
                    "reach LinearRegression's MSE within 1e-6",
                    ours["seconds"],
                    "LinearRegression.fit",
                    exact["seconds"],
                    1.0,
                    f"{epochs} epochs; MSE {gap:+.1e} relative",
                )
            )
        rows.append(
            Row(
                f"  peak memory above X, {dtype}",
                ours["extra"],
                "size of X",
                ours["x_bytes"],
                0.1,
                f"MSE {gap:+.1e} relative" if dtype == "float32" else "",
                unit="bytes",
            )
        )
    rows.append(
        Row(
            "  LinearRegression's peak memory above X",
            exact["extra"],
            "size of X",
            exact["x_bytes"],
            unit="bytes",
        )
    )
    return rows


def sparse_rows(n_samples, n_features, nnz_per_row, repeats):
    """Per-sample SGD on text-like CSR data against SGDRegressor (no intercept:
    SGDRegressor damps the intercept's updates on sparse data)."""
    X, y = make_sparse_data(n_samples, n_features, nnz_per_row)
    lr, alpha = 0.05, 1e-5
    ours = gd_fitter(
        X, y, "sgd", lr, penalty="l2", alpha=2 * alpha, fit_intercept=False
    )
    peer = sgd_regressor_fitter(
        X, y, lr, penalty="l2", alpha=alpha, fit_intercept=False
    )
    difference = relative_difference(ours(2).coef_, peer(2).coef_)
    return [
        Row(
            f"sgd epoch, sparse {n_samples} x {n_features}, {nnz_per_row} nnz/row, l2",
            epoch_time(ours, repeats),
            "SGDRegressor",
            epoch_time(peer, repeats),
            None,
            f"coef differ by {difference:.1e}",
        )
    ]


def first_fit_rows(repeats):
    cold, warm, peer = first_fits_seconds(repeats)
    name = "SGDRegressor + SGDClassifier"
    what = "default fits on diabetes and breast cancer"
    return [
        Row("first fits, new process, empty cache", cold, name, peer, 4.0, what),
        Row("first fits, new process, cache warm", warm, name, peer, 1.5, what),
    ]


def print_table(rows):
    def amount(row, value):
        if row.unit == "bytes":
            return f"{value / 1e6:.0f} MB"
        return f"{value * 1e3:.1f} ms" if value < 10 else f"{value:.1f} s"

    cells = [("measurement", "skgd", "peer", "", "ratio", "target", "met", "note")]
    for row in rows:
        met = "" if row.target is None else ("yes" if row.ratio <= row.target else "no")
        cells.append(
            (
                row.name,
                amount(row, row.ours),
                row.peer,
                amount(row, row.theirs),
                f"{row.ratio:.3f}",
                "" if row.target is None else f"<= {row.target:g}",
                met,
                row.note,
            )
        )
    widths = [max(len(c[k]) for c in cells) for k in range(len(cells[0]))]
    border = "  ".join("=" * w for w in widths)
    lines = [border]
    for k, c in enumerate(cells):
        lines.append(
            "  ".join(text.ljust(w) for text, w in zip(c, widths, strict=True))
        )
        if k == 0:
            lines.append(border)
    lines.append(border)
    print("\n".join(line.rstrip() for line in lines))


def main(quick):
    if quick:
        shape, sparse, repeats, fresh = (20_000, 20), (5_000, 5_000, 10), 3, 1
        quality = (20_000, 20)
    else:
        shape, sparse, repeats, fresh = (1_000_000, 100), (100_000, 100_000, 50), 7, 5
        quality = (500_000, 100)
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
        f"dense X: {shape[0]} x {shape[1]}; medians of {repeats} runs; an "
        "epoch's time excludes input validation; ratio = skgd / peer\n"
    )
    X, y = make_data(*shape)
    rows = []
    for label in ("", " float32"):
        if label:
            X, y = X.astype(np.float32), y.astype(np.float32)
        rows += batch_rows(X, y, repeats, label)
        rows += adaptive_rows(Row, X, y, repeats, label, epoch_times)
        rows += sgd_rows(X, y, repeats, label)
        rows += bare_loop_rows(Row, X, y, repeats, label, epoch_times)
        rows += torch_rows(X, y, repeats, label)
    del X, y
    rows += width_rows(
        Row, shape[0] * shape[1], repeats, epoch_time, median_time, streaming_read
    )
    rows += reach_least_squares_rows(*shape)
    rows += first_fit_rows(fresh)
    rows += sparse_rows(*sparse, repeats)
    rows += sparse_text_rows(Row, *sparse, repeats)
    rows += time_to_quality_rows(Row, *quality, repeats)
    print_table(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="a seconds-long smoke run on small data"
    )
    main(parser.parse_args().quick)
