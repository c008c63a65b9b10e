"""Animations of gradient descent: paths rolling over a loss surface, and the
model's predictions epoch by epoch.

Both return a :class:`matplotlib.animation.FuncAnimation` whose artists are
made once and only updated per frame (so it blits, and saves quickly), with
the animated artists and the per-frame function attached to it:
``anim.update_frame(k)`` draws frame ``k`` (as the animation does) and
returns the artists it changed, for a still of one frame.
"""

from functools import partial
from numbers import Integral

import numpy as np

from .._utils import final_estimator
from ._loss_surface import _parameter_names, _path

#: The paths' colours, visible on viridis's contours.
_PATH_COLORS = ("C3", "C1", "white", "C6", "black", "C9", "C2", "C4")
#: The box behind the frame's counter.
_TEXT_BOX = {"boxstyle": "round", "facecolor": "white", "alpha": 0.8}
#: The corners a legend may take (the counter holds the upper left), first
#: preferred.
_CORNERS = {
    "upper right": (1, 1),
    "lower right": (1, 0),
    "lower left": (0, 0),
}


def _quiet_corner(ax, xs, ys):
    """The legend's corner: the one holding the fewest of the points (data
    coordinates) in view, so that the legend stays put and covers little."""
    xs, ys = np.ravel(xs), np.ravel(ys)
    finite = np.isfinite(xs) & np.isfinite(ys)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    u = (xs[finite] - x0) / (x1 - x0)
    v = (ys[finite] - y0) / (y1 - y0)

    def crowd(corner):
        cu, cv = corner
        return np.sum((np.abs(u - cu) < 0.4) & (np.abs(v - cv) < 0.35))

    return min(_CORNERS, key=lambda name: crowd(_CORNERS[name]))


def save_gif(anim, filename, *, fps=None, dpi=None):
    """Save an animation of this module as a GIF, fast: the still parts are
    drawn once, and only the changing artists per frame (blitting).

    ``anim.save(filename, writer="pillow")`` redraws the whole figure, twice,
    for every frame; this draws it once. The changing artists are drawn over
    everything else (the legend included), as on screen with ``blit=True``.

    Parameters
    ----------
    anim : matplotlib.animation.FuncAnimation
        An animation made by :func:`animate_surface` or
        :func:`animate_predictions`.
    filename : str or path-like
        Where to write the GIF.
    fps : float, default=None
        Frames per second; by default those of the animation's ``interval``.
    dpi : float, default=None
        Its resolution; by default the figure's.
    """
    from PIL import Image

    fig, canvas = anim.figure_, anim.figure_.canvas
    fps = fps or 1000.0 / anim.event_source.interval
    if not hasattr(canvas, "copy_from_bbox"):  # a canvas that cannot blit
        anim.save(filename, writer="pillow", fps=fps, dpi=dpi)
        return
    original_dpi = fig.dpi
    changing = anim.update_frame(0)
    try:
        fig.set_dpi(dpi or original_dpi)
        for artist in changing:
            artist.set_visible(False)
        canvas.draw()
        background = canvas.copy_from_bbox(fig.bbox)
        for artist in changing:
            artist.set_visible(True)
        frames = []
        for k in range(len(anim.steps_)):
            canvas.restore_region(background)
            for artist in sorted(anim.update_frame(k), key=lambda a: a.get_zorder()):
                fig.draw_artist(artist)
            frames.append(Image.fromarray(np.array(canvas.buffer_rgba())))
    finally:
        fig.set_dpi(original_dpi)
    frames[0].save(
        filename, save_all=True, append_images=frames[1:],
        duration=int(1000 / fps), loop=0,
    )  # fmt: skip


