"""Displays of what gradient descent did, in scikit-learn's Display API.

Each Display stores the data to draw; ``plot(ax=None, ...)`` draws it and sets
``ax_``, ``figure_`` and the artists; ``from_estimator`` builds one from a
fitted estimator (or a ``Pipeline`` ending in one).
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted


def _final_estimator(estimator):
    """The gradient-descent step of a pipeline (or the estimator itself), fitted."""
    final = estimator[-1] if hasattr(estimator, "steps") else estimator
    check_is_fitted(final)
    if not hasattr(final, "loss_history_"):
        raise TypeError(
            f"{type(final).__name__} has no loss_history_: pass a fitted skgd "
            "estimator, or a Pipeline ending in one."
        )
    return final


def _differing_parameters(estimators):
    """``"name=value, ..."`` of the parameters that differ between estimators."""
    params = [{k: repr(v) for k, v in e.get_params().items()} for e in estimators]
    keys = [k for k in params[0] if any(p.get(k) != params[0][k] for p in params)]
    if not keys:
        return [f"fit {i}" for i in range(1, len(estimators) + 1)]
    return [", ".join(f"{k}={p[k]}" for k in keys) for p in params]


def exponential_smoothing(values, weight):
    """The exponentially weighted mean of ``values``: ``s_0 = v_0``,
    ``s_t = weight * s_(t-1) + (1 - weight) * v_t``."""
    smoothed = np.empty(len(values))
    running = values[0] if len(values) else 0.0
    for t, value in enumerate(values):
        running = weight * running + (1.0 - weight) * value
        smoothed[t] = running
    return smoothed


class LossCurveDisplay:
    """The training loss per epoch of one or several fits, and the validation
    loss where early stopping recorded one.

    Build it with :meth:`from_estimator`; several estimators on one axes
    compare solvers, learning rates or optimizers.

    Parameters
    ----------
    losses : list of ndarray
        Each fit's ``loss_history_``.
    val_losses : list of (ndarray or None), default=None
        Each fit's ``val_loss_history_``.
    names : list of str, default=None
        The legend's label of each fit.

    Attributes
    ----------
    lines_ : list of matplotlib.lines.Line2D
        The training curves, one per fit.
    val_lines_ : list of (matplotlib.lines.Line2D or None)
        The validation curves (``None`` where a fit has none).
    ax_ : matplotlib.axes.Axes
        The axes drawn on.
    figure_ : matplotlib.figure.Figure
        Its figure.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.preprocessing import scale
    >>> from skgd import GDRegressor
    >>> from skgd.plotting import LossCurveDisplay
    >>> X, y = load_diabetes(return_X_y=True)
    >>> fits = [GDRegressor(solver=s, random_state=0).fit(scale(X), y)
    ...         for s in ("batch", "sgd")]
    >>> display = LossCurveDisplay.from_estimator(fits, log_scale=True)
    >>> [line.get_label() for line in display.lines_]
    ["solver='batch'", "solver='sgd'"]
    """

    def __init__(self, *, losses, val_losses=None, names=None):
        self.losses = losses
        self.val_losses = val_losses
        self.names = names

    def plot(self, ax=None, *, log_scale=False, smoothing=None, line_kw=None):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when ``None``.
        log_scale : bool, default=False
            A logarithmic loss axis (and epoch axis).
        smoothing : float in [0, 1), default=None
            Draw the exponentially weighted mean of the losses (training and
            validation) with this weight, the tutorial's smoothed cost, instead
            of the raw losses.
        line_kw : dict, default=None
            Keyword arguments of every training curve's ``ax.plot``.

        Returns
        -------
        display : LossCurveDisplay
            This display, with its artists.
        """
        import matplotlib.pyplot as plt

        if smoothing is not None and not 0 <= smoothing < 1:
            raise ValueError(f"smoothing must be in [0, 1); got {smoothing}.")
        if ax is None:
            _, ax = plt.subplots()
        names = self.names or [None] * len(self.losses)
        val_losses = self.val_losses or [None] * len(self.losses)
        self.lines_, self.val_lines_ = [], []
        for loss, val_loss, name in zip(self.losses, val_losses, names, strict=True):
            if smoothing is not None:
                loss = exponential_smoothing(loss, smoothing)
                if val_loss is not None:
                    val_loss = exponential_smoothing(val_loss, smoothing)
            epochs = np.arange(1, len(loss) + 1)
            (line,) = ax.plot(epochs, loss, **{"label": name, **(line_kw or {})})
            self.lines_.append(line)
            val_line = None
            if val_loss is not None:
                (val_line,) = ax.plot(
                    epochs,
                    val_loss,
                    linestyle="--",
                    color=line.get_color(),
                    label=f"{name} (validation)" if name else "validation",
                )
            self.val_lines_.append(val_line)
        if log_scale:
            ax.set(xscale="log", yscale="log")
        smoothed = "" if smoothing is None else f" (smoothed, weight {smoothing})"
        ax.set(xlabel="epoch", ylabel=f"loss{smoothed}")
        if any(names) or any(v is not None for v in self.val_lines_):
            ax.legend()
        self.ax_, self.figure_ = ax, ax.figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        names=None,
        ax=None,
        log_scale=False,
        smoothing=None,
        line_kw=None,
    ):
        """Plot the loss curves of fitted estimators.

        Parameters
        ----------
        estimator : estimator or list of estimators
            Fitted skgd estimators, or pipelines ending in one.
        names : list of str, default=None
            Legend labels; by default, for several fits, the parameters in
            which they differ (``"learning_rate=0.1"``); none for one fit.
        ax, log_scale, smoothing, line_kw
            As in :meth:`plot`.

        Returns
        -------
        display : LossCurveDisplay
            The display, drawn.
        """
        estimators = estimator if isinstance(estimator, list | tuple) else [estimator]
        fits = [_final_estimator(e) for e in estimators]
        if names is None and len(fits) > 1:
            names = _differing_parameters(fits)
        display = cls(
            losses=[fit.loss_history_ for fit in fits],
            val_losses=[fit.val_loss_history_ for fit in fits],
            names=names,
        )
        return display.plot(
            ax=ax, log_scale=log_scale, smoothing=smoothing, line_kw=line_kw
        )
