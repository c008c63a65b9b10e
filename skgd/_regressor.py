"""GDRegressor: a linear model fitted by gradient descent."""

from numbers import Real

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._base import BaseGD
from ._losses import REGRESSION_LOSSES


class GDRegressor(RegressorMixin, BaseGD):
    """Linear regression fitted by gradient descent, with its history.

    Minimises the mean squared error ``mean((X @ coef + intercept - y)**2)`` (the
    plain mean, as in the textbooks and PyTorch's ``MSELoss``; scikit-learn's
    :class:`~sklearn.linear_model.SGDRegressor` minimises half of it) by full-batch,
    per-sample or mini-batch gradient descent, and records what it did: the loss
    of every epoch and the parameters after every epoch or every update.

    Parameters
    ----------
    loss : str, default="squared_error"
        The loss of a residual ``r = y_hat - y``:

        - ``"squared_error"``: ``r**2``;
        - ``"huber"``: ``r**2`` for ``|r| <= epsilon``, else
          ``2 * epsilon * |r| - epsilon**2`` (on the scale of the squared error:
          :class:`~sklearn.linear_model.HuberRegressor` with its fitted
          ``scale_`` uses ``epsilon * scale_``);
        - ``"epsilon_insensitive"``: ``max(0, |r| - epsilon)`` (linear SVR);
        - ``"squared_epsilon_insensitive"``: ``max(0, |r| - epsilon)**2``;
        - ``"absolute_error"``: ``|r|`` (the median);
        - ``"quantile"``: the pinball loss at level ``quantile``.

        With ``sample_weight`` its weighted mean is minimised. With several
        targets the loss is the sum of the per-target losses, so each target
        gets the coefficients a separate fit would give it. The non-smooth
        losses need a decaying ``lr_schedule`` (or a small step) to settle.

    epsilon : float, default=0.1
        The threshold of ``"huber"`` and of the epsilon-insensitive losses.

    quantile : float, default=0.5
        The level of the ``"quantile"`` loss, in (0, 1).

    solver : {"batch", "sgd", "minibatch"}, default="batch"
        ``"batch"`` makes one update per epoch from all samples, ``"sgd"`` one
        update per sample, ``"minibatch"`` one update per ``batch_size`` samples
        (the last batch may be smaller).

    batch_size : int, default=32
        Samples per update for ``solver="minibatch"``; ignored otherwise.

    optimizer : str or optimizer instance, default="sgd"
        How a gradient becomes an update: ``"sgd"``, ``"momentum"``,
        ``"nesterov"``, ``"adagrad"``, ``"rmsprop"``, ``"adam"``, or an instance
        from :mod:`skgd.optim` with its own hyperparameters (for example
        ``Adam(betas=(0.9, 0.99))``; searchable as ``optimizer__betas``). The
        formulas are PyTorch's: the same run gives the same weights.

    learning_rate : float or "auto", default="auto"
        The step size. ``"auto"`` takes ``1 / L`` for the Lipschitz constant ``L``
        of the gradient: ``2 * lambda_max(X^T X / n)`` (a few power iterations,
        the rows augmented with a 1 for the intercept) for ``"batch"``, which
        makes the loss decrease at every epoch; ``2 * max_i ||x_i||**2`` for the
        stochastic solvers, as scikit-learn's SAG does (an L2 penalty adds
        ``alpha * (1 - l1_ratio)`` to ``L``). For Adagrad, RMSprop and Adam
        ``"auto"`` is PyTorch's default (0.01, 0.01, 0.001). The value used is
        stored in ``learning_rate_``.

    lr_schedule : str, schedule instance or callable, default="constant"
        The step of each epoch as a multiple of the learning rate:
        ``"constant"``, ``"invscaling"``, ``"exponential"``, ``"step"``,
        ``"cosine"``, ``"adaptive"`` (divide by 5 whenever the loss stops
        improving, as scikit-learn's), an instance from :mod:`skgd.schedules`,
        or a callable ``epoch -> multiplier`` (epochs counted from 0). The step
        of every epoch is in ``history_``.

    penalty : {"l2", "l1", "elasticnet"} or None, default=None
        Adds ``alpha * (l1_ratio * ||coef||_1 + (1 - l1_ratio) / 2 *
        ||coef||**2)`` to the mean loss (``"l2"``: ``l1_ratio=0``, ``"l1"``:
        ``l1_ratio=1``). The intercept is not penalised. The L2 part enters the
        gradient; the L1 part is a proximal step (soft-thresholding, in the
        optimizer's own per-coordinate step size), so the batch solver reaches
        exact zeros. Lasso and ElasticNet have the same optimum with half this
        ``alpha``; Ridge with ``alpha * n_samples / 2``.

    alpha : float, default=0.0001
        Strength of the penalty.

    l1_ratio : float, default=0.15
        The L1 share of ``"elasticnet"``, in [0, 1].

    max_iter : int, default=1000
        Maximum number of epochs (passes over the data).

    tol : float or None, default=1e-4
        The fit stops when the epoch loss has not improved by at least ``tol``
        over the best loss so far for ``n_iter_no_change`` consecutive epochs.
        ``None`` runs all ``max_iter`` epochs.

    n_iter_no_change : int, default=5
        Epochs without improvement before stopping. With ``1`` this is the
        textbook rule "stop when the loss changes by less than ``tol``".

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data, apply the
        stopping rule to its loss instead of the training loss, and at the end
        restore the parameters of the epoch with the best validation loss.
        Ignored by ``partial_fit``.

    validation_fraction : float, default=0.1
        The share of the samples held out for early stopping.

    shuffle : bool, default=True
        Reshuffle the samples before every epoch of the stochastic solvers.
        ``False`` visits them in data order. The batch solver never shuffles.

    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling; an int makes a fit reproducible bit for bit.

    fit_intercept : bool, default=True
        Whether to fit an intercept (never penalised, never centred away: the
        intercept is updated by gradient descent like the coefficients).

    warm_start : bool, default=False
        Start ``fit`` from the previous solution instead of from zero.

    record : {"epoch", "update"} or None, default="epoch"
        Which parameters go into ``coef_history_`` and ``intercept_history_``:
        after every epoch, after every update (to see SGD zigzag on small data),
        or none (``None``: saves memory on large data; the histories are then
        ``None``). The loss per epoch is always recorded.

    verbose : int, default=0
        Print one line per epoch: epoch, loss (and validation loss), learning
        rate, elapsed time. For a progress bar use scikit-learn's callbacks:
        ``set_callbacks(ProgressBar())`` (needs ``rich``).

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients, of the same dtype as ``X`` (float32 or float64).

    intercept_ : float or ndarray of shape (n_targets,)
        The intercept (0 when ``fit_intercept=False``).

    loss_history_ : ndarray of shape (n_iter_,)
        For each epoch, the mean over its samples of the loss each sample had
        when it was used for its update, plus the penalty at the start of the
        epoch. For ``"batch"`` this is the objective at the start of the epoch.

    val_loss_history_ : ndarray of shape (n_iter_,) or None
        With ``early_stopping``, the validation loss after each epoch (no
        penalty); ``None`` otherwise.

    coef_history_ : ndarray of shape (n_records, ...) or None
        The coefficients before the first update (row 0) and after every epoch
        (``n_records = n_iter_ + 1``) or every update (``n_records = t_ + 1``),
        following ``record``. A leading axis is added to the shape of ``coef_``.

    intercept_history_ : ndarray of shape (n_records, ...) or None
        The intercept, recorded as ``coef_history_``.

    history_ : pandas.DataFrame
        One row per epoch, indexed by epoch number: ``loss``, ``val_loss``
        (with early stopping), ``learning_rate``, ``n_updates`` and ``time``
        (seconds since the start).

    n_iter_ : int
        Epochs run (including those of earlier ``partial_fit`` calls).

    t_ : int
        Parameter updates made.

    learning_rate_ : float
        The base step size (resolved from ``"auto"`` or copied); the schedule
        multiplies it.

    optimizer_ : optimizer instance
        The optimizer used (from :mod:`skgd.optim`).

    optimizer_state_ : OptimizerState
        Its state after the last update: ``slots`` of shape
        ``(n_slots, n_targets, n_features + 1)`` (the last column is the
        intercept's) and ``count``. ``partial_fit`` continues it.

    stop_reason_ : {"converged", "max_iter", "diverged", "early_stopping", \
            "callback"}
        Why the last call to ``fit`` stopped: the stopping rule on the training
        loss, ``max_iter`` epochs, divergence, the stopping rule on the
        validation loss, or a callback's request. ``"diverged"``: the loss became
        non-finite, grew 1e4 times above its start, or had doubled above its
        best when the stopping rule fired. A
        :class:`~sklearn.exceptions.ConvergenceWarning` is then raised and
        ``coef_`` and ``intercept_`` are those at the start of the best epoch
        (never NaN); the histories keep the growth. With several targets each
        target stops on its own, as in a separate fit; the reason is
        ``"diverged"`` if any target diverged, ``"converged"`` if all converged.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when ``X`` has string column names.

    See Also
    --------
    sklearn.linear_model.SGDRegressor : Per-sample SGD on half the squared error.
    sklearn.linear_model.LinearRegression : The closed-form least-squares solution.

    Examples
    --------
    The textbook example: fit y = w * x from w = 1 with a step of 0.01.

    >>> import numpy as np
    >>> from skgd import GDRegressor
    >>> X = np.array([[1.0], [2.0], [3.0]])
    >>> y = np.array([2.0, 4.0, 6.0])
    >>> reg = GDRegressor(learning_rate=0.01, max_iter=100, tol=None,
    ...                   fit_intercept=False)
    >>> reg.fit(X, y, coef_init=[1.0]).coef_.round(4)
    array([1.9999])
    >>> reg.loss_history_[:3].round(4)
    array([4.6667, 3.8362, 3.1535])
    >>> reg.predict([[4.0]]).round(3)
    array([8.])
    """

    _parameter_constraints: dict = {
        **BaseGD._parameter_constraints,
        "loss": [StrOptions(set(REGRESSION_LOSSES))],
        "epsilon": [Interval(Real, 0, None, closed="left")],
        "quantile": [Interval(Real, 0, 1, closed="neither")],
    }

    def __init__(
        self,
        *,
        loss="squared_error",
        epsilon=0.1,
        quantile=0.5,
        solver="batch",
        batch_size=32,
        optimizer="sgd",
        learning_rate="auto",
        lr_schedule="constant",
        penalty=None,
        alpha=0.0001,
        l1_ratio=0.15,
        max_iter=1000,
        tol=1e-4,
        n_iter_no_change=5,
        early_stopping=False,
        validation_fraction=0.1,
        shuffle=True,
        random_state=None,
        fit_intercept=True,
        warm_start=False,
        record="epoch",
        verbose=0,
    ):
        self.loss = loss
        self.epsilon = epsilon
        self.quantile = quantile
        self.solver = solver
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.lr_schedule = lr_schedule
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.shuffle = shuffle
        self.random_state = random_state
        self.fit_intercept = fit_intercept
        self.warm_start = warm_start
        self.record = record
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, coef_init=None, intercept_init=None):
        """Fit the model by gradient descent.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data. C-contiguous float32 or float64 arrays are used
            without a copy.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Target values.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the mean loss.
        coef_init : array-like of shape (n_features,) or (n_targets, n_features)
            Initial coefficients (default: zeros, or the previous solution
            with ``warm_start``).
        intercept_init : float or array-like of shape (n_targets,)
            Initial intercept; ignored when ``fit_intercept=False``.

        Returns
        -------
        self : GDRegressor
            The fitted estimator.
        """
        X, Y, y = self._validate_training_data(X, y, reset=True)
        W = self._initial_params(
            Y.shape[1], X.shape[1], X.dtype, coef_init, intercept_init
        )
        return self._fit_epochs(X, Y, y, sample_weight, W, partial=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Run one epoch over the given samples, continuing from the current fit.

        The histories grow by one epoch and ``t_`` keeps counting. With
        ``learning_rate="auto"`` the step is resolved on the first call's data.
        ``sample_weight`` is normalised to mean 1 within each call, as in
        ``fit``: it weighs samples of one chunk against each other, not chunks
        against each other.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A chunk of training data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Its targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples.

        Returns
        -------
        self : GDRegressor
            The updated estimator.
        """
        first_call = not hasattr(self, "coef_")
        X, Y, y = self._validate_training_data(X, y, reset=first_call)
        if first_call:
            W = self._initial_params(Y.shape[1], X.shape[1], X.dtype, None, None)
        else:
            if Y.shape[1] != self._n_targets:
                raise ValueError(
                    f"y has {Y.shape[1]} targets; the model was fitted on "
                    f"{self._n_targets}."
                )
            W = self._current_params(X.dtype)
        return self._fit_epochs(X, Y, y, sample_weight, W, partial=True)

    def predict(self, X):
        """Predict with the linear model ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predicted values.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        return X @ np.asarray(self.coef_, dtype=X.dtype).T + self.intercept_

    def _loss_parameters(self):
        return {"epsilon": float(self.epsilon), "quantile": float(self.quantile)}

    def _validate_training_data(self, X, y, reset):
        X, y = validate_data(
            self,
            X,
            y,
            reset=reset,
            dtype=[np.float64, np.float32],
            order="C",
            multi_output=True,
            y_numeric=True,
        )
        Y = np.ascontiguousarray(y.reshape(len(y), -1), dtype=X.dtype)
        if reset:
            self._squeeze_targets = y.ndim == 1
            self._n_targets = Y.shape[1]
        return X, Y, y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
