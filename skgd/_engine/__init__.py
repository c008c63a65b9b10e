"""The epoch engine: the settings of a fit, the epoch loop, the stopping rules,
the histories and the ``"auto"`` step. It runs on the rows of a fit, whatever
their kind (see ``_backends``)."""

from ._loop import run_epochs
from ._settings import EpochSettings, EpochsResult, Validation, penalty

__all__ = ["EpochSettings", "EpochsResult", "Validation", "penalty", "run_epochs"]
