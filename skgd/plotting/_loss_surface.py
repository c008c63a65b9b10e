"""The loss over a grid of one or two parameters, and the path taken on it."""

from typing import NamedTuple

import numpy as np

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


def _parameter_names(estimator):
    n_features = estimator.n_features_in_
    names = [f"coef[{j}]" for j in range(n_features)]
    return names + ["intercept"] if estimator.fit_intercept else names


def _fitted_vector(estimator):
    """The fitted weight vector: coefficients, then the intercept."""
    coef = np.asarray(estimator.coef_, dtype=np.float64)
    if coef.ndim == 2 and coef.shape[0] != 1:
        raise ValueError(
            f"The loss surface is drawn for one weight vector; this model has "
            f"{coef.shape[0]} (one per target or class)."
        )
    intercept = np.ravel(estimator.intercept_).astype(np.float64)
    return np.r_[coef.ravel(), intercept[:1]]


def _path(estimator):
    """The recorded weight vectors, one row per record, or None."""
    if estimator.coef_history_ is None:
        return None
    coef = estimator.coef_history_.reshape(len(estimator.coef_history_), -1)
    intercept = estimator.intercept_history_.reshape(len(coef), -1)[:, :1]
    return np.column_stack([coef, intercept]).astype(np.float64)


def _free_and_fixed(estimator, fixed):
    """The indices of the free parameters in the weight vector, and the fixed
    values (the fitted ones unless given)."""
    names = _parameter_names(estimator)
    fixed = {} if fixed is None else fixed
    fixed = {fixed: None} if isinstance(fixed, str) else dict(fixed)
    unknown = set(fixed) - set(names)
    if unknown:
        raise ValueError(
            f"Unknown parameters {sorted(unknown)}; this model has {names}."
        )
    free = [j for j, name in enumerate(names) if name not in fixed]
    if not 1 <= len(free) <= 2:
        raise ValueError(
            f"The loss surface is drawn over one or two parameters; this model has "
            f"{len(names)} ({', '.join(names)}) and {len(free)} are free. Fit it on "
            "one feature (with an intercept) or two (without), or fix all but two "
            "with `fixed`."
        )
    return names, free, fixed


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
    """The fitted estimator's objective at each weight vector (a row)."""
    params = vectors[:, np.newaxis, :]
    if not estimator.fit_intercept:
        params = np.concatenate([params, np.zeros((len(params), 1, 1))], axis=2)
    return estimator._objective(X, y, sample_weight, params)


def estimator_loss_grid(
    estimator, X, y, *, sample_weight=None, fixed=None, extent=None, grid_size=60
):
    """The objective of a fitted estimator over a grid of its parameters.

    Returns ``(grid, path, path_loss)``: the :class:`LossGrid`, the recorded
    path restricted to the free parameters (or None), and the objective along
    it with the fixed parameters held (on the drawn section).
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
    grid = LossGrid(tuple(names[j] for j in free), tuple(axes), loss)
    if path is None:
        return grid, None, None
    return grid, path[:, free], on_section(path[:, free])


def function_loss_grid(fun, path, *, extent=None, grid_size=200):
    """``fun`` over a grid around ``path`` (points of one or two variables)."""
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
    return LossGrid(names, tuple(axes), loss), path, values(path)
