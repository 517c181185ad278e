"""The Prometheus metrics a streaming query's driver publishes, created on a registry you pass in.

Every name here is what the alert rules and dashboards query; a test scrapes the live exporter and
checks that each one exists.

Example::

    >>> from prometheus_client import CollectorRegistry
    >>> metrics = StreamingQueryMetrics.create(CollectorRegistry())
    >>> metrics.batches.labels(query="bronze").inc()
"""
from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge

QUERY = ("query",)
PARTITION = ("query", "topic", "partition")


@dataclass(frozen=True)
class StreamingQueryMetrics:
    """Gauges and counters fed by :class:`PrometheusQueryListener` from each query progress."""

    input_rows_per_second: Gauge
    processed_rows_per_second: Gauge
    batch_duration_seconds: Gauge
    input_rows: Counter
    batches: Counter
    latest_batch_id: Gauge
    state_rows: Gauge
    watermark_lag_seconds: Gauge
    offsets_behind_latest: Gauge
    last_progress_timestamp_seconds: Gauge
    query_active: Gauge

    @classmethod
    def create(cls, registry: CollectorRegistry) -> StreamingQueryMetrics:
        """Register the metrics on ``registry`` (one set per registry)."""
        if not isinstance(registry, CollectorRegistry):
            raise TypeError(f"expected a prometheus_client CollectorRegistry, got {type(registry).__name__}")

        def gauge(name: str, doc: str, labels: tuple[str, ...] = QUERY) -> Gauge:
            return Gauge(name, doc, labels, registry=registry)

        return cls(
            input_rows_per_second=gauge(
                "spark_streaming_input_rows_per_second", "Rows arriving per second in the last micro-batch"
            ),
            processed_rows_per_second=gauge(
                "spark_streaming_processed_rows_per_second", "Rows processed per second in the last micro-batch"
            ),
            batch_duration_seconds=gauge(
                "spark_streaming_batch_duration_seconds", "Wall time of the last micro-batch (triggerExecution)"
            ),
            input_rows=Counter(
                "spark_streaming_input_rows", "Rows read by micro-batches", QUERY, registry=registry
            ),
            batches=Counter("spark_streaming_batches", "Micro-batches completed", QUERY, registry=registry),
            latest_batch_id=gauge("spark_streaming_latest_batch_id", "Id of the last completed micro-batch"),
            state_rows=gauge("spark_streaming_state_rows", "Rows held in state stores, all operators"),
            watermark_lag_seconds=gauge(
                "spark_streaming_watermark_lag_seconds", "Progress time minus the event-time watermark"
            ),
            offsets_behind_latest=gauge(
                "spark_streaming_kafka_offsets_behind_latest",
                "Latest offset at the broker minus the offset the micro-batch read up to",
                PARTITION,
            ),
            last_progress_timestamp_seconds=gauge(
                "spark_streaming_last_progress_timestamp_seconds",
                "Unix time the last micro-batch completed, or the query last reported itself idle",
            ),
            query_active=gauge("spark_streaming_query_active", "1 while the query runs, 0 once it terminated"),
        )
