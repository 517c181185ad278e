"""Turn one StreamingQueryProgress (as the JSON dict Spark writes) into the figures we publish.

Pure functions: no Spark needed, so the arithmetic is tested on hand-written progress dicts and
again on real progress from a running query.

Example::

    >>> snapshot = progress_snapshot({"id": "q1", "name": "bronze", "batchId": 4,
    ...     "timestamp": "2026-01-01T00:00:10.000Z", "numInputRows": 10,
    ...     "inputRowsPerSecond": 5.0, "processedRowsPerSecond": 20.0,
    ...     "durationMs": {"triggerExecution": 500}, "eventTime": {}, "stateOperators": [],
    ...     "sources": []})
    >>> snapshot.query, snapshot.batch_duration_seconds
    ('bronze', 0.5)
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from streaming_observability.errors import ObservabilityInputError
from streaming_observability.streaming_metrics import StreamingQueryMetrics

REQUIRED_KEYS = ("id", "batchId", "timestamp", "numInputRows", "durationMs")


@dataclass(frozen=True)
class ProgressSnapshot:
    """The figures one progress event yields, keyed by query name (or id when unnamed)."""

    query: str
    batch_id: int
    timestamp_seconds: float
    input_rows: int
    input_rows_per_second: float
    processed_rows_per_second: float
    batch_duration_seconds: float
    state_rows: int
    watermark_lag_seconds: float | None
    offsets_behind_latest: dict[tuple[str, str], int] = field(default_factory=dict)


def parse_spark_timestamp(text: str) -> float:
    """Unix seconds of a progress timestamp such as ``2026-01-01T00:00:10.000Z``."""
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except (AttributeError, ValueError) as exc:
        raise ObservabilityInputError(
            f"expected an ISO-8601 timestamp like 2026-01-01T00:00:10.000Z, got {text!r}"
        ) from exc


def _offsets(value: Any) -> dict[str, dict[str, int]]:
    """Kafka source offsets arrive as a dict, or as the JSON text of one, or empty."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return {}  # not a Kafka source (e.g. a file source's offset)
    if not isinstance(value, dict):
        return {}
    return {t: {str(p): int(o) for p, o in parts.items()} for t, parts in value.items() if isinstance(parts, dict)}


def offsets_behind_latest(sources: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
    """Per (topic, partition): the broker's latest offset minus the offset the batch read up to."""
    behind: dict[tuple[str, str], int] = {}
    for source in sources:
        latest, end = _offsets(source.get("latestOffset")), _offsets(source.get("endOffset"))
        for topic, partitions in latest.items():
            for partition, latest_offset in partitions.items():
                read_up_to = end.get(topic, {}).get(partition)
                if read_up_to is not None:
                    behind[(topic, partition)] = max(0, latest_offset - read_up_to)
    return behind


def progress_snapshot(progress: dict[str, Any]) -> ProgressSnapshot:
    """Read the figures out of a progress dict (``json.loads(progress.json)``)."""
    if not isinstance(progress, dict):
        raise ObservabilityInputError(f"expected a progress dict, got {type(progress).__name__}")
    missing = [key for key in REQUIRED_KEYS if key not in progress]
    if missing:
        raise ObservabilityInputError(f"expected progress keys {list(REQUIRED_KEYS)}, missing {missing}")
    timestamp = parse_spark_timestamp(progress["timestamp"])
    watermark = (progress.get("eventTime") or {}).get("watermark")
    watermark_seconds = parse_spark_timestamp(watermark) if watermark else None
    # before the first event Spark reports the epoch as the watermark: no lag to speak of yet
    lag = timestamp - watermark_seconds if watermark_seconds else None
    return ProgressSnapshot(
        query=progress.get("name") or progress["id"],
        batch_id=int(progress["batchId"]),
        timestamp_seconds=timestamp,
        input_rows=int(progress["numInputRows"]),
        input_rows_per_second=float(progress.get("inputRowsPerSecond") or 0.0),
        processed_rows_per_second=float(progress.get("processedRowsPerSecond") or 0.0),
        batch_duration_seconds=float(progress["durationMs"].get("triggerExecution", 0)) / 1000.0,
        state_rows=sum(int(op.get("numRowsTotal", 0)) for op in progress.get("stateOperators") or []),
        watermark_lag_seconds=lag,
        offsets_behind_latest=offsets_behind_latest(progress.get("sources") or []),
    )


def apply_snapshot(metrics: StreamingQueryMetrics, snapshot: ProgressSnapshot) -> None:
    """Set the query's gauges and advance its counters from one snapshot."""
    query = snapshot.query
    metrics.input_rows_per_second.labels(query=query).set(snapshot.input_rows_per_second)
    metrics.processed_rows_per_second.labels(query=query).set(snapshot.processed_rows_per_second)
    metrics.batch_duration_seconds.labels(query=query).set(snapshot.batch_duration_seconds)
    metrics.input_rows.labels(query=query).inc(snapshot.input_rows)
    metrics.batches.labels(query=query).inc()
    metrics.latest_batch_id.labels(query=query).set(snapshot.batch_id)
    metrics.state_rows.labels(query=query).set(snapshot.state_rows)
    if snapshot.watermark_lag_seconds is not None:
        metrics.watermark_lag_seconds.labels(query=query).set(snapshot.watermark_lag_seconds)
    for (topic, partition), behind in snapshot.offsets_behind_latest.items():
        metrics.offsets_behind_latest.labels(query=query, topic=topic, partition=partition).set(behind)
    completed_at = snapshot.timestamp_seconds + snapshot.batch_duration_seconds
    metrics.last_progress_timestamp_seconds.labels(query=query).set(completed_at)
    metrics.query_active.labels(query=query).set(1)
