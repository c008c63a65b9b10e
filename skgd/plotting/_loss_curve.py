"""The loss curve Display: the loss per epoch of one or several fits."""

import numpy as np

from .._backends._array_api import to_numpy
from .._utils import final_estimator
from ._animation import TEXT_BOX, finish_animation, frame_steps

#: What a fit's ``loss_history_`` measures, by ``LossCurveDisplay.measured``.
_MEASURES = {
    "start": "loss at the epoch's start",
    "during": "mean loss during the epoch",
}


def _differing_parameters(estimators):
    """``"name=value, ..."`` of the parameters that differ between estimators."""
    params = [{k: repr(v) for k, v in e.get_params().items()} for e in estimators]
    keys = [k for k in params[0] if any(p.get(k) != params[0][k] for p in params)]
    if not keys:
        return [f"fit {i}" for i in range(1, len(estimators) + 1)]
    return [", ".join(f"{k}={p[k]}" for k in keys) for p in params]


def _exponential_smoothing(values, weight):
    """The exponentially weighted mean of ``values``: ``s_0 = v_0``,
    ``s_t = weight * s_(t-1) + (1 - weight) * v_t``."""
    smoothed = np.empty(len(values))
    running = values[0] if len(values) else 0.0
    for t, value in enumerate(values):
        running = weight * running + (1.0 - weight) * value
        smoothed[t] = running
    return smoothed


def _measured(fit):
    """What ``fit.loss_history_`` measures: ``"start"`` for the batch solver
    (the objective before the epoch's step), ``"during"`` for the others (the
    mean of each sample's loss when it was used, while the model moved)."""
    return "start" if getattr(fit, "solver", None) == "batch" else "during"


