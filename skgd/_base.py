"""Machinery shared by the gradient-descent estimators."""

import copy
import functools
import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.callback import CallbackSupportMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _assert_all_finite, _check_sample_weight

from ._dask import checked_sample_weight, is_dask_collection, training_rows
from ._data_checks import check_feature_scales
from ._history import HISTORY_MEMORY_BUDGET, history_frame
from ._jit import compile_notice
from ._kernels import EpochConfig
from ._losses import CURVATURE
from ._rows import kernel_data
from ._step_size import auto_learning_rate
from ._training import EpochSettings, Validation, evaluate_loss, penalty, run_epochs
from .optim import OPTIMIZERS, OptimizerState, _Optimizer, resolve_optimizer
from .schedules import SCHEDULES, _Schedule, resolve_schedule

#: The solvers, by how many samples make one update: all, one, or batch_size.
SOLVERS = ("batch", "sgd", "minibatch")
PENALTIES = ("l2", "l1", "elasticnet")


def _mean_one(sample_weight, rows=None):
    """Weights rescaled to mean 1 over ``rows`` (all when ``None``), 0 on the
    other rows (see ``_kernels``).

    Divided by their largest first, so that neither the sum of huge weights
    overflows nor the inverse of tiny ones: uniform weights become exactly 1.
    """
    if rows is None:
        used = sample_weight
    else:
        used = sample_weight[rows]
    used = used / used.max()
    used *= len(used) / used.sum()
    if rows is None:
        return used
    normalised = np.zeros_like(sample_weight)
    normalised[rows] = used
    return normalised


class _NotBool(Interval):
    """An ``Interval`` that refuses booleans (``True`` is an ``int`` to Python,
    but never a batch size, an iteration count or a learning rate)."""

    def is_satisfied_by(self, val):
        if isinstance(val, bool | np.bool_):
            return False
        return super().is_satisfied_by(val)


def atomic_fit(method):
    """Make a ``fit`` or ``partial_fit`` all or nothing: on any exception
    (``KeyboardInterrupt`` too) the estimator is restored to its state before
    the call, and the exception propagates.

    The fit replaces the estimator's attributes rather than changing them in
    place, so a shallow copy of ``__dict__`` is a snapshot; the random stream,
    which the fit draws from, is copied whole.
    """

    @functools.wraps(method)
    def fit_or_restore(self, *args, **kwargs):
        snapshot = dict(self.__dict__)
        if "_rng" in snapshot:
            snapshot["_rng"] = copy.deepcopy(snapshot["_rng"])
        try:
            return method(self, *args, **kwargs)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(snapshot)
            raise

    return fit_or_restore


class _EpochMonitor:
    """Reports each epoch to scikit-learn's callbacks; a callback may stop the fit."""

    def __init__(self, estimator, context, X, y, metadata):
        self.estimator, self.context = estimator, context
        self.data = dict(X=X, y=y, metadata=metadata)

    def begin_epoch(self):
        self.epoch = self.context.subcontext(task_name="epoch")
        self.epoch.call_on_fit_task_begin(estimator=self.estimator, **self.data)

    def end_epoch(self, W, history):
        return self.epoch.call_on_fit_task_end(
            estimator=self.estimator,
            reconstruction_attributes=lambda: self.estimator._fitted_attributes(
                W.copy(), history
            ),
            **self.data,
        )


