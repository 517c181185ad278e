"""Per-batch metrics of every streaming query: a listener that logs them and lands them in Delta.

Spark calls the listener on its own thread; writing to Delta from there would compete with the
queries, so :class:`BatchMetricsListener` only records and logs, and :func:`flush_metrics` (called
from the driver's loop) appends what was recorded to the metrics table.

Example::

    >>> listener = BatchMetricsListener()
    >>> spark.streams.addListener(listener)  # doctest: +SKIP
    >>> flush_metrics(spark, listener, paths.stream_metrics)  # doctest: +SKIP
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from dataclasses import dataclass
from typing import Any

from pyspark.sql import SparkSession
from pyspark.sql.streaming import StreamingQueryListener
from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType

from iot_streaming_pipeline.errors import InvalidInputError

LOGGER = logging.getLogger("iot_streaming_pipeline.metrics")

METRICS_SCHEMA = StructType([
    StructField("query_name", StringType()), StructField("query_id", StringType()),
    StructField("run_id", StringType()), StructField("batch_id", LongType()),
    StructField("progress_timestamp", StringType()), StructField("input_rows", LongType()),
    StructField("input_rows_per_second", DoubleType()), StructField("processed_rows_per_second", DoubleType()),
    StructField("batch_duration_ms", LongType()), StructField("watermark", StringType()),
    StructField("state_rows", LongType()), StructField("end_offsets", StringType()),
])


def progress_to_metrics(progress: Any) -> dict[str, Any]:
    """One metrics row from a ``StreamingQueryProgress``."""
    state_rows = sum(op.numRowsTotal for op in progress.stateOperators) if progress.stateOperators else 0
    end_offsets = [source.endOffset for source in progress.sources]
    return {
        "query_name": progress.name or "", "query_id": str(progress.id), "run_id": str(progress.runId),
        "batch_id": int(progress.batchId), "progress_timestamp": progress.timestamp,
        "input_rows": int(progress.numInputRows),
        "input_rows_per_second": float(progress.inputRowsPerSecond or 0.0),
        "processed_rows_per_second": float(progress.processedRowsPerSecond or 0.0),
        "batch_duration_ms": int(progress.batchDuration),
        "watermark": (progress.eventTime or {}).get("watermark"),
        "state_rows": int(state_rows),
        "end_offsets": json.dumps(end_offsets),
    }


class BatchMetricsListener(StreamingQueryListener):
    """Records and logs (one JSON line per batch) the progress of every query of the session."""

    def __init__(self) -> None:
        self._pending: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def onQueryStarted(self, event: Any) -> None:  # noqa: N802 - Spark's callback name
        LOGGER.info(json.dumps({"event": "query_started", "query_name": event.name, "query_id": str(event.id)}))

    def onQueryProgress(self, event: Any) -> None:  # noqa: N802
        row = progress_to_metrics(event.progress)
        with self._lock:
            self._pending.append(row)
        LOGGER.info(json.dumps({"event": "batch_completed", **row}))

    def onQueryIdle(self, event: Any) -> None:  # noqa: N802
        return None

    def onQueryTerminated(self, event: Any) -> None:  # noqa: N802
        LOGGER.info(json.dumps({"event": "query_terminated", "query_id": str(event.id),
                                "exception": event.exception}))

    def take_pending(self) -> list[dict[str, Any]]:
        """Return and forget the rows recorded since the last call."""
        with self._lock:
            rows, self._pending = self._pending, []
        return rows


def flush_metrics(spark: SparkSession, listener: BatchMetricsListener, metrics_path: str) -> int:
    """Append the listener's recorded rows to the metrics Delta table; return how many were written."""
    rows = listener.take_pending()
    if rows:
        spark.createDataFrame(rows, METRICS_SCHEMA).write.format("delta").mode("append").save(metrics_path)
    return len(rows)


@dataclass(frozen=True)
class PipelineHealth:
    """Stalled queries (no progress for too long) and consumer lag per topic partition."""

    stalled_queries: list[str]
    lag: dict[str, dict[int, int]]
    max_lag: int

    @property
    def healthy(self) -> bool:
        return not self.stalled_queries and self.lag_total <= self.max_lag

    @property
    def lag_total(self) -> int:
        return sum(sum(partitions.values()) for partitions in self.lag.values())


def assess_health(last_progress: dict[str, dt.datetime], now: dt.datetime, max_silence_s: float,
                  lag: dict[str, dict[int, int]], max_lag: int) -> PipelineHealth:
    """Flag each query whose last progress is older than ``max_silence_s``; total the lag against ``max_lag``.

    ``last_progress`` maps query name to its last progress time (from ``query.lastProgress`` or
    the metrics table); ``lag`` comes from :func:`iot_streaming_pipeline.checkpoints.consumer_lag`.
    """
    if max_silence_s <= 0 or max_lag < 0:
        raise InvalidInputError(f"expected max_silence_s > 0 and max_lag >= 0, got {max_silence_s}, {max_lag}")
    stalled = sorted(name for name, seen in last_progress.items() if (now - seen).total_seconds() > max_silence_s)
    return PipelineHealth(stalled, lag, max_lag)
