"""The gradient of the objective at one point, and the steps it gives."""

import numpy as np

from .._backends._array_api import to_numpy
from .._utils import final_estimator
from ._loss_surface import (
    LossGrid,
    _evaluate,
    _exact_minimum,
    _gradient_at,
    _grid_axes,
    _grid_points,
    _parameter_names,
    _path,
    readable_levels,
)

#: The colours of the steps, one per learning rate (red is the gradient's).
_STEP_COLORS = ("C1", "C2", "C4", "C5", "C6", "C8", "C9")


def _fitted(estimator, X):
    """The fitted skgd estimator (a pipeline's last step) and ``X`` as it sees it."""
    if hasattr(estimator, "steps"):  # the final step sees the transformed X
        X = estimator[:-1].transform(X)
    estimator = final_estimator(estimator)
    coef = np.asarray(to_numpy(estimator.coef_))
    if coef.ndim == 2 and coef.shape[0] != 1:
        raise ValueError(
            f"The gradient is drawn for one weight vector; this model has "
            f"{coef.shape[0]} (one per target or class)."
        )
    return estimator, X


def _point(estimator, params):
    """``params`` as floats (coefficients, then the intercept), by default the
    start of the recorded path."""
    names = _parameter_names(estimator)
    if params is None:
        path = _path(estimator)
        if path is None:
            raise ValueError(
                "This model's path was not recorded (record=None), so it has no "
                f"start: pass params, the values of {tuple(names)}."
            )
        return path[0]
    params = np.asarray(params, dtype=np.float64).ravel()
    if params.shape != (len(names),):
        raise ValueError(
            f"params must hold {len(names)} values {tuple(names)}; got {len(params)}."
        )
    return params


def objective_gradient(estimator, X, y, *, params=None, sample_weight=None):
    """The exact gradient of a fitted estimator's objective at given parameters.

    The objective is the one the estimator minimised (its loss plus penalty,
    as in ``loss_history_``; the L1 penalty's part is its subgradient), on
    ``(X, y)``.

    Parameters
    ----------
    estimator : estimator
        A fitted skgd estimator with one weight vector, or a ``Pipeline``
        ending in one.
    X : array-like of shape (n_samples, n_features)
        The data (before the pipeline's transforms).
    y : array-like of shape (n_samples,)
        Its targets.
    params : array-like of shape (n_parameters,), default=None
        The coefficients, then the intercept (if fitted); by default the start
        of the recorded path (``coef_history_[0]``, ``intercept_history_[0]``).
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the samples.

    Returns
    -------
    gradient : ndarray of shape (n_parameters,)
        The partial derivatives, ordered like ``params``.

    Examples
    --------
    >>> import numpy as np
    >>> from skgd import GDRegressor
    >>> from skgd.plotting import objective_gradient
    >>> X, y = np.array([[1.0], [2.0], [3.0]]), np.array([2.0, 4.0, 6.0])
    >>> reg = GDRegressor(learning_rate=0.01).fit(X, y)
    >>> # At w = b = 0: 2 * mean(x * (0 - y)) = -56 / 3 and 2 * mean(0 - y) = -8.
    >>> objective_gradient(reg, X, y, params=[0.0, 0.0]).round(3)
    array([-18.667,  -8.   ])
    """
    estimator, X = _fitted(estimator, X)
    params = _point(estimator, params)
    return _gradient_at(estimator, X, y, sample_weight, params)


def _display_data(estimator, X, y, params, learning_rates, sample_weight, extent, n):
    """``GradientDisplay``'s data: the point, its gradient and loss, the two
    cross-sections through it and the grid of the contours."""
    estimator, X = _fitted(estimator, X)
    names = _parameter_names(estimator)
    if len(names) != 2:
        raise ValueError(
            f"The gradient is drawn over two parameters; this model has "
            f"{len(names)} ({', '.join(names)}). Fit it on one feature (with an "
            "intercept) or two (without)."
        )
    params = _point(estimator, params)
    gradient = _gradient_at(estimator, X, y, sample_weight, params)
    rates = np.ravel(np.asarray([] if learning_rates is None else learning_rates))
    steps = params - np.outer(rates, gradient)
    coef, intercept = to_numpy(estimator.coef_), to_numpy(estimator.intercept_)
    fitted = np.r_[np.ravel(coef), np.ravel(intercept)][:2]
    points = np.vstack([params, params - gradient, steps, fitted])
    axes = _grid_axes(points, extent, n)

    def objective(vectors):
        return _evaluate(estimator, X, y, sample_weight, vectors)

    sections = []
    for j in range(2):  # the point and the steps are nodes: read exactly
        values = np.unique(np.r_[axes[j], params[j], steps[:, j]])
        vectors = np.tile(params, (len(values), 1))
        vectors[:, j] = values
        sections.append(LossGrid((names[j],), (values,), objective(vectors)))
    cells = _grid_points([axes[1], axes[0]])[:, ::-1]  # the intercept along x
    loss = objective(cells).reshape(len(axes[0]), len(axes[1]))
    grid = LossGrid((names[1], names[0]), (axes[1], axes[0]), loss)
    minimum = _exact_minimum(estimator, X, y, sample_weight, params, [1, 0])
    return dict(
        minimum=minimum,
        params=params,
        gradient=gradient,
        loss=objective(params[np.newaxis])[0],
        sections=tuple(sections),
        grid=grid,
        learning_rates=None if learning_rates is None else rates,
    )


