"""The scikit-learn estimators and their shared machinery."""
