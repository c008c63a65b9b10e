"""A model's predictions over its data animated epoch by epoch: a regressor's
line and errors, a classifier's decision boundary and regions."""

import numpy as np

from ._animation import TEXT_BOX, finish_animation, frame_steps, quiet_corner


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

    all_frames = display.frames()
    if not all_frames:
        raise ValueError("The display has no epochs to animate.")
    steps = frame_steps(len(all_frames), frames)
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
    text = ax.text(0.02, 0.97, "", transform=ax.transAxes, va="top", bbox=TEXT_BOX)
    points = display.X.T if display.classes is not None else (display.X, display.y)
    ax.legend(loc=quiet_corner(ax, *points), fontsize="small")

    def update_frame(k):
        text.set_text(draw(k))
        return [*artists, text]

    return finish_animation(
        ax, update_frame, steps, interval=interval, blit=blit, artists=artists,
        text=text,
    )  # fmt: skip
