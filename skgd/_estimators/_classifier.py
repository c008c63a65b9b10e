"""GDClassifier: a linear classifier fitted by gradient descent."""

import math
from numbers import Real

import numpy as np
from scipy.special import expit, log_softmax, softmax
from sklearn.base import _fit_context
from sklearn.linear_model._base import LinearClassifierMixin, SparseCoefMixin
from sklearn.utils._array_api import check_same_namespace, get_namespace
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import _check_partial_fit_first_call
from sklearn.utils.validation import check_is_fitted

from .._backends import kind_of, rowwise
from .._backends._array_api import host_dtype
from .._backends._checks import check_csr_structure
from .._losses import CLASSIFICATION_LOSSES, LossParameters
from .._losses import LOSSES as LOSS_DESCRIPTIONS
from ._base import BaseGD, atomic_fit
from ._docstrings import fill_shared_docs

#: The kernels' names of the losses whose names differ: SGDClassifier's
#: regression losses at its scale (half skgd's regression losses).
KERNEL_LOSSES = {"squared_error": "half_squared_error", "huber": "half_huber"}
#: The losses a user names; ``"multinomial"`` is what ``"log_loss"`` becomes
#: with more than two classes.
LOSSES = sorted(
    (set(CLASSIFICATION_LOSSES) - {"multinomial", *KERNEL_LOSSES.values()})
    | {*KERNEL_LOSSES, "epsilon_insensitive", "squared_epsilon_insensitive"}
)
PROBABILISTIC_LOSSES = tuple(
    name
    for name in LOSSES
    if LOSS_DESCRIPTIONS[KERNEL_LOSSES.get(name, name)].probabilistic
)
#: The losses with SGDClassifier's ``epsilon``.
EPSILON_LOSSES = ("huber", "epsilon_insensitive", "squared_epsilon_insensitive")


#: Rows scored at a time by ``_accuracy_sums`` (bounds the copy of ``X[rows]``).
_ROWS_PER_BLOCK = 8192


def _accuracy_sums(X, Y, sample_weight, rows, W):
    """``[sum of the weights of the rows W classifies correctly, sum of the
    weights]`` over ``rows`` (all rows when ``None``) of the encoded ``Y``."""
    if rows is None:  # (all of them: a chunk, or the rows on a device)
        return _block_accuracy_sums(X, Y, sample_weight, W)
    sums = np.zeros(2)
    for start in range(0, len(rows), _ROWS_PER_BLOCK):
        block = rows[start : start + _ROWS_PER_BLOCK]
        sums += _block_accuracy_sums(X[block], Y[block], sample_weight[block], W)
    return sums


def _block_accuracy_sums(X, Y, weights, W):
    """``_accuracy_sums`` of all the rows of ``X`` (of any array namespace;
    ``W`` in the same)."""
    xp, _ = get_namespace(Y, weights, W)
    scores = X @ W[:, :-1].T + W[:, -1]
    if W.shape[0] == 1:
        correct = (scores[:, 0] > 0) == (Y[:, 0] > 0)
    else:
        correct = xp.argmax(scores, axis=1) == xp.argmax(Y, axis=1)
    weights = xp.astype(weights, xp.float64, copy=False)
    right = xp.sum(xp.where(correct, weights, xp.zeros_like(weights)))
    return np.array([float(right), float(xp.sum(weights))])


def _array_log_softmax(xp, scores):
    largest = xp.max(scores, axis=1, keepdims=True)
    shifted = scores - largest
    return shifted - xp.log(xp.sum(xp.exp(shifted), axis=1, keepdims=True))


