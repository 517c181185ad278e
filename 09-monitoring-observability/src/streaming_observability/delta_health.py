"""Delta table health: age of the last commit, commits in the last hour, file count, small-file ratio.

Example::

    >>> health = delta_table_health(spark, "/lake/silver/readings")  # doctest: +SKIP
    >>> publish_delta_health(DeltaHealthMetrics.create(registry), "silver_readings", health)  # doctest: +SKIP
"""
from __future__ import annotations

import time
from dataclasses import dataclass

from delta.tables import DeltaTable
from prometheus_client import CollectorRegistry, Gauge
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from streaming_observability.errors import ObservabilityInputError

DEFAULT_SMALL_FILE_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class DeltaHealth:
    """What one look at a Delta table's log and files says about its health."""

    last_commit_timestamp_seconds: float
    versions_last_hour: int
    file_count: int
    size_bytes: int
    small_file_count: int

    @property
    def small_file_ratio(self) -> float:
        return self.small_file_count / self.file_count if self.file_count else 0.0


def delta_table_health(
    spark: SparkSession, path: str, small_file_bytes: int = DEFAULT_SMALL_FILE_BYTES, now: float | None = None
) -> DeltaHealth:
    """Read the table's history and file sizes (file sizes come from the ``_metadata`` column).

    The ``_metadata.file_size`` read needs no column data (only Parquet footers), but it still walks
    every live file: run it from a scheduled job, not inside each micro-batch.
    """
    if not isinstance(path, str) or not path:
        raise ObservabilityInputError(f"expected a Delta table path, got {path!r}")
    if small_file_bytes <= 0:
        raise ObservabilityInputError(f"expected small_file_bytes > 0, got {small_file_bytes}")
    if not DeltaTable.isDeltaTable(spark, path):
        raise ObservabilityInputError(f"expected a Delta table at {path}, found none")
    now = time.time() if now is None else now
    table = DeltaTable.forPath(spark, path)
    commit_times = [row["timestamp"].timestamp() for row in table.history().select("timestamp").collect()]
    files = (
        spark.read.format("delta").load(path)
        .select(F.col("_metadata.file_path").alias("file"), F.col("_metadata.file_size").alias("size"))
        .groupBy("file").agg(F.max("size").alias("size"))
        .agg(F.count("*").alias("files"), F.coalesce(F.sum("size"), F.lit(0)).alias("bytes"),
             F.count(F.when(F.col("size") < small_file_bytes, 1)).alias("small"))
        .first()
    )
    return DeltaHealth(
        last_commit_timestamp_seconds=max(commit_times),
        versions_last_hour=sum(1 for t in commit_times if t >= now - 3600),
        file_count=int(files["files"]),
        size_bytes=int(files["bytes"]),
        small_file_count=int(files["small"]),
    )


@dataclass(frozen=True)
class DeltaHealthMetrics:
    """Gauges labelled by ``table`` for the figures of :class:`DeltaHealth`."""

    last_commit_timestamp_seconds: Gauge
    versions_last_hour: Gauge
    files: Gauge
    size_bytes: Gauge
    small_file_ratio: Gauge

    @classmethod
    def create(cls, registry: CollectorRegistry) -> DeltaHealthMetrics:
        def gauge(name: str, doc: str) -> Gauge:
            return Gauge(name, doc, ["table"], registry=registry)

        return cls(
            last_commit_timestamp_seconds=gauge("delta_table_last_commit_timestamp_seconds",
                                                "Unix time of the table's last commit"),
            versions_last_hour=gauge("delta_table_versions_last_hour", "Commits in the hour before the check"),
            files=gauge("delta_table_files", "Live data files"),
            size_bytes=gauge("delta_table_size_bytes", "Bytes in live data files"),
            small_file_ratio=gauge("delta_table_small_file_ratio", "Share of live files below the small-file size"),
        )


def publish_delta_health(metrics: DeltaHealthMetrics, table: str, health: DeltaHealth) -> None:
    """Set the table's gauges."""
    metrics.last_commit_timestamp_seconds.labels(table=table).set(health.last_commit_timestamp_seconds)
    metrics.versions_last_hour.labels(table=table).set(health.versions_last_hour)
    metrics.files.labels(table=table).set(health.file_count)
    metrics.size_bytes.labels(table=table).set(health.size_bytes)
    metrics.small_file_ratio.labels(table=table).set(health.small_file_ratio)
