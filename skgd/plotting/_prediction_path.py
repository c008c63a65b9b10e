"""The model's predictions along its recorded path, as a Display."""

from collections import namedtuple
from itertools import combinations
from numbers import Integral

import numpy as np
from sklearn.base import is_classifier
from sklearn.utils import check_array, check_consistent_length

from .._backends._array_api import to_numpy
from .._utils import final_estimator

#: One drawn epoch: its number, the values on the grid and the predictions at
#: the samples (see :class:`PredictionPathDisplay`).
PredictionFrame = namedtuple("PredictionFrame", ["epoch", "grid_values", "y_pred"])

#: The line styles of the boundaries before the last (which is solid).
_STYLES = (":", "--", "-.")
_DEFAULT_NAMES = {1: ("x",), 2: ("x[0]", "x[1]")}


def _recorded_rows(fit):
    """The row of ``coef_history_`` after each epoch (row 0: the start), for
    the epochs whose parameters were recorded."""
    if fit.coef_history_ is None:
        raise ValueError(
            f"This {type(fit).__name__} was fitted with record=None: it has no "
            "recorded parameter path to draw. Fit it with record='epoch' (the "
            "default) or record='update'."
        )
    if getattr(fit, "_recorded", fit.record) == "update":
        # Row t holds the parameters after update t; epoch k ends after
        # n_updates (counted over all the fits' epochs) updates.
        ends = fit.history_["n_updates"].to_numpy()
    else:
        ends = np.arange(1, fit.n_iter_ + 1)
    rows = np.concatenate([[0], ends]).astype(np.intp)
    # A memory budget that ran out leaves a prefix of the epochs.
    return rows[rows < len(fit.coef_history_)]


def _chosen_epochs(fit, epochs):
    """The epochs to draw (by default the start, epoch 1 and the last) and
    their rows in the histories."""
    rows = _recorded_rows(fit)
    last = len(rows) - 1
    if epochs is None:
        epochs = sorted({0, min(1, last), last})
    chosen = np.asarray(epochs)
    valid = chosen.ndim == 1 and chosen.size and chosen.dtype.kind in "iu"
    if not valid or chosen.min() < 0 or chosen.max() > last:
        raise ValueError(
            "epochs must be a list of epoch numbers from 0 (the start) to "
            f"{last} (the last recorded); got {epochs!r}."
        )
    return chosen, rows[chosen]


def _supported_classes(estimator, fit, X):
    """``classes_`` for a classifier's boundary, ``None`` for a regression
    line; a ValueError for anything else."""
    n_features = X.shape[1]
    if not hasattr(estimator, "steps") and n_features != fit.n_features_in_:
        raise ValueError(
            f"X has {n_features} features, but {type(fit).__name__} was fitted "
            f"on {fit.n_features_in_}."
        )
    classifier = is_classifier(fit)
    if classifier and n_features == 2:
        return fit.classes_
    if not classifier and n_features == 1 and fit.coef_history_.ndim == 2:
        return None
    two_d = "" if classifier or fit.coef_history_.ndim == 2 else " and a 2-D y"
    raise ValueError(
        "PredictionPathDisplay draws a regressor fitted on one feature with a "
        "1-D y (its line) or a classifier on two features (its decision "
        f"boundary); got a {type(fit).__name__} and X of {n_features} "
        f"feature(s){two_d}."
    )


def _grid(X, grid_size):
    """Evenly spaced values over each feature's range, padded by 5%."""
    low, high = X.min(axis=0), X.max(axis=0)
    pad = 0.05 * np.where(high > low, high - low, 1.0)
    return tuple(map(np.linspace, low - pad, high + pad, [grid_size] * len(low)))


def _grid_points(grid, names):
    """The grid's points, one per row (the last feature varying fastest in
    the rows of the 2-D grid), with the estimator's column names if any."""
    points = np.column_stack([axis.ravel() for axis in np.meshgrid(*grid)])
    if names is not None:
        import pandas as pd  # lazy, as history_frame

        points = pd.DataFrame(points, columns=names)
    return points


