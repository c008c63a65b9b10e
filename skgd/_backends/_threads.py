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

from .._kernels._dense import accumulate_gradient
from ._memory import InMemoryRows

#: Rows per thread below which a second thread costs more than it saves.
MIN_ROWS_PER_THREAD = 20_000


def n_batch_threads(n_jobs, n_samples):
    """How many threads the batch solver uses for ``n_samples`` rows."""
    wanted = effective_n_jobs(n_jobs)
    return int(max(1, min(wanted, n_samples // MIN_ROWS_PER_THREAD)))


class ThreadedRows(InMemoryRows):
    """``InMemoryRows`` whose full-batch gradient is summed on ``n_threads``
    threads. Use as a context manager: the threads end with it."""

    def __init__(self, rows, n_threads):
        self.__dict__.update(vars(rows))
        self.shares = np.array_split(self.rows, n_threads)
        self.pool = ThreadPoolExecutor(n_threads, thread_name_prefix="skgd")

    def __exit__(self, *exc_info):
        self.pool.shutdown()

    def gradient_sums(self, fit, active):
        n_threads = len(self.shares)
        grads = np.zeros((n_threads, *fit.W.shape))
        losses = np.zeros((n_threads, fit.W.shape[0]))
        futures = [
            self.pool.submit(
                accumulate_gradient,
                fit.loss,
                self.data,
                rows,
                fit.W,
                active,
                fit.config.loss_params,
                share_grad,
                share_loss,
            )  # fmt: skip
            for rows, share_grad, share_loss in zip(
                self.shares, grads, losses, strict=True
            )
        ]
        for future in futures:
            future.result()
        np.sum(grads, axis=0, out=fit.work.grad)
        np.sum(losses, axis=0, out=fit.work.target_loss)
