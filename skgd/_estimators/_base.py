"""Machinery shared by the gradient-descent estimators."""

import copy
import functools
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.callback import CallbackSupportMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _assert_all_finite

from .._backends import kind_of
from .._backends._array_api import host_dtype, to_numpy
from .._engine import EpochSettings, Validation, penalty, run_epochs
from .._engine._history import history_frame
from .._jit import compile_notice
from .._losses import LOSSES, LossParameters
from ..optim._optimizers import OPTIMIZERS, _Optimizer, resolve_optimizer
from ..schedules import SCHEDULES, Optimal, _Schedule, resolve_schedule

#: The solvers, by how many samples make one update: all, one, or batch_size.
SOLVERS = ("batch", "sgd", "minibatch")
PENALTIES = ("l2", "l1", "elasticnet")


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
        "l1_ratio": [_NotBool(Real, 0, 1, closed="both"), None],
        "max_iter": [_NotBool(Integral, 1, None, closed="left")],
        "tol": [_NotBool(Real, 0, None, closed="left"), None],
        "n_iter_no_change": [_NotBool(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [_NotBool(Real, 0, 1, closed="neither")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "fit_intercept": ["boolean"],
        "warm_start": ["boolean"],
        "average": [_NotBool(Integral, 0, None, closed="left"), "boolean"],
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
        if self.penalty == "elasticnet" and self.l1_ratio is None:
            raise ValueError("l1_ratio must be set when penalty is 'elasticnet'.")
        l1_share = {"l2": 0.0, "l1": 1.0}.get(self.penalty, self.l1_ratio)
        return self.alpha * (1.0 - l1_share), self.alpha * l1_share

    def _training_loss(self):
        """The name of the loss the kernels minimise."""
        return self.loss

    def _loss_scale_vs_sgd(self):
        """How many times scikit-learn's SGD's loss of the same name skgd's
        is (the regressor's squared error and Huber loss are twice theirs)."""
        return 1.0

    def _schedule(self):
        """``lr_schedule`` resolved; ``"optimal"`` takes the estimator's
        ``alpha`` and scikit-learn's ``t0`` for its loss."""
        schedule = resolve_schedule(self.lr_schedule)
        if not isinstance(schedule, Optimal):
            return schedule
        loss, params = LOSSES[self._training_loss()], self._loss_parameters()
        scale = self._loss_scale_vs_sgd()

        def derivative(prediction):  # at y = 1, on scikit-learn's scale
            value = loss.function(None, prediction, 1.0, params, 0.0)[1]
            return value / scale

        return schedule.for_estimator(
            alpha=self.alpha,
            sklearn_alpha=self.alpha / scale,
            derivative=derivative,
        )

    def _cumulative_l1(self, optimizer):
        """Whether the L1 penalty is scikit-learn's SGD's cumulative one: for
        plain per-sample SGD (the proximal step otherwise)."""
        _, l1 = self._penalty_strengths()
        return l1 > 0 and self.solver == "sgd" and optimizer._rule == "sgd"

    def _loss_parameters(self):
        """The loss's own parameters (the regression losses' ``epsilon`` and
        ``quantile``; the classification losses have none)."""
        return LossParameters()

    def _checked_sample_weight(self, sample_weight, X, y):
        return kind_of(X).sample_weight(sample_weight, X)

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
        # The parameters of a fit are host arrays, whatever the data's namespace.
        dtype = host_dtype(dtype)
        coef_init, intercept_init = to_numpy(coef_init), to_numpy(intercept_init)
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
        """``W`` from the fitted ``coef_`` and ``intercept_`` (for partial_fit):
        the last iterate, not the average, when averaging."""
        dtype = host_dtype(dtype)
        iterate = getattr(self, "_iterate", None)
        if iterate is not None:
            return np.ascontiguousarray(to_numpy(iterate), dtype=dtype)
        coef = np.asarray(to_numpy(self.coef_), dtype=dtype)
        coef = coef.reshape(self._n_targets, -1)
        intercept = np.asarray(to_numpy(self.intercept_), dtype=dtype).reshape(-1)
        return np.ascontiguousarray(np.column_stack([coef, intercept]))

    # -- fitting ------------------------------------------------------------------

    def _epoch_settings(self, *, partial, append):
        """The parameters, resolved for the epochs (a function of the
        parameters and, with ``append``, of the fit being continued)."""
        l2, l1 = self._penalty_strengths()
        # "auto" is resolved on the first call's data and kept by partial_fit.
        keep_step = append and self.learning_rate == "auto"
        optimizer = resolve_optimizer(self.optimizer)
        return EpochSettings(
            loss=self._training_loss(),
            optimizer=optimizer,
            schedule=self._schedule(),
            solver=self.solver,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate_ if keep_step else self.learning_rate,
            max_iter=1 if partial else self.max_iter,
            tol=None if partial else self.tol,
            n_iter_no_change=self.n_iter_no_change,
            shuffle=self.shuffle,
            fit_intercept=self.fit_intercept,
            l2=l2,
            l1=l1,
            loss_params=self._loss_parameters(),
            record=self.record,
            verbose=self.verbose,
            first_epoch=self.n_iter_ if append else 0,
            n_jobs=self.n_jobs,
            continued=append,
            history_bytes_used=self._history_bytes() if append else 0,
            average=int(self.average),
            cumulative_l1=self._cumulative_l1(optimizer),
        )

    def _fit_epochs(self, X, Y, y, sample_weight, W, *, partial):
        """Resolve the parameters, build the rows of the fit, run the epochs,
        store the fitted attributes.

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
        # One random stream across warm-started fits and partial_fit calls, so
        # that every epoch gets a fresh permutation.
        if not hasattr(self, "_rng") or not (partial or self.warm_start):
            self._rng = check_random_state(self.random_state)
        settings = self._epoch_settings(partial=partial, append=append)
        train, validation, metadata = self._rows_of_fit(
            X, Y, y, sample_weight, partial=partial, append=append
        )
        context = self._init_callback_context(
            task_name="fit", max_subtasks=settings.max_iter
        )
        context.call_on_fit_task_begin(estimator=self, X=X, y=y, metadata=metadata)
        monitor = None
        if getattr(self, "_skl_callbacks", None):
            monitor = _EpochMonitor(self, context, X, y, metadata)
        state = self._previous_state(settings.optimizer, W.shape) if append else None
        # A first fit of its kind compiles its kernels: said when that is long.
        with compile_notice(
            f"loss={settings.loss!r}, optimizer rule={settings.optimizer._rule!r}, "
            f"{np.dtype(W.dtype).name} {train.kind} X, solver={self.solver!r}",
            verbose=self.verbose,
        ):
            result = run_epochs(
                train, W, settings, self._rng, state, validation, monitor
            )
        self._set_fitted_attributes(W, result, settings, append)
        kind_of(X).publish_fitted(self, X)
        context.call_on_fit_task_end(
            estimator=self, X=X, y=y, metadata=metadata, reconstruction_attributes={}
        )
        self._warn_about(result, settings.max_iter, partial)
        return self

    def _rows_of_fit(self, X, Y, y, sample_weight, *, partial, append):
        """The rows to train on and the ``Validation`` of early stopping (a
        backend's rows, see ``_backends``), and the callbacks' metadata."""
        weights = self._checked_sample_weight(sample_weight, X, y)
        train, held_out = kind_of(X).training_rows(
            self, X, Y, y, weights,
            early_stopping=self.early_stopping and not partial, first=not append,
        )  # fmt: skip
        validation = None
        if held_out is not None:
            validation = Validation(held_out, self._validation_scores(held_out))
        metadata = None
        if sample_weight is not None:
            # The callbacks hear of the weights of the rows trained on.
            if validation is not None:
                sample_weight = train.metadata_weights(weights)
            metadata = {"sample_weight": sample_weight}
        return train, validation, metadata

    def _set_fitted_attributes(self, W, result, settings, append):
        """Every fitted attribute of the fit, set at once."""
        previous_updates = self.t_ if append and hasattr(self, "t_") else 0
        model = W if result.average is None else result.average.astype(W.dtype)
        attributes = {
            **self._fitted_attributes(model, None),
            **result.history.attributes(
                self._host_attributes(), append=append,
                squeeze=self._squeeze_targets, stacklevel=6,
            ),
            "learning_rate_": result.learning_rate,
            "optimizer_": settings.optimizer,
            "optimizer_state_": result.optimizer_state,
            "t_": previous_updates + result.n_updates,
            "stop_reason_": result.stop_reason,
            "_recorded": self.record,
            # The last iterate, which partial_fit continues from when the model
            # is the average.
            "_iterate": None if result.average is None else W.copy(),
            "_host_twins": {},  # (see ``_host_attributes``)
        }  # fmt: skip
        for name, value in attributes.items():
            setattr(self, name, value)

    def _host_attributes(self):
        """``vars(self)``, the fitted arrays of a fit on a device put back on
        the host (for the histories that a ``partial_fit`` extends): the very
        dictionary, whose histories' growth buffers belong to it
        (``_history._extended``); the host arrays the device ones were made
        from are kept for that (``_host_twins``)."""
        state = vars(self)
        twins = state.get("_host_twins", {})
        for name, value in list(state.items()):
            on_host = to_numpy(value)
            if on_host is not value:
                state[name] = twins.get(name, on_host)
        return state

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

    def _previous_state(self, optimizer, shape):
        """The optimizer's state of the last call, for ``partial_fit`` to
        continue (``None``: the optimizer or the shapes changed, start anew)."""
        previous = getattr(self, "optimizer_state_", None)
        if (
            previous is not None
            and previous.slots.shape[1:] == shape
            and type(optimizer) is type(self.optimizer_)
            and optimizer.get_params() == self.optimizer_.get_params()
        ):
            return previous._replace(slots=previous.slots.copy())
        return None

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
        kind = kind_of(X)
        kind.require_in_memory(
            "Loss surfaces are computed in memory; pass a sample of the rows, "
            "for example X[:10_000].compute()."
        )
        X, Y, y = self._training_arrays(X, y)
        rows = kind.evaluation_rows(
            X, Y, self._checked_sample_weight(sample_weight, X, y)
        )
        l2, l1 = self._penalty_strengths()
        loss, loss_params = self._training_loss(), self._loss_parameters()
        values = np.empty(len(params))
        for k, W in enumerate(params):
            W = np.ascontiguousarray(W, dtype=X.dtype)
            losses = rows.mean_loss(loss, W, loss_params)
            values[k] = (losses + penalty(W, l2, l1)).sum()
        return values

    def _objective_gradient(self, X, y, sample_weight, W):
        """The gradient of the fitted model's objective (loss plus penalty, as
        in ``loss_history_``) on ``(X, y)`` at ``W`` of shape (n_targets,
        n_features + 1), the intercept's last (0 without ``fit_intercept``).
        The L1 penalty's part is its subgradient ``l1 * sign(coef)``."""
        kind = kind_of(X)
        kind.require_in_memory("Gradients are computed in memory.")
        X, Y, y = self._training_arrays(X, y)
        weights = self._checked_sample_weight(sample_weight, X, y)
        rows = kind.evaluation_rows(X, Y, weights)
        W = np.ascontiguousarray(W, dtype=X.dtype)
        grad = rows.mean_gradient(self._training_loss(), W, self._loss_parameters())
        l2, l1 = self._penalty_strengths()
        coef = W[:, :-1].astype(np.float64)
        grad[:, :-1] += l2 * coef + l1 * np.sign(coef)
        if not self.fit_intercept:
            grad[:, -1] = 0.0
        return grad

    def __getstate__(self):
        # The histories' growth buffers (``_history._extended``) stay out of
        # a pickle: the histories themselves are in it.
        state = super().__getstate__()
        state.pop("_history_buffers", None)
        state.pop("_host_twins", None)
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        # PyTorch, CuPy and other array-API arrays are fitted on their device
        # by the batch and mini-batch solvers (per-sample SGD is compiled for
        # NumPy arrays only).
        tags.array_api_support = self.solver != "sgd"
        return tags

    def _stratify(self, y):
        """What to stratify the validation split on (``None``: no stratification)."""
        return None

    def _validation_scores(self, rows):
        """Extra validation columns of the history, ``{name: function of W}``,
        on the held-out ``rows`` (a backend's, see ``_backends``)."""
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
        if result.settling is not None:
            final, reference = result.settling
            warnings.warn(
                f"The loss at the final parameters ({final:.4g}) is "
                f"{final / reference:.3g} times the loss at the start "
                f"({reference:.4g}), and not rising: the first steps were large "
                f"(learning_rate={self.learning_rate_:.4g} with lr_schedule="
                f"{self.lr_schedule!r}) and the shrinking step has not brought "
                "the loss back yet. Not converged: fit more epochs or samples, "
                "or start from a smaller step. The final parameters are kept.",
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
