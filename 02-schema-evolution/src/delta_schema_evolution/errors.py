"""Named exceptions raised by this package; every message shows what was expected and what was found.

Example::

    >>> raise SchemaInputError("table_schema: expected StructType, got str")  # doctest: +SKIP
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class SchemaEvolutionError(Exception):
    """Base class for every error this package raises on purpose."""


class SchemaInputError(SchemaEvolutionError, ValueError):
    """An argument has the wrong type or an impossible value; raised before any work starts."""


@dataclass(frozen=True)
class ConflictingPath:
    """One column whose table type and incoming type cannot be reconciled by the chosen policy."""

    path: str
    table_type: str
    incoming_type: str
    kind: str


class SchemaConflictError(SchemaEvolutionError):
    """Raised by the ``reject`` strategy: lists every conflicting path with both types.

    Example::

        >>> err = SchemaConflictError("sensor_readings", [ConflictingPath("rpm", "int", "string", "lossy_cast")])
        >>> "rpm: table int, incoming string" in str(err)
        True
    """

    def __init__(self, table_name: str, conflicts: Sequence[ConflictingPath]) -> None:
        self.table_name = table_name
        self.conflicts = list(conflicts)
        lines = [f"  {c.path}: table {c.table_type}, incoming {c.incoming_type} ({c.kind})" for c in self.conflicts]
        super().__init__(
            f"{len(self.conflicts)} schema conflict(s) for table {table_name!r}; expected the incoming types to "
            f"match or widen into the table types, got:\n" + "\n".join(lines)
        )
