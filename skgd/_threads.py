"""The full-batch epoch on several threads.

The gradient is a sum over samples: each thread sums its own contiguous share
of the rows (the compiled kernels release the GIL), the partial sums are added,
and one update follows. Plain Python threads, not numba's ``parallel=True``:
numba's default threading layer aborts the process when two Python threads
enter parallel code at once (a threaded ``GridSearchCV``, Dask workers).
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from joblib import effective_n_jobs

from ._kernels import accumulate_gradient, apply_mean_gradient

#: Rows per thread below which a second thread costs more than it saves.
MIN_ROWS_PER_THREAD = 20_000


def n_batch_threads(n_jobs, n_samples):
    """How many threads the batch solver uses for ``n_samples`` rows."""
    wanted = effective_n_jobs(n_jobs)
    return int(max(1, min(wanted, n_samples // MIN_ROWS_PER_THREAD)))


class ThreadedBatchEpoch:
    """``run_epoch`` for the full batch of ``rows`` on ``n_threads`` threads.

    Use as a context manager (the threads end with it); call it with
    ``run_epoch``'s arguments.
    """

    def __init__(self, n_threads, rows, W):
        self.shares = np.array_split(rows, n_threads)
        self.grads = np.zeros((n_threads, *W.shape))
        self.losses = np.zeros((n_threads, W.shape[0]))
        self.pool = ThreadPoolExecutor(n_threads, thread_name_prefix="skgd")

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.pool.shutdown()

    def __call__(
        self,
        loss,
        rule,
        X,
        Y,
        sample_weight,
        order,
        W,
        active,
        learning_rate,
        config,
        slots,
        count,
        grad,
        target_loss,
        path,
    ):
        self.grads[:] = 0.0
        self.losses[:] = 0.0
        futures = [
            self.pool.submit(
                accumulate_gradient,
                loss,
                X,
                Y,
                sample_weight,
                rows,
                W,
                active,
                config,
                share_grad,
                share_loss,
            )
            for rows, share_grad, share_loss in zip(
                self.shares, self.grads, self.losses, strict=True
            )
        ]
        for future in futures:
            future.result()
        np.sum(self.grads, axis=0, out=grad)
        np.sum(self.losses, axis=0, out=target_loss)
        apply_batch_gradient(
            rule, W, grad, len(order), active, learning_rate, config, slots, count,
            path,
        )  # fmt: skip


def full_batch_epoch(
    loss, rule, X, Y, sample_weight, order, W, active, learning_rate, config,
    slots, count, grad, target_loss, path,
):  # fmt: skip
    """``run_epoch`` for one batch of all of ``order``, on this thread.

    The gradient's sum (compiled for the loss) and the update (compiled for the
    optimizer's rule) are two kernels called from here, not one compiled for
    the pair: a first fit compiles only what it lacks, and a second loss or
    optimizer reuses the other half. The arithmetic is ``batch_step``'s.
    """
    grad[:] = 0.0
    target_loss[:] = 0.0
    accumulate_gradient(
        loss, X, Y, sample_weight, order, W, active, config, grad, target_loss
    )
    apply_batch_gradient(
        rule, W, grad, len(order), active, learning_rate, config, slots, count,
        path,
    )  # fmt: skip


def apply_batch_gradient(
    rule, W, grad, n_samples, active, learning_rate, config, slots, count, path
):
    """The full-batch update from the summed gradient ``grad``, counted in
    ``count[0]`` and recorded in ``path`` (``run_epoch``'s last steps)."""
    count[0] += 1
    apply_mean_gradient(
        rule, W, grad, n_samples, active, learning_rate, config, slots, count[0]
    )
    if path.shape[0] > 0:
        path[0] = W
