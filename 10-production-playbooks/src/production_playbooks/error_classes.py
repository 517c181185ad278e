"""Find Spark/Delta error classes (``[DELTA_MERGE_INCOMPATIBLE_DATATYPE]``) and SQLSTATEs in a line.

Example::

    >>> error_class_of("AnalysisException: [DELTA_FAILED_TO_MERGE_FIELDS] Failed to merge fields 'a' "
    ...                "and 'a'. SQLSTATE: 22005")
    ErrorClass(name='DELTA_FAILED_TO_MERGE_FIELDS', sqlstate='22005')
"""
from __future__ import annotations

import re
from dataclasses import dataclass

ERROR_CLASS = re.compile(r"\[(_?[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?:\.[A-Z0-9_]+)?)\]")
SQLSTATE = re.compile(r"SQLSTATE:\s*([0-9A-Z]{5})\b")


@dataclass(frozen=True)
class ErrorClass:
    """An error class name (with its sub-class after a dot, if any) and the SQLSTATE when printed."""

    name: str
    sqlstate: str | None


def error_class_of(line: str) -> ErrorClass | None:
    """The first ``[ERROR_CLASS]`` in ``line`` and its SQLSTATE, or None when the line has none."""
    found = ERROR_CLASS.search(line) if "[" in line else None
    if found is None:
        return None
    state = SQLSTATE.search(line, found.end()) if "SQLSTATE" in line else None
    return ErrorClass(found.group(1), state.group(1) if state else None)
