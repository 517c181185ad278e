"""Per-table schema policy: what ``safe_merge`` does for each kind of difference.

Example::

    >>> strict = SchemaPolicy(on_type_widening="reject", on_lossy_cast="reject", on_incompatible="reject")
    >>> SchemaPolicy().on_lossy_cast
    'safe_cast'
"""
from __future__ import annotations

from dataclasses import dataclass

from delta_schema_evolution.errors import SchemaInputError

WIDEN = "widen"
SAFE_CAST = "safe_cast"
VERSIONED_COLUMN = "versioned_column"
REJECT = "reject"

_ALLOWED = {
    "on_type_widening": (WIDEN, VERSIONED_COLUMN, REJECT),
    "on_lossy_cast": (SAFE_CAST, VERSIONED_COLUMN, REJECT),
    "on_incompatible": (VERSIONED_COLUMN, REJECT),
}


@dataclass(frozen=True)
class SchemaPolicy:
    """How to resolve each kind of schema difference for one table.

    * ``on_type_widening``: ``widen`` (enable ``delta.enableTypeWidening`` and ALTER the column),
      ``versioned_column`` or ``reject``.
    * ``on_lossy_cast``: ``safe_cast`` (cast; rows that fail go to quarantine with the reason),
      ``versioned_column`` or ``reject``.
    * ``on_incompatible``: ``versioned_column`` (write to ``<column><version_suffix>``) or ``reject``.
    * ``allow_added_columns``: let MERGE schema evolution add new columns; otherwise reject them.

    A ``safe_widening`` (incoming narrower than the table) is always cast: it cannot lose data.
    """

    on_type_widening: str = WIDEN
    on_lossy_cast: str = SAFE_CAST
    on_incompatible: str = VERSIONED_COLUMN
    allow_added_columns: bool = True
    version_suffix: str = "_v2"

    def __post_init__(self) -> None:
        for name, allowed in _ALLOWED.items():
            value = getattr(self, name)
            if value not in allowed:
                raise SchemaInputError(f"SchemaPolicy.{name}: expected one of {allowed}, got {value!r}")
        if not self.version_suffix or not self.version_suffix.replace("_", "").isalnum():
            raise SchemaInputError(
                f"SchemaPolicy.version_suffix: expected letters, digits or '_', got {self.version_suffix!r}")