def _scores(estimator, X, coefs, intercepts):
    """The decision values at ``X`` (through a pipeline's transforms) of the
    model with each recorded parameter: (n_frames, n_points[, n_targets])."""
    if hasattr(estimator, "steps"):
        X = estimator[:-1].transform(X)
    pairs = zip(coefs, intercepts, strict=True)
    return np.stack([np.asarray(X @ coef.T) + b for coef, b in pairs])


def _labels(scores, classes):
    """The predicted classes from decision values of shape (..., n_targets)."""
    if scores.shape[-1] == 1:
        return classes[(scores[..., 0] > 0).astype(np.intp)]
    return classes[scores.argmax(axis=-1)]


def _shades(cmap, n, light):
    """``n`` colours of ``cmap`` from ``light`` to dark (one: the dark end)."""
    import matplotlib

    return matplotlib.colormaps[cmap](np.linspace(0.95, light, n)[::-1])


def _boundary_fields(values):
    """The fields whose zero level is one epoch's decision boundary, those
    that cross zero: the decision value (two classes), or for each pair of
    classes the difference of their scores where one of the two wins (so
    each edge is drawn once)."""
    fields = [values]
    if values.ndim == 3:
        best = values.argmax(axis=-1)
        pairs = combinations(range(values.shape[-1]), 2)
        fields = [
            np.ma.masked_where(
                (best != a) & (best != b), values[..., a] - values[..., b]
            )
            for a, b in pairs
        ]
    filled = [np.ma.filled(field, 0.0) for field in fields]
    return [f for f, v in zip(fields, filled, strict=True) if v.min() < 0 < v.max()]


