"""Scaling out: the full-batch epoch on a Dask cluster against the in-memory one.

Run ``make bench-dask`` (or ``python benchmarks/scaling_out.py [--quick]``). A
``LocalCluster`` of two worker processes, one thread each, on loopback:

- a batch epoch on a persisted dask array against the in-memory epoch of the
  same data (one thread, and two: the cluster has two cores too), at several
  sizes, to see from which size the cluster pays off;
- the per-epoch scheduling overhead: epochs on tiny data in 4, 20 and 100
  chunks, where the arithmetic is negligible;
- out of core: ``X`` as a ``.npy`` stack on disk, larger than the two workers'
  memory limits together, read chunk by chunk at every epoch; its epoch time
  and the peak memory of the workers and of the client.

Epoch times are ``(fit(5) - fit(1)) / 4``, as in ``run.py``: the passes made
once per fit (the input checks, the targets) cancel out.
"""

import argparse
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

import dask
import dask.array as da
import numpy as np
from distributed import Client, LocalCluster
from peers import gd_fitter
from run import Row, epoch_time, print_table, relative_difference

N_FEATURES = 100
GiB = 1024**3


def memory(field):
    """This process's ``VmRSS`` or ``VmHWM`` (peak since the last reset), bytes."""
    status = Path("/proc/self/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+) kB", status).group(1)) * 1024


def reset_peak_memory():
    Path("/proc/self/clear_refs").write_text("5")
    return memory("VmRSS")


def dask_data(n_samples, chunk_rows):
    """A linear problem drawn on the workers and persisted there, and a copy
    in the client's memory (no upload of the data through the scheduler)."""
    X = da.random.default_rng(0).standard_normal(
        (n_samples, N_FEATURES), chunks=(chunk_rows, N_FEATURES)
    )
    coef = np.random.default_rng(1).standard_normal(N_FEATURES)
    y = X @ coef + 0.5
    X, y = dask.persist(X, y)
    return X, y, *dask.compute(X, y)


