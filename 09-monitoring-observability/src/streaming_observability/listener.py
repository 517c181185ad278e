"""A StreamingQueryListener that keeps the Prometheus metrics of every query on the session current.

The listener runs on the driver and is called after each micro-batch: it adds no work to the batch
itself (the benchmark in ``benchmarks/`` measures what it costs).

Example::

    >>> from prometheus_client import CollectorRegistry
    >>> registry = CollectorRegistry()
    >>> listener = PrometheusQueryListener(StreamingQueryMetrics.create(registry))
    >>> spark.streams.addListener(listener)  # doctest: +SKIP
"""
from __future__ import annotations

import json
import threading

from pyspark.sql.streaming import StreamingQueryListener
from pyspark.sql.streaming.listener import (
    QueryIdleEvent,
    QueryProgressEvent,
    QueryStartedEvent,
    QueryTerminatedEvent,
)

from streaming_observability.errors import ObservabilityInputError
from streaming_observability.progress_metrics import apply_snapshot, parse_spark_timestamp, progress_snapshot
from streaming_observability.streaming_metrics import StreamingQueryMetrics


class PrometheusQueryListener(StreamingQueryListener):
    """Feeds :class:`StreamingQueryMetrics` from query started/progress/idle/terminated events.

    Queries are labelled by name (by id when unnamed). Idle events count as progress: an idle
    query waiting for data is alive, a stalled one reports nothing.
    """

    def __init__(self, metrics: StreamingQueryMetrics) -> None:
        if not isinstance(metrics, StreamingQueryMetrics):
            raise ObservabilityInputError(f"expected StreamingQueryMetrics, got {type(metrics).__name__}")
        self.metrics = metrics
        self._names: dict[str, str] = {}
        self._lock = threading.Lock()

    def _label(self, query_id: str) -> str:
        with self._lock:
            return self._names.get(str(query_id), str(query_id))

    def onQueryStarted(self, event: QueryStartedEvent) -> None:  # noqa: N802 - Spark's callback name
        label = event.name or str(event.id)
        with self._lock:
            self._names[str(event.id)] = label
        self.metrics.query_active.labels(query=label).set(1)
        self.metrics.last_progress_timestamp_seconds.labels(query=label).set(parse_spark_timestamp(event.timestamp))

    def onQueryProgress(self, event: QueryProgressEvent) -> None:  # noqa: N802
        apply_snapshot(self.metrics, progress_snapshot(json.loads(event.progress.json)))

    def onQueryIdle(self, event: QueryIdleEvent) -> None:  # noqa: N802
        label = self._label(event.id)
        self.metrics.last_progress_timestamp_seconds.labels(query=label).set(parse_spark_timestamp(event.timestamp))

    def onQueryTerminated(self, event: QueryTerminatedEvent) -> None:  # noqa: N802
        self.metrics.query_active.labels(query=self._label(event.id)).set(0)
