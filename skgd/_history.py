"""What one fit records, and how it becomes fitted attributes."""

import numpy as np

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
    """

    def __init__(self, W, record, validation_columns):
        self.record = record
        names = ["loss", *validation_columns, "learning_rate", "n_updates", "time"]
        self.columns = {name: [] for name in names}
        self.params = [W[np.newaxis].copy()] if record else []

    def add_epoch(self, *, W, path, **values):
        """Record a finished epoch; ``path`` holds ``W`` after every update."""
        for name, column in self.columns.items():
            column.append(values[name])
        if self.record == "epoch":
            self.params.append(W[np.newaxis].copy())
        elif self.record == "update":
            self.params.append(path.copy())

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

    def store(self, estimator, *, append, squeeze):
        """Set the history attributes of ``estimator``.

        With ``append`` (``partial_fit``) the epochs extend the attributes of the
        previous calls, and the epochs are numbered on from them.
        """
        columns = {name: np.asarray(v, dtype=float) for name, v in self.columns.items()}
        columns["n_updates"] = columns["n_updates"].astype(np.int64)
        first_epoch = 1
        previous = getattr(estimator, "_history_columns", None) if append else None
        if previous is not None:
            first_epoch = len(previous["loss"]) + 1
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
        estimator._history_columns = columns
        estimator.loss_history_ = columns["loss"]
        estimator.val_loss_history_ = columns.get("val_loss")

        coef_history = intercept_history = None
        if self.record:
            params = np.concatenate(self.params)
            coef_history = np.ascontiguousarray(params[..., :-1])
            intercept_history = params[..., -1].copy()
            if squeeze:
                coef_history = coef_history[:, 0]
                intercept_history = intercept_history[:, 0]
            old = getattr(estimator, "coef_history_", None) if append else None
            if old is not None:
                # Row 0 of this call is the last row of the previous one.
                coef_history = np.concatenate([old, coef_history[1:]])
                intercept_history = np.concatenate(
                    [estimator.intercept_history_, intercept_history[1:]]
                )
        estimator.coef_history_ = coef_history
        estimator.intercept_history_ = intercept_history


def history_frame(columns):
    """The ``history_`` DataFrame: one row per epoch."""
    import pandas as pd  # lazy: keeps ``import skgd`` lean

    names = [name for name in HISTORY_COLUMNS if name in columns]
    frame = pd.DataFrame({name: columns[name] for name in names})
    return frame.set_index("epoch")