class BaseGD(CallbackSupportMixin, BaseEstimator):
    """Parameters, validation of the training state, and the fit orchestration.

    Subclasses turn ``y`` into a 2-D float target matrix ``Y`` (one column per
    target, or per class) and back; the hooks below let them name the loss the
    kernels minimise and its parameters, weigh the samples, stratify the
    validation split and score it.
    """

    _parameter_constraints: dict = {
        "solver": [StrOptions(set(SOLVERS))],
        "batch_size": [_NotBool(Integral, 1, None, closed="left")],
        "n_jobs": [_NotBool(Integral, None, None, closed="neither"), None],
        "optimizer": [StrOptions(set(OPTIMIZERS)), _Optimizer],
        "learning_rate": [
            StrOptions({"auto"}),
            _NotBool(Real, 0, None, closed="neither"),
        ],
        "lr_schedule": [StrOptions(set(SCHEDULES)), _Schedule, callable],
        "penalty": [StrOptions(set(PENALTIES)), None],
        "alpha": [_NotBool(Real, 0, None, closed="left")],
        "l1_ratio": [_NotBool(Real, 0, 1, closed="both")],
        "max_iter": [_NotBool(Integral, 1, None, closed="left")],
        "tol": [_NotBool(Real, 0, None, closed="left"), None],
        "n_iter_no_change": [_NotBool(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [_NotBool(Real, 0, 1, closed="neither")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "fit_intercept": ["boolean"],
        "warm_start": ["boolean"],
        "record": [StrOptions({"epoch", "update"}), None],
        "verbose": ["verbose"],
    }

    # -- the parameters, resolved -------------------------------------------------

    def _batch_size(self, n_samples):
        return {"batch": n_samples, "sgd": 1}.get(self.solver, self.batch_size)

    def _penalty_strengths(self):
        """``(l2, l1)``: the objective's penalty is
        ``l1 * ||coef||_1 + (l2 / 2) * ||coef||**2``."""
        if self.penalty is None:
            return 0.0, 0.0
        l1_share = {"l2": 0.0, "l1": 1.0}.get(self.penalty, self.l1_ratio)
        return self.alpha * (1.0 - l1_share), self.alpha * l1_share

    def _training_loss(self):
        """The name of the loss the kernels minimise."""
        return self.loss

    def _loss_parameters(self):
        """The loss's own parameters (the regression losses' ``epsilon`` and
        ``quantile``; the classification losses have none)."""
        return {"epsilon": 0.0, "quantile": 0.0}

    def _checked_sample_weight(self, sample_weight, X, y):
        if is_dask_collection(X):
            return checked_sample_weight(sample_weight, X)
        return _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )

    def _initial_params(self, n_targets, n_features, dtype, coef_init, intercept_init):
        """Parameters to start from, as ``W`` of shape (n_targets, n_features + 1).

        ``coef_init`` has the shape of ``coef_``: (n_features,) for a 1-D ``y``,
        (n_targets, n_features) for a 2-D one; with one target either.
        """
        if self.warm_start and hasattr(self, "coef_"):
            coef_init = self.coef_ if coef_init is None else coef_init
            intercept_init = (
                self.intercept_ if intercept_init is None else intercept_init
            )
        shape = (n_features,) if self._squeeze_targets else (n_targets, n_features)
        W = np.zeros((n_targets, n_features + 1), dtype=dtype)
        if coef_init is not None:
            coef_init = np.asarray(coef_init, dtype=dtype)
            _assert_all_finite(coef_init, input_name="coef_init")
            if n_targets == 1 and coef_init.size == n_features:
                # The tutorials' w of shape (1,) for a y of shape (n, 1).
                coef_init = coef_init.reshape(shape)
            if coef_init.shape != shape:
                raise ValueError(
                    f"coef_init has shape {coef_init.shape}; expected {shape}, the "
                    "shape of coef_."
                )
            W[:, :-1] = coef_init
        if intercept_init is not None and self.fit_intercept:
            intercept_init = np.asarray(intercept_init, dtype=dtype)
            _assert_all_finite(intercept_init, input_name="intercept_init")
            if intercept_init.size not in (1, n_targets) or intercept_init.ndim > 1:
                raise ValueError(
                    f"intercept_init has shape {intercept_init.shape}; expected a "
                    f"scalar or {n_targets} values, one per target."
                )
            W[:, -1] = intercept_init
        return W

    def _current_params(self, dtype):
        """``W`` from the fitted ``coef_`` and ``intercept_`` (for partial_fit)."""
        coef = np.asarray(self.coef_, dtype=dtype).reshape(self._n_targets, -1)
        intercept = np.asarray(self.intercept_, dtype=dtype).reshape(-1)
        return np.ascontiguousarray(np.column_stack([coef, intercept]))

    def _resolve_learning_rate(self, X, sample_weight, optimizer, l2, loss, rows):
        if self.learning_rate != "auto":
            return float(self.learning_rate)
        if optimizer.default_learning_rate is not None:
            return optimizer.default_learning_rate
        # Noisy steps add up in a momentum buffer: the stochastic solvers'
        # safe step is divided by the buffer's gain (full batches are stable
        # with momentum at any step below 2 (1 + mu) / L).
        # (A gain below 1, from dampening, is no reason for a larger step: the
        # first update takes the whole gradient.)
        gain = 1.0 if self.solver == "batch" else optimizer._steady_state_gain()
        gain = max(gain, 1.0)
        return (
            auto_learning_rate(
                X,
                sample_weight,
                self.fit_intercept,
                self.solver,
                batch_size=self.batch_size,
                rows=rows,
                shuffle=self.shuffle,
                l2=l2,
                curvature=CURVATURE[loss],
            )
            / gain
        )

    # -- fitting ------------------------------------------------------------------

    def _fit_epochs(self, X, Y, y, sample_weight, W, *, partial):
        """Resolve the parameters, run the epochs, store the fitted attributes.

        ``partial`` (``partial_fit``): one epoch, no stopping rule, no early
        stopping, and the histories and the optimizer's state of earlier calls
        are continued.
        """
        append = partial and hasattr(self, "loss_history_")
        if append and getattr(self, "_recorded", self.record) != self.record:
            raise ValueError(
                f"record changed from {self._recorded!r} to {self.record!r} since "
                "the last call: partial_fit continues the histories as they were "
                "recorded. Call fit to start new ones."
            )
        max_iter = 1 if partial else self.max_iter
        # One random stream across warm-started fits and partial_fit calls, so
        # that every epoch gets a fresh permutation.
        if not hasattr(self, "_rng") or not (partial or self.warm_start):
            self._rng = check_random_state(self.random_state)

        metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        sample_weight = self._checked_sample_weight(sample_weight, X, y)
        early_stopping = self.early_stopping and not partial
        rows = None
        if is_dask_collection(X):
            # The kernels' data: the rows on the cluster, chunk by chunk, with
            # their targets and normalised weights.
            data, validation = training_rows(
                self, X, Y, y, sample_weight, early_stopping=early_stopping
            )
            Y = sample_weight = None
            if validation is not None:
                scores = self._validation_scores(validation, None, None, None)
                validation = Validation(validation, None, None, scores)
        else:
            if not append:
                check_feature_scales(X, getattr(self, "feature_names_in_", None))
            validation = None
            if early_stopping:
                # Training and validation rows of X itself, without a copy.
                rows, val = self._validation_split(sample_weight, y)
                val_weight = _mean_one(sample_weight, val)
                validation = Validation(
                    X,
                    Y,
                    val_weight,
                    scores=self._validation_scores(X, Y, val_weight, val),
                    rows=val,
                )
                if metadata is not None:
                    metadata = {"sample_weight": sample_weight[rows]}
            sample_weight = _mean_one(sample_weight, rows)
            data = X

        loss = self._training_loss()
        optimizer = resolve_optimizer(self.optimizer)
        schedule = resolve_schedule(self.lr_schedule)
        l2, l1 = self._penalty_strengths()
        n_rows = data.shape[0] if rows is None else len(rows)
        # "auto" is resolved on the first call's data and kept by partial_fit.
        if append and self.learning_rate == "auto":
            learning_rate = self.learning_rate_
        else:
            learning_rate = self._resolve_learning_rate(
                data, sample_weight, optimizer, l2, loss, rows
            )
        state = self._optimizer_state(optimizer, W.shape, continued=append)
        # The histories may already take memory from earlier partial_fit calls.
        budget = HISTORY_MEMORY_BUDGET - (self._history_bytes() if append else 0)
        settings = EpochSettings(
            loss=loss,
            optimizer=optimizer,
            schedule=schedule,
            batch_size=self._batch_size(n_rows),
            learning_rate=learning_rate,
            max_iter=max_iter,
            tol=None if partial else self.tol,
            n_iter_no_change=self.n_iter_no_change,
            shuffle=self.shuffle,
            fit_intercept=self.fit_intercept,
            l2=l2,
            l1=l1,
            record=self.record,
            verbose=self.verbose,
            first_epoch=self.n_iter_ if append else 0,
            n_jobs=self.n_jobs,
            continued=append,
            history_budget=budget,
            **self._loss_parameters(),
        )
        context = self._init_callback_context(task_name="fit", max_subtasks=max_iter)
        context.call_on_fit_task_begin(estimator=self, X=X, y=y, metadata=metadata)
        monitor = None
        if getattr(self, "_skl_callbacks", None):
            monitor = _EpochMonitor(self, context, X, y, metadata)
        slots, count = state.slots, np.array([state.count], dtype=np.int64)
        # A first fit of its kind compiles its kernels: said when that is long.
        kind = "Dask" if Y is None else "sparse" if sp.issparse(data) else "dense"
        with compile_notice(
            f"loss={loss!r}, optimizer rule={optimizer._rule!r}, "
            f"{np.dtype(W.dtype).name} {kind} X, solver={self.solver!r}",
            verbose=self.verbose,
        ):
            result = run_epochs(
                data,
                Y,
                sample_weight,
                W,
                settings,
                self._rng,
                (slots, count),
                validation=validation,
                monitor=monitor,
                rows=rows,
            )

        self.learning_rate_ = learning_rate
        for name, value in self._fitted_attributes(W, None).items():
            setattr(self, name, value)
        result.history.store(self, append=append, squeeze=self._squeeze_targets)
        self._recorded = self.record
        self.optimizer_ = optimizer
        self.optimizer_state_ = OptimizerState(slots, int(count[0]))
        previous_updates = self.t_ if append and hasattr(self, "t_") else 0
        self.t_ = previous_updates + result.n_updates
        self.n_iter_ = len(self.loss_history_)
        self.stop_reason_ = result.stop_reason
        context.call_on_fit_task_end(
            estimator=self, X=X, y=y, metadata=metadata, reconstruction_attributes={}
        )
        self._warn_about(result, max_iter, partial)
        return self

    def _history_bytes(self):
        """Memory taken by the recorded parameters."""
        return sum(
            getattr(getattr(self, name, None), "nbytes", 0)
            for name in ("coef_history_", "intercept_history_")
        )

    def _validation_split(self, sample_weight, y):
        """The indices ``(train, validation)`` of early stopping's split.

        Samples of zero weight count for nothing on either side: they stay in
        training, and the validation set is drawn from the others (so its
        weights never sum to zero). Both are sorted.
        """
        weighted = np.flatnonzero(sample_weight > 0)
        train, validation = train_test_split(
            weighted,
            test_size=self.validation_fraction,
            random_state=self._rng,
            stratify=self._stratify(y[weighted]),
        )
        # In the data's order: the solvers visit it so when not shuffling.
        train = np.concatenate([train, np.flatnonzero(sample_weight == 0)])
        return np.sort(train), np.sort(validation)

    def _optimizer_state(self, optimizer, shape, continued):
        """The state of the last call when ``partial_fit`` continues it, else new."""
        previous = getattr(self, "optimizer_state_", None)
        if (
            continued
            and previous is not None
            and previous.slots.shape[1:] == shape
            and type(optimizer) is type(self.optimizer_)
            and optimizer.get_params() == self.optimizer_.get_params()
        ):
            return OptimizerState(previous.slots.copy(), previous.count)
        return optimizer.init(np.empty(shape))

    def _fitted_attributes(self, W, history):
        """``coef_`` and ``intercept_`` from ``W`` (and, for the callbacks, the
        history so far)."""
        coef = np.ascontiguousarray(W[:, :-1])
        intercept = W[:, -1].copy()
        attributes = {"coef_": coef, "intercept_": intercept}
        if self._squeeze_targets:
            attributes = {"coef_": coef[0], "intercept_": intercept[0].item()}
        if history is not None:
            attributes["loss_history_"] = history.losses()
            attributes["n_iter_"] = history.n_epochs
        return attributes

    def _objective(self, X, y, sample_weight, params):
        """The fitted model's objective (loss plus penalty, as in
        ``loss_history_``) on ``(X, y)`` at each ``W`` of the stack ``params``
        of shape (n_points, n_targets, n_features + 1)."""
        if is_dask_collection(X):
            raise TypeError(
                "Loss surfaces are computed in memory; pass a sample of the "
                "rows, for example X[:10_000].compute()."
            )
        X, Y, y = self._training_arrays(X, y)
        sample_weight = _mean_one(self._checked_sample_weight(sample_weight, X, y))
        l2, l1 = self._penalty_strengths()
        config = EpochConfig(
            batch_size=1,
            fit_intercept=self.fit_intercept,
            l2=l2,
            l1=l1,
            hyper=np.zeros(0),
            **self._loss_parameters(),
        )
        loss = self._training_loss()
        values = np.empty(len(params))
        rows = np.arange(X.shape[0])
        dtype, X = X.dtype, kernel_data(X)
        for k, W in enumerate(params):
            W = np.ascontiguousarray(W, dtype=dtype)
            losses = evaluate_loss(loss, X, Y, sample_weight, W, config, rows)
            values[k] = (losses + penalty(W, l2, l1)).sum()
        return values

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _stratify(self, y):
        """What to stratify the validation split on (``None``: no stratification)."""
        return None

    def _validation_scores(self, X, Y, sample_weight, rows):
        """Extra validation columns of the history, ``{name: function of W}``,
        on the ``rows`` of ``X`` (all when ``None``)."""
        return None

    def _warn_about(self, result, max_iter, partial):
        if result.stop_reason == "diverged":
            warnings.warn(
                f"The loss diverged after {result.history.n_epochs} epochs with "
                f"learning_rate={self.learning_rate_:.4g}: it grew instead of "
                "shrinking, so the learning rate is too large for the scale of the "
                "data. Lower the learning rate, scale the features (for example "
                "with StandardScaler in a Pipeline), or use learning_rate='auto'. "
                "The best parameters it saw are kept (at worst, its start).",
                ConvergenceWarning,
                stacklevel=6,
            )
            return
        if result.in_noise:
            warnings.warn(
                "The loss at the final parameters was above the loss at the "
                "start, with no sign of divergence: the fit ended in the noise of "
                f"its updates (learning_rate={self.learning_rate_:.4g}). The best "
                "parameters it saw are kept (never worse than the start). A "
                "smaller learning rate or a decaying lr_schedule settles closer "
                "to the optimum.",
                ConvergenceWarning,
                stacklevel=6,
            )
        if result.rising is not None:
            first, last = result.rising
            warnings.warn(
                f"The training loss was still rising when the fit ended (from "
                f"{first:.4g} to {last:.4g} over its last epochs), although it "
                f"ended below its start: learning_rate={self.learning_rate_:.4g} "
                "may be too large. Lower it, or look at loss_history_.",
                ConvergenceWarning,
                stacklevel=6,
            )
        elif result.stop_reason == "max_iter" and self.tol is not None and not partial:
            warnings.warn(
                f"Maximum number of epochs ({max_iter}) reached and the loss has "
                "not converged yet. Consider increasing max_iter, scaling the "
                "features (StandardScaler) or raising the learning rate.",
                ConvergenceWarning,
                stacklevel=6,
            )

    # -- the histories ----------------------------------------------------------

    @property
    def history_(self):
        """pandas.DataFrame: one row per epoch, indexed by ``epoch``.

        Columns: ``loss`` (as in ``loss_history_``), ``val_loss`` (with early
        stopping), ``learning_rate`` (the step used in that epoch),
        ``n_updates`` (updates made so far) and ``time`` (seconds since the
        start of the fit).
        """
        if not hasattr(self, "_history_columns"):
            raise AttributeError(
                f"This {type(self).__name__} instance is not fitted yet: "
                "history_ is set by fit."
            )
        return history_frame(self._history_columns)