def _array_probabilities(scores, loss):
    """``predict_proba`` of the decision values of an array-API namespace."""
    xp, _ = get_namespace(scores)
    if loss == "log_loss":
        if scores.shape[1] > 1:
            return xp.exp(_array_log_softmax(xp, scores))
        positive = 1.0 / (1.0 + xp.exp(-scores[:, 0]))
        return xp.stack([1.0 - positive, positive], axis=1)
    proba = (xp.clip(scores, -1.0, 1.0) + 1.0) / 2.0
    if scores.shape[1] == 1:
        return xp.stack([1.0 - proba[:, 0], proba[:, 0]], axis=1)
    total = xp.sum(proba, axis=1, keepdims=True)
    # Every class's score at or below -1: no information, uniform.
    proba = xp.where(total == 0.0, xp.ones_like(proba), proba)
    return proba / xp.sum(proba, axis=1, keepdims=True)


def _array_log_probabilities(scores):
    """``predict_log_proba`` of the log loss's decision values of an
    array-API namespace."""
    xp, _ = get_namespace(scores)
    if scores.shape[1] > 1:
        return _array_log_softmax(xp, scores)
    z = scores[:, 0]
    zero = xp.zeros_like(z)
    return xp.stack([-xp.logaddexp(zero, z), -xp.logaddexp(zero, -z)], axis=1)


def _has_probabilities(estimator):
    if estimator.loss not in PROBABILISTIC_LOSSES:
        raise AttributeError(
            f"probability estimates are not available for loss={estimator.loss!r}; "
            f"use one of {PROBABILISTIC_LOSSES}."
        )
    return True


