"""The epoch loop: the order of the rows, the epoch, the history, the stopping
rules.

Python runs once per epoch; everything per sample or per batch happens inside
the compiled kernels, which the rows of the fit (a backend, see ``_backends``)
call.
"""

import time
from typing import NamedTuple

import numpy as np

from .._jit import CompileTimeName
from .._kernels._bundles import EpochConfig, Optimizer, Work
from ..optim import OptimizerState
from ..optim._rules import NO_AVERAGE
from ._history import FitHistory
from ._settings import EpochsResult
from ._step_size import resolve_learning_rate
from ._stopping import FitKind, _Targets


class Fit(NamedTuple):
    """What a backend's epoch takes besides the order of the rows and each
    target's step: the same for every epoch of a fit."""

    loss: CompileTimeName
    rule: CompileTimeName
    W: np.ndarray  # changed in place
    config: EpochConfig
    optimizer: Optimizer  # its slots and count changed in place
    work: Work
    # The optimizer's ``lazy``: sparse batches update the coordinates they
    # touch (``_kernels._lazy_rules``).
    lazy: bool = False


def run_epochs(data, W, settings, rng, state=None, validation=None, monitor=None):
    """Run up to ``settings.max_iter`` epochs on ``data``, updating ``W`` in place.

    ``data`` are the rows of the fit (a backend's, see ``_backends``): the
    epochs visit ``data.rows``, in their order when the solver does not shuffle.
    ``state`` is the ``OptimizerState`` to continue (``None``: a fresh one).
    ``validation`` (a ``Validation``) is the held-out data of early stopping.
    ``monitor`` (scikit-learn's callbacks) hears of every epoch's beginning and
    end (``begin_epoch()``, ``end_epoch(W, history)``), and stops the fit when
    ``end_epoch`` returns true.

    Divergence of a target, or of the group of targets of a multinomial loss
    (see ``_Targets``), stops it and puts back its parameters from the start of
    its best epoch. An epoch that produced non-finite values is not recorded.
    """
    loop = _EpochLoop(data, W, settings, state, validation)
    with data.for_epochs(loop.fit.config.batch_size, settings.n_jobs) as rows:
        loop.run(rows, rng, monitor)
    return loop.result()


def _starting_losses(settings, data, W):
    """Each target's loss at the all-zero model and at the starting ``W``
    (with the penalty), measured before any update."""
    zero_model_loss = data.zero_model_loss(
        settings.loss, W.shape[0], settings.loss_params
    )
    if not np.isfinite(zero_model_loss).all():
        raise ValueError(
            "Floating-point overflow: the loss of the all-zero model is not "
            "finite, so the targets are too large to be fitted. Scale the "
            "targets, for example with sklearn.compose.TransformedTargetRegressor"
            "(regressor, transformer=StandardScaler())."
        )
    if settings.continued or not W.any():
        return zero_model_loss, zero_model_loss
    start_loss = data.mean_loss(settings.loss, W, settings.loss_params)
    start_loss = start_loss + settings.penalty(W)
    if not np.isfinite(start_loss).all():
        raise ValueError(
            "Floating-point overflow: the loss at the starting parameters "
            "(coef_init and intercept_init, or the warm start) is not finite. "
            "Start from smaller parameters, or scale the data with "
            "StandardScaler or MinMaxScaler."
        )
    return zero_model_loss, start_loss


def _work_buffers(W, history, n_batches, settings):
    """The epochs' buffers; the parameters after every update are recorded if
    an epoch's worth fits the history's budget."""
    n_path = n_batches if settings.record == "update" else 0
    if not history.fits(n_path * W.nbytes):
        n_path = 0
    path = np.empty((n_path,) + W.shape, dtype=W.dtype)
    n_targets, n_features = W.shape[0], W.shape[1] - 1
    row = np.zeros(n_features)
    # The cumulative L1 penalty's state lasts one call of fit (or
    # partial_fit), as scikit-learn's.
    shape = (n_targets, n_features) if settings.cumulative_l1 else (0, 0)
    return Work(
        np.empty(W.shape), np.empty(n_targets), path, row, np.empty(n_targets),
        np.zeros(n_targets), np.zeros(shape),
    )  # fmt: skip


def _average_buffer(settings, state, shape):
    """The running mean of the parameters a fit continues (from the optimizer
    state of a ``partial_fit``), or zeros; ``NO_AVERAGE`` without averaging."""
    if not settings.average:
        return NO_AVERAGE
    previous = getattr(state, "average", None)
    if previous is not None and previous.shape == shape:
        return previous.copy()
    return np.zeros(shape)