def in_memory_rows(sizes, repeats):
    """Persisted Dask epochs against in-memory ones, at each size."""
    rows = []
    for n_samples in sizes:
        chunk_rows = min(100_000, n_samples // 4)
        X_dask, y_dask, X, y = dask_data(n_samples, chunk_rows)
        on_cluster = gd_fitter(X_dask, y_dask, "batch", 1e-3)
        difference = relative_difference(
            on_cluster(3).coef_, gd_fitter(X, y, "batch", 1e-3)(3).coef_
        )
        ours = epoch_time(on_cluster, repeats)
        label = (
            f"batch epoch, Dask, {n_samples} x {N_FEATURES} ({X.nbytes / 1e6:.0f} MB)"
        )
        for n_jobs in (1, 2):
            rows.append(
                Row(
                    label if n_jobs == 1 else "",
                    ours,
                    f"in memory, {n_jobs} thread(s)",
                    epoch_time(gd_fitter(X, y, "batch", 1e-3, n_jobs=n_jobs), repeats),
                    note=(
                        f"{len(X_dask.chunks[0])} chunks; coef differ by "
                        f"{difference:.1e}"
                        if n_jobs == 1
                        else ""
                    ),
                )
            )
        del X_dask, y_dask
    return rows


def overhead_rows(repeats):
    """Epochs on 2,000 x 100 rows (1.6 MB): the cost of scheduling alone, and
    its fit ``fixed + per_chunk * n_chunks``."""
    rows, overheads, counts = [], [], (4, 20, 100)
    for n_chunks in counts:
        X_dask, y_dask, X, y = dask_data(2_000, 2_000 // n_chunks)
        in_memory = epoch_time(gd_fitter(X, y, "batch", 1e-3), repeats, epochs=20)
        ours = epoch_time(gd_fitter(X_dask, y_dask, "batch", 1e-3), repeats, epochs=20)
        overheads.append(ours - in_memory)
        rows.append(
            Row(
                f"scheduling overhead per epoch, {n_chunks} chunks",
                ours,
                "in-memory epoch, 2,000 x 100",
                in_memory,
            )
        )
    per_chunk, fixed = np.polyfit(counts, overheads, 1)
    rows[-1] = rows[-1]._replace(
        note=f"overhead ~ {fixed * 1e3:.0f} ms + {per_chunk * 1e3:.2f} ms per chunk"
    )
    return rows


def write_stack(directory, n_samples, chunk_rows):
    """``X`` and ``y`` as ``.npy`` stacks, one file per chunk, drawn chunk by
    chunk on the workers."""
    X = da.random.default_rng(0).standard_normal(
        (n_samples, N_FEATURES), chunks=(chunk_rows, N_FEATURES)
    )
    coef = np.random.default_rng(1).standard_normal(N_FEATURES)
    y = X @ coef + 0.5
    da.to_npy_stack(directory / "X", X)
    da.to_npy_stack(directory / "y", y)


def out_of_core_rows(client, n_samples, worker_memory, repeats):
    """An epoch on a .npy stack larger than the workers' memory, and memory."""
    rows = []
    with tempfile.TemporaryDirectory(dir=Path(__file__).parent) as tmp:
        directory = Path(tmp)
        write_stack(directory, n_samples, chunk_rows=min(100_000, n_samples // 8))
        X = da.from_npy_stack(directory / "X")
        y = da.from_npy_stack(directory / "y")
        fit = gd_fitter(X, y, "batch", 1e-3)

        client.run(reset_peak_memory)
        client_start = reset_peak_memory()
        ours = epoch_time(fit, repeats)
        client_extra = memory("VmHWM") - client_start
        worker_peak = max(client.run(memory, "VmHWM").values())

        # Read into the client's memory by the client, not through a worker.
        X_local, y_local = dask.compute(X, y, scheduler="threads")
        theirs = epoch_time(
            gd_fitter(X_local, y_local, "batch", 1e-3, n_jobs=2), repeats
        )
        del X_local, y_local
    size = f"{X.nbytes / 1e9:.1f} GB"
    rows.append(
        Row(
            f"out-of-core batch epoch, .npy stack of {size}",
            ours,
            "in memory, 2 threads",
            theirs,
            note=(
                f"{X.numblocks[0]} chunks read from disk every epoch; X is "
                f"{X.nbytes / (2 * worker_memory):.1f}x the two workers' memory"
            ),
        )
    )
    rows.append(
        Row(
            "  peak memory of a worker",
            worker_peak,
            "worker's memory limit",
            worker_memory,
            1.0,
            "includes the ~0.3 GB of a worker with skgd imported",
            unit="bytes",
        )
    )
    rows.append(
        Row(
            "  client's peak memory above its start",
            client_extra,
            "size of X",
            X.nbytes,
            0.05,
            unit="bytes",
        )
    )
    return rows


@contextmanager
def local_cluster(memory_limit):
    """A client of two single-threaded worker processes on loopback."""
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
            memory_limit=memory_limit,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def main(quick):
    if quick:
        sizes, repeats, out_of_core = (40_000,), 1, 240_000
    else:
        sizes, repeats, out_of_core = (100_000, 500_000, 2_000_000), 5, 4_000_000
    worker_memory = GiB
    print(
        "LocalCluster: 2 worker processes x 1 thread, loopback; medians of "
        f"{repeats} runs; ratio = skgd on Dask / peer\n"
    )
    with local_cluster(memory_limit=4 * GiB):
        rows = in_memory_rows(sizes, repeats) + overhead_rows(repeats)
    # A cluster of its own, whose workers' memory is smaller than X.
    with local_cluster(memory_limit=worker_memory) as client:
        rows += out_of_core_rows(client, out_of_core, worker_memory, repeats)
    print_table(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="a seconds-long smoke run on small data"
    )
    main(parser.parse_args().quick)
