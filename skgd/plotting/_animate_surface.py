"""Gradient descent's paths animated on a loss surface: several fits racing,
step by step, on one grid of their loss (or rolling down a one-parameter
curve)."""

from numbers import Integral

import numpy as np

from .._utils import final_estimator
from ._animation import TEXT_BOX, finish_animation, frame_steps, quiet_corner
from ._loss_surface import _parameter_names, _path

#: The paths' colours, visible on viridis's contours.
_PATH_COLORS = ("C3", "C1", "white", "C6", "black", "C9", "C2", "C4")


def _curve_loss(grid, values):
    """The loss read off a one-parameter grid's curve (NaN off the grid)."""
    axis, loss = grid.axes[0], grid.loss
    return np.interp(values, axis, loss, left=np.nan, right=np.nan)


def _estimator_path(estimator, grid):
    """A fitted estimator's recorded path over the grid's parameters."""
    fit = final_estimator(estimator)
    names = _parameter_names(fit)
    path = _path(fit)
    if path is None:
        raise ValueError(
            f"This {type(fit).__name__} was fitted with record=None: it has no "
            "recorded path to animate. Fit it with record='epoch' or 'update'."
        )
    missing = [name for name in grid.names if name not in names]
    if missing or path.shape[1] != len(names):  # one weight vector
        raise ValueError(
            f"The path of this {type(fit).__name__} (parameters {names}) does not "
            f"match the grid's parameters {list(grid.names)}."
        )
    return path[:, [names.index(name) for name in grid.names]]


def _other_path(other, grid):
    """``(path, path_loss)`` of an extra path: a LossSurfaceDisplay, a fitted
    estimator (or pipeline) or an array of points."""
    n_params = len(grid.names)
    if hasattr(other, "grid") and hasattr(other, "path"):
        if tuple(other.grid.names) != tuple(grid.names):
            raise ValueError(
                f"A display over {list(other.grid.names)} does not match the "
                f"grid's parameters {list(grid.names)}."
            )
        if other.path is None:
            raise ValueError("A display without a path has nothing to animate.")
        path, path_loss = np.asarray(other.path, dtype=float), other.path_loss
    elif hasattr(other, "steps") or hasattr(other, "coef_history_"):
        path, path_loss = _estimator_path(other, grid), None
    else:
        path = np.asarray(other, dtype=float)
        if path.ndim == 1 and n_params == 1:
            path = path[:, np.newaxis]
        if path.ndim != 2 or path.shape[1] != n_params or not len(path):
            raise ValueError(
                f"A path is an array of shape (n_points, {n_params}), one column "
                f"per parameter {list(grid.names)}; got shape {path.shape}."
            )
        path_loss = None
    if n_params == 1 and path_loss is None:
        path_loss = _curve_loss(grid, path[:, 0])
    return path, path_loss


def _surface_paths(display, others, labels):
    """The paths to animate (the display's first), their losses and labels."""
    if display.path is None:
        raise ValueError(
            "This display has no path (its estimator was fitted with "
            "record=None): there is nothing to animate."
        )
    if display.path_kind == "crossings":
        raise ValueError(
            "This cross-section holds the points where the path crossed it, not "
            "a path: animate the display of the whole surface."
        )
    grid = display.grid
    paths = [(np.asarray(display.path, dtype=float), display.path_loss)]
    paths += [_other_path(other, grid) for other in others or []]
    if labels is None:
        labels = (
            ["path"]
            if len(paths) == 1
            else [f"path {i + 1}" for i in range(len(paths))]
        )
    labels = list(labels)
    if len(labels) != len(paths):
        raise ValueError(
            f"labels must name each of the {len(paths)} paths (the display's "
            f"first); got {len(labels)}."
        )
    return paths, labels


def _coordinates(path, path_loss, two):
    """The drawn coordinates of each point: ``(θ0, θ1)`` or ``(θ, loss)``."""
    if two:
        return path[:, 0], path[:, 1]
    return path[:, 0], np.asarray(path_loss, dtype=float)


def _path_artists(ax, labels, colors, trail):
    """Each path's trail (``None`` without one) and current point, empty."""
    trails, heads = [], []
    for label, color in zip(labels, colors, strict=True):
        line = None
        if trail != 1:
            (line,) = ax.plot([], [], color=color, marker="o", markersize=3,
                              linewidth=1.5, label=label)  # fmt: skip
        (head,) = ax.plot([], [], color=color, marker="o", markersize=9,
                          markeredgecolor="black", linestyle="none",
                          label=label if line is None else f"_{label}")  # fmt: skip
        trails.append(line)
        heads.append(head)
    return trails, heads


def _trail_length(trail):
    """``trail`` as the number of points drawn (``None``: all of them)."""
    if isinstance(trail, bool):
        return None if trail else 1
    if not isinstance(trail, Integral) or trail < 1:
        raise ValueError(f"trail must be True, False or a positive int; got {trail!r}.")
    return trail


