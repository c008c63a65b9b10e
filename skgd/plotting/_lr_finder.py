"""The learning-rate range test as a Display."""

from .._lr_finder import find_learning_rate


class LearningRateFinderDisplay:
    """The learning-rate range test: the loss reached with each step, and the
    suggested learning rate.

    Build it with :meth:`from_estimator`.

    Parameters
    ----------
    learning_rates : ndarray of shape (n_steps,)
        The steps of the test.
    losses : ndarray of shape (n_steps,)
        The training loss after the epoch run with each.
    suggestion : float
        The suggested learning rate.

    Attributes
    ----------
    line_ : matplotlib.lines.Line2D
        The loss against the learning rate.
    suggestion_ : matplotlib.lines.Line2D
        The vertical line at the suggestion.
    ax_ : matplotlib.axes.Axes
        The axes drawn on.
    figure_ : matplotlib.figure.Figure
        Its figure.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skgd import GDRegressor
    >>> from skgd.plotting import LearningRateFinderDisplay
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = make_pipeline(StandardScaler(), GDRegressor(solver="minibatch"))
    >>> display = LearningRateFinderDisplay.from_estimator(model, X, y)
    >>> display.ax_.get_xscale()
    'log'
    """

    def __init__(self, *, learning_rates, losses, suggestion):
        self.learning_rates = learning_rates
        self.losses = losses
        self.suggestion = suggestion

    def plot(self, ax=None, *, line_kw=None):
        """Draw the loss against the learning rate (a logarithmic axis).

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Where to draw; a new figure when ``None``.
        line_kw : dict, default=None
            Keyword arguments of the curve's ``ax.plot``.

        Returns
        -------
        display : LearningRateFinderDisplay
            This display, with its artists.
        """
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        (self.line_,) = ax.plot(self.learning_rates, self.losses, **(line_kw or {}))
        self.suggestion_ = ax.axvline(
            self.suggestion,
            color="C3",
            linestyle="--",
            label=f"suggested learning rate {self.suggestion:.3g}",
        )
        ax.set(xscale="log", xlabel="learning rate", ylabel="training loss")
        ax.legend()
        self.ax_, self.figure_ = ax, ax.figure
        return self

    @classmethod
    def from_estimator(cls, estimator, X, y, *, ax=None, line_kw=None, **test_params):
        """Run :func:`skgd.find_learning_rate` and plot it.

        Parameters
        ----------
        estimator : estimator
            An skgd estimator, or a ``Pipeline`` ending in one.
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Targets.
        ax, line_kw
            As in :meth:`plot`.
        **test_params
            ``sample_weight``, ``min_learning_rate``, ``max_learning_rate``,
            ``n_steps`` and ``stop_factor`` of :func:`skgd.find_learning_rate`.

        Returns
        -------
        display : LearningRateFinderDisplay
            The display, drawn.
        """
        result = find_learning_rate(estimator, X, y, **test_params)
        display = cls(
            learning_rates=result.learning_rates,
            losses=result.losses,
            suggestion=result.suggestion,
        )
        return display.plot(ax=ax, line_kw=line_kw)
