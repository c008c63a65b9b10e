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
        grads = _apart(n_threads, fit.W.shape)
        losses = _apart(n_threads, (fit.W.shape[0],))
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


#: Bytes of a cache line (64 on x86-64 and most ARM cores; 128 on Apple's).
_LINE = 128


def _apart(n_threads, shape):
    """One float64 zeros array of ``shape`` per thread, in cache lines of its
    own. Each thread writes its sums at every row; sharing a line with another
    thread's (false sharing) made the two-thread epoch 1.3 times slower."""
    size = int(np.prod(shape))
    per_line = _LINE // 8
    stride = -(-size // per_line) * per_line + per_line
    block = np.zeros(n_threads * stride + per_line)
    offset = (-(block.ctypes.data // 8)) % per_line  # the first on a line start
    return [
        block[offset + k * stride : offset + k * stride + size].reshape(shape)
        for k in range(n_threads)
    ]