@fill_shared_docs
class GDClassifier(LinearClassifierMixin, SparseCoefMixin, BaseGD):
    """Linear classifier fitted by gradient descent, with its history.

    Minimises the mean classification loss of the decision values
    ``X @ coef_.T + intercept_`` by full-batch, per-sample or mini-batch
    gradient descent, and records what it did: the loss of every epoch and the
    parameters after every epoch or every update. With ``"log_loss"`` and more
    than two classes the model is multinomial (a softmax over one weight vector
    per class), as :class:`~sklearn.linear_model.LogisticRegression`'s; the
    margin losses are one-vs-rest, one binary problem per class. Two classes
    have one weight vector, for the second class in ``classes_``.

    Parameters
    ----------
    loss : {"log_loss", "hinge", "squared_hinge", "modified_huber", \
            "perceptron", "squared_error", "huber", "epsilon_insensitive", \
            "squared_epsilon_insensitive"}, default="log_loss"
        The loss of a margin ``m = y * z`` (``y`` in {-1, +1}, ``z`` the
        decision value):

        - ``"log_loss"``: ``log(1 + exp(-m))``, logistic regression; with more
          than two classes the cross-entropy of ``softmax(z)``;
        - ``"hinge"``: ``max(0, 1 - m)``, the linear SVM;
        - ``"squared_hinge"``: ``max(0, 1 - m)**2``;
        - ``"modified_huber"``: ``max(0, 1 - m)**2`` for ``m >= -1``, else
          ``-4 * m``; smooth, robust, with probability estimates;
        - ``"perceptron"``: ``max(0, -m)``;
        - ``"squared_error"``, ``"huber"``, ``"epsilon_insensitive"``,
          ``"squared_epsilon_insensitive"``: the regression losses of the
          decision value to the label ``y`` in {-1, +1} (``(z - y)**2 / 2``,
          Huber's with ``epsilon``, ``max(0, |z - y| - epsilon)`` and its
          square), one-vs-rest.

        These are scikit-learn's ``SGDClassifier`` losses, at the same scale.
        The non-smooth ones (``"hinge"``, ``"perceptron"``) need a decaying
        ``lr_schedule`` (or a small step) to settle.

    $solver_parameters

    penalty : {"l2", "l1", "elasticnet"} or None, default=None
        Adds ``alpha * (l1_ratio * ||coef||_1 + (1 - l1_ratio) / 2 *
        ||coef||**2)`` to the mean loss (``"l2"``: ``l1_ratio=0``, ``"l1"``:
        ``l1_ratio=1``). The intercept is not penalised. The L2 part enters the
        gradient; the L1 part is a proximal step (soft-thresholding), so the
        batch solver reaches exact zeros; with ``solver="sgd"`` and the plain
        ``"sgd"`` optimizer it is scikit-learn's SGD's cumulative penalty
        (Tsuruoka, Tsujii and Ananiadou, 2009), which zeroes the coefficients
        SGD's noise would keep near 0 (``sparsify()`` then stores them
        sparse). With ``"l2"`` and
        ``alpha = 1 / (C * n_samples)`` (``n_samples`` the sum of the weights),
        ``"log_loss"`` has the optimum of ``LogisticRegression(C=C)``.

    $training_parameters

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes, ``{label: weight}``, multiplying the samples'
        weights; ``"balanced"`` uses ``n_samples / (n_classes * counts)``.
        ``partial_fit`` takes a dict only.

    epsilon : float, default=0.1
        The ``epsilon`` of ``"huber"``, ``"epsilon_insensitive"`` and
        ``"squared_epsilon_insensitive"`` (ignored by the other losses).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.

    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Coefficients of the decision function, of the dtype of ``X``; one row
        for two classes.

    intercept_ : ndarray of shape (1,) or (n_classes,)
        The intercepts (0 when ``fit_intercept=False``).

    $history_attributes

    See Also
    --------
    sklearn.linear_model.SGDClassifier : Per-sample SGD, one-vs-rest only.
    sklearn.linear_model.LogisticRegression : The log loss by second-order solvers.
    GDRegressor : The same solvers for regression.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skgd import GDClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = make_pipeline(StandardScaler(), GDClassifier(penalty="l2", alpha=0.01))
    >>> round(clf.fit(X, y).score(X, y), 2)
    0.95
    >>> clf.predict(X[:1]), clf.predict_proba(X[:1]).round(3)
    (array([0]), array([[0.977, 0.023, 0.   ]]))

    The fitted estimator keeps its path: one weight vector per class, each
    epoch.

    >>> gd = clf[-1]
    >>> gd.coef_.shape, gd.coef_history_.shape == (gd.n_iter_ + 1, 3, 4)
    ((3, 4), True)
    """

    _parameter_constraints: dict = {
        **BaseGD._parameter_constraints,
        "loss": [StrOptions(set(LOSSES))],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "epsilon": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        loss="log_loss",
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
        class_weight=None,
        epsilon=0.1,
    ):
        self.loss = loss
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
        self.class_weight = class_weight
        self.epsilon = epsilon

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
        y : array-like of shape (n_samples,)
            Class labels (strings, integers, ...).
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples in the mean loss (times ``class_weight``).
        coef_init : array-like of shape (1, n_features) or (n_classes, n_features)
            Initial coefficients, shaped as ``coef_`` (default: zeros, or the
            previous solution with ``warm_start``).
        intercept_init : array-like of shape (1,) or (n_classes,)
            Initial intercepts; ignored when ``fit_intercept=False``.

        Returns
        -------
        self : GDClassifier
            The fitted estimator.
        """
        X, y = self._validate_training_data(X, y, reset=True)
        self.classes_ = kind_of(y).classes(y)
        Y = self._encode(y, X.dtype)
        self._n_targets = Y.shape[1]
        W = self._initial_params(
            Y.shape[1], X.shape[1], X.dtype, coef_init, intercept_init
        )
        return self._fit_epochs(X, Y, y, sample_weight, W, partial=False)

    @_fit_context(prefer_skip_nested_validation=True)
    @atomic_fit
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch over the given samples, continuing from the current fit.

        The histories grow by one epoch and ``t_`` keeps counting. With
        ``learning_rate="auto"`` the step is resolved on the first call's data.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            A chunk of training data (a Dask collection: ``solver="batch"``
            only, one map-reduce over its chunks).
        y : array-like of shape (n_samples,)
            Its class labels.
        classes : array-like of shape (n_classes,), default=None
            All the classes, required on the first call (a chunk may miss some)
            and checked against ``classes_`` on later calls.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the samples, normalised to mean 1 within the call.

        Returns
        -------
        self : GDClassifier
            The updated estimator.
        """
        if self.class_weight == "balanced":
            raise ValueError(
                "class_weight 'balanced' is not supported for partial_fit. In "
                "order to use 'balanced' weights, use compute_class_weight("
                "'balanced', classes=classes, y=y) on a large enough sample of "
                "the training targets and pass the resulting weights as the "
                "class_weight parameter."
            )
        first_call = _check_partial_fit_first_call(self, classes)
        X, y = self._validate_training_data(X, y, reset=first_call)
        Y = self._encode(y, X.dtype)
        if first_call or not hasattr(self, "coef_"):
            self._n_targets = Y.shape[1]
            W = self._initial_params(Y.shape[1], X.shape[1], X.dtype, None, None)
        else:
            W = self._current_params(X.dtype)
        return self._fit_epochs(X, Y, y, sample_weight, W, partial=True)

    @rowwise(lambda self: None if len(self.classes_) == 2 else len(self.classes_))
    def decision_function(self, X):
        """Decision values ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Samples. A Dask collection gives a lazy dask array.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            One value per sample with two classes (positive for
            ``classes_[1]``), else one per class.
        """
        check_csr_structure(X)
        return super().decision_function(X)

    @rowwise(lambda self: None, dtype=lambda self: self.classes_.dtype)
    def predict(self, X):
        """Predict the class of each sample.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Samples. A Dask collection gives a lazy dask array.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The predicted labels, from ``classes_``.
        """
        return super().predict(X)

    @available_if(_has_probabilities)
    @rowwise(lambda self: len(self.classes_))
    def predict_proba(self, X):
        """Class probabilities.

        ``"log_loss"``: the logistic function of the decision value (two
        classes) or the softmax of the decision values. ``"modified_huber"``:
        scikit-learn's ``(clip(z, -1, 1) + 1) / 2``, normalised over the
        one-vs-rest classes.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Samples. A Dask collection gives a lazy dask array.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The probability of each class, in the order of ``classes_``.
        """
        check_is_fitted(self)
        check_same_namespace(X, self, attribute="coef_", method="predict_proba")
        scores = self._decision_matrix(X)
        if not isinstance(scores, np.ndarray):
            return _array_probabilities(scores, self.loss)
        if self.loss == "log_loss":
            if scores.shape[1] == 1:
                positive = expit(scores[:, 0])
                return np.column_stack([1.0 - positive, positive])
            return softmax(scores, axis=1)
        proba = (np.clip(scores, -1.0, 1.0) + 1.0) / 2.0
        if scores.shape[1] == 1:
            return np.column_stack([1.0 - proba[:, 0], proba[:, 0]])
        total = proba.sum(axis=1, keepdims=True)
        # Every class's score at or below -1: no information, uniform.
        proba[total[:, 0] == 0.0] = 1.0
        return proba / proba.sum(axis=1, keepdims=True)

    @available_if(_has_probabilities)
    @rowwise(lambda self: len(self.classes_))
    def predict_log_proba(self, X):
        """Logarithm of the class probabilities.

        For ``"log_loss"`` computed from the decision values directly
        (log-sigmoid, log-softmax), so it stays finite where a probability
        rounds to 0.

        Parameters
        ----------
        X : {array-like, sparse matrix, dask array} of shape (n_samples, n_features)
            Samples. A Dask collection gives a lazy dask array.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The log-probability of each class, in the order of ``classes_``.
        """
        check_is_fitted(self)
        check_same_namespace(X, self, attribute="coef_", method="predict_log_proba")
        if self.loss != "log_loss":
            proba = self.predict_proba(X)
            if not isinstance(proba, np.ndarray):
                return get_namespace(proba)[0].log(proba)
            with np.errstate(divide="ignore"):
                return np.log(proba)
        scores = self._decision_matrix(X)
        if not isinstance(scores, np.ndarray):
            return _array_log_probabilities(scores)
        if scores.shape[1] == 1:
            z = scores[:, 0]
            return np.column_stack([-np.logaddexp(0.0, z), -np.logaddexp(0.0, -z)])
        return log_softmax(scores, axis=1)

    # -- hooks of BaseGD -------------------------------------------------------

    _squeeze_targets = False

    def _training_loss(self):
        multinomial = self.loss == "log_loss" and len(self.classes_) > 2
        return "multinomial" if multinomial else KERNEL_LOSSES.get(self.loss, self.loss)

    def _loss_parameters(self):
        return LossParameters(epsilon=float(self.epsilon))

    def _checked_sample_weight(self, sample_weight, X, y):
        sample_weight = super()._checked_sample_weight(sample_weight, X, y)
        if self.class_weight is None:
            return sample_weight
        if isinstance(self.class_weight, dict):
            values = np.array(list(self.class_weight.values()), dtype=np.float64)
            if not (np.isfinite(values).all() and (values >= 0).all()):
                raise ValueError(
                    "class_weight must give each class a finite, non-negative "
                    f"weight; got {self.class_weight!r}."
                )
        return kind_of(y).class_weighted(
            sample_weight, self.class_weight, self.classes_, y
        )

    def _stratify(self, y):
        """The labels, when every class can be on both sides of the split."""
        n_classes = len(self.classes_)
        n_validation = math.ceil(self.validation_fraction * len(y))
        counts = np.unique(y, return_counts=True)[1]
        feasible = (
            counts.min() >= 2
            and n_classes <= n_validation <= len(y) - n_classes
            and len(counts) == n_classes
        )
        return y if feasible else None

    def _validation_scores(self, rows):
        def accuracy(W):
            correct, total = rows.reduce(_accuracy_sums, W)
            return float(correct / total)

        return {"val_accuracy": accuracy}

    # -- helpers ---------------------------------------------------------------

    def _training_arrays(self, X, y):
        """``X``, the target matrix ``Y`` and ``y`` of new data, as ``fit`` sees
        them."""
        X, y = self._validate_training_data(X, y, reset=False)
        return X, self._encode(y, X.dtype), y

    def _validate_training_data(self, X, y, reset):
        kind = kind_of(X)
        X, y = kind.check_training_data(
            self, X, y, reset=reset, multi_output=False, y_numeric=False
        )
        kind.check_classification_targets(y)
        return X, y

    def _check_n_classes(self):
        n_classes = len(self.classes_)
        if n_classes < 2:
            raise ValueError(
                "The number of classes has to be greater than one; got "
                f"{n_classes} class"
            )
        return n_classes

    def _encode(self, y, dtype):
        """The kernels' targets: one column of +-1 for two classes; one column
        per class otherwise, one-hot for the multinomial and +-1 for
        one-vs-rest."""
        n_classes = self._check_n_classes()
        n_columns = 1 if n_classes == 2 else n_classes
        dtype = host_dtype(dtype)  # (the labels are on the host)
        return kind_of(y).map_labels(y, self._encode_labels, n_columns, dtype)

    def _encode_labels(self, y, dtype):
        """``_encode`` of in-memory labels."""
        # classes_ is sorted: a label's place in it (setdiff1d would sort y
        # twice over).
        places = np.searchsorted(self.classes_, y).clip(0, len(self.classes_) - 1)
        known = self.classes_[places] == y
        if not known.all():
            unknown = np.unique(y[~known])
            raise ValueError(
                f"y has labels {unknown.tolist()} that are not in classes_ "
                f"{self.classes_.tolist()}."
            )
        n_classes = self._check_n_classes()
        if n_classes == 2:
            Y = np.where(y == self.classes_[1], 1.0, -1.0)[:, np.newaxis]
        else:
            Y = (y[:, np.newaxis] == self.classes_).astype(np.float64)
            if self.loss != "log_loss":
                Y = 2.0 * Y - 1.0
        return np.ascontiguousarray(Y, dtype=dtype)

    def _decision_matrix(self, X):
        """The decision values as a 2-D array, one column per weight vector."""
        check_is_fitted(self)
        scores = self.decision_function(X)
        xp, _ = get_namespace(scores)
        return xp.reshape(scores, (scores.shape[0], -1))
