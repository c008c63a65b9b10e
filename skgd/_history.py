"""What one fit records, and how it becomes fitted attributes."""

import numpy as np

#: Columns of ``history_``, in order.
HISTORY_COLUMNS = ("epoch", "loss", "learning_rate", "n_updates", "time")


class FitHistory:
    """Per-epoch records of one call to ``fit`` or ``partial_fit``.

    Parameters
    ----------
    coef, intercept : ndarray of shape (n_targets, n_features) and (n_targets,)
        The parameters before the first update (row 0 of the trajectory).
    record : {"epoch", "update"} or None
        Record the parameters after every epoch, after every update, or not at all.
    """

    def __init__(self, coef, intercept, record):
        self.record = record
        self.columns = {name: [] for name in HISTORY_COLUMNS[1:]}
        self.coefs = [coef[np.newaxis].copy()] if record else []
        self.intercepts = [intercept[np.newaxis].copy()] if record else []

    def add_epoch(
        self,
        *,
        loss,
        learning_rate,
        n_updates,
        time,
        coef,
        intercept,
        coef_path,
        intercept_path,
    ):
        """Record a finished epoch; the paths hold the per-update parameters."""
        for name, value in zip(
            HISTORY_COLUMNS[1:], (loss, learning_rate, n_updates, time), strict=True
        ):
            self.columns[name].append(value)
        if self.record == "epoch":
            self.coefs.append(coef[np.newaxis].copy())
            self.intercepts.append(intercept[np.newaxis].copy())
        elif self.record == "update":
            self.coefs.append(coef_path.copy())
            self.intercepts.append(intercept_path.copy())

    @property
    def n_epochs(self):
        return len(self.columns["loss"])

    def losses(self):
        return np.asarray(self.columns["loss"], dtype=np.float64)

    def store(self, estimator, *, append, squeeze):
        """Set the history attributes of ``estimator``.

        With ``append`` (``partial_fit``) the epochs extend the attributes of the
        previous calls, and the epochs are numbered on from them.
        """
        columns = {name: np.asarray(v) for name, v in self.columns.items()}
        first_epoch = 1
        previous = getattr(estimator, "_history_columns", None) if append else None
        if previous is not None:
            first_epoch = len(previous["loss"]) + 1
        columns["epoch"] = np.arange(first_epoch, first_epoch + self.n_epochs)
        if previous is not None and len(previous["loss"]):
            # Updates and time count on from the earlier calls.
            columns["n_updates"] = columns["n_updates"] + previous["n_updates"][-1]
            columns["time"] = columns["time"] + previous["time"][-1]
            columns = {k: np.concatenate([previous[k], columns[k]]) for k in columns}
        estimator._history_columns = columns
        estimator.loss_history_ = columns["loss"].astype(np.float64)

        coef_history = intercept_history = None
        if self.record:
            coef_history = np.concatenate(self.coefs)
            intercept_history = np.concatenate(self.intercepts)
            if squeeze:
                coef_history = coef_history[:, 0]
                intercept_history = intercept_history[:, 0]
            old = getattr(estimator, "coef_history_", None) if append else None
            if old is not None:
                # Row 0 of this call is the last row of the previous one.
                coef_history = np.concatenate([old, coef_history[1:]])
                old_intercept = estimator.intercept_history_
                intercept_history = np.concatenate(
                    [old_intercept, intercept_history[1:]]
                )
        estimator.coef_history_ = coef_history
        estimator.intercept_history_ = intercept_history


def history_frame(columns):
    """The ``history_`` DataFrame: one row per epoch."""
    import pandas as pd  # lazy: keeps ``import skgd`` lean

    frame = pd.DataFrame({name: columns[name] for name in HISTORY_COLUMNS})
    return frame.set_index("epoch")
