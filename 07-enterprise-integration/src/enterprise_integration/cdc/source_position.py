"""Order change events per key by their source position, and pick the newest.

A row's position is its PostgreSQL log sequence number (``_cdc_lsn``). Snapshot reads (``r``) carry
the LSN of the snapshot's consistent point, streamed events (``c``/``u``/``d``) the LSN of their change.
Among the events of one key the LSN gives the source order: a row is locked by the transaction that
changes it, so the next change to that row is written to the WAL after the previous one committed,
and a snapshot taken at LSN S holds every change written before S. At equal LSNs a streamed event
beats a snapshot read; otherwise equal positions are the same event delivered twice.
The one order this cannot see: a transaction that wrote a row before a snapshot's LSN and committed
after it (see the decision record).
"""
from __future__ import annotations

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from enterprise_integration.cdc.target import LSN_COLUMN, SNAPSHOT_COLUMN


def is_newer(new_snapshot: Column, new_lsn: Column, old_snapshot: Column, old_lsn: Column) -> Column:
    """True where the new position is strictly after the old one, or there is no old one.

    Example::

        >>> events.where(is_newer(F.col("s._cdc_snapshot"), F.col("s._cdc_lsn"),
        ...                       F.col("t._cdc_snapshot"), F.col("t._cdc_lsn")))  # doctest: +SKIP
    """
    return (
        old_lsn.isNull()
        | (new_lsn > old_lsn)
        | ((new_lsn == old_lsn) & old_snapshot & ~new_snapshot)
    )


def is_newer_sql(new: str, old: str) -> str:
    """:func:`is_newer` as a SQL condition between two aliases (for a MERGE clause)."""
    snapshot, lsn = SNAPSHOT_COLUMN, LSN_COLUMN
    return (
        f"({old}.{lsn} IS NULL OR {new}.{lsn} > {old}.{lsn} OR "
        f"({new}.{lsn} = {old}.{lsn} AND {old}.{snapshot} AND NOT {new}.{snapshot}))"
    )


def rank_by_position(changes: DataFrame, key_columns: tuple[str, ...]) -> DataFrame:
    """Add ``_cdc_rank``: 1 for each key's newest event, 2.. for older ones and repeats.

    Rows whose values did not convert (``_cdc_cast_error`` set, when present) rank after the others.

    Example::

        >>> newest = rank_by_position(changes, ("id",)).where("_cdc_rank = 1")  # doctest: +SKIP
    """
    window = Window.partitionBy(*key_columns).orderBy(
        F.col("_cdc_cast_error").isNull().desc() if "_cdc_cast_error" in changes.columns else F.lit(0),
        F.col(LSN_COLUMN).desc(),
        F.col(SNAPSHOT_COLUMN).asc(),
        F.col("offset").desc(),
    )
    return changes.withColumn("_cdc_rank", F.row_number().over(window))
