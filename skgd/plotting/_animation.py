"""What the animations of gradient descent share: the frames, the legend's
corner, the fast GIF export and the animation's attributes.

Each animation (:func:`~skgd.plotting.animate_surface`,
:func:`~skgd.plotting.animate_predictions`,
:meth:`~skgd.plotting.LossCurveDisplay.animate`) returns a
:class:`matplotlib.animation.FuncAnimation` whose artists are made once and
only updated per frame (so it blits, and saves quickly), with the animated
artists and the per-frame function attached to it: ``anim.update_frame(k)``
draws frame ``k`` (as the animation does) and returns the artists it changed,
for a still of one frame.
"""

from functools import partial
from numbers import Integral

import numpy as np

#: The box behind the frame's counter.
TEXT_BOX = {"boxstyle": "round", "facecolor": "white", "alpha": 0.8}
#: The corners a legend may take (the counter holds the upper left), first
#: preferred.
_CORNERS = {
    "upper right": (1, 1),
    "lower right": (1, 0),
    "lower left": (0, 0),
}


def quiet_corner(ax, xs, ys):
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


def frame_steps(n_points, frames):
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


def finish_animation(ax, update_frame, steps, *, interval, blit, **artists):
    """The ``FuncAnimation`` of ``update_frame`` over ``len(steps)`` frames,
    with ``steps_``, ``ax_``, ``figure_``, ``update_frame``, ``save_gif`` and
    ``artists`` (as ``name_``) attached, drawn at frame 0."""
    from matplotlib.animation import FuncAnimation

    anim = FuncAnimation(
        ax.figure, update_frame, frames=len(steps), interval=interval, blit=blit,
        cache_frame_data=False,
    )  # fmt: skip
    for name, value in artists.items():
        setattr(anim, f"{name}_", value)
    anim.steps_, anim.ax_, anim.figure_ = steps, ax, ax.figure
    anim.update_frame = update_frame
    anim.save_gif = partial(save_gif, anim)
    update_frame(0)
    return anim
