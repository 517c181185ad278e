"""Streaming observability: Prometheus metrics for Spark Structured Streaming, Delta and data quality.

Example::

    >>> from prometheus_client import CollectorRegistry
    >>> from streaming_observability import PrometheusQueryListener, StreamingQueryMetrics, serve_metrics
    >>> registry = CollectorRegistry()
    >>> spark.streams.addListener(PrometheusQueryListener(StreamingQueryMetrics.create(registry)))  # doctest: +SKIP
    >>> server = serve_metrics(registry, port=9108)  # doctest: +SKIP
"""
from streaming_observability.alert_payloads import (
    AlertDeliveryError,
    pagerduty_acknowledge,
    pagerduty_events,
    relay_notification,
    slack_message,
)
from streaming_observability.alert_rules import AlertThresholds, alert_rules, alert_rules_yaml
from streaming_observability.batch_job_metrics import BatchJobRun, batch_job_run
from streaming_observability.consumer_lag import (
    CheckpointOffsets,
    ConsumerLagCollector,
    broker_end_offsets,
    checkpoint_offsets,
    consumer_lag,
)
from streaming_observability.data_quality import (
    DataQualityMetrics,
    quarantine_counts,
    record_batch_outcome,
    record_plant_activity,
)
from streaming_observability.delta_health import (
    DeltaHealth,
    DeltaHealthMetrics,
    delta_table_health,
    publish_delta_health,
)
from streaming_observability.errors import CheckpointFormatError, ObservabilityInputError, RowAccountingError
from streaming_observability.exporter import MetricsServer, serve_metrics
from streaming_observability.json_logging import CORRELATION_FIELDS, JsonLogFormatter, correlation, json_logger
from streaming_observability.lineage import (
    LineageSetupError,
    attach_openlineage_listener,
    detach_openlineage_listener,
    lineage_summary,
    openlineage_conf,
)
from streaming_observability.listener import PrometheusQueryListener
from streaming_observability.log_analysis import errors_by_class, read_json_logs, slowest_batches
from streaming_observability.progress_metrics import ProgressSnapshot, apply_snapshot, progress_snapshot
from streaming_observability.streaming_metrics import StreamingQueryMetrics

__all__ = [
    "LineageSetupError",
    "attach_openlineage_listener",
    "detach_openlineage_listener",
    "lineage_summary",
    "openlineage_conf",
    "AlertDeliveryError",
    "pagerduty_acknowledge",
    "pagerduty_events",
    "relay_notification",
    "slack_message",
    "CORRELATION_FIELDS",
    "JsonLogFormatter",
    "correlation",
    "errors_by_class",
    "json_logger",
    "read_json_logs",
    "slowest_batches",
    "AlertThresholds",
    "BatchJobRun",
    "CheckpointFormatError",
    "CheckpointOffsets",
    "ConsumerLagCollector",
    "DataQualityMetrics",
    "DeltaHealth",
    "DeltaHealthMetrics",
    "MetricsServer",
    "ObservabilityInputError",
    "PrometheusQueryListener",
    "ProgressSnapshot",
    "RowAccountingError",
    "StreamingQueryMetrics",
    "alert_rules",
    "alert_rules_yaml",
    "apply_snapshot",
    "batch_job_run",
    "broker_end_offsets",
    "checkpoint_offsets",
    "consumer_lag",
    "delta_table_health",
    "progress_snapshot",
    "publish_delta_health",
    "quarantine_counts",
    "record_batch_outcome",
    "record_plant_activity",
    "serve_metrics",
]
