"""Side-by-side timings of skgd's epochs against their peers, as ratios.

Run ``make bench`` (or ``python benchmarks/run.py [--quick]``). Every row times
skgd and its peer in the same process, on the same data (fixed seed), and
reports medians over several repeats.
"""

import argparse
import time
import warnings

import numba
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import SGDRegressor

from skgd import GDRegressor


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


@numba.njit(nogil=True, fastmath=True)
def streaming_read(X):
    """Touch every element of X once: the floor for a full-batch epoch."""
    total = 0.0
    for i in range(X.shape[0]):
        for j in range(X.shape[1]):
            total += X[i, j]
    return total


def make_data(n_samples, n_features, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    y = X @ rng.standard_normal(n_features) + 0.1 * rng.standard_normal(n_samples)
    return X, y


def fitter(solver, X, y, learning_rate, batch_size=32, optimizer="sgd"):
    """``epochs -> fit``: GDRegressor with a constant step, samples in data order."""

    def fit(epochs):
        return GDRegressor(
            solver=solver,
            batch_size=batch_size,
            optimizer=optimizer,
            max_iter=epochs,
            tol=None,
            learning_rate=learning_rate,
            shuffle=False,
            record=None,
        ).fit(X, y)

    return fit


def sgd_regressor_fitter(X, y, learning_rate):
    """The same updates with SGDRegressor (it minimises half the squared error)."""

    def fit(epochs):
        reg = SGDRegressor(
            penalty=None,
            learning_rate="constant",
            eta0=2 * learning_rate,
            max_iter=epochs,
            tol=None,
            shuffle=False,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return reg.fit(X, y)

    return fit


def epoch_time(fit, repeats, epochs=4):
    """Seconds per epoch: a fit of ``1 + epochs`` epochs minus a fit of one,
    so that input validation and set-up are not counted."""
    one = median_time(lambda: fit(1), repeats)
    more = median_time(lambda: fit(1 + epochs), repeats)
    return max(more - one, 0.0) / epochs


def run(n_samples, n_features, repeats):
    X, y = make_data(n_samples, n_features)
    lr = 1e-3
    streaming_read(X[:10])
    for solver in ("batch", "sgd", "minibatch"):
        for optimizer in ("sgd", "adam"):
            # compile or load the kernels
            fitter(solver, X[:100], y[:100], lr, optimizer=optimizer)(1)

    read = median_time(lambda: streaming_read(X), repeats)
    batch = epoch_time(fitter("batch", X, y, lr), repeats)
    rows = [("batch epoch / one compiled read of X", batch, read)]
    sgd = epoch_time(fitter("sgd", X, y, lr), repeats)
    peer = epoch_time(sgd_regressor_fitter(X, y, lr), repeats)
    rows.append(("sgd epoch / SGDRegressor epoch", sgd, peer))
    for batch_size in (32, 256):
        minibatch = epoch_time(fitter("minibatch", X, y, lr, batch_size), repeats)
        rows.append((f"minibatch({batch_size}) epoch / batch epoch", minibatch, batch))
    # The optimizers' state lives in the kernels: Adam's extra work per update
    # is a few flops per coordinate, on top of the pass over the batch.
    for solver, plain in (("batch", batch), ("sgd", sgd)):
        adam = epoch_time(fitter(solver, X, y, lr, optimizer="adam"), repeats)
        rows.append((f"{solver} epoch, adam / sgd", adam, plain))
    adam = epoch_time(fitter("sgd", X, y, lr, optimizer="adam"), repeats)
    rows.append(("sgd epoch, adam / SGDRegressor epoch", adam, peer))
    for batch_size in (32, 256):
        plain = epoch_time(fitter("minibatch", X, y, lr, batch_size), repeats)
        adam = epoch_time(
            fitter("minibatch", X, y, lr, batch_size, optimizer="adam"), repeats
        )
        rows.append((f"minibatch({batch_size}) epoch, adam / sgd", adam, plain))

    ours = fitter("sgd", X, y, lr)(1).coef_
    theirs = sgd_regressor_fitter(X, y, lr)(1).coef_
    difference = np.abs(ours - theirs).max() / np.abs(theirs).max()

    print(
        f"X: {n_samples} x {n_features} float64 ({X.nbytes / 1e6:.0f} MB), "
        f"medians of {repeats} runs; an epoch's time excludes input validation\n"
    )
    print(f"{'row':<44}{'skgd':>10}{'peer':>10}{'ratio':>8}")
    for name, ours_time, peer_time in rows:
        print(
            f"{name:<44}{ours_time * 1e3:>8.1f}ms{peer_time * 1e3:>8.1f}ms"
            f"{ours_time / peer_time:>8.2f}"
        )
    print(
        f"\nsgd coefficients vs SGDRegressor (eta0 = 2 * learning_rate): "
        f"max relative difference {difference:.1e}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="a seconds-long smoke run on small data"
    )
    args = parser.parse_args()
    if args.quick:
        run(n_samples=20_000, n_features=20, repeats=3)
    else:
        run(n_samples=1_000_000, n_features=100, repeats=7)