class PredictionPathDisplay:
    """The data and a model's predictions at chosen epochs of its descent.

    For a regressor of one feature: the data, the line at each epoch (light
    to dark) and one epoch's errors as vertical segments. For a classifier of
    two features: the data by class and the decision boundary at each epoch,
    one style per epoch. Drawn from the recorded ``coef_history_`` and
    ``intercept_history_``; build it with :meth:`from_estimator`. For an
    animation, :meth:`frames` gives the drawn epochs one by one.

    Parameters
    ----------
    X : ndarray of shape (n_samples, 1) or (n_samples, 2)
        The data drawn (before a pipeline's transforms).
    y : ndarray of shape (n_samples,)
        Its targets or class labels.
    epochs : ndarray of int of shape (n_frames,)
        The epochs drawn: 0 is the start, ``k`` the parameters after epoch ``k``.
    grid : tuple of ndarray
        The values of each feature the predictions are drawn at.
    grid_values : ndarray
        Per epoch, over the grid: the predictions, ``(n_frames, n_grid)``, or
        the decision values, ``(n_frames, n_grid, n_grid[, n_classes])`` (rows
        following the second feature; a class axis for more than two).
    y_pred : ndarray of shape (n_frames, n_samples)
        Per epoch, each sample's prediction or predicted class.
    classes : ndarray, default=None
        A classifier's classes; ``None`` for a regressor.
    feature_names : tuple of str, default=None
        The axes' labels; by default ``"x"`` or ``"x[0]", "x[1]"``.

    Attributes
    ----------
    points_ : list of matplotlib.collections.PathCollection
        The data: one scatter, or one per class.
    lines_ : list of matplotlib.lines.Line2D or None
        The regression line at each epoch, labelled ``"epoch k"``.
    residuals_ : matplotlib.collections.LineCollection or None
        The errors: a segment from each sample to the line.
    contours_ : list of (list of QuadContourSet) or None
        The decision boundary at each epoch: one contour for two classes, one
        per pair of classes that both win somewhere in view otherwise; none
        where no boundary is in view (as for an all-zero start).
    ax_ : matplotlib.axes.Axes
        The axes drawn on.
    figure_ : matplotlib.figure.Figure
        Its figure.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skgd import GDRegressor
    >>> from skgd.plotting import PredictionPathDisplay
    >>> X, y = np.array([[1.0], [2.0], [3.0]]), np.array([2.0, 4.0, 6.0])
    >>> reg = GDRegressor(fit_intercept=False, learning_rate=0.01, tol=None,
    ...                   max_iter=100).fit(X, y, coef_init=[1.0])
    >>> display = PredictionPathDisplay.from_estimator(reg, X, y)
    >>> [line.get_label() for line in display.lines_]
    ['epoch 0', 'epoch 1', 'epoch 100']
    >>> len(display.residuals_.get_segments())  # the errors at epoch 100
    3
    >>> display.frames()[1].y_pred.round(4)  # w = 1 + 0.01 * 28 / 3
    array([1.0933, 2.1867, 3.28  ])
    """

    def __init__(
        self, *, X, y, epochs, grid, grid_values, y_pred, classes=None,
        feature_names=None,
    ):  # fmt: skip
        self.X = X
        self.y = y
        self.epochs = epochs
        self.grid = grid
        self.grid_values = grid_values
        self.y_pred = y_pred
        self.classes = classes
        self.feature_names = feature_names

    def frames(self):
        """The drawn epochs one by one, for an animation's frames.

        Returns
        -------
        frames : list of PredictionFrame
            Named tuples ``(epoch, grid_values, y_pred)``, frame ``k`` holding
            ``epochs[k]`` and the ``k``-th rows of ``grid_values`` and ``y_pred``.
        """
        return [
            PredictionFrame(int(epoch), values, y_pred)
            for epoch, values, y_pred in zip(
                self.epochs, self.grid_values, self.y_pred, strict=True
            )
        ]

    def plot(
        self, ax=None, *, residuals="last", scatter_kw=None, line_kw=None,
        residuals_kw=None, contour_kw=None,
    ):  # fmt: skip
        """Draw the data and the predictions at each epoch.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when ``None``.
        residuals : {"last", "first"}, int or None, default="last"
            A regressor's errors to draw: those of the last or first epoch
            drawn, of the epoch of that number (one of ``epochs``), or none.
        scatter_kw, line_kw, residuals_kw, contour_kw : dict, default=None
            Keyword arguments of ``ax.scatter`` (the data), ``ax.plot`` (each
            line), ``ax.vlines`` (the errors) and ``ax.contour`` (each
            boundary).

        Returns
        -------
        display : PredictionPathDisplay
            This display, with its artists.
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        self.lines_ = self.residuals_ = self.contours_ = None
        if self.classes is None:
            frame = self._residual_frame(residuals)
            self._draw_lines(ax, frame, scatter_kw, line_kw, residuals_kw)
        else:
            self._draw_boundaries(ax, scatter_kw, contour_kw)
        names = self.feature_names or _DEFAULT_NAMES[self.X.shape[1]]
        ax.set(xlabel=names[0], ylabel=names[1] if len(names) > 1 else "y")
        self.ax_, self.figure_ = ax, ax.figure
        return self

    def _residual_frame(self, residuals):
        """The index in ``epochs`` of the epoch whose errors are drawn."""
        epochs = [int(e) for e in self.epochs]
        if residuals is None or residuals in ("first", "last"):
            return {None: None, "first": 0, "last": len(epochs) - 1}[residuals]
        integer = isinstance(residuals, Integral) and not isinstance(residuals, bool)
        if integer and residuals in epochs:
            return epochs.index(residuals)
        raise ValueError(
            "residuals must be 'last', 'first', None or one of the drawn epochs "
            f"{epochs}; got {residuals!r}."
        )

    def _draw_lines(self, ax, frame, scatter_kw, line_kw, residuals_kw):
        x = self.X[:, 0]
        scatter_kw = {"color": "C0", "alpha": 0.7, "label": "data"} | (scatter_kw or {})
        self.points_ = [ax.scatter(x, self.y, **scatter_kw)]
        colors = _shades("Reds", len(self.epochs), light=0.4)
        self.lines_ = []
        drawn = zip(self.epochs, self.grid_values, colors, strict=True)
        for epoch, values, color in drawn:
            kw = {"color": color, "linewidth": 2, "label": f"epoch {epoch}"}
            self.lines_ += ax.plot(self.grid[0], values, **kw | (line_kw or {}))
        if frame is not None:
            kw = {"color": self.lines_[frame].get_color(), "linewidth": 1}
            kw |= {"alpha": 0.8, "label": f"errors at epoch {self.epochs[frame]}"}
            y_pred = self.y_pred[frame]
            self.residuals_ = ax.vlines(x, self.y, y_pred, **kw | (residuals_kw or {}))
        ax.legend()

    def _draw_boundaries(self, ax, scatter_kw, contour_kw):
        from matplotlib.lines import Line2D

        self.points_ = []
        for i, label in enumerate(self.classes):
            kw = {"color": f"C{i}", "edgecolor": "white", "label": f"class {label}"}
            points = self.X[self.y == label].T
            self.points_.append(ax.scatter(*points, **kw | (scatter_kw or {})))
        n, handles, self.contours_ = len(self.epochs), [], []
        styles = [_STYLES[i % len(_STYLES)] for i in range(n - 1)] + ["-"]
        for epoch, values, color, style in zip(
            self.epochs, self.grid_values, _shades("Greys", n, 0.5), styles, strict=True
        ):
            kw = {"colors": [color], "linestyles": style, "linewidths": 2}
            kw |= {"levels": [0.0]} | (contour_kw or {})
            fields = _boundary_fields(values)
            self.contours_.append([ax.contour(*self.grid, f, **kw) for f in fields])
            label = f"epoch {epoch}" + ("" if fields else " (no boundary in view)")
            handles += [Line2D([], [], color=color, ls=style, lw=2, label=label)]
        ax.set(xlim=self.grid[0][[0, -1]], ylim=self.grid[1][[0, -1]])
        ax.legend(handles=[*self.points_, *handles], fontsize="small")

    def animate(self, *, interval=500, frames=None, errors=True, ax=None):
        """Animate the predictions, one drawn epoch per frame (see
        :func:`~skgd.plotting.animate_predictions`).

        Returns
        -------
        anim : matplotlib.animation.FuncAnimation
            With ``save_gif(filename)`` and ``update_frame(k)``.
        """
        from ._animate_predictions import animate_predictions

        return animate_predictions(
            self, interval=interval, frames=frames, errors=errors, ax=ax
        )

    @classmethod
    def from_estimator(
        cls, estimator, X, y, *, epochs=None, grid_size=200, **plot_kwargs
    ):
        """Draw a fitted estimator's predictions at chosen epochs.

        Parameters
        ----------
        estimator : estimator
            A fitted :class:`~skgd.GDRegressor` (one feature, 1-D ``y``) or
            :class:`~skgd.GDClassifier` (two features), or a ``Pipeline``
            ending in one, with a recorded path (``record="epoch"``, or
            ``"update"``: the update that ends each epoch is drawn). The data
            is drawn as given and predicted through the pipeline's transforms.
        X : array-like of shape (n_samples, 1) or (n_samples, 2)
            The data to draw (before the pipeline's transforms).
        y : array-like of shape (n_samples,)
            Its targets or class labels.
        epochs : list of int, default=None
            The epochs to draw, from 0 (the start) to ``n_iter_``; by default
            the start, after one epoch, and the end (the last epoch run: with
            early stopping ``coef_`` holds an earlier, the best, epoch's).
        grid_size : int, default=200
            Points per feature at which the predictions are drawn.
        **plot_kwargs
            The keyword arguments of :meth:`plot`.

        Returns
        -------
        display : PredictionPathDisplay
            The display, drawn.
        """
        fit = final_estimator(estimator)
        epochs, rows = _chosen_epochs(fit, epochs)
        drawn, y = check_array(X), np.asarray(y)
        check_consistent_length(drawn, y)
        classes = _supported_classes(estimator, fit, drawn)
        coefs = to_numpy(fit.coef_history_)[rows]
        intercepts = to_numpy(fit.intercept_history_)[rows]
        grid = _grid(drawn, grid_size)
        names = getattr(estimator, "feature_names_in_", None)
        grid_values = _scores(estimator, _grid_points(grid, names), coefs, intercepts)
        y_pred = _scores(estimator, X, coefs, intercepts)
        if classes is not None:
            grid_values = grid_values.reshape(len(rows), grid_size, grid_size, -1)
            grid_values = grid_values[..., 0] if len(classes) == 2 else grid_values
            y_pred = _labels(y_pred, classes)
        display = cls(
            X=drawn, y=y, epochs=epochs, grid=grid, grid_values=grid_values,
            y_pred=y_pred, classes=classes,
            feature_names=None if names is None else tuple(map(str, names)),
        )  # fmt: skip
        return display.plot(**plot_kwargs)
