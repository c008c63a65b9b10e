"""The Displays of loss curves and loss surfaces."""

import numpy as np

from .._utils import final_estimator
from ._loss_surface import estimator_loss_grid, function_loss_grid


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
                loss = _exponential_smoothing(loss, smoothing)
                if val_loss is not None:
                    val_loss = _exponential_smoothing(val_loss, smoothing)
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
        fits = [final_estimator(e) for e in estimators]
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


def loss_grid(
    estimator, X, y, *, sample_weight=None, fixed=None, extent=None, grid_size=60
):
    """The objective of a fitted estimator over a grid of one or two parameters.

    The objective is the one the estimator minimised (its loss plus penalty,
    as in ``loss_history_``), on ``(X, y)``. The parameters are the
    coefficients ``coef[j]`` and the ``intercept``; a model with more than two
    needs the others held in ``fixed``.

    Parameters
    ----------
    estimator : estimator
        A fitted skgd estimator with one weight vector (one target, or two
        classes), or a ``Pipeline`` ending in one.
    X : array-like of shape (n_samples, n_features)
        The data the loss is measured on (before the pipeline's transforms).
    y : array-like of shape (n_samples,)
        Its targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the samples.
    fixed : str or dict, default=None
        Parameters held fixed: a name (held at its fitted value) or
        ``{name: value}`` (``None`` for the fitted value). Fixing one of two
        parameters gives a cross-section.
    extent : list of (float, float), default=None
        The range of each free parameter; by default the range of the recorded
        path and the fitted point, padded by a quarter on each side.
    grid_size : int, default=60
        Points per parameter.

    Returns
    -------
    grid : LossGrid
        ``names`` (the free parameters), ``axes`` (each one's grid values) and
        ``loss`` (shape ``(grid_size,)``, or ``(grid_size, grid_size)`` with
        rows following the second parameter).

    Examples
    --------
    >>> import numpy as np
    >>> from skgd import GDRegressor
    >>> from skgd.plotting import loss_grid
    >>> X, y = np.array([[1.0], [2.0], [3.0]]), np.array([2.0, 4.0, 6.0])
    >>> reg = GDRegressor(fit_intercept=False, learning_rate=0.01).fit(X, y)
    >>> grid = loss_grid(reg, X, y, extent=[(0.0, 4.0)], grid_size=5)
    >>> grid.names, grid.axes[0]
    (('coef[0]',), array([0., 1., 2., 3., 4.]))
    >>> grid.loss.round(2)  # mean((w * x - y)**2) = 14 / 3 * (w - 2)**2
    array([18.67,  4.67,  0.  ,  4.67, 18.67])
    """
    return estimator_loss_grid(
        estimator,
        X,
        y,
        sample_weight=sample_weight,
        fixed=fixed,
        extent=extent,
        grid_size=grid_size,
    )[0]


