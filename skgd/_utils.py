"""Helpers of the Displays."""

from sklearn.utils.validation import check_is_fitted


def final_estimator(estimator):
    """The gradient-descent step of a pipeline (or the estimator itself), fitted."""
    final = estimator[-1] if hasattr(estimator, "steps") else estimator
    check_is_fitted(final)
    if not hasattr(final, "loss_history_"):
        raise TypeError(
            f"{type(final).__name__} has no loss_history_: pass a fitted skgd "
            "estimator, or a Pipeline ending in one."
        )
    return final