def animate_surface(
    display, *, others=None, labels=None, interval=100, frames=None, trail=True,
    ax=None, blit=True, colors=None,
):  # fmt: skip
    """Animate gradient descent's paths, step by step, on one loss surface.

    The loss is drawn once (filled contours over two parameters, the curve
    ``J(θ)`` over one); each path is a marker at its current point and a trail
    of the points so far. Frame ``k`` shows the first ``k + 1`` points of each
    path; a shorter path stays at its end. Several paths on one surface race
    learning rates, solvers (batch, minibatch, SGD) or optimizers: step ``k``
    of each is its ``k``-th recorded point (an epoch or an update, as the
    fit's ``record``).

    Parameters
    ----------
    display : LossSurfaceDisplay
        The surface and its path, as built by
        :meth:`LossSurfaceDisplay.from_estimator` or ``from_function``. Its
        grid is drawn again, on contours (a 3-D ``kind="surface"`` is drawn as
        contours too).
    others : list, default=None
        More paths over the same parameters: :class:`LossSurfaceDisplay`
        objects, fitted skgd estimators (or pipelines ending in one: their
        ``coef_history_`` and ``intercept_history_``), or arrays of shape
        ``(n_points, n_parameters)``. On a one-parameter curve the loss of an
        estimator's or an array's points is read off the drawn curve (and
        they are not drawn where they leave the grid).
    labels : list of str, default=None
        The legend's name of each path, the display's first; by default
        ``"path"`` for one, ``"path 1"``, ``"path 2"``, ... for several.
    interval : int, default=100
        Milliseconds between frames.
    frames : int or list of int, default=None
        The frames: by default one per point of the longest path; an int
        ``n`` for ``n`` frames evenly spaced from its first point to its last
        (for long SGD paths); a list of point indices for those points.
    trail : bool or int, default=True
        Draw each path's points so far as a line (``True``), only the last
        ``trail`` of them (an int), or only the current point (``False``).
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when ``None``.
    blit : bool, default=True
        Redraw only the paths between frames (interactive backends).
    colors : list of color, default=None
        The colour of each path.

    Returns
    -------
    anim : matplotlib.animation.FuncAnimation
        The animation. Save it with ``anim.save_gif("path.gif")`` or
        ``anim.save("path.gif", writer="pillow")``, show it in a notebook
        with ``anim.to_jshtml()``. It also holds ``trails_`` (the trails,
        ``Line2D`` or ``None``), ``heads_`` (the current points, ``Line2D``),
        ``text_`` (the step counter), ``steps_`` (``steps_[k]``: the index of
        the last point drawn at frame ``k``), ``ax_``, ``figure_``,
        ``update_frame(k)``, which draws frame ``k`` and returns the changed
        artists, and ``save_gif(filename, fps=None, dpi=None)``, a faster GIF
        export (see :func:`save_gif`).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skgd import GDRegressor
    >>> from skgd.plotting import LossSurfaceDisplay
    >>> from skgd.plotting import animate_surface
    >>> rng = np.random.default_rng(0)
    >>> x = rng.uniform(0, 1, (50, 1))
    >>> y = 1 + 2 * x[:, 0] + 0.1 * rng.standard_normal(50)
    >>> fits = [GDRegressor(learning_rate=lr, max_iter=8, tol=None).fit(x, y)
    ...         for lr in (0.1, 0.5)]
    >>> display = LossSurfaceDisplay.from_estimator(fits[0], x, y)
    >>> anim = animate_surface(display, others=fits[1:],
    ...                        labels=["lr=0.1", "lr=0.5"])
    >>> len(anim.steps_)  # the start and 8 epochs
    9
    >>> _ = anim.update_frame(3)  # frame 3: the start and 3 epochs
    >>> len(anim.trails_[1].get_xdata())
    4
    >>> "<script" in anim.to_jshtml()
    True
    """
    import matplotlib.pyplot as plt

    paths, labels = _surface_paths(display, others, labels)
    trail = _trail_length(trail)
    colors = list(colors or [])
    colors += [
        _PATH_COLORS[i % len(_PATH_COLORS)] for i in range(len(colors), len(paths))
    ]
    steps = frame_steps(max(len(path) for path, _ in paths), frames)
    if ax is None:
        _, ax = plt.subplots()
    display.background().plot(ax=ax)  # the loss and its minimum
    two = len(display.grid.axes) == 2
    coords = [_coordinates(path, loss, two) for path, loss in paths]
    trails, heads = _path_artists(ax, labels, colors, trail)
    text = ax.text(0.02, 0.97, "", transform=ax.transAxes, va="top", bbox=TEXT_BOX)
    xs = np.concatenate([c[0] for c in coords])
    ys = np.concatenate([c[1] for c in coords])
    ax.legend(loc=quiet_corner(ax, xs, ys), fontsize="small")

    def update_frame(k):
        step = int(steps[k])
        for (xs, ys), line, head in zip(coords, trails, heads, strict=True):
            end = min(step, len(xs) - 1) + 1
            if line is not None:
                start = 0 if trail is None else max(0, end - trail)
                line.set_data(xs[start:end], ys[start:end])
            head.set_data(xs[end - 1 : end], ys[end - 1 : end])
        text.set_text(f"step {step}")
        return [line for line in trails if line is not None] + heads + [text]

    return finish_animation(
        ax, update_frame, steps, interval=interval, blit=blit, trails=trails,
        heads=heads, text=text,
    )  # fmt: skip
