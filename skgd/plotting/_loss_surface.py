"""The loss over a grid of one or two parameters, and the path taken on it."""

from typing import NamedTuple

import numpy as np

from .._backends._array_api import to_numpy
from .._utils import final_estimator


class LossGrid(NamedTuple):
    """The loss over a grid of one or two parameters.

    ``loss`` has shape ``(len(axes[0]),)`` for one parameter and
    ``(len(axes[1]), len(axes[0]))`` for two (rows follow the second parameter,
    as ``matplotlib``'s ``contour(axes[0], axes[1], loss)`` expects).
    """

    names: tuple
    axes: tuple
    loss: np.ndarray
    #: The parameters held fixed on this section, ``((name, value), ...)``.
    fixed: tuple = ()


class SurfaceData(NamedTuple):
    """What a :class:`LossSurfaceDisplay` draws, as computed from a fit.

    ``path_kind`` says what ``path`` holds: ``"path"`` (the recorded points),
    ``"crossings"`` (where the path crossed a cross-section: one parameter
    fixed) or ``"projected"`` (the path's free coordinates, on a section with
    several parameters fixed, which the path was never on). ``minimum`` is
    the exact minimiser over the free parameters where a closed form exists
    (least squares), else ``None``.
    """

    grid: LossGrid
    path: np.ndarray | None = None
    path_loss: np.ndarray | None = None
    path_kind: str = "path"
    minimum: np.ndarray | None = None
    minimum_loss: float | None = None


def _parameter_names(estimator):
    """The names of the weight vector's parameters: ``coef[j]``, then
    ``intercept`` (if fitted)."""
    n_features = estimator.n_features_in_
    names = [f"coef[{j}]" for j in range(n_features)]
    return names + ["intercept"] if estimator.fit_intercept else names


def _fitted_vector(estimator):
    """The fitted parameters: the coefficients, then the intercept (if
    fitted), as ``_parameter_names``."""
    coef = np.asarray(to_numpy(estimator.coef_), dtype=np.float64)
    if coef.ndim == 2 and coef.shape[0] != 1:
        raise ValueError(
            f"The loss surface is drawn for one weight vector; this model has "
            f"{coef.shape[0]} (one per target or class)."
        )
    intercept = np.ravel(to_numpy(estimator.intercept_)).astype(np.float64)
    return np.r_[coef.ravel(), intercept[: int(estimator.fit_intercept)]]


def _path(estimator):
    """The recorded parameters, one row per record (ordered as
    ``_parameter_names``), or None."""
    if estimator.coef_history_ is None:
        return None
    coef = to_numpy(estimator.coef_history_)
    coef = coef.reshape(len(coef), -1)
    intercept = to_numpy(estimator.intercept_history_).reshape(len(coef), -1)
    intercept = intercept[:, : int(estimator.fit_intercept)]
    return np.column_stack([coef, intercept]).astype(np.float64)


def lesson_names(estimator):
    """The lessons' names of a one-feature model's parameters, ``w`` and
    ``b``; none for a larger model."""
    if estimator.n_features_in_ != 1:
        return {}
    return {"coef[0]": "w", "intercept": "b"}


def _free_and_fixed(estimator, fixed):
    """The indices of the free parameters in the weight vector (the intercept
    first, along x, as the lessons draw ``b`` and ``w``), and the fixed values
    (the fitted ones unless given)."""
    names = _parameter_names(estimator)
    fixed = {} if fixed is None else fixed
    fixed = {fixed: None} if isinstance(fixed, str) else dict(fixed)
    unknown = set(fixed) - set(names)
    if unknown:
        raise ValueError(
            f"Unknown parameters {sorted(unknown)}; this model has {names}."
        )
    free = [j for j, name in enumerate(names) if name not in fixed]
    if len(free) == 2 and names[free[1]] == "intercept":
        free = free[::-1]
    if not 1 <= len(free) <= 2:
        raise ValueError(
            f"The loss surface is drawn over one or two parameters; this model has "
            f"{len(names)} ({', '.join(names)}) and {len(free)} are free. Fit it on "
            "one feature (with an intercept) or two (without), or fix all but two "
            "with `fixed`."
        )
    return names, free, fixed


