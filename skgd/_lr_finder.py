"""The learning-rate range test (fastai's ``lr_find``) for skgd's estimators."""

import warnings

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import Bunch

from ._utils import final_estimator


class _ExponentialGrowth:
    """The schedule of the test: the step grows from ``1`` to ``ratio`` times the
    first over ``n_steps`` epochs."""

    def __init__(self, ratio, n_steps):
        self.ratio, self.n_steps = ratio, n_steps

    def __call__(self, epoch):
        return self.ratio ** (epoch / max(self.n_steps - 1, 1))


def find_learning_rate(
    estimator,
    X,
    y,
    *,
    sample_weight=None,
    min_learning_rate=1e-5,
    max_learning_rate=10.0,
    n_steps=60,
    stop_factor=4.0,
):
    """Run the learning-rate range test: a short fit whose step grows every epoch.

    A clone of ``estimator`` is fitted for ``n_steps`` epochs with a step that
    grows exponentially from ``min_learning_rate`` to ``max_learning_rate``
    (the ``lr_schedule``, ``tol``, early stopping and warm start of the clone
    are replaced), and the training loss reached with each step is recorded.
    The loss first falls faster as the step grows, then levels off and blows
    up; the test stops once the loss exceeds ``stop_factor`` times its
    minimum, or when the fit diverges. The suggested learning rate is a tenth
    of the step with the lowest loss, fastai's rule: large, and safely below
    the edge of divergence.

    For ``solver="batch"`` an epoch is one update, as in fastai's test with one
    step per batch; the stochastic solvers take one epoch per step.

    Parameters
    ----------
    estimator : estimator
        An skgd estimator, or a ``Pipeline`` ending in one; it is not fitted
        or changed.
    X : array-like of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,)
        Targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the samples.
    min_learning_rate, max_learning_rate : float, default=1e-5, 10.0
        The first and the last step of the test.
    n_steps : int, default=60
        Epochs of the test, one step each.
    stop_factor : float, default=4.0
        Stop once the loss exceeds this times its minimum.

    Returns
    -------
    result : Bunch
        ``learning_rates`` and ``losses`` (the training loss after the epoch
        run with each step, up to where the test stopped), ``suggestion`` (the
        suggested learning rate) and ``estimator`` (the clone, fitted by the
        test).

    See Also
    --------
    skgd.plotting.LearningRateFinderDisplay : Plot of the test.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.preprocessing import scale
    >>> from skgd import GDRegressor, find_learning_rate
    >>> X, y = load_diabetes(return_X_y=True)
    >>> result = find_learning_rate(GDRegressor(), scale(X), y)
    >>> bool(0.01 < result.suggestion < 1)
    True
    """
    if not 0 < min_learning_rate < max_learning_rate:
        raise ValueError(
            "Expected 0 < min_learning_rate < max_learning_rate; got "
            f"{min_learning_rate} and {max_learning_rate}."
        )
    if n_steps < 2 or stop_factor <= 1:
        raise ValueError(
            f"Expected n_steps >= 2 and stop_factor > 1; got {n_steps} and "
            f"{stop_factor}."
        )
    model = clone(estimator)
    prefix = f"{model.steps[-1][0]}__" if hasattr(model, "steps") else ""
    test_params = {
        "learning_rate": min_learning_rate,
        "lr_schedule": _ExponentialGrowth(
            max_learning_rate / min_learning_rate, n_steps
        ),
        "max_iter": n_steps,
        "tol": None,
        "early_stopping": False,
        "warm_start": False,
    }
    model.set_params(**{prefix + name: value for name, value in test_params.items()})
    fit_params = {} if sample_weight is None else {"sample_weight": sample_weight}
    if prefix:
        fit_params = {prefix + k: v for k, v in fit_params.items()}
    with warnings.catch_warnings():
        # Divergence is how the test is meant to end.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y, **fit_params)
    fitted = final_estimator(model)
    learning_rates = fitted.history_["learning_rate"].to_numpy()
    losses = fitted.loss_history_
    if fitted.solver == "batch":
        # An epoch's loss is taken at its start: the step of epoch k shows in
        # the loss of epoch k + 1.
        learning_rates, losses = learning_rates[:-1], losses[1:]
    too_high = np.flatnonzero(losses > stop_factor * np.minimum.accumulate(losses))
    if too_high.size:
        learning_rates, losses = learning_rates[: too_high[0]], losses[: too_high[0]]
    suggestion = learning_rates[np.argmin(losses)] / 10
    return Bunch(
        learning_rates=learning_rates,
        losses=losses,
        suggestion=float(suggestion),
        estimator=model,
    )