class LossSurfaceDisplay:
    """The loss over one or two parameters, and the path gradient descent took.

    With two parameters (an intercept and one coefficient, or two
    coefficients) the loss is drawn as filled contours or a 3-D surface; with
    one (a model of one coefficient, a cross-section with the other parameter
    fixed, or a function of one variable) as a curve. The grid's minimum is
    marked with a star and the path (every epoch or every update, as the
    estimator's ``record``) is drawn on it.

    Build it with :meth:`from_estimator` or :meth:`from_function`.

    Parameters
    ----------
    grid : LossGrid
        The loss over the grid (see :func:`loss_grid`).
    path : ndarray of shape (n_points, n_parameters), default=None
        The points visited.
    path_loss : ndarray of shape (n_points,), default=None
        The loss at each of them.

    Attributes
    ----------
    loss_artist_ : matplotlib artist
        The curve (``Line2D``), the filled contours (``QuadContourSet``) or the
        surface (``Poly3DCollection``).
    path_ : matplotlib.lines.Line2D or None
        The path.
    minimum_ : matplotlib.lines.Line2D
        The star at the grid's minimum.
    ax_ : matplotlib.axes.Axes
        The axes drawn on (3-D for ``kind="surface"``).
    figure_ : matplotlib.figure.Figure
        Its figure.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skgd import GDRegressor
    >>> from skgd.plotting import LossSurfaceDisplay
    >>> rng = np.random.default_rng(0)
    >>> x = rng.uniform(0, 1, (100, 1))
    >>> y = 1 + 2 * x[:, 0] + 0.1 * rng.standard_normal(100)
    >>> reg = GDRegressor(learning_rate=0.2, max_iter=50).fit(x, y)
    >>> display = LossSurfaceDisplay.from_estimator(reg, x, y)
    >>> display.grid.names
    ('coef[0]', 'intercept')
    >>> len(display.path_.get_xdata()) == reg.n_iter_ + 1
    True
    """

    def __init__(self, *, grid, path=None, path_loss=None):
        self.grid = grid
        self.path = path
        self.path_loss = path_loss

    def plot(self, ax=None, *, kind="contour", levels=30, path_kw=None, loss_kw=None):
        """Draw the loss and the path.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw (3-D axes for ``kind="surface"``); a new figure when
            ``None``.
        kind : {"contour", "surface"}, default="contour"
            For two parameters: filled contours or a 3-D surface. Ignored for
            one parameter.
        levels : int, default=30
            Contour levels (spaced evenly in the square root of the loss above
            its minimum, so the valley floor gets its share).
        path_kw : dict, default=None
            Keyword arguments of the path's ``ax.plot``.
        loss_kw : dict, default=None
            Keyword arguments of the curve's ``ax.plot``, of ``ax.contourf``
            or of ``ax.plot_surface``.

        Returns
        -------
        display : LossSurfaceDisplay
            This display, with its artists.
        """
        import matplotlib.pyplot as plt

        if kind not in ("contour", "surface"):
            raise ValueError(f"kind must be 'contour' or 'surface'; got {kind!r}.")
        two = len(self.grid.axes) == 2
        surface = two and kind == "surface"
        if ax is None:
            fig = plt.figure()
            ax = fig.add_subplot(projection="3d" if surface else None)
        elif surface and getattr(ax, "name", "") != "3d":
            raise ValueError("kind='surface' needs 3-D axes (projection='3d').")
        path_kw = {"color": "C3", "marker": "o", "markersize": 3, **(path_kw or {})}
        loss_kw = loss_kw or {}
        loss = self.grid.loss
        if not two:
            (self.loss_artist_,) = ax.plot(self.grid.axes[0], loss, **loss_kw)
            best = np.argmin(loss)
            minimum = ([self.grid.axes[0][best]], [loss[best]])
        else:
            first, second = np.meshgrid(*self.grid.axes)
            row, col = np.unravel_index(np.argmin(loss), loss.shape)
            minimum = ([first[row, col]], [second[row, col]])
            if surface:
                self.loss_artist_ = ax.plot_surface(
                    first, second, loss, **{"cmap": "viridis", "alpha": 0.8, **loss_kw}
                )
                minimum = (*minimum, [loss[row, col]])
                ax.set_zlabel("loss")
            else:
                low = loss.min()
                bounds = low + np.linspace(0, np.sqrt(loss.max() - low), levels) ** 2
                self.loss_artist_ = ax.contourf(
                    first,
                    second,
                    loss,
                    **{"levels": bounds, "cmap": "viridis", **loss_kw},
                )
                ax.figure.colorbar(self.loss_artist_, ax=ax, label="loss")
        self.path_ = None
        if self.path is not None:
            if not two:
                coords = (self.path[:, 0], self.path_loss)
            elif surface:
                coords = (self.path[:, 0], self.path[:, 1], self.path_loss)
            else:
                coords = (self.path[:, 0], self.path[:, 1])
            (self.path_,) = ax.plot(*coords, **{"label": "path", **path_kw})
        (self.minimum_,) = ax.plot(
            *minimum, marker="*", markersize=14, color="gold",
            markeredgecolor="black", linestyle="none", label="minimum of the grid",
        )  # fmt: skip
        # The path may leave the grid (a diverging fit): keep the view on it.
        ax.set_xlim(self.grid.axes[0][0], self.grid.axes[0][-1])
        if two:
            ax.set_ylim(self.grid.axes[1][0], self.grid.axes[1][-1])
        ax.set_xlabel(self.grid.names[0])
        ax.set_ylabel(self.grid.names[1] if two else "loss")
        ax.legend()
        self.ax_, self.figure_ = ax, ax.figure
        return self

    def animate(
        self,
        *,
        others=None,
        labels=None,
        interval=100,
        frames=None,
        trail=True,
        ax=None,
    ):
        """Animate the path step by step on the loss, racing ``others`` (see
        :func:`~skgd.plotting.animate_surface`, which documents the parameters).

        Returns
        -------
        anim : matplotlib.animation.FuncAnimation
            With ``save_gif(filename)`` and ``update_frame(k)``.
        """
        from ._animate_surface import animate_surface

        return animate_surface(
            self, others=others, labels=labels, interval=interval, frames=frames,
            trail=trail, ax=ax,
        )  # fmt: skip

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        sample_weight=None,
        fixed=None,
        extent=None,
        grid_size=60,
        **plot_kwargs,
    ):
        """Draw a fitted estimator's objective and its recorded path.

        Parameters
        ----------
        estimator : estimator
            A fitted skgd estimator with one weight vector and one or two
            parameters (or more, all but two ``fixed``), or a ``Pipeline``
            ending in one. Its path is ``coef_history_`` and
            ``intercept_history_``: every epoch or every update, as its
            ``record``.
        X, y, sample_weight, fixed, extent, grid_size
            As in :func:`loss_grid`. On a cross-section the path is drawn at
            its free coordinate, on the section.
        **plot_kwargs
            ``kind``, ``ax``, ``levels``, ``path_kw`` and ``loss_kw``, as in
            :meth:`plot`.

        Returns
        -------
        display : LossSurfaceDisplay
            The display, drawn.
        """
        grid, path, path_loss = estimator_loss_grid(
            estimator,
            X,
            y,
            sample_weight=sample_weight,
            fixed=fixed,
            extent=extent,
            grid_size=grid_size,
        )
        display = cls(grid=grid, path=path, path_loss=path_loss)
        return display.plot(**plot_kwargs)

    @classmethod
    def from_function(
        cls,
        fun,
        path,
        *,
        extent=None,
        grid_size=200,
        kind="contour",
        ax=None,
        levels=30,
        path_kw=None,
        loss_kw=None,
    ):
        """Draw a function of one or two variables and a path on it, such as
        :func:`skgd.minimize`'s ``x_path``.

        Parameters
        ----------
        fun : callable
            ``fun(x) -> float``: ``x`` a float for one variable, an array of
            two for two.
        path : array-like of shape (n_points,) or (n_points, 2)
            The points visited.
        extent : list of (float, float), default=None
            The range of each variable; by default the path's, padded.
        grid_size : int, default=200
            Points per variable.
        kind, ax, levels, path_kw, loss_kw
            As in :meth:`plot`.

        Returns
        -------
        display : LossSurfaceDisplay
            The display, drawn.
        """
        grid, path, path_loss = function_loss_grid(
            fun, path, extent=extent, grid_size=grid_size
        )
        display = cls(grid=grid, path=path, path_loss=path_loss)
        return display.plot(
            ax=ax, kind=kind, levels=levels, path_kw=path_kw, loss_kw=loss_kw
        )
