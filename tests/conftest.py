"""Fixtures shared by the test modules."""

import sys

import pytest
from sklearn.datasets import load_diabetes
from sklearn.preprocessing import StandardScaler


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