def _round_step(spacing):
    """The round number (1, 2 or 5 times a power of ten) at most ``spacing``."""
    power = 10.0 ** np.floor(np.log10(spacing))
    mantissa = spacing / power
    return power * np.where(mantissa >= 5, 5.0, np.where(mantissa >= 2, 2.0, 1.0))


def readable_levels(loss, n_levels):
    """About ``n_levels`` contour levels covering ``loss``: spaced evenly in
    the square root of the loss above its minimum (so the valley floor gets
    its share), each rounded to a round step of the spacing around it (0.25,
    0.9, 12, not 0.2347)."""
    finite = np.asarray(loss)[np.isfinite(loss)]
    low, high = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    if not high > low or n_levels < 3:
        return n_levels
    raw = low + np.linspace(0.0, np.sqrt(high - low), n_levels) ** 2
    gaps = np.diff(raw)
    around = np.r_[gaps[0], np.minimum(gaps[:-1], gaps[1:]) / 2, gaps[-1]]
    steps = _round_step(around)
    levels = np.round(raw / steps) * steps
    levels[0] = np.floor(low / steps[0]) * steps[0]
    levels[-1] = np.ceil(high / steps[-1]) * steps[-1]
    return np.unique([float(f"{level:.12g}") for level in levels])


def _grid_axes(points, extent, grid_size):
    """Each free parameter's grid: ``extent`` or the range of ``points`` padded."""
    axes = []
    for j in range(points.shape[1]):
        if extent is not None:
            low, high = extent[j]
        else:
            low, high = points[:, j].min(), points[:, j].max()
            pad = 0.25 * (high - low) if high > low else 1.0
            low, high = low - pad, high + pad
        axes.append(np.linspace(low, high, grid_size))
    return axes


def _grid_points(axes):
    """All points of the grid, in the order of ``LossGrid.loss``'s cells."""
    if len(axes) == 1:
        return axes[0][:, np.newaxis]
    first, second = np.meshgrid(*axes)
    return np.column_stack([first.ravel(), second.ravel()])


def _evaluate(estimator, X, y, sample_weight, vectors):
    """The fitted estimator's objective at each parameter vector (a row,
    ordered as ``_parameter_names``)."""
    params = vectors[:, np.newaxis, :]
    if not estimator.fit_intercept:
        params = np.concatenate([params, np.zeros((len(params), 1, 1))], axis=2)
    return estimator._objective(X, y, sample_weight, params)


def _gradient_at(estimator, X, y, sample_weight, params):
    """The exact gradient of the objective at a parameter vector."""
    W = params if estimator.fit_intercept else np.r_[params, 0.0]
    grad = estimator._objective_gradient(X, y, sample_weight, W[np.newaxis])
    return np.asarray(grad[0, : len(params)], dtype=np.float64)


def _exact_minimum(estimator, X, y, sample_weight, center, free):
    """The minimiser of the objective over the ``free`` parameters, the
    others held at ``center``: one Newton step where the objective is
    quadratic (the squared error, no L1 penalty), else ``None``.

    The gradient of a quadratic is affine, so the Hessian's columns are
    differences of exact gradients a unit apart.
    """
    _, l1 = estimator._penalty_strengths()
    if estimator._training_loss() != "squared_error" or l1 != 0:
        return None

    def gradient(vector):
        return _gradient_at(estimator, X, y, sample_weight, vector)[free]

    at_center = gradient(center)
    hessian = np.empty((len(free), len(free)))
    for k, j in enumerate(free):
        shifted = center.copy()
        shifted[j] += 1.0
        hessian[:, k] = gradient(shifted) - at_center
    try:
        point = center[free] - np.linalg.solve(hessian, at_center)
    except np.linalg.LinAlgError:  # a flat direction: no unique minimum
        return None
    return point if np.all(np.isfinite(point)) else None


