"""What one fit records, and how it becomes fitted attributes."""

import warnings

import numpy as np

#: Bytes the parameter histories (``coef_history_`` and
#: ``intercept_history_``) of one estimator may take, over all its
#: ``partial_fit`` calls. Past it the parameters are no longer recorded (the
#: losses still are) and a warning says from which epoch on.
HISTORY_MEMORY_BUDGET = 256 * 2**20

#: Columns of ``history_``, in order; the validation columns only with early
#: stopping (``val_accuracy`` for classifiers).
HISTORY_COLUMNS = (
    "epoch",
    "loss",
    "val_loss",
    "val_accuracy",
    "learning_rate",
    "n_updates",
    "time",
)


class FitHistory:
    """Per-epoch records of one call to ``fit`` or ``partial_fit``.

    Parameters
    ----------
    W : ndarray of shape (n_targets, n_features + 1)
        The parameters before the first update (row 0 of the trajectory): each
        target's coefficients followed by its intercept.
    record : {"epoch", "update"} or None
        Record the parameters after every epoch, after every update, or not at all.
    validation_columns : list of str
        The validation columns recorded (``val_loss`` and scores), if any.
    used : int, default=0
        Bytes of recorded parameters the estimator holds already (from earlier
        ``partial_fit`` calls): with them the recorded parameters may take
        ``HISTORY_MEMORY_BUDGET``; past it the parameters of later epochs are
        not recorded (``truncated`` tells).
    """

    def __init__(self, W, record, validation_columns, used=0):
        self.record = record
        names = ["loss", *validation_columns, "learning_rate", "n_updates", "time"]
        self.columns = {name: [] for name in names}
        self.params = [W[np.newaxis].copy()] if record else []
        self.budget = HISTORY_MEMORY_BUDGET - used
        self.used = sum(p.nbytes for p in self.params)
        self.truncated = False

    def fits(self, n_bytes):
        """Whether ``n_bytes`` more of parameters fit in the budget."""
        return not self.truncated and self.used + n_bytes <= self.budget

    def add_epoch(self, *, W, path, **values):
        """Record a finished epoch; ``path`` holds ``W`` after every update."""
        for name, column in self.columns.items():
            column.append(values[name])
        if not self.record:
            return
        params = W[np.newaxis] if self.record == "epoch" else path
        if params.shape[0] == 0 or not self.fits(params.nbytes):
            self.truncated = True
            return
        self.params.append(params.copy())
        self.used += params.nbytes

    @property
    def n_recorded_epochs(self):
        """Epochs whose parameters were recorded."""
        return max(len(self.params) - 1, 0)

    @property
    def n_epochs(self):
        return len(self.columns["loss"])

    def losses(self):
        return np.asarray(self.columns["loss"], dtype=np.float64)

    def describe_last_epoch(self):
        """The ``verbose`` line of the last epoch."""
        last = {name: column[-1] for name, column in self.columns.items()}
        validation = "".join(
            f", validation {name[len('val_') :]}: {value:.6g}"
            for name, value in last.items()
            if name.startswith("val_")
        )
        return (
            f"Epoch {self.n_epochs}, loss: {last['loss']:.6g}{validation}, "
            f"learning rate: {last['learning_rate']:.4g}, time: {last['time']:.3f} s"
        )

    def attributes(self, previous, *, append, squeeze, stacklevel):
        """The history attributes of the estimator, from this call's epochs.

        ``previous`` holds the estimator's attributes (``vars(estimator)``):
        with ``append`` (``partial_fit``) the epochs extend those of the
        previous calls, and the epochs are numbered on from them. A warning
        says when the parameter histories reached their budget
        (``stacklevel``: the user's call).
        """
        previous = previous if append else {}
        columns = self._columns(previous.get("_history_columns"))
        first_epoch = len(columns["loss"]) - self.n_epochs + 1
        was_truncated = previous.get("_history_truncated", False)
        if was_truncated:
            # The budget ran out in an earlier call: the histories stay the
            # prefix they are.
            coef_history = previous["coef_history_"]
            intercept_history = previous["intercept_history_"]
        else:
            coef_history, intercept_history = self._parameters(previous, squeeze)
        if self.truncated and not was_truncated:
            first_missing = first_epoch + self.n_recorded_epochs
            warnings.warn(
                f"The parameter histories reached their memory budget of "
                f"{HISTORY_MEMORY_BUDGET / 2**20:.0f} MiB: coef_history_ and "
                f"intercept_history_ stop before epoch {first_missing}, whose "
                "parameters and those of later epochs are not recorded "
                "(loss_history_ has every epoch). Use record='epoch' instead of "
                "'update', or record=None.",
                UserWarning,
                stacklevel=stacklevel + 1,
            )
        return {
            "_history_columns": columns,
            "loss_history_": columns["loss"],
            "val_loss_history_": columns.get("val_loss"),
            "coef_history_": coef_history,
            "intercept_history_": intercept_history,
            "_history_truncated": was_truncated or self.truncated,
            # (``_extended`` put this call's buffers in ``previous``.)
            "_history_buffers": previous.get("_history_buffers", {}),
            "n_iter_": len(columns["loss"]),
        }

    def _columns(self, previous):
        """The ``history_`` columns, continuing ``previous`` ones if any."""
        columns = {name: np.asarray(v, dtype=float) for name, v in self.columns.items()}
        columns["n_updates"] = columns["n_updates"].astype(np.int64)
        first_epoch = 1 if previous is None else len(previous["loss"]) + 1
        columns["epoch"] = np.arange(first_epoch, first_epoch + self.n_epochs)
        if previous is not None and len(previous["loss"]):
            # Updates and time count on from the earlier calls.
            columns["n_updates"] = columns["n_updates"] + previous["n_updates"][-1]
            columns["time"] = columns["time"] + previous["time"][-1]
            # A partial_fit after an early-stopping fit has no validation loss.
            missing = np.full(self.n_epochs, np.nan)
            columns = {
                k: np.concatenate([previous[k], columns.get(k, missing)])
                for k in previous
            }
        return columns

    def _parameters(self, previous, squeeze):
        """``(coef_history_, intercept_history_)``, continuing ``previous``."""
        if not self.record:
            return None, None
        params = np.concatenate(self.params)
        coef_history = np.ascontiguousarray(params[..., :-1])
        intercept_history = params[..., -1].copy()
        if squeeze:
            coef_history = coef_history[:, 0]
            intercept_history = intercept_history[:, 0]
        if previous.get("coef_history_") is not None:
            # Row 0 of this call is the last row of the previous one.
            coef_history = _extended(previous, "coef_history_", coef_history[1:])
            intercept_history = _extended(
                previous, "intercept_history_", intercept_history[1:]
            )
        return coef_history, intercept_history


