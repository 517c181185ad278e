"""A named schema change, and the CI guard that fails on breaking ones.

Example::

    >>> require_compatible([])  # nothing breaking: returns quietly
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from plant_data_quality.errors import BreakingSchemaChangeError

BREAKING_KINDS = ("field_removed", "required_added", "type_changed", "type_narrowed", "null_no_longer_allowed",
                  "enum_narrowed", "range_narrowed", "length_narrowed", "pattern_changed",
                  "additional_properties_closed", "required_removed")


@dataclass(frozen=True)
class SchemaChange:
    """One breaking change: its kind, the field path, and what changed (old -> new)."""

    kind: str
    path: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind} at {self.path}: {self.detail}"


def require_compatible(changes: Sequence[SchemaChange]) -> None:
    """Raise BreakingSchemaChangeError listing every breaking change (for a CI step)."""
    if changes:
        raise BreakingSchemaChangeError(
            f"expected a compatible contract version, got {len(changes)} breaking change(s): "
            + "; ".join(str(change) for change in changes))
