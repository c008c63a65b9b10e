"""The loss surface Display and the loss over a grid of parameters."""

import numpy as np

from .._utils import final_estimator
from ._loss_surface import (
    estimator_loss_grid,
    function_loss_grid,
    lesson_names,
    readable_levels,
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
        ``names`` (the free parameters; the intercept first, as the lessons
        draw ``b`` along x and ``w`` along y), ``axes`` (each one's grid
        values), ``loss`` (shape ``(grid_size,)``, or ``(grid_size,
        grid_size)`` with rows following the second parameter) and ``fixed``
        (the fixed parameters and their values).

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
    ).grid


class LossSurfaceDisplay:
    """The loss over one or two parameters, and the path gradient descent took.

    With two parameters (an intercept and one coefficient, or two
    coefficients) the loss is drawn as filled contours or a 3-D surface, the
    intercept along x as the lessons draw ``b`` and ``w``; with one (a model
    of one coefficient, a cross-section with the other parameter fixed, or a
    function of one variable) as a curve. The minimum is marked with a star:
    the exact minimiser where the objective is quadratic (least squares, with
    or without an L2 penalty), else the grid's lowest point. The path (every
    epoch or every update, as the estimator's ``record``) is drawn on it; on a
    cross-section, the points where the path crossed it.

    Build it with :meth:`from_estimator` or :meth:`from_function`.

    Parameters
    ----------
    grid : LossGrid
        The loss over the grid (see :func:`loss_grid`).
    path : ndarray of shape (n_points, n_parameters), default=None
        The points visited (or, following ``path_kind``, where the path
        crossed this section).
    path_loss : ndarray of shape (n_points,), default=None
        The loss at each of them.
    path_kind : {"path", "crossings", "projected"}, default="path"
        What ``path`` holds: the recorded points; where the path crossed a
        cross-section (one parameter fixed: the path's points on it, and the
        points of its steps between two records on either side); or the
        path's free coordinates on a section with several parameters fixed,
        which the path was not on (drawn dashed, and so labelled).
    minimum : ndarray of shape (n_parameters,), default=None
        The exact minimiser over the grid's parameters; ``None`` marks the
        grid's lowest point instead.
    minimum_loss : float, default=None
        The loss at ``minimum``.
    param_names : dict or tuple of str, default=None
        The drawn names of the parameters: ``{grid name: drawn name}`` (the
        fixed parameters' too), or a tuple ordered like ``grid.names``. By
        default the grid's names.

    Attributes
    ----------
    loss_artist_ : matplotlib artist
        The curve (``Line2D``), the filled contours (``QuadContourSet``) or the
        surface (``Poly3DCollection``).
    path_ : matplotlib.lines.Line2D or None
        The path (or its crossings).
    minimum_ : matplotlib.lines.Line2D
        The star at the minimum.
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
    >>> display.grid.names, display.ax_.get_xlabel(), display.ax_.get_ylabel()
    (('intercept', 'coef[0]'), 'b', 'w')
    >>> len(display.path_.get_xdata()) == reg.n_iter_ + 1
    True
    >>> b, w = display.minimum  # the least-squares line, exactly
    >>> np.allclose([w, b], np.polyfit(x[:, 0], y, 1), rtol=1e-10)
    True
    """

    def __init__(
        self,
        *,
        grid,
        path=None,
        path_loss=None,
        path_kind="path",
        minimum=None,
        minimum_loss=None,
        param_names=None,
    ):
        self.grid = grid
        self.path = path
        self.path_loss = path_loss
        self.path_kind = path_kind
        self.minimum = minimum
        self.minimum_loss = minimum_loss
        self.param_names = param_names

    def _names(self):
        """``{grid name: drawn name}``."""
        names = self.param_names
        if names is None:
            return {}
        if isinstance(names, dict):
            return dict(names)
        names = tuple(names)
        if len(names) != len(self.grid.names):
            raise ValueError(
                f"param_names must name each of the grid's parameters "
                f"{self.grid.names}; got {names}."
            )
        return dict(zip(self.grid.names, names, strict=True))

    def background(self):
        """This display without its path: the loss and its minimum, which an
        animation draws its paths over."""
        return type(self)(
            grid=self.grid, minimum=self.minimum, minimum_loss=self.minimum_loss,
            param_names=self.param_names,
        )  # fmt: skip

    def plot(self, ax=None, *, kind="contour", levels=30, path_kw=None, loss_kw=None):
        """Draw the loss, its minimum and the path.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw (3-D axes for ``kind="surface"``); a new figure when
            ``None``.
        kind : {"contour", "surface"}, default="contour"
            For two parameters: filled contours or a 3-D surface (the path
            drawn over it, never hidden). Ignored for one parameter.
        levels : int, default=30
            About this many contour levels, spaced evenly in the square root
            of the loss above its minimum (so the valley floor gets its
            share), at round numbers.
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
        names = self._names()
        two = len(self.grid.axes) == 2
        surface = two and kind == "surface"
        if ax is None:
            fig = plt.figure()
            ax = fig.add_subplot(projection="3d" if surface else None)
        elif surface and getattr(ax, "name", "") != "3d":
            raise ValueError("kind='surface' needs 3-D axes (projection='3d').")
        if surface:  # draw in order, the path over the surface
            ax.computed_zorder = False
        self.loss_artist_ = self._plot_loss(ax, surface, levels, loss_kw or {})
        self.path_ = self._plot_path(ax, surface, names, path_kw or {})
        self.minimum_ = self._plot_minimum(ax, surface)
        # The path may leave the grid (a diverging fit): keep the view on it.
        ax.set_xlim(self.grid.axes[0][0], self.grid.axes[0][-1])
        labels = [names.get(name, name) for name in self.grid.names]
        ax.set_xlabel(labels[0])
        if two:
            ax.set_ylim(self.grid.axes[1][0], self.grid.axes[1][-1])
        ax.set_ylabel(labels[1] if two else "loss")
        if self.grid.fixed and not ax.get_title():
            ax.set_title(", ".join(
                f"{names.get(name, name)} fixed at {value:.3g}"
                for name, value in self.grid.fixed
            ))  # fmt: skip
        ax.legend()
        self.ax_, self.figure_ = ax, ax.figure
        return self

    def _plot_loss(self, ax, surface, levels, loss_kw):
        """The curve, the surface or the filled contours (with a colour bar)."""
        loss = self.grid.loss
        if len(self.grid.axes) == 1:
            return ax.plot(self.grid.axes[0], loss, **loss_kw)[0]
        first, second = np.meshgrid(*self.grid.axes)
        if surface:
            ax.set_zlabel("loss")
            kw = {"cmap": "viridis", "alpha": 0.6, "zorder": 1}
            return ax.plot_surface(first, second, loss, **(kw | loss_kw))
        kw = {"levels": readable_levels(loss, levels), "cmap": "viridis"}
        contours = ax.contourf(first, second, loss, **(kw | loss_kw))
        ax.figure.colorbar(contours, ax=ax, label="loss", format="%g")
        return contours

    def _plot_minimum(self, ax, surface):
        """The star at the exact minimum, or at the grid's lowest point."""
        if self.minimum is not None:
            point, value = np.ravel(self.minimum), self.minimum_loss
            label = "minimum"
        else:
            cell = np.unravel_index(np.argmin(self.grid.loss), self.grid.loss.shape)
            axes = self.grid.axes
            point = [axes[0][cell[-1]]] + ([axes[1][cell[0]]] if len(axes) == 2 else [])
            value, label = self.grid.loss[cell], "minimum of the grid"
        coords = [[c] for c in point]
        if surface or len(coords) == 1:
            coords.append([value])
        (star,) = ax.plot(
            *coords, marker="*", markersize=14, color="gold", zorder=11,
            markeredgecolor="black", linestyle="none", label=label,
        )  # fmt: skip
        return star

    def _plot_path(self, ax, surface, names, path_kw):
        """The path, its crossings of a cross-section, or its projection."""
        if self.path is None:
            return None
        path = np.asarray(self.path, dtype=float).reshape(len(self.path), -1)
        if path.shape[1] == 1:
            coords = (path[:, 0], self.path_loss)
        elif surface:
            coords = (path[:, 0], path[:, 1], self.path_loss)
        else:
            coords = (path[:, 0], path[:, 1])
        kw = {"color": "C3", "marker": "o", "markersize": 3, "label": "path"}
        if surface:
            kw |= {"linewidth": 2.5, "markersize": 4, "markeredgecolor": "white",
                   "zorder": 10}  # fmt: skip
        if self.path_kind == "crossings":
            where = ", ".join(
                f"{names.get(name, name)} = {value:.3g}"
                for name, value in self.grid.fixed
            )
            kw |= {"linestyle": "none", "markersize": 9, "markeredgecolor": "black",
                   "label": f"where the path crossed {where}"}  # fmt: skip
        elif self.path_kind == "projected":
            kw |= {"linestyle": "--", "alpha": 0.7,
                   "label": "path, projected (it was off this section)"}  # fmt: skip
        return ax.plot(*coords, **(kw | path_kw))[0]

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
        param_names=None,
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
            As in :func:`loss_grid`. On a cross-section (one parameter fixed)
            the points where the path crossed it are drawn; with several
            fixed, the path's projection, dashed.
        param_names : dict or tuple of str, default=None
            As in the constructor; by default ``w`` and ``b`` for a model of
            one feature, else ``coef[0]``, ..., ``intercept``.
        **plot_kwargs
            ``kind``, ``ax``, ``levels``, ``path_kw`` and ``loss_kw``, as in
            :meth:`plot`.

        Returns
        -------
        display : LossSurfaceDisplay
            The display, drawn.
        """
        data = estimator_loss_grid(
            estimator,
            X,
            y,
            sample_weight=sample_weight,
            fixed=fixed,
            extent=extent,
            grid_size=grid_size,
        )
        if param_names is None:
            param_names = lesson_names(final_estimator(estimator))
        display = cls(**data._asdict(), param_names=param_names)
        return display.plot(**plot_kwargs)

    @classmethod
    def from_function(
        cls,
        fun,
        path,
        *,
        extent=None,
        grid_size=200,
        param_names=None,
        **plot_kwargs,
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
        param_names : tuple of str, default=None
            The variables' drawn names; by default ``x``, or ``x[0]`` and
            ``x[1]``.
        **plot_kwargs
            ``kind``, ``ax``, ``levels``, ``path_kw`` and ``loss_kw``, as in
            :meth:`plot`.

        Returns
        -------
        display : LossSurfaceDisplay
            The display, drawn.
        """
        data = function_loss_grid(fun, path, extent=extent, grid_size=grid_size)
        display = cls(**data._asdict(), param_names=param_names)
        return display.plot(**plot_kwargs)