class GradientDisplay:
    """The gradient of the objective at a point of two parameters, and the
    steps of gradient descent it gives.

    Three panels, as in lesson 004: the cross-sections through the point (the
    loss along ``b`` with ``w`` fixed, along ``w`` with ``b`` fixed), each
    with its tangent and its slope, the partial derivative, written; the
    contours over ``b`` (x) and ``w`` (y) with the arrow of ``-gradient``,
    where a step goes (drawn at learning rate 1); and the point each step
    ``-learning_rate * gradient`` reaches (on a cross-section, the step of its
    own parameter). Build it with :meth:`from_estimator`.

    Parameters
    ----------
    params : ndarray of shape (2,)
        The point: the coefficient, then the intercept (two coefficients for a
        model without an intercept).
    gradient : ndarray of shape (2,)
        The objective's gradient there, ordered like ``params``.
    loss : float
        The objective there.
    sections : tuple of two LossGrid
        The objective along ``params[0]``, the other fixed, then along
        ``params[1]``; the steps are read on them by linear interpolation
        (exact at their nodes).
    grid : LossGrid
        The objective over ``(params[1], params[0])``, for the contours.
    learning_rates : ndarray of shape (n_rates,), default=None
        The learning rates whose steps are drawn.
    param_names : tuple of str, default=("w", "b")
        The names of the parameters, ordered like ``params``.
    minimum : ndarray of shape (2,), default=None
        The exact minimiser, ordered like ``grid.names`` (``params[1]``
        first), where the objective is quadratic (least squares); ``None``
        marks the grid's lowest point instead.

    Attributes
    ----------
    section_lines_ : list of matplotlib.lines.Line2D
        The cross-sections: along ``params[1]``, then along ``params[0]``.
    tangent_lines_ : list of matplotlib.lines.Line2D
        Their tangents at the point.
    slope_texts_ : list of matplotlib.text.Text
        The slopes, written on the cross-sections.
    contour_ : matplotlib.contour.QuadContourSet
        The filled contours.
    arrow_ : matplotlib.text.Annotation
        The arrow of ``-gradient`` on the contours.
    step_markers_ : list of list of matplotlib.lines.Line2D
        For each learning rate, the point reached on each panel.
    axes_ : ndarray of matplotlib.axes.Axes
        The three panels.
    figure_ : matplotlib.figure.Figure
        Their figure.

    Notes
    -----
    Lesson 004 measures the slopes on its grid (``-2.90`` and ``-1.79``, the
    change of the loss over two cells, 0.12, divided by it); the slopes here
    are the exact partial derivatives, the estimator's own gradient
    (``-3.04`` and ``-1.83``).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from skgd import GDRegressor
    >>> from skgd.plotting import GradientDisplay
    >>> rng = np.random.RandomState(42)  # the lesson's data
    >>> x = rng.rand(100, 1)
    >>> y = 1 + 2 * x[:, 0] + 0.1 * rng.randn(100)
    >>> order = np.arange(100)
    >>> rng.shuffle(order)
    >>> x_train, y_train = x[order[:80]], y[order[:80]]
    >>> reg = GDRegressor(learning_rate=0.1, max_iter=10, tol=None).fit(
    ...     x_train, y_train, coef_init=[-0.1382643], intercept_init=0.49671415
    ... )
    >>> display = GradientDisplay.from_estimator(
    ...     reg, x_train, y_train, learning_rates=[0.2, 0.8, 1.1]
    ... )
    >>> display.param_names, display.gradient.round(4)
    (('w', 'b'), array([-1.8338, -3.0448]))
    >>> display.steps.round(3)  # params - learning_rate * gradient
    array([[0.228, 1.106],
           [1.329, 2.933],
           [1.879, 3.846]])
    >>> [text.get_text() for text in display.slope_texts_]
    ['slope ∂L/∂b = -3.045', 'slope ∂L/∂w = -1.834']
    """

    def __init__(
        self,
        *,
        params,
        gradient,
        loss,
        sections,
        grid,
        learning_rates=None,
        param_names=("w", "b"),
        minimum=None,
    ):
        self.minimum = minimum
        self.params = params
        self.gradient = gradient
        self.loss = loss
        self.sections = sections
        self.grid = grid
        self.learning_rates = learning_rates
        self.param_names = param_names

    def _rates(self):
        return np.ravel([] if self.learning_rates is None else self.learning_rates)

    @property
    def steps(self):
        """The points reached, ``params - learning_rate * gradient``: one row
        per learning rate."""
        return np.asarray(self.params) - np.outer(self._rates(), self.gradient)

    def plot(
        self,
        ax=None,
        *,
        levels=30,
        section_kw=None,
        tangent_kw=None,
        contour_kw=None,
        arrow_kw=None,
    ):
        """Draw the cross-sections, the contours, the arrow and the steps.

        Parameters
        ----------
        ax : array-like of three matplotlib Axes, default=None
            Where to draw: the cross-section along ``params[1]``, the one
            along ``params[0]``, the contours; a new figure when ``None``.
        levels : int, default=30
            Contour levels (spaced evenly in the square root of the loss above
            its minimum, as in :class:`LossSurfaceDisplay`).
        section_kw, tangent_kw, contour_kw, arrow_kw : dict, default=None
            Keyword arguments of the cross-sections' and tangents' ``ax.plot``,
            of ``ax.contourf``, and of the arrow's ``arrowprops``.

        Returns
        -------
        display : GradientDisplay
            This display, with its artists.
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(1, 3, figsize=(16, 5), layout="constrained")
        axes = np.ravel(ax)
        if len(axes) != 3:
            raise ValueError(f"GradientDisplay draws three panels; got {len(axes)}.")
        self.section_lines_, self.tangent_lines_, self.slope_texts_ = [], [], []
        self.step_markers_ = [[] for _ in self._rates()]
        for panel, j in zip(axes[:2], (1, 0), strict=True):
            self._plot_section(panel, j, section_kw or {}, tangent_kw or {})
        self._plot_contours(axes[2], levels, contour_kw or {}, arrow_kw or {})
        self.axes_, self.figure_ = axes, axes[0].figure
        return self

    def _plot_steps(self, ax, xy, template):
        """A marker per learning rate at ``xy`` (a row each), labelled with
        ``template.format(x, y)``."""
        for k, (rate, (x, y)) in enumerate(zip(self._rates(), xy, strict=True)):
            (marker,) = ax.plot(
                x, y, "o", markersize=9, markeredgecolor="black", zorder=4,
                color=_STEP_COLORS[k % len(_STEP_COLORS)],
                label=f"η = {rate:g}: " + template.format(x, y),
            )  # fmt: skip
            self.step_markers_[k].append(marker)

    def _plot_section(self, ax, j, section_kw, tangent_kw):
        """The loss along parameter ``j`` (the other fixed), its tangent at the
        point with the slope written, and the steps of parameter ``j``."""
        name, other = self.param_names[j], self.param_names[1 - j]
        values, loss = self.sections[j].axes[0], self.sections[j].loss
        at, slope, steps = self.params[j], self.gradient[j], self.steps[:, j]
        kw = {"color": "C0", "linewidth": 2, "label": "loss"}
        self.section_lines_.append(ax.plot(values, loss, **(kw | section_kw))[0])
        ends = at + 0.2 * (values[-1] - values[0]) * np.array([-1.0, 1.0])
        kw = {"color": "C3", "linestyle": "--", "linewidth": 2, "label": "tangent"}
        tangent = ax.plot(ends, self.loss + slope * (ends - at), **(kw | tangent_kw))
        self.tangent_lines_.append(tangent[0])
        ax.plot(at, self.loss, "ko", zorder=3, label=f"{name} = {at:.3g}")
        xy = np.column_stack([steps, np.interp(steps, values, loss)])
        self._plot_steps(ax, xy, name + " = {0:.3g}")
        self.slope_texts_.append(
            ax.text(
                0.5, 0.96, f"slope ∂L/∂{name} = {slope:.4g}", fontsize=13,
                transform=ax.transAxes, ha="center", va="top",
                bbox={"facecolor": "white", "edgecolor": "C3", "alpha": 0.9},
            )
        )  # fmt: skip
        title = f"{other} fixed at {self.params[1 - j]:.3g}"
        ax.set(xlabel=name, ylabel="loss", title=title)
        ax.legend(fontsize="small")

    def _plot_contours(self, ax, levels, contour_kw, arrow_kw):
        """The contours (``params[1]`` along x), the arrow of ``-gradient``
        (its length: the step of learning rate 1) and the steps."""
        from matplotlib.lines import Line2D

        (x_axis, y_axis), loss = self.grid.axes, self.grid.loss
        kw = {"levels": readable_levels(loss, levels), "cmap": "viridis"}
        self.contour_ = ax.contourf(x_axis, y_axis, loss, **(kw | contour_kw))
        ax.figure.colorbar(self.contour_, ax=ax, label="loss", format="%g")
        if self.minimum is not None:
            star, label = np.ravel(self.minimum), "minimum"
        else:
            row, col = np.unravel_index(np.argmin(loss), loss.shape)
            star, label = (x_axis[col], y_axis[row]), "minimum of the grid"
        ax.plot(*star, "*", markersize=15, color="gold", markeredgecolor="black",
                label=label)  # fmt: skip
        (y, x), (y_name, x_name) = self.params, self.param_names
        dy, dx = -np.asarray(self.gradient)
        point = f"({x_name}, {y_name}) = "
        ax.plot(x, y, "ko", zorder=3, label=point + f"({x:.3g}, {y:.3g})")
        far = max([1.0, *self._rates()])  # the line of all the steps
        ax.plot([x, x + far * dx], [y, y + far * dy], ":", color="white")
        kw = {"arrowstyle": "-|>", "color": "C3", "linewidth": 3, "mutation_scale": 25}
        self.arrow_ = ax.annotate(
            "", xy=(x + dx, y + dy), xytext=(x, y), arrowprops=kw | arrow_kw
        )
        label = f"−∇L: Δ{x_name} = {dx:.3g}, Δ{y_name} = {dy:.3g}"
        arrow = Line2D([], [], color=self.arrow_.arrow_patch.get_edgecolor(),
                       linewidth=3, label=label)  # fmt: skip
        self._plot_steps(ax, self.steps[:, ::-1], point + "({0:.3g}, {1:.3g})")
        ax.set(xlim=(x_axis[0], x_axis[-1]), ylim=(y_axis[0], y_axis[-1]))
        ax.set(xlabel=x_name, ylabel=y_name, title="−gradient: where a step goes")
        handles = ax.get_legend_handles_labels()[0]
        ax.legend(handles=[*handles[:2], arrow, *handles[2:]], fontsize="small")

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        params=None,
        learning_rates=None,
        sample_weight=None,
        param_names=None,
        extent=None,
        grid_size=60,
        **plot_kwargs,
    ):
        """Draw the gradient of a fitted estimator's objective at a point.

        Parameters
        ----------
        estimator : estimator
            A fitted skgd estimator with one weight vector and two parameters
            (one coefficient and the intercept, or two coefficients), or a
            ``Pipeline`` ending in one.
        X, y, params, sample_weight
            As in :func:`objective_gradient` (``params`` is needed when the
            path was not recorded, ``record=None``).
        learning_rates : array-like of float, default=None
            The learning rates whose steps are drawn.
        param_names : tuple of str, default=None
            ``("w", "b")`` for one coefficient and the intercept, else
            ``loss_grid``'s names (``"coef[0]"``, ...).
        extent, grid_size
            As in :func:`loss_grid`, ordered like ``params``; by default the
            range of the point, the arrow, the steps and the fitted parameters.
        **plot_kwargs
            ``ax``, ``levels``, ``section_kw``, ``tangent_kw``, ``contour_kw``
            and ``arrow_kw``, as in :meth:`plot`.

        Returns
        -------
        display : GradientDisplay
            The display, drawn.
        """
        data = _display_data(
            estimator, X, y, params, learning_rates, sample_weight, extent, grid_size
        )
        if param_names is None:
            names = data["grid"].names[::-1]
            param_names = ("w", "b") if names == ("coef[0]", "intercept") else names
        return cls(**data, param_names=tuple(param_names)).plot(**plot_kwargs)