class _EpochLoop:
    """One run of ``run_epochs``: set up once, then one ``epoch`` at a time."""

    def __init__(self, data, W, settings, state, validation):
        self.data, self.settings, self.validation = data, settings, validation
        optimizer = settings.optimizer
        hyper = optimizer._hyperparameters()  # validates the optimizer
        if state is None:
            state = OptimizerState(optimizer._initial_slots(W.shape), 0)
        self.learning_rate = resolve_learning_rate(settings, data)
        self.n_samples = data.shape[0]
        batch_size = settings.batch_size_for(self.n_samples)
        self.n_batches = -(-self.n_samples // batch_size)
        self.shuffle = settings.shuffle and batch_size < self.n_samples
        columns = [] if validation is None else validation.columns()
        self.history = FitHistory(
            W, settings.record, columns, settings.history_bytes_used
        )
        self.fit = Fit(
            CompileTimeName(settings.loss),
            CompileTimeName(optimizer._rule),
            W,
            settings.kernel_config(batch_size),
            Optimizer(
                hyper,
                state.slots,
                np.array([state.count], dtype=np.int64),
                _average_buffer(settings, state, W.shape),
            ),
            _work_buffers(W, self.history, self.n_batches, settings),
            bool(optimizer.lazy),
        )
        zero_model_loss, start_loss = _starting_losses(settings, data, W)
        kind = FitKind(
            early_stopping=validation is not None,
            exact=settings.exact_descent(batch_size == self.n_samples),
            learning_rate=self.learning_rate,
        )
        self.targets = _Targets(
            W, start_loss, zero_model_loss, settings, kind, self.objective
        )
        self.n_updates = 0

    def step_multipliers(self, epoch):
        """The schedule's multiplier of the epoch's step, one; or, for a
        schedule counting updates, of each of its updates."""
        schedule, max_iter = self.settings.schedule, self.settings.max_iter
        if getattr(schedule, "per", "epoch") != "update":
            return np.array([schedule.multiplier(epoch, max_iter)])
        done = int(self.fit.optimizer.count[0])
        updates = np.arange(done, done + self.n_batches)
        return np.asarray(
            schedule.multipliers(updates, max_iter * self.n_batches), dtype=float
        )

    def objective(self, W):
        """Each target's loss with the penalty at ``W``, over the rows of the fit."""
        losses = self.data.mean_loss(self.settings.loss, W, self.settings.loss_params)
        return losses + self.settings.penalty(W)

    def run(self, rows, rng, monitor):
        start = time.perf_counter()
        first = self.settings.first_epoch
        for epoch in range(first, first + self.settings.max_iter):
            if monitor is not None:
                monitor.begin_epoch()
            recorded = self.epoch(rows, epoch, rng, start)
            if monitor is not None and monitor.end_epoch(self.fit.W, self.history):
                if recorded:
                    self.targets.stop_all("callback")
            if not self.targets.active.any():
                break

    def epoch(self, rows, epoch, rng, start):
        """Run and record one epoch; whether it was recorded (an epoch that
        produced non-finite values is undone)."""
        settings, targets, W = self.settings, self.targets, self.fit.W
        order = rows.rows
        if self.shuffle:
            order = order[rng.permutation(self.n_samples)]
        start_W = W.copy()
        base = self.learning_rate * targets.per_target(targets.multipliers)
        learning_rate = self.step_multipliers(epoch)[:, np.newaxis] * base
        active = targets.per_target(targets.active)
        rows.epoch(self.fit, order, active, learning_rate)
        target_loss = self.fit.work.target_loss
        losses = targets.per_group(
            target_loss / self.n_samples + settings.penalty(start_W)
        )
        finite_W = np.isfinite(W).all(axis=1)
        finite = np.isfinite(losses) & (targets.per_group(~finite_W) == 0)
        if not finite.all():
            # Undo the epoch; the targets that blew up stop at their best, the
            # others run it again (with shuffling, on the next permutation).
            W[...] = start_W
            for g in np.flatnonzero(~finite):
                targets.freeze_diverged(g, W)
            return False
        val_losses, val_scores = None, {}
        if self.validation is not None:
            val_losses, val_scores = self.validation.evaluate(settings, W)
            val_losses = targets.per_group(val_losses)
            val_scores["val_loss"] = float(val_losses.sum())
        self.n_updates += self.n_batches
        self.history.add_epoch(
            loss=float(losses.sum()),
            **val_scores,
            learning_rate=float(learning_rate[0, active].max()),
            n_updates=self.n_updates,
            time=time.perf_counter() - start,
            W=W,
            path=self.fit.work.path,
        )
        if settings.verbose:
            print(self.history.describe_last_epoch())
        targets.update(losses, val_losses, start_W, W)
        return True

    def result(self):
        targets, W = self.targets, self.fit.W
        if self.validation is not None:
            targets.restore_best_validation(W)
        rising = None
        undecided = [r not in ("diverged", "callback") for r in targets.reasons]
        if not self.settings.continued and any(undecided):
            rising = targets.finish(self.objective(W), W)
        optimizer = self.fit.optimizer
        start = self.fit.config.average_start
        model = None
        if start and optimizer.count[0] >= start:
            # The averaged parameters are the model, but for a target that
            # diverged (its best epoch's parameters stand).
            diverged = [reason == "diverged" for reason in targets.reasons]
            usable = ~targets.per_target(np.array(diverged))
            usable &= np.isfinite(optimizer.average).all(axis=1)
            model = W.copy()
            model[usable] = optimizer.average[usable]
        return EpochsResult(
            history=self.history,
            stop_reason=targets.stop_reason,
            n_updates=self.n_updates,
            learning_rate=self.learning_rate,
            optimizer_state=OptimizerState(
                optimizer.slots,
                int(optimizer.count[0]),
                optimizer.average if start else None,
            ),
            average=model,
            rising=rising,
            in_noise=bool(targets.in_noise),
            settling=max(targets.settling, default=None, key=lambda p: p[0] / p[1]),
        )
