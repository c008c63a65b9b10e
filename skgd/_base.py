"""Machinery shared by the gradient-descent estimators."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight

from ._history import history_frame
from ._step_size import auto_learning_rate
from ._training import EpochSettings, run_epochs

#: The solvers, by how many samples make one update: all, one, or batch_size.
SOLVERS = ("batch", "sgd", "minibatch")


class BaseGD(BaseEstimator):
    """Parameters, validation of the training state, and the fit orchestration.

    Subclasses turn ``y`` into a 2-D float target matrix and back.
    """

    _parameter_constraints: dict = {
        "solver": [StrOptions(set(SOLVERS))],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [
            StrOptions({"auto"}),
            Interval(Real, 0, None, closed="neither"),
        ],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "fit_intercept": ["boolean"],
        "warm_start": ["boolean"],
        "record": [StrOptions({"epoch", "update"}), None],
        "verbose": ["verbose"],
    }

    # -- the data path ---------------------------------------------------------

    def _batch_size(self, n_samples):
        return {"batch": n_samples, "sgd": 1}.get(self.solver, self.batch_size)

    def _normalized_sample_weight(self, sample_weight, X):
        """Weights of mean 1 (see ``_kernels``)."""
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float64, ensure_non_negative=True
        )
        return sample_weight * (X.shape[0] / sample_weight.sum())

    def _initial_params(self, n_targets, n_features, dtype, coef_init, intercept_init):
        """Parameters to start from, as (n_targets, n_features) and (n_targets,).

        ``coef_init`` has the shape of ``coef_``: (n_features,) for a 1-D ``y``,
        (n_targets, n_features) for a 2-D one.
        """
        if self.warm_start and hasattr(self, "coef_"):
            coef_init = self.coef_ if coef_init is None else coef_init
            intercept_init = (
                self.intercept_ if intercept_init is None else intercept_init
            )
        shape = (n_features,) if self._squeeze_targets else (n_targets, n_features)
        coef = np.zeros((n_targets, n_features), dtype=dtype)
        intercept = np.zeros(n_targets, dtype=dtype)
        if coef_init is not None:
            coef_init = np.asarray(coef_init, dtype=dtype)
            if coef_init.shape != shape:
                raise ValueError(
                    f"coef_init has shape {coef_init.shape}; expected {shape}, the "
                    "shape of coef_."
                )
            coef[...] = coef_init
        if intercept_init is not None and self.fit_intercept:
            intercept_init = np.asarray(intercept_init, dtype=dtype)
            if intercept_init.size not in (1, n_targets) or intercept_init.ndim > 1:
                raise ValueError(
                    f"intercept_init has shape {intercept_init.shape}; expected a "
                    f"scalar or {n_targets} values, one per target."
                )
            intercept[...] = intercept_init
        return coef, intercept

    def _fit_epochs(self, X, Y, sample_weight, coef, intercept, *, partial):
        """Resolve the step, run the epochs, and store the fitted attributes.

        ``partial`` (``partial_fit``): one epoch, no stopping rule, and the
        histories of earlier calls are extended.
        """
        append = partial and hasattr(self, "loss_history_")
        max_iter = 1 if partial else self.max_iter
        # "auto" is resolved on the first call's data and kept by partial_fit.
        if not (append and self.learning_rate == "auto"):
            if self.learning_rate == "auto":
                self.learning_rate_ = auto_learning_rate(
                    X, sample_weight, self.fit_intercept, self.solver
                )
            else:
                self.learning_rate_ = float(self.learning_rate)
        settings = EpochSettings(
            batch_size=self._batch_size(X.shape[0]),
            learning_rate=self.learning_rate_,
            max_iter=max_iter,
            tol=None if partial else self.tol,
            n_iter_no_change=self.n_iter_no_change,
            shuffle=self.shuffle,
            fit_intercept=self.fit_intercept,
            record=self.record,
            verbose=self.verbose,
        )
        # One random stream across warm-started fits and partial_fit calls, so
        # that every epoch gets a fresh permutation.
        if not hasattr(self, "_rng") or not (partial or self.warm_start):
            self._rng = check_random_state(self.random_state)
        result = run_epochs(X, Y, sample_weight, coef, intercept, settings, self._rng)

        squeeze = self._squeeze_targets
        self.coef_ = coef[0] if squeeze else coef
        self.intercept_ = intercept[0] if squeeze else intercept
        if squeeze:
            self.intercept_ = self.intercept_.item()
        result.history.store(self, append=append, squeeze=squeeze)
        previous_updates = self.t_ if append and hasattr(self, "t_") else 0
        self.t_ = previous_updates + result.n_updates
        self.n_iter_ = len(self.loss_history_)
        self.stop_reason_ = result.stop_reason
        self._warn_about(result, max_iter, partial)
        return self

    def _warn_about(self, result, max_iter, partial):
        if result.stop_reason == "diverged":
            warnings.warn(
                f"The loss diverged after {result.history.n_epochs} epochs with "
                f"learning_rate={self.learning_rate_:.4g}: the learning rate is too "
                "large for the scale of the data. Scale the features (for example "
                "with StandardScaler in a Pipeline), lower the learning rate, or use "
                "learning_rate='auto'. The parameters of the best epoch are kept.",
                ConvergenceWarning,
                stacklevel=5,
            )
        elif result.stop_reason == "max_iter" and self.tol is not None and not partial:
            warnings.warn(
                f"Maximum number of epochs ({max_iter}) reached and the loss has "
                "not converged yet. Consider increasing max_iter, scaling the "
                "features (StandardScaler) or raising the learning rate.",
                ConvergenceWarning,
                stacklevel=5,
            )

    # -- the histories ----------------------------------------------------------

    @property
    def history_(self):
        """pandas.DataFrame: one row per epoch, indexed by ``epoch``.

        Columns: ``loss`` (as in ``loss_history_``), ``learning_rate`` (the step
        used in that epoch), ``n_updates`` (updates made so far) and ``time``
        (seconds since the start of the fit).
        """
        if not hasattr(self, "_history_columns"):
            raise AttributeError(
                f"This {type(self).__name__} instance is not fitted yet: "
                "history_ is set by fit."
            )
        return history_frame(self._history_columns)
