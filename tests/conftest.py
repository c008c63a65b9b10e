"""Fixtures shared by the test modules."""

import os

# scikit-learn dispatches to array-API libraries only with SciPy's own
# array-API support on, which SciPy reads when it is first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import sys  # noqa: E402

import pytest  # noqa: E402
from sklearn.datasets import load_diabetes  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402


@pytest.fixture(scope="session")
def diabetes():
    """The diabetes regression data, each feature standardised (X, y)."""
    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(autouse=True)
def close_figures():
    """Close the figures a test drew (when it imported pyplot at all)."""
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