class LossCurveDisplay:
    """The training loss per epoch of one or several fits, and the validation
    loss where early stopping recorded one.

    Build it with :meth:`from_estimator`; several estimators on one axes
    compare solvers, learning rates or optimizers.

    The solvers measure an epoch's loss differently, which shows at epoch 1:
    ``"batch"`` records the objective at the epoch's start (epoch 1: the
    untrained model's), ``"sgd"`` and ``"minibatch"`` the mean of each
    sample's loss when it was used, while the model was moving (epoch 1:
    already partly trained, so lower). The axis label says which, and with
    both on one plot each curve's legend entry does.

    Parameters
    ----------
    losses : list of ndarray
        Each fit's ``loss_history_``.
    val_losses : list of (ndarray or None), default=None
        Each fit's ``val_loss_history_``.
    names : list of str, default=None
        The legend's label of each fit.
    measured : list of {"start", "during"}, default=None
        What each fit's losses measure: the objective at each epoch's start
        (the batch solver), or the mean loss during each epoch (sgd and
        minibatch); unsaid when ``None``.

    Attributes
    ----------
    lines_ : list of matplotlib.lines.Line2D
        The training curves, one per fit (smoothed with ``smoothing``).
    raw_lines_ : list of matplotlib.lines.Line2D or None
        With ``smoothing``, the raw training curves drawn faintly behind the
        smoothed ones; ``None`` without.
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
    ["solver='batch' (loss at the epoch's start)", "solver='sgd' (mean loss during the epoch)"]
    """  # noqa: E501

    def __init__(self, *, losses, val_losses=None, names=None, measured=None):
        self.losses = losses
        self.val_losses = val_losses
        self.names = names
        self.measured = measured

    def _labels(self):
        """Each fit's legend label and the loss axis' label."""
        names = list(self.names or [None] * len(self.losses))
        measured = self.measured or [None] * len(self.losses)
        kinds = set(measured) - {None}
        if len(kinds) == 1:
            return names, _MEASURES[kinds.pop()]
        labels = [
            name if kind is None else f"{name or 'fit'} ({_MEASURES[kind]})"
            for name, kind in zip(names, measured, strict=True)
        ]
        return labels, "loss"

    def plot(self, ax=None, *, log_scale=False, smoothing=None, line_kw=None):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when ``None``.
        log_scale : bool, default=False
            A logarithmic loss axis (and epoch axis).
        smoothing : float in [0, 1), default=None
            Also draw the exponentially weighted mean of the losses (training
            and validation) with this weight, the tutorial's smoothed cost,
            over the raw losses (drawn faintly, labelled "raw").
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
        labels, ylabel = self._labels()
        val_losses = self.val_losses or [None] * len(self.losses)
        self.lines_, self.val_lines_ = [], []
        self.raw_lines_ = None if smoothing is None else []
        for loss, val_loss, label in zip(self.losses, val_losses, labels, strict=True):
            epochs = np.arange(1, len(loss) + 1)
            kw = {"label": label, **(line_kw or {})}
            if smoothing is not None:
                raw_label = f"{label} (raw)" if label else "raw"
                (raw,) = ax.plot(epochs, loss, alpha=0.3, **(kw | {"label": raw_label}))
                self.raw_lines_.append(raw)
                kw["color"] = raw.get_color()
                kw["label"] = label or f"smoothed (weight {smoothing})"
                loss = _exponential_smoothing(loss, smoothing)
                if val_loss is not None:
                    val_loss = _exponential_smoothing(val_loss, smoothing)
            (line,) = ax.plot(epochs, loss, **kw)
            self.lines_.append(line)
            val_line = None
            if val_loss is not None:
                (val_line,) = ax.plot(
                    epochs,
                    val_loss,
                    linestyle="--",
                    color=line.get_color(),
                    label=f"{label} (validation)" if label else "validation",
                )
            self.val_lines_.append(val_line)
        if log_scale:
            ax.set(xscale="log", yscale="log")
        ax.set(xlabel="epoch", ylabel=ylabel)
        if any(not line.get_label().startswith("_") for line in ax.get_lines()):
            ax.legend()
        self.ax_, self.figure_ = ax, ax.figure
        return self

    def animate(self, *, interval=200, frames=None, ax=None, blit=True, **plot_kw):
        """Animate the curves growing epoch by epoch, all fits together.

        Frame ``k`` shows the first ``steps_[k] + 1`` epochs of every curve
        (a shorter fit stays at its end); the axes keep the whole fits' range.

        Parameters
        ----------
        interval : int, default=200
            Milliseconds between frames.
        frames : int or list of int, default=None
            By default one frame per epoch of the longest fit; an int ``n``
            for ``n`` frames evenly spaced; a list of epoch indices (from 0).
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when ``None``.
        blit : bool, default=True
            Redraw only the curves between frames (interactive backends).
        **plot_kw
            ``log_scale``, ``smoothing`` and ``line_kw``, as in :meth:`plot`.

        Returns
        -------
        anim : matplotlib.animation.FuncAnimation
            The animation (``anim.save_gif("loss.gif")``,
            ``anim.to_jshtml()``), holding ``lines_`` (the curves it grows),
            ``text_`` (the epoch counter), ``steps_``, ``ax_``, ``figure_``,
            ``update_frame(k)`` and ``save_gif``, as
            :func:`~skgd.plotting.animate_surface`.

        Examples
        --------
        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> import numpy as np
        >>> from skgd.plotting import LossCurveDisplay
        >>> display = LossCurveDisplay(losses=[np.array([4.0, 2.0, 1.0])])
        >>> anim = display.animate()
        >>> _ = anim.update_frame(1)
        >>> anim.lines_[0].get_ydata().tolist(), anim.text_.get_text()
        ([4.0, 2.0], 'epoch 2')
        """
        self.plot(ax=ax, **plot_kw)
        groups = [self.lines_, self.raw_lines_ or [], self.val_lines_]
        lines = [line for group in groups for line in group if line is not None]
        data = [(line.get_xdata(), line.get_ydata()) for line in lines]
        steps = frame_steps(max(len(x) for x, _ in data), frames)
        text = self.ax_.text(
            0.02, 0.97, "", transform=self.ax_.transAxes, va="top", bbox=TEXT_BOX
        )

        def update_frame(k):
            end = int(steps[k]) + 1
            for line, (x, y) in zip(lines, data, strict=True):
                line.set_data(x[:end], y[:end])
            text.set_text(f"epoch {end}")
            return [*lines, text]

        return finish_animation(
            self.ax_, update_frame, steps, interval=interval, blit=blit,
            lines=lines, text=text,
        )  # fmt: skip

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
        fits = [final_estimator(e) for e in estimators]
        if names is None and len(fits) > 1:
            names = _differing_parameters(fits)
        display = cls(
            losses=[to_numpy(fit.loss_history_) for fit in fits],
            val_losses=[to_numpy(fit.val_loss_history_) for fit in fits],
            names=names,
            measured=[_measured(fit) for fit in fits],
        )
        return display.plot(
            ax=ax, log_scale=log_scale, smoothing=smoothing, line_kw=line_kw
        )
