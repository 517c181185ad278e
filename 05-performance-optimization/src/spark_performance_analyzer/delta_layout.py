"""Lay out a Delta table for data skipping: Z-order, liquid clustering, compaction, and what the log says.

Open-source Delta 4.0 supports all three: ``OPTIMIZE ... ZORDER BY`` on any table, ``CLUSTER BY``
at creation plus ``OPTIMIZE`` (liquid clustering), and plain ``OPTIMIZE`` (bin-packing). The
file size OPTIMIZE aims at is the session setting ``spark.databricks.delta.optimize.maxFileSize``
(default 1 GiB); the table property ``delta.targetFileSize`` is Databricks-only and open-source
Delta rejects it with ``DELTA_UNKNOWN_CONFIGURATION``.

Example::

    >>> zorder_by(spark, "/data/readings", ["machine_id", "event_time"], max_file_bytes=2 * 1024**2)  # doctest: +SKIP
    >>> table_files(spark, "/data/readings")  # doctest: +SKIP
    TableFiles(num_files=41, size_bytes=80512311)
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession

OPTIMIZE_MAX_FILE_SIZE = "spark.databricks.delta.optimize.maxFileSize"


class LayoutArgumentError(ValueError):
    """A layout was asked for with arguments it cannot work with."""


@dataclass(frozen=True)
class TableFiles:
    """The current snapshot's data files, as ``DESCRIBE DETAIL`` reports them."""

    num_files: int
    size_bytes: int

    @property
    def average_file_bytes(self) -> float:
        return self.size_bytes / self.num_files if self.num_files else 0.0


def table_files(spark: SparkSession, path: str) -> TableFiles:
    """Number and total size of the files in the Delta table's current version."""
    detail = spark.sql(f"DESCRIBE DETAIL delta.`{path}`").select("numFiles", "sizeInBytes").first()
    return TableFiles(int(detail["numFiles"]), int(detail["sizeInBytes"]))


def clustering_columns(spark: SparkSession, path: str) -> list[str]:
    """The table's liquid clustering columns; empty when it is not clustered."""
    return list(spark.sql(f"DESCRIBE DETAIL delta.`{path}`").first()["clusteringColumns"] or [])


@contextmanager
def optimize_max_file_size(spark: SparkSession, max_file_bytes: int | None) -> Iterator[None]:
    """Temporarily set the file size OPTIMIZE aims at; ``None`` keeps the session's value."""
    if max_file_bytes is None:
        yield
        return
    if max_file_bytes <= 0:
        raise LayoutArgumentError(f"max_file_bytes: expected a positive byte count, got {max_file_bytes}")
    previous = spark.conf.get(OPTIMIZE_MAX_FILE_SIZE, None)
    spark.conf.set(OPTIMIZE_MAX_FILE_SIZE, str(max_file_bytes))
    try:
        yield
    finally:
        spark.conf.unset(OPTIMIZE_MAX_FILE_SIZE) if previous is None else spark.conf.set(
            OPTIMIZE_MAX_FILE_SIZE, previous)


def compact(spark: SparkSession, path: str, max_file_bytes: int | None = None) -> DataFrame:
    """``OPTIMIZE`` (bin-packing; on a clustered table, clustering). Returns Delta's metrics row."""
    with optimize_max_file_size(spark, max_file_bytes):
        return DeltaTable.forPath(spark, path).optimize().executeCompaction()


def zorder_by(spark: SparkSession, path: str, columns: list[str], max_file_bytes: int | None = None) -> DataFrame:
    """``OPTIMIZE ... ZORDER BY (columns)``: rewrite the files so nearby values share files."""
    if not columns:
        raise LayoutArgumentError("columns: expected at least one Z-order column, got none")
    with optimize_max_file_size(spark, max_file_bytes):
        return DeltaTable.forPath(spark, path).optimize().executeZOrderBy(*columns)


def create_clustered_table(spark: SparkSession, path: str, frame: DataFrame, columns: list[str]) -> None:
    """Create an empty liquid-clustered table with ``frame``'s schema, then append ``frame`` to it.

    The append is not clustered yet (open-source Delta clusters on ``OPTIMIZE``, not on write);
    call :func:`compact` afterwards.
    """
    if not columns:
        raise LayoutArgumentError("columns: expected at least one clustering column, got none")
    missing = sorted(set(columns) - set(frame.columns))
    if missing:
        raise LayoutArgumentError(f"columns: expected columns of the frame {frame.columns}, got unknown {missing}")
    (DeltaTable.create(spark).location(path).addColumns(frame.schema).clusterBy(*columns).execute())
    frame.write.format("delta").mode("append").save(path)
