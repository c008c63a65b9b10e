"""Checks of in-memory training data that scikit-learn's validation does not make.

- A CSR matrix whose column indices fall outside ``[0, n_features)`` (or whose
  ``indptr`` does not fit its arrays) would make the kernels write out of
  bounds: it is refused.
- Features so large that their squares overflow float64 make every loss and
  gradient infinite: refused, with scikit-learn's advice to scale them.
- Features on very different scales make gradient descent crawl along the
  small ones (the tutorials' "bad features" lesson): a warning says so.
"""

import warnings

import numpy as np
import scipy.sparse as sp

from .._kernels._rows import column_maxima, dense_column_maxima

#: Features whose largest magnitudes differ by more than this factor get a
#: warning: the loss's curvature differs by its square along them.
SCALE_RATIO_WARNING = 1e3


class FeatureScaleWarning(UserWarning):
    """The features' scales differ so much that gradient descent will crawl.

    Raised by ``fit`` when the largest magnitudes of two features differ by
    more than a factor of 1000: the loss is then stretched along the small
    ones by the square of that factor, and a step small enough for the large
    features barely moves the others. Standardise the features
    (``StandardScaler`` in a ``Pipeline``).

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from skgd import FeatureScaleWarning, GDRegressor
    >>> X = np.array([[1e6, 1e-3], [2e6, 3e-3], [3e6, 2e-3]])
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = GDRegressor(max_iter=5, tol=None).fit(X, [1.0, 2.0, 3.0])
    >>> [w.category is FeatureScaleWarning for w in caught]
    [True]
    """


def check_csr_structure(X):
    """Raise ``ValueError`` if the CSR matrix ``X`` has indices out of range
    (other input is left to scikit-learn's validation)."""
    if not sp.issparse(X) or X.format != "csr":
        return
    n_rows, n_columns = X.shape
    indptr, indices = X.indptr, X.indices
    if (
        len(indptr) != n_rows + 1
        or indptr[0] != 0
        or indptr[-1] > len(indices)
        or indptr[-1] > len(X.data)
        or (np.diff(indptr) < 0).any()
    ):
        raise ValueError(
            "The sparse matrix X is malformed: its indptr does not describe its "
            "rows (check the arrays it was built from)."
        )
    used = indices[: indptr[-1]]
    if used.size and (used.min() < 0 or used.max() >= n_columns):
        raise ValueError(
            f"The sparse matrix X has column indices outside [0, {n_columns}): "
            f"found {used.min()} to {used.max()}. Check the arrays it was built "
            "from, or its shape."
        )


def column_magnitudes(X):
    """The largest ``|x|`` of each column of a dense array or CSR matrix."""
    if sp.issparse(X):
        end = X.indptr[-1]
        return column_maxima(X.indices[:end], X.data[:end], X.shape[1])
    if X.shape[0] == 0:
        return np.zeros(X.shape[1])
    if isinstance(X, np.ndarray) and X.flags.c_contiguous and X.dtype.kind == "f":
        return dense_column_maxima(X)
    return np.maximum(X.max(axis=0), -X.min(axis=0)).astype(np.float64)


def check_feature_scales(X, feature_names=None):
    """Refuse features whose squares overflow; warn when their scales differ
    by more than ``SCALE_RATIO_WARNING``."""
    check_magnitudes(column_magnitudes(X), X.shape[1], feature_names, stacklevel=8)


def check_magnitudes(magnitudes, n_features, feature_names=None, stacklevel=7):
    """``check_feature_scales`` from the columns' largest ``|x|`` (float64)."""
    largest = float(magnitudes.max(initial=0.0))
    with np.errstate(over="ignore"):
        overflows = not np.isfinite(largest * largest * max(n_features, 1))
    if overflows:
        raise ValueError(
            f"Floating-point overflow: the largest |x| in X is {largest:.3g}, whose "
            "square is not finite in float64, so no gradient can be computed. "
            "Scaling input data with StandardScaler or MinMaxScaler might help."
        )
    used = np.flatnonzero(magnitudes > 0)
    if len(used) < 2:
        return
    big = used[np.argmax(magnitudes[used])]
    small = used[np.argmin(magnitudes[used])]
    ratio = magnitudes[big] / magnitudes[small]
    if ratio > SCALE_RATIO_WARNING:

        def name(j):
            return f"{feature_names[j]!r}" if feature_names is not None else str(j)

        warnings.warn(
            f"The features' scales differ by a factor of {ratio:.3g} (largest |x| "
            f"of feature {name(big)}: {magnitudes[big]:.3g}; of feature "
            f"{name(small)}: {magnitudes[small]:.3g}): gradient descent will crawl "
            "along the small ones. Scale the features, for example with "
            "StandardScaler in a Pipeline.",
            FeatureScaleWarning,
            stacklevel=stacklevel,  # the user's call of fit
        )
