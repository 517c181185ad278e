"""The column-count guard: warn as the flat table approaches a width you set, refuse to pass a hard limit.

Example::

    guard_column_count(current_columns=120, new_columns=3, warn_at=400, fail_at=1000)   # 123
"""
from __future__ import annotations

import warnings

from delta_schema_evolution.errors import SchemaEvolutionError


class TableTooWideWarning(UserWarning):
    """The flattened table is approaching the column limit you set."""


class TableTooWideError(SchemaEvolutionError):
    """Adding the new key columns would exceed the hard column limit."""


def guard_column_count(current_columns: int, new_columns: int, warn_at: int = 400, fail_at: int = 1000) -> int:
    """Warn (``TableTooWideWarning``) when the total reaches ``warn_at``; raise ``TableTooWideError``
    above ``fail_at``. Returns the total.

    Example::

        >>> guard_column_count(100, 20)
        120
    """
    total = current_columns + new_columns
    if total > fail_at:
        raise TableTooWideError(f"column count: expected at most {fail_at}, got {total} "
                                f"({current_columns} existing + {new_columns} new key columns)")
    if total >= warn_at:
        warnings.warn(f"column count {total} reached the warning threshold {warn_at} (hard limit {fail_at})",
                      TableTooWideWarning, stacklevel=2)
    return total