def _frame_steps(n_points, frames):
    """The index of the last point drawn at each frame.

    ``None``: every point (frame ``k`` ends at point ``k``); an int ``n``: at
    most ``n`` frames evenly spaced from the first point to the last; an
    array of ints: those points.
    """
    if frames is None:
        return np.arange(n_points)
    if isinstance(frames, Integral) and not isinstance(frames, bool):
        if frames < 1:
            raise ValueError(f"frames must be at least 1; got {frames}.")
        if frames >= n_points:
            return np.arange(n_points)
        return np.round(np.linspace(0, n_points - 1, frames)).astype(np.intp)
    steps = np.asarray(frames)
    valid = steps.ndim == 1 and steps.size and steps.dtype.kind in "iu"
    if not valid or steps.min() < 0 or steps.max() >= n_points:
        raise ValueError(
            "frames must be None, a number of frames or a list of point indices "
            f"from 0 to {n_points - 1}; got {frames!r}."
        )
    return steps.astype(np.intp)


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
    if missing or path.shape[1] != fit.n_features_in_ + 1:  # one weight vector
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
    from matplotlib.animation import FuncAnimation

    paths, labels = _surface_paths(display, others, labels)
    if isinstance(trail, bool):
        trail = None if trail else 1
    elif not isinstance(trail, Integral) or trail < 1:
        raise ValueError(f"trail must be True, False or a positive int; got {trail!r}.")
    colors = list(colors or [])
    colors += [
        _PATH_COLORS[i % len(_PATH_COLORS)] for i in range(len(colors), len(paths))
    ]
    steps = _frame_steps(max(len(path) for path, _ in paths), frames)
    if ax is None:
        _, ax = plt.subplots()
    type(display)(grid=display.grid).plot(ax=ax)  # the loss and its minimum
    two = len(display.grid.axes) == 2
    coords = [_coordinates(path, loss, two) for path, loss in paths]
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
    text = ax.text(0.02, 0.97, "", transform=ax.transAxes, va="top", bbox=_TEXT_BOX)
    xs = np.concatenate([c[0] for c in coords])
    ys = np.concatenate([c[1] for c in coords])
    ax.legend(loc=_quiet_corner(ax, xs, ys), fontsize="small")

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

    anim = FuncAnimation(
        ax.figure, update_frame, frames=len(steps), interval=interval, blit=blit,
        cache_frame_data=False,
    )  # fmt: skip
    anim.trails_, anim.heads_, anim.text_, anim.steps_ = trails, heads, text, steps
    anim.ax_, anim.figure_, anim.update_frame = ax, ax.figure, update_frame
    anim.save_gif = partial(save_gif, anim)
    update_frame(0)
    return anim


def _boundary_segments(grid, values):
    """The decision boundary of one frame as line segments (contourpy's lines
    at zero of each field that crosses it)."""
    from contourpy import contour_generator

    from ._prediction_path import _boundary_fields

    segments = []
    for field in _boundary_fields(values):
        generator = contour_generator(*grid, field)
        segments += [line for line in generator.lines(0.0) if len(line) > 1]
    return segments


def _class_indices(values):
    """The index of the predicted class at each grid point of one frame."""
    if values.ndim == 3:
        return values.argmax(axis=-1)
    return (values > 0).astype(np.intp)


def _regression_limits(y, frames):
    """The y-range: the data's and the lines', within the data's range padded
    by its span (a diverging line leaves the view)."""
    low, high = y.min(), y.max()
    span = high - low if high > low else 1.0
    lines = np.concatenate([np.ravel(f.grid_values) for f in frames])
    lines = lines[np.isfinite(lines)]
    if len(lines):
        low, high = min(low, lines.min()), max(high, lines.max())
    low, high = max(low, y.min() - span), min(high, y.max() + span)
    pad = 0.05 * (high - low)
    return low - pad, high + pad


def _regression_artists(ax, display, frames, errors):
    """The data and the artists a regressor's frames update: its line, the
    errors' segments; and the function drawing frame ``k`` (returning its
    text)."""
    x, y = display.X[:, 0], display.y
    ax.scatter(x, y, color="C0", alpha=0.7, label="data")
    (line,) = ax.plot(display.grid[0], frames[0].grid_values, color="C3",
                      linewidth=2, label="model")  # fmt: skip
    artists = [line]
    residuals = None
    if errors:
        residuals = ax.vlines(x, y, frames[0].y_pred, color="C3", linewidth=1,
                              alpha=0.8, label="errors")  # fmt: skip
        artists.append(residuals)
    ax.set_ylim(*_regression_limits(y, frames))

    def draw(k):
        frame = frames[k]
        line.set_ydata(frame.grid_values)
        if residuals is not None:
            ends = np.stack([x, y, x, frame.y_pred], axis=1).reshape(-1, 2, 2)
            residuals.set_segments(ends)
        mse = np.mean((y - frame.y_pred) ** 2)
        return f"epoch {frame.epoch}, MSE {mse:.4g}"

    return artists, draw


def _classifier_artists(ax, display, frames, errors):
    """The data by class and the artists a classifier's frames update: the
    predicted regions, the boundary, the misclassified points."""
    from matplotlib.collections import LineCollection
    from matplotlib.colors import ListedColormap

    classes, X, y = display.classes, display.X, display.y
    n = len(classes)
    regions = ax.pcolormesh(
        *display.grid, _class_indices(frames[0].grid_values),
        cmap=ListedColormap([f"C{i}" for i in range(n)]), vmin=-0.5,
        vmax=n - 0.5, alpha=0.2, shading="nearest",
    )  # fmt: skip
    for i, label in enumerate(classes):
        ax.scatter(*X[y == label].T, color=f"C{i}", edgecolor="white",
                   label=f"class {label}")  # fmt: skip
    boundaries = [_boundary_segments(display.grid, f.grid_values) for f in frames]
    boundary = LineCollection(boundaries[0], colors="black", linewidths=2,
                              label="boundary")  # fmt: skip
    ax.add_collection(boundary)
    artists = [regions, boundary]
    wrong = None
    if errors:
        wrong = ax.scatter(*X[frames[0].y_pred != y].T, s=120, facecolors="none",
                           edgecolors="C3", linewidths=1.5,
                           label="misclassified")  # fmt: skip
        artists.append(wrong)
    ax.set(xlim=display.grid[0][[0, -1]], ylim=display.grid[1][[0, -1]])

    def draw(k):
        frame = frames[k]
        regions.set_array(_class_indices(frame.grid_values))
        boundary.set_segments(boundaries[k])
        if wrong is not None:
            wrong.set_offsets(X[frame.y_pred != y].reshape(-1, 2))
        accuracy = np.mean(frame.y_pred == y)
        return f"epoch {frame.epoch}, accuracy {accuracy:.3g}"

    return artists, draw


