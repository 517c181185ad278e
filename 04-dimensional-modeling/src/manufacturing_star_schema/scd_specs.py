"""The specs of the slowly changing dimensions: column names and policies, checked when built.

``Scd1Spec`` and ``Scd3Spec`` describe overwrite dimensions (one row per key); ``Scd2Spec``
describes a Type 2 dimension, and a Type 6 one when it has ``current_value_columns``.

Example::

    >>> Scd2Spec(natural_key=("machine_id",)).control_columns
    ['valid_from', 'valid_to', 'is_current', 'is_deleted', 'row_hash', 'machine_sk']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from manufacturing_star_schema.errors import InvalidSpecError

SURROGATE_KEY_STRATEGIES = ("hash", "identity", "none")
OUT_OF_ORDER_POLICIES = ("place", "reject")


@dataclass(frozen=True)
class Scd2Spec:
    """Column names and policies of one Type 2 (or Type 6) dimension.

    ``tracked_columns=None`` tracks every source attribute. ``current_value_columns`` maps an
    attribute to a Type 1 column kept on every version of the key (that is Type 6).
    ``fast_path=False`` sends every batch through the general path (tests compare the two).
    """

    natural_key: tuple[str, ...]
    change_ts_column: str = "change_ts"
    tracked_columns: tuple[str, ...] | None = None
    surrogate_key_column: str = "machine_sk"
    surrogate_key_strategy: str = "hash"
    valid_from: str = "valid_from"
    valid_to: str = "valid_to"
    is_current: str = "is_current"
    is_deleted: str = "is_deleted"
    row_hash: str = "row_hash"
    current_value_columns: Mapping[str, str] = field(default_factory=dict)
    on_out_of_order: str = "place"
    fast_path: bool = True

    def __post_init__(self) -> None:
        if not self.natural_key:
            raise InvalidSpecError("natural_key: expected at least one column, got none")
        if self.surrogate_key_strategy not in SURROGATE_KEY_STRATEGIES:
            raise InvalidSpecError(
                f"surrogate_key_strategy: expected one of {SURROGATE_KEY_STRATEGIES}, "
                f"got {self.surrogate_key_strategy!r}"
            )
        if self.on_out_of_order not in OUT_OF_ORDER_POLICIES:
            raise InvalidSpecError(
                f"on_out_of_order: expected one of {OUT_OF_ORDER_POLICIES}, got {self.on_out_of_order!r}"
            )

    @property
    def control_columns(self) -> list[str]:
        """Every column the MERGE maintains (not an attribute of the member)."""
        control = [self.valid_from, self.valid_to, self.is_current, self.is_deleted, self.row_hash]
        if self.surrogate_key_strategy != "none":
            control.append(self.surrogate_key_column)
        return control + list(self.current_value_columns.values())

    @property
    def hashes_surrogate_key(self) -> bool:
        """True when the MERGE writes the surrogate key itself (``xxhash64`` of key and ``valid_from``)."""
        return self.surrogate_key_strategy == "hash"


class OverwriteSpec(Protocol):
    """What Type 1 and Type 3 share: one row per key, overwritten by a newer change."""

    natural_key: tuple[str, ...]
    change_ts_column: str
    updated_at: str
    is_deleted: str
    row_hash: str

    @property
    def control_columns(self) -> list[str]: ...


@dataclass(frozen=True)
class Scd1Spec:
    """Column names of one Type 1 dimension. ``surrogate_key_column=None`` stores no surrogate key."""

    natural_key: tuple[str, ...]
    change_ts_column: str = "change_ts"
    updated_at: str = "updated_at"
    is_deleted: str = "is_deleted"
    row_hash: str = "row_hash"
    surrogate_key_column: str | None = None

    def __post_init__(self) -> None:
        if not self.natural_key:
            raise InvalidSpecError("natural_key: expected at least one column, got none")

    @property
    def control_columns(self) -> list[str]:
        """Every column the MERGE maintains (not an attribute of the member)."""
        control = [self.updated_at, self.is_deleted, self.row_hash]
        return control + ([self.surrogate_key_column] if self.surrogate_key_column else [])


@dataclass(frozen=True)
class Scd3Spec:
    """A Type 3 dimension: ``tracked`` attributes get previous-value and changed-at columns."""

    natural_key: tuple[str, ...]
    tracked: tuple[str, ...]
    change_ts_column: str = "change_ts"
    updated_at: str = "updated_at"
    is_deleted: str = "is_deleted"
    row_hash: str = "row_hash"

    def __post_init__(self) -> None:
        if not self.natural_key or not self.tracked:
            raise InvalidSpecError(
                f"expected at least one natural key and one tracked column, got {self.natural_key} and {self.tracked}"
            )

    def previous(self, attribute: str) -> str:
        """The column holding the value ``attribute`` had before its latest change."""
        return f"previous_{attribute}"

    def changed_at(self, attribute: str) -> str:
        """The column holding when ``attribute`` last changed."""
        return f"{attribute}_changed_at"

    @property
    def control_columns(self) -> list[str]:
        """Every column the MERGE maintains (not an attribute of the member)."""
        history = [c for a in self.tracked for c in (self.previous(a), self.changed_at(a))]
        return [self.updated_at, self.is_deleted, self.row_hash, *history]


def scd6_spec(natural_key: tuple[str, ...], current_value_columns: Mapping[str, str], **options: object) -> Scd2Spec:
    """A Type 2 spec with at least one current-value (Type 1) column: that is Type 6."""
    if not current_value_columns:
        raise InvalidSpecError("current_value_columns: expected at least one attribute -> column, got none")
    return Scd2Spec(natural_key=natural_key, current_value_columns=dict(current_value_columns), **options)  # type: ignore[arg-type]
