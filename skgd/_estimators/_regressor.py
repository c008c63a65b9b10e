"""GDRegressor: a linear model fitted by gradient descent."""

from numbers import Real

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.utils._array_api import check_same_namespace, get_namespace
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .._backends import kind_of, rowwise
from .._backends._checks import check_csr_structure
from .._losses import REGRESSION_LOSSES, LossParameters
from ._base import BaseGD, _NotBool, atomic_fit
from ._docstrings import fill_shared_docs


@fill_shared_docs
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

    $solver_parameters

    penalty : {"l2", "l1", "elasticnet"} or None, default=None
        Adds ``alpha * (l1_ratio * ||coef||_1 + (1 - l1_ratio) / 2 *
        ||coef||**2)`` to the mean loss (``"l2"``: ``l1_ratio=0``, ``"l1"``:
        ``l1_ratio=1``). The intercept is not penalised. The L2 part enters the
        gradient; the L1 part is a proximal step (soft-thresholding, in the
        optimizer's own per-coordinate step size), so the batch solver reaches
        exact zeros. With ``solver="sgd"`` and the plain ``"sgd"`` optimizer
        it is scikit-learn's SGD's cumulative penalty instead (Tsuruoka,
        Tsujii and Ananiadou, 2009: each coefficient moves towards 0 by the
        penalty accumulated since it was last moved, never across 0), which
        zeroes the coefficients SGD's noise would keep near 0. Lasso and
        ElasticNet have the same optimum with half this ``alpha``; Ridge with
        ``alpha * n_samples / 2``.

    $training_parameters

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Coefficients, of the same dtype as ``X`` (float32 or float64).

    intercept_ : float or ndarray of shape (n_targets,)
        The intercept (0 when ``fit_intercept=False``).

    $history_attributes

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
        "epsilon": [_NotBool(Real, 0, None, closed="left")],
        "quantile": [_NotBool(Real, 0, 1, closed="neither")],
    }

    def __init__(
        self,
        *,
        loss="squared_error",
        epsilon=0.1,
        quantile=0.5,
        solver="batch",
        batch_size=32,
        n_jobs=None,
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
        average=False,
        record="epoch",
        verbose=0,
    ):
        self.loss = loss
        self.epsilon = epsilon
        self.quantile = quantile
        self.solver = solver
        self.batch_size = batch_size
        self.n_jobs = n_jobs
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
        self.average = average
        self.record = record
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    @atomic_fit
    def fit(self, X, y, sample_weight=None, coef_init=None, intercept_init=None):
        """Fit the model by gradient descent.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Training data. C-contiguous float32 or float64 arrays, and CSR
            matrices of those dtypes, are used without a copy. A Dask array or
            DataFrame (``solver="batch"`` only) is fitted where its chunks
            lie, by a map-reduce per epoch; see :doc:`/scaling_out`. Under
            scikit-learn's ``array_api_dispatch``, a PyTorch tensor, CuPy
            array or other array-API array is fitted on its device
            (``solver="batch"`` or ``"minibatch"``), and the fitted arrays
            are of its namespace; see the user guide's "Arrays on a GPU".
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
    @atomic_fit
    def partial_fit(self, X, y, sample_weight=None):
        """Run one epoch over the given samples, continuing from the current fit.

        The histories grow by one epoch and ``t_`` keeps counting. With
        ``learning_rate="auto"`` the step is resolved on the first call's data.
        ``sample_weight`` is normalised to mean 1 within each call, as in
        ``fit``: it weighs samples of one chunk against each other, not chunks
        against each other.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            A chunk of training data (a Dask collection: ``solver="batch"``
            only, one map-reduce over its chunks).
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

    @rowwise(lambda self: None if self._squeeze_targets else self._n_targets)
    def predict(self, X):
        """Predict with the linear model ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Samples. A Dask collection gives a lazy dask array.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predicted values.
        """
        check_is_fitted(self)
        check_same_namespace(X, self, attribute="coef_", method="predict")
        xp, _ = get_namespace(X)
        X = validate_data(
            self, X, accept_sparse="csr", dtype=[xp.float64, xp.float32], reset=False
        )
        check_csr_structure(X)
        if isinstance(self.coef_, np.ndarray):
            return X @ np.asarray(self.coef_, dtype=X.dtype).T + self.intercept_
        coef = xp.astype(self.coef_, X.dtype)
        return X @ (coef.T if coef.ndim == 2 else coef) + self.intercept_

    def _loss_scale_vs_sgd(self):
        return 2.0 if self.loss in ("squared_error", "huber") else 1.0

    def _loss_parameters(self):
        return LossParameters(
            epsilon=float(self.epsilon), quantile=float(self.quantile)
        )

    def _training_arrays(self, X, y):
        """``X``, the target matrix ``Y`` and ``y`` of new data, as ``fit`` sees
        them."""
        return self._validate_training_data(X, y, reset=False)

    def _validate_training_data(self, X, y, reset):
        kind = kind_of(X)
        X, y = kind.check_training_data(
            self, X, y, reset=reset, multi_output=True, y_numeric=True
        )
        Y = kind.target_matrix(y, X.dtype)
        self._set_target_shape(y, Y, reset)
        return X, Y, y

    def _set_target_shape(self, y, Y, reset):
        if reset:
            self._squeeze_targets = y.ndim == 1
            self._n_targets = Y.shape[1]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
