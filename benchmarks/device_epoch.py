"""Epochs on an array-API device (PyTorch tensors), against the limits and the
peers there.

Run ``make bench-device`` (or ``python benchmarks/device_epoch.py [--quick]``).
On a CUDA GPU, ``X`` is 10,000,000 x 100 float32 (4 GB) on the device;
without one the same rows run on the CPU at a smaller size (PyTorch's CPU
kernels), which checks the script and shows the per-batch dispatch cost there,
but says nothing about a GPU.

- a batch epoch (plain SGD and Adam) against one streaming read of ``X`` on the
  device (``X.sum(dim=0)``), the goal being 1.3 times;
- the same epoch against a hand-written PyTorch full-batch loop (the decision
  values, the residuals, ``X^T r``, the step);
- mini-batch epochs on 1,000,000 rows (100,000 on the CPU) at batch sizes from
  64 to 65,536 against the batch epoch on the same rows: a batch costs a fixed
  number of operations, so small batches are bound by their launches; the note
  gives the time per batch;
- cuML's ``MBSGDRegressor`` when it is installed (a CUDA GPU only), epoch for
  epoch against the mini-batch solver at its batch size.

Epoch times are ``(fit(5) - fit(1)) / 4``, as in ``run.py``.
"""

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")  # before scipy is imported

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from peers import gd_fitter  # noqa: E402
from run import Row, epoch_times, print_table, relative_difference  # noqa: E402
from sklearn import config_context  # noqa: E402

BATCH_VS_READ = 1.3
N_FEATURES = 100


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def device_time(fn, device, repeats):
    """Median seconds of ``fn()``, the device's queue drained around it."""
    fn()
    times = []
    for _ in range(repeats):
        synchronize(device)
        start = time.perf_counter()
        fn()
        synchronize(device)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def on_device(fit):
    """``fit`` (from ``gd_fitter``) under scikit-learn's array-API dispatch."""

    def fit_on_device(epochs):
        with config_context(array_api_dispatch=True):
            return fit(epochs)

    return fit_on_device


def torch_batch_epoch(X, y, learning_rate):
    """One epoch of the full-batch gradient descent on the mean squared
    error, written by hand."""
    w = torch.zeros(X.shape[1], dtype=X.dtype, device=X.device)
    b = torch.zeros((), dtype=X.dtype, device=X.device)

    def epoch():
        r = X @ w + b - y
        w.sub_(X.T @ r, alpha=2.0 * learning_rate / X.shape[0])
        b.sub_(r.sum(), alpha=2.0 * learning_rate / X.shape[0])

    return epoch


def batch_rows(X, y, device, repeats):
    read = device_time(lambda: X.sum(dim=0), device, repeats)
    fits = [
        on_device(gd_fitter(X, y, "batch", 1e-3, optimizer=optimizer))
        for optimizer in ("sgd", "adam")
    ]
    sgd, adam = epoch_times(fits, repeats)
    by_hand = device_time(torch_batch_epoch(X, y, 1e-3), device, repeats)
    return [
        Row("batch epoch, sgd", sgd, "read of X", read, BATCH_VS_READ),
        Row("batch epoch, adam", adam, "read of X", read, BATCH_VS_READ),
        Row("batch epoch, sgd", sgd, "PyTorch loop by hand", by_hand),
    ]


def minibatch_rows(X, y, repeats, batch_sizes):
    fits = [on_device(gd_fitter(X, y, "batch", 1e-4))]
    fits += [
        on_device(gd_fitter(X, y, "minibatch", 1e-4, batch_size=b))
        for b in batch_sizes
    ]
    batch, *times = epoch_times(fits, repeats)
    rows = []
    for size, seconds in zip(batch_sizes, times, strict=True):
        n_batches = -(-X.shape[0] // size)
        rows.append(
            Row(
                f"minibatch({size}) epoch, {X.shape[0]} rows",
                seconds,
                "batch epoch",
                batch,
                note=f"{seconds / n_batches * 1e6:.0f} us a batch",
            )
        )
    return rows


def cuml_rows(X, y, repeats, batch_size):
    try:
        from cuml.linear_model import MBSGDRegressor
    except ImportError:
        return []

    def cuml_fit(epochs):
        return MBSGDRegressor(
            learning_rate="constant", eta0=1e-3, epochs=epochs, batch_size=batch_size,
            penalty=None, tol=0.0, shuffle=False,
        ).fit(X, y)  # fmt: skip

    ours = on_device(gd_fitter(X, y, "minibatch", 2e-3, batch_size=batch_size))
    skgd, cuml = epoch_times([ours, cuml_fit], repeats)
    return [Row(f"minibatch({batch_size}) epoch", skgd, "cuML MBSGDRegressor", cuml)]


def exactness(X, y):
    """The largest relative difference between the device fit's coefficients
    and the NumPy fit's, on the first rows."""
    X, y = X[:20_000], y[:20_000]
    fit = gd_fitter(X, y, "minibatch", 1e-3, batch_size=256, optimizer="adam")
    with config_context(array_api_dispatch=True):
        ours = fit(3).coef_.cpu().numpy()
    host = gd_fitter(X.cpu().numpy(), y.cpu().numpy(), "minibatch", 1e-3, 256, "adam")
    return relative_difference(ours, host(3).coef_)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes, 1 repeat")
    args = parser.parse_args()
    cuda = torch.cuda.is_available()
    device = torch.device("cuda" if cuda else "cpu")
    n_samples = 10_000_000 if cuda else 200_000
    n_minibatch = 1_000_000 if cuda else 100_000
    if args.quick:
        n_samples, n_minibatch = 20_000, 5_000
    repeats = 1 if args.quick else 5
    generator = torch.Generator(device=device).manual_seed(0)
    X = torch.randn(
        n_samples, N_FEATURES, generator=generator, device=device, dtype=torch.float32
    )
    y = X @ torch.linspace(-1.0, 1.0, N_FEATURES, device=device) + 0.5
    name = torch.cuda.get_device_name() if cuda else "CPU (no CUDA device)"
    print(f"device: {name}; X: {n_samples} x {N_FEATURES} float32")
    print(f"device fit against the NumPy fit: {exactness(X, y):.1e} (relative)")
    batch_sizes = (256, 4096) if args.quick else (64, 256, 1024, 4096, 16384, 65536)
    rows = batch_rows(X, y, device, repeats)
    rows += minibatch_rows(X[:n_minibatch], y[:n_minibatch], repeats, batch_sizes)
    if cuda:
        rows += cuml_rows(X, y, repeats, 4096)
    print_table(rows)


if __name__ == "__main__":
    main()
