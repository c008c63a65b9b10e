"""Docstring sections shared by the estimators, filled in by ``fill_shared_docs``.

Each estimator's docstring names a section by a ``$`` placeholder on a line of
its own (``$solver_parameters``), so the text is written once and reads the same
in every estimator's documentation.
"""

from string import Template

SOLVER_PARAMETERS = """\
    solver : {"batch", "sgd", "minibatch"}, default="batch"
        ``"batch"`` makes one update per epoch from all samples, ``"sgd"`` one
        update per sample, ``"minibatch"`` one update per ``batch_size`` samples
        (the last batch may be smaller).

    batch_size : int, default=32
        Samples per update for ``solver="minibatch"``; ignored otherwise.

    n_jobs : int, default=None
        Threads that share the work of a ``"batch"`` epoch on dense ``X``,
        each summing the gradient over its own rows (at least 20,000 rows a
        thread). ``None`` means 1 unless in a :func:`joblib.parallel_backend`
        context; ``-1`` means all processors. The stochastic solvers' updates
        are sequential and run on one thread. Not used on a Dask array, whose
        chunks are summed by the cluster's workers.

    optimizer : str or optimizer instance, default="sgd"
        How a gradient becomes an update: ``"sgd"``, ``"momentum"``,
        ``"nesterov"``, ``"adagrad"``, ``"rmsprop"``, ``"adam"``, or an instance
        from :mod:`skgd.optim` with its own hyperparameters (for example
        ``Adam(betas=(0.9, 0.99))``; searchable as ``optimizer__betas``). The
        formulas are PyTorch's: the same run gives the same weights.

    learning_rate : float or "auto", default="auto"
        The step size. ``"auto"`` takes ``1 / L`` for the Lipschitz constant ``L``
        of the gradient: ``c * lambda_max(X^T X / n)`` (a few power iterations,
        the rows augmented with a 1 for the intercept) for ``"batch"``, which
        makes a smooth loss decrease at every epoch; ``c * max_i ||x_i||**2``
        for ``"sgd"``, as scikit-learn's SAG does; for ``"minibatch"`` the
        expected smoothness of a batch of ``b`` of the ``n`` samples,
        ``(n (b - 1) L_batch + (n - b) L_sgd) / (b (n - 1))`` (Gower et al.,
        ICML 2019), which grows from the per-sample step at ``b = 1`` to the
        full batch's at ``b = n``; with momentum ``mu`` (and dampening
        ``d``) the stochastic solvers' step is divided by the buffer's gain
        ``(1 - d) / (1 - mu)``, the times a steady gradient piles up in it
        (Nesterov: ``1 + mu (1 - d) / (1 - mu)``). ``c`` bounds
        the loss's second derivative: 2 for the squared error, 1/4 for the
        binary log loss, 1/2 for the multinomial (an L2 penalty adds
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
"""

TRAINING_PARAMETERS = """\
    alpha : float, default=0.0001
        Strength of the penalty.

    l1_ratio : float or None, default=0.15
        The L1 share of ``"elasticnet"``, in [0, 1]; ``None`` for the other
        penalties, which ignore it.

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
        Hold out ``validation_fraction`` of the training data (stratified by
        class for a classifier, when every class has two samples), apply the
        stopping rule to its loss instead of the training loss, and at the end
        restore the parameters of the epoch with the best validation loss.
        The validation loss (and a classifier's accuracy) of every epoch is in
        ``history_``. Ignored by ``partial_fit``.

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

    average : bool or int, default=False
        Polyak-Ruppert averaging, as scikit-learn's SGD: ``coef_`` and
        ``intercept_`` are the mean of the parameters after each update from
        the one that reaches sample ``average`` on (``True``: from the first
        update; an int ``n``: for ``"sgd"``, from update ``n``; for the other
        solvers, from the update whose batch holds the ``n``-th sample of
        the fit), counted over the whole fit (and its ``partial_fit``
        calls). The steps themselves, ``coef_history_`` and the losses of
        ``loss_history_`` are the raw iterates'; a target that diverged keeps
        its best epoch's parameters instead. Any solver and optimizer can
        average. Plain SGD on sparse data averages lazily, at the cost of the
        non-zeros, as scikit-learn's (but ``"minibatch"`` with an L1 penalty,
        whose update then costs ``n_features``). With an L1 penalty the mean
        is the exact mean of the parameters after each update, the
        penalty's step included; scikit-learn's lazy average counts each of
        the penalty's steps in every averaged update since its weights were
        last rescaled, so the two differ there (and only there).

    record : {"epoch", "update"} or None, default="epoch"
        Which parameters go into ``coef_history_`` and ``intercept_history_``:
        after every epoch, after every update (to see SGD zigzag on small data),
        or none (``None``: saves memory on large data; the histories are then
        ``None``). The loss per epoch is always recorded. The parameter
        histories of one estimator take at most 256 MiB: once the next
        epoch's parameters would not fit, they stop (a warning names the
        first epoch left out) and stay that prefix, also through later
        ``partial_fit`` calls. ``partial_fit`` refuses a ``record`` changed
        since its last call (the rows would mix); ``fit`` starts anew.

    verbose : int, default=0
        Print one line per epoch: epoch, loss (and validation loss), learning
        rate, elapsed time. For a progress bar use scikit-learn's callbacks:
        ``set_callbacks(ProgressBar())`` (needs ``rich``).
"""