def animate_predictions(
    display, *, interval=500, frames=None, errors=True, ax=None, blit=True
):
    """Animate a model's predictions over its data, one drawn epoch per frame.

    Frame ``k`` draws the model at the ``k``-th epoch of a
    :class:`PredictionPathDisplay` (its ``frames()[k]``): for a regressor, its
    line and each sample's error; for a classifier, its decision boundary,
    the regions of each predicted class and the misclassified points. A
    counter gives the epoch and the mean squared error or the accuracy.

    Parameters
    ----------
    display : PredictionPathDisplay
        The epochs to animate, as built by
        :meth:`PredictionPathDisplay.from_estimator` (pass
        ``epochs=range(fit.n_iter_ + 1)`` for every epoch).
    interval : int, default=500
        Milliseconds between frames.
    frames : int or list of int, default=None
        The frames: by default one per drawn epoch; an int ``n`` for ``n``
        of them evenly spaced from the first to the last; a list of indices
        into ``display.frames()``.
    errors : bool, default=True
        Draw the errors: a regressor's residuals as vertical segments, a
        classifier's misclassified points circled.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when ``None``.
    blit : bool, default=True
        Redraw only the model between frames (interactive backends).

    Returns
    -------
    anim : matplotlib.animation.FuncAnimation
        The animation (save it with ``anim.save_gif("fit.gif")`` or
        ``anim.save("fit.gif", writer="pillow")``, show it in a notebook
        with ``anim.to_jshtml()``). It also holds
        ``artists_`` (those updated per frame: the line and the errors, or
        the regions, the boundary and the misclassified points), ``text_``
        (the counter), ``steps_`` (``steps_[k]``: the index in
        ``display.frames()`` drawn at frame ``k``), ``ax_``, ``figure_``,
        ``update_frame(k)``, which draws frame ``k`` and returns the changed
        artists, and ``save_gif(filename, fps=None, dpi=None)``, a faster GIF
        export (see :func:`save_gif`).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skgd import GDRegressor
    >>> from skgd.plotting import animate_predictions
    >>> from skgd.plotting import PredictionPathDisplay
    >>> X, y = np.array([[1.0], [2.0], [3.0]]), np.array([2.0, 4.0, 6.0])
    >>> reg = GDRegressor(fit_intercept=False, learning_rate=0.01, tol=None,
    ...                   max_iter=5).fit(X, y)
    >>> display = PredictionPathDisplay.from_estimator(reg, X, y, epochs=range(6))
    >>> anim = animate_predictions(display)
    >>> _ = anim.update_frame(2)
    >>> anim.text_.get_text()
    'epoch 2, MSE 12.61'
    >>> "<script" in anim.to_jshtml()
    True
    """
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    all_frames = display.frames()
    if not all_frames:
        raise ValueError("The display has no epochs to animate.")
    steps = _frame_steps(len(all_frames), frames)
    chosen = [all_frames[k] for k in steps]
    if ax is None:
        _, ax = plt.subplots()
    if display.classes is None:
        artists, draw = _regression_artists(ax, display, chosen, errors)
    else:
        artists, draw = _classifier_artists(ax, display, chosen, errors)
    names = display.feature_names or (
        ("x",) if display.X.shape[1] == 1 else ("x[0]", "x[1]")
    )
    ax.set(xlabel=names[0], ylabel=names[1] if len(names) > 1 else "y")
    text = ax.text(0.02, 0.97, "", transform=ax.transAxes, va="top", bbox=_TEXT_BOX)
    points = display.X.T if display.classes is not None else (display.X, display.y)
    ax.legend(loc=_quiet_corner(ax, *points), fontsize="small")

    def update_frame(k):
        text.set_text(draw(k))
        return [*artists, text]

    anim = FuncAnimation(
        ax.figure, update_frame, frames=len(steps), interval=interval, blit=blit,
        cache_frame_data=False,
    )  # fmt: skip
    anim.artists_, anim.text_, anim.steps_ = artists, text, steps
    anim.ax_, anim.figure_, anim.update_frame = ax, ax.figure, update_frame
    anim.save_gif = partial(save_gif, anim)
    update_frame(0)
    return anim
