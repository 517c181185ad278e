"""Where the apply step writes: the mirrored table and its three companion tables."""
from __future__ import annotations

from dataclasses import dataclass

from enterprise_integration.cdc.errors import InvalidCdcOptionsError

DELETE_MODES = ("hard", "soft")
# Columns the apply step keeps in the mirrored table beside the source's own columns.
SNAPSHOT_COLUMN = "_cdc_snapshot"  # true while the row's last event was a snapshot read
LSN_COLUMN = "_cdc_lsn"  # the PostgreSQL log sequence number of the row's last applied event
OP_COLUMN = "_cdc_op"  # that event's Debezium op: r (snapshot read), c, u, d
DELETED_COLUMN = "_cdc_deleted"  # soft-delete mode only: true once the source row is deleted
POSITION_COLUMNS = (SNAPSHOT_COLUMN, LSN_COLUMN)


@dataclass(frozen=True)
class CdcTarget:
    """The Delta table a change stream mirrors, and how.

    Args:
        path: the mirrored table.
        key_columns: the source table's primary key (the Kafka message key's fields).
        delete_mode: ``"hard"`` removes deleted rows (their last position is kept in
            ``deletes_path`` so a replayed older event cannot bring them back); ``"soft"`` keeps
            them with ``_cdc_deleted = true``.
        quarantine_path / deletes_path / ledger_path: companion tables; default to ``path`` plus
            ``_quarantine``, ``_deletes`` and ``_ledger``.

    Example::

        >>> target = CdcTarget("/lake/mes/work_orders", key_columns=("id",))
        >>> target.quarantine_path
        '/lake/mes/work_orders_quarantine'
    """

    path: str
    key_columns: tuple[str, ...]
    delete_mode: str = "hard"
    quarantine_path: str = ""
    deletes_path: str = ""
    ledger_path: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.path, str) or not self.path:
            raise InvalidCdcOptionsError(f"expected a non-empty table path, got {self.path!r}")
        if isinstance(self.key_columns, str) or not self.key_columns:
            raise InvalidCdcOptionsError(
                f"expected key_columns as a non-empty tuple of names, got {self.key_columns!r}"
            )
        object.__setattr__(self, "key_columns", tuple(self.key_columns))
        if self.delete_mode not in DELETE_MODES:
            raise InvalidCdcOptionsError(
                f"expected delete_mode in {DELETE_MODES}, got {self.delete_mode!r}"
            )
        clashes = [name for name in self.key_columns if name.startswith("_cdc_")]
        if clashes:
            raise InvalidCdcOptionsError(
                f"expected key columns without the reserved '_cdc_' prefix, got {clashes}"
            )
        for suffix in ("quarantine", "deletes", "ledger"):
            attribute = f"{suffix}_path"
            if not getattr(self, attribute):
                object.__setattr__(self, attribute, f"{self.path.rstrip('/')}_{suffix}")
