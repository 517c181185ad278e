"""Data-quality counters: rows in, written and quarantined by reason, and when each plant last sent data.

Example::

    >>> from prometheus_client import CollectorRegistry
    >>> metrics = DataQualityMetrics.create(CollectorRegistry())
    >>> record_batch_outcome(metrics, "silver", rows_in=10, rows_written=8,
    ...                      quarantined_by_reason={"bad_json": 2})
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from streaming_observability.errors import ObservabilityInputError, RowAccountingError


@dataclass(frozen=True)
class DataQualityMetrics:
    """``data_quality_rows_{in,written,quarantined}_total`` and ``iot_plant_last_event_timestamp_seconds``."""

    rows_in: Counter
    rows_written: Counter
    rows_quarantined: Counter
    plant_last_event_timestamp_seconds: Gauge

    @classmethod
    def create(cls, registry: CollectorRegistry) -> DataQualityMetrics:
        return cls(
            rows_in=Counter("data_quality_rows_in", "Rows a batch received", ["table"], registry=registry),
            rows_written=Counter("data_quality_rows_written", "Rows a batch wrote", ["table"], registry=registry),
            rows_quarantined=Counter("data_quality_rows_quarantined", "Rows set aside, by reason",
                                     ["table", "reason"], registry=registry),
            plant_last_event_timestamp_seconds=Gauge(
                "iot_plant_last_event_timestamp_seconds", "Event time of the newest reading from the plant",
                ["plant"], registry=registry),
        )


def record_batch_outcome(
    metrics: DataQualityMetrics, table: str, rows_in: int, rows_written: int,
    quarantined_by_reason: Mapping[str, int],
) -> None:
    """Count one batch, after checking rows in = rows written + rows quarantined.

    Raises RowAccountingError (and counts nothing) when the equation does not hold.
    """
    if min(rows_in, rows_written, *quarantined_by_reason.values(), 0) < 0:
        raise ObservabilityInputError(
            f"expected non-negative counts, got in={rows_in} written={rows_written} "
            f"quarantined={dict(quarantined_by_reason)}"
        )
    quarantined = sum(quarantined_by_reason.values())
    if rows_in != rows_written + quarantined:
        raise RowAccountingError(
            f"expected rows in ({rows_in}) = rows written ({rows_written}) + rows quarantined ({quarantined}), "
            f"{rows_in - rows_written - quarantined:+d} rows unaccounted for in table {table!r}"
        )
    metrics.rows_in.labels(table=table).inc(rows_in)
    metrics.rows_written.labels(table=table).inc(rows_written)
    for reason, count in quarantined_by_reason.items():
        metrics.rows_quarantined.labels(table=table, reason=reason).inc(count)


def quarantine_counts(quarantine: DataFrame, reason_column: str = "reason") -> dict[str, int]:
    """Rows per reason in a quarantine DataFrame (one small aggregate, collected)."""
    if reason_column not in quarantine.columns:
        raise ObservabilityInputError(f"expected a {reason_column!r} column, got columns {quarantine.columns}")
    rows = quarantine.groupBy(reason_column).count().collect()
    return {str(row[reason_column]): int(row["count"]) for row in rows}


def record_plant_activity(
    metrics: DataQualityMetrics, readings: DataFrame, plant_column: str = "plant_id",
    event_time_column: str = "event_time",
) -> dict[str, float]:
    """Set each plant's newest event time from a batch of readings; returns what was set."""
    missing = [c for c in (plant_column, event_time_column) if c not in readings.columns]
    if missing:
        raise ObservabilityInputError(
            f"expected columns {[plant_column, event_time_column]}, missing {missing} in {readings.columns}"
        )
    newest = (
        readings.groupBy(plant_column)
        .agg(F.max(F.unix_timestamp(F.col(event_time_column))).alias("newest"))
        .collect()
    )
    seen = {str(row[plant_column]): float(row["newest"]) for row in newest if row["newest"] is not None}
    for plant, newest_seconds in seen.items():
        metrics.plant_last_event_timestamp_seconds.labels(plant=plant).set(newest_seconds)
    return seen