HISTORY_ATTRIBUTES = """\
    loss_history_ : ndarray of shape ``(n_iter_,)``
        For each epoch, the mean over its samples of the loss each sample had
        when it was used for its update, plus the penalty at the start of the
        epoch. For ``"batch"`` this is the objective at the start of the epoch.

    val_loss_history_ : ndarray of shape ``(n_iter_,)`` or None
        With ``early_stopping``, the validation loss after each epoch (no
        penalty); ``None`` otherwise.

    coef_history_ : ndarray of shape (n_records, ...) or None
        The coefficients before the first update (row 0) and after every epoch
        (``n_records = n_iter_ + 1``) or every update (``n_records = t_ + 1``),
        following ``record``; fewer rows when the memory budget ran out (see
        ``record``). A leading axis is added to the shape of ``coef_``.

    intercept_history_ : ndarray of shape (n_records, ...) or None
        The intercept, recorded as ``coef_history_``.

    history_ : pandas.DataFrame
        One row per epoch, indexed by epoch number: ``loss``, ``val_loss`` and,
        for a classifier, ``val_accuracy`` (with early stopping),
        ``learning_rate``, ``n_updates`` and ``time`` (seconds since the start).

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
        ``(n_slots, n_targets, n_features + 1)`` (a row per target, or per
        class of a classifier; the last column is the intercept's) and
        ``count``. ``partial_fit`` continues it.

    stop_reason_ : {"converged", "max_iter", "diverged", "early_stopping", \
            "callback"}
        Why the last call to ``fit`` stopped:

        - ``"converged"``: the stopping rule fired: for ``n_iter_no_change``
          epochs the training loss did not improve on its best by ``tol``. It
          means the loss stopped falling, not that the parameters are close
          to the optimum (a small step stops far from it), and it is never
          given to a loss above its start or still rising: those epochs go on.
        - ``"max_iter"``: ``max_iter`` epochs ran (also each ``partial_fit``
          call) and the end is not divergence; with ``tol`` set a
          ConvergenceWarning says so, and one says so when the loss was still
          rising at the end.
        - ``"early_stopping"``: the stopping rule fired on the validation
          loss; the parameters of the best validation epoch are restored.
        - ``"callback"``: a callback asked the fit to stop.
        - ``"diverged"``: the loss grew instead of shrinking. It is judged
          against the loss at the starting parameters, measured before any
          update (for an all-zero start, the all-zero model's loss): the loss
          or a parameter became non-finite, or a loss grew 1e4 times above
          the larger of that start and the all-zero model's loss, or the loss
          at the final parameters is above the start. For plain full-batch
          descent (the ``"sgd"`` and momentum optimizers on a smooth loss) any
          end above the start is divergence. A noisy fit (a stochastic solver,
          an adaptive optimizer, a non-smooth loss) diverged if it ends above
          its start with its losses rising, or above twice the larger
          reference; one that ends above its start otherwise sits in the
          noise of its updates: it keeps its stop reason, says so in a
          ConvergenceWarning, and keeps the best parameters it saw.
          ``partial_fit`` after a first call does not measure its start; it
          diverges on non-finite values, or a loss 1e4 times the all-zero
          model's. A :class:`~sklearn.exceptions.ConvergenceWarning` is then
          raised and ``coef_`` and ``intercept_`` are the best parameters
          seen: those at the start of the best epoch, or the start itself when
          it is better (measured), never NaN; the histories keep the growth.

        A fit never returns parameters whose loss is above that of its start.
        Several targets (and the classes of a one-vs-rest classifier) each
        stop on their own, as in a separate fit, while the classes of a
        multinomial stop together; the reason is ``"diverged"`` if any
        diverged, ``"converged"`` if all converged.

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape ``(n_features_in_,)``
        Names of features seen during fit, when ``X`` has string column names.
"""


def fill_shared_docs(cls):
    """Class decorator: put the shared sections into ``cls``'s docstring."""
    cls.__doc__ = Template(cls.__doc__).substitute(
        solver_parameters=SOLVER_PARAMETERS.strip("\n").lstrip(),
        training_parameters=TRAINING_PARAMETERS.strip("\n").lstrip(),
        history_attributes=HISTORY_ATTRIBUTES.strip("\n").lstrip(),
    )
    return cls