def _crossings(path, j, value):
    """The points where the polyline ``path`` meets ``path[:, j] == value``:
    its points on the section and, between two points on either side, the
    point of the segment on it."""
    offset = path[:, j] - value
    points = []
    for k in range(len(path)):
        if offset[k] == 0:
            points.append(path[k])
        elif k + 1 < len(path) and offset[k] * offset[k + 1] < 0:
            t = offset[k] / (offset[k] - offset[k + 1])
            points.append(path[k] + t * (path[k + 1] - path[k]))
    return np.array(points).reshape(-1, path.shape[1])


def _section_path(path, fixed_indices, center):
    """``(kind, points)``: what of the recorded path is drawn on the section
    (see ``SurfaceData``), over all the parameters."""
    if not fixed_indices:
        return "path", path
    if len(fixed_indices) == 1:
        j = fixed_indices[0]
        return "crossings", _crossings(path, j, center[j])
    return "projected", path


def estimator_loss_grid(
    estimator, X, y, *, sample_weight=None, fixed=None, extent=None, grid_size=60
):
    """The objective of a fitted estimator over a grid of its parameters, and
    its path on it: a :class:`SurfaceData`.

    The path's losses are the objective on the drawn section (the fixed
    parameters held): the true losses along it where the path is on the
    section (no parameter fixed, or its crossings of a cross-section).
    """
    if hasattr(estimator, "steps"):  # the final step sees the transformed X
        X = estimator[:-1].transform(X)
    estimator = final_estimator(estimator)
    names, free, fixed = _free_and_fixed(estimator, fixed)
    center = _fitted_vector(estimator)
    for name, value in fixed.items():
        if value is not None:
            center[names.index(name)] = value
    path = _path(estimator)
    points = center[free][np.newaxis] if path is None else path[:, free]
    points = np.vstack([points, center[free]])
    axes = _grid_axes(points, extent, grid_size)

    def on_section(free_values):
        vectors = np.tile(center, (len(free_values), 1))
        vectors[:, free] = free_values
        return _evaluate(estimator, X, y, sample_weight, vectors)

    shape = [len(a) for a in reversed(axes)]
    loss = on_section(_grid_points(axes)).reshape(shape)
    held = tuple((name, float(center[names.index(name)])) for name in fixed)
    grid = LossGrid(tuple(names[j] for j in free), tuple(axes), loss, held)
    minimum = _exact_minimum(estimator, X, y, sample_weight, center, free)
    minimum_loss = None if minimum is None else on_section(minimum[np.newaxis])[0]
    if path is None:
        return SurfaceData(grid, minimum=minimum, minimum_loss=minimum_loss)
    fixed_indices = [names.index(name) for name in fixed]
    kind, drawn = _section_path(path, fixed_indices, center)
    drawn = drawn[:, free]
    return SurfaceData(grid, drawn, on_section(drawn), kind, minimum, minimum_loss)


def function_loss_grid(fun, path, *, extent=None, grid_size=200):
    """``fun`` over a grid around ``path`` (points of one or two variables),
    and the path on it: a :class:`SurfaceData`."""
    path = np.asarray(path, dtype=np.float64)
    path = path.reshape(len(path), -1)
    if path.shape[1] > 2:
        raise ValueError(
            f"The loss surface is drawn over one or two variables; the path has "
            f"{path.shape[1]}."
        )
    axes = _grid_axes(path, extent, grid_size)
    scalar = path.shape[1] == 1

    def values(points):
        return np.array([fun(p.item() if scalar else p) for p in points], dtype=float)

    shape = [len(a) for a in reversed(axes)]
    loss = values(_grid_points(axes)).reshape(shape)
    names = ("x",) if scalar else ("x[0]", "x[1]")
    return SurfaceData(LossGrid(names, tuple(axes), loss), path, values(path))
