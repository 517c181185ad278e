"""Named errors of the case studies: bad input, and a ledger whose rows do not add up.

Example::

    >>> raise LedgerMismatchError("bronze", expected=12, actual=11)
    Traceback (most recent call last):
    ...
    plant_case_studies.errors.LedgerMismatchError: bronze: expected 12 rows, got 11
"""
from __future__ import annotations


class CaseStudyError(Exception):
    """Base class of every error raised by this package."""


class CaseStudyInputError(CaseStudyError, ValueError):
    """An argument is missing or of the wrong shape; the message shows expected vs actual."""


class LedgerMismatchError(CaseStudyError):
    """Rows were lost or written twice between two stages; the message names the stage and both counts."""

    def __init__(self, stage: str, *, expected: int, actual: int) -> None:
        super().__init__(f"{stage}: expected {expected} rows, got {actual}")
        self.stage, self.expected, self.actual = stage, expected, actual