def _extended(previous, name, rows):
    """``previous[name]`` followed by ``rows``, in amortised time.

    A ``partial_fit`` stream extends its histories at every call; copying
    them whole each time made a stream quadratic (30 ms a call on 2**18
    features). The histories are views of a buffer with room to grow
    (``_history_buffers``, owned by the estimator's ``__dict__``: a shallow
    copy of the estimator gets buffers of its own), which new rows are written
    past the end of: a view handed out earlier, or kept by ``atomic_fit``'s
    snapshot, never changes.
    """
    old = previous[name]
    n_old, n_new = len(old), len(rows)
    needed = n_old + n_new
    buffers = previous.get("_history_buffers", {})
    buffer, owner = buffers.get(name, (None, None))
    usable = (
        buffer is not None
        and owner == id(previous)
        and old.base is buffer
        and old.ctypes.data == buffer.ctypes.data
        and len(buffer) >= needed
    )
    if not usable:
        # Twice the rows needed, but no more than the budget holds.
        budget_rows = HISTORY_MEMORY_BUDGET // max(old[:1].nbytes, 1) + 1
        capacity = max(needed, min(2 * needed, budget_rows))
        buffer = np.empty((capacity, *old.shape[1:]), old.dtype)
        buffer[:n_old] = old
    buffer[n_old:needed] = rows
    previous["_history_buffers"] = {**buffers, name: (buffer, id(previous))}
    return buffer[:needed]


def history_frame(columns):
    """The ``history_`` DataFrame: one row per epoch."""
    import pandas as pd  # lazy: keeps ``import skgd`` lean

    names = [name for name in HISTORY_COLUMNS if name in columns]
    frame = pd.DataFrame({name: columns[name] for name in names})
    return frame.set_index("epoch")
