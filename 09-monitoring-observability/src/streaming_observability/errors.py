"""Named errors raised before any work when an input is not what the pattern expects."""
from __future__ import annotations


class ObservabilityInputError(ValueError):
    """An argument has the wrong type, shape or value; the message shows expected vs actual."""


class CheckpointFormatError(ObservabilityInputError):
    """A streaming checkpoint's offset log is missing or not in the format Spark writes."""


class RowAccountingError(ObservabilityInputError):
    """rows in != rows written + rows quarantined: a batch would lose or invent rows."""
