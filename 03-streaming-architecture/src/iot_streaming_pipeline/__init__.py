"""Kafka -> Spark Structured Streaming -> Delta medallion for manufacturing sensor events.

Load one environment's settings, then run the pipeline as a long-running job or drain it once.

Example::

    >>> config = load_environment_config("dev", overrides={"storage": {"root": "/tmp/iot-lake"}})
    >>> queries = start_pipeline(spark, config, credentials=None)  # doctest: +SKIP
    >>> drain_pipeline(spark, config, credentials=None)  # doctest: +SKIP
"""
from iot_streaming_pipeline.bronze import start_bronze_stream, to_bronze
from iot_streaming_pipeline.checkpoints import (
    CommittedOffsets,
    consumer_lag,
    read_committed_offsets,
    restart_source_options,
)
from iot_streaming_pipeline.config import (
    KafkaCredentials,
    KafkaSettings,
    PipelineConfig,
    StreamingSettings,
    kafka_credentials_from_env,
    kafka_source_options,
    load_environment_config,
    load_pipeline_config,
    parse_pipeline_config,
)
from iot_streaming_pipeline.errors import (
    CheckpointNotFoundError,
    CheckpointTopicMismatchError,
    ConcurrentSilverWriterError,
    InvalidInputError,
    InvalidPipelineConfigError,
    MissingKafkaCredentialsError,
    StreamingPipelineError,
)
from iot_streaming_pipeline.gold import GOLD_KEY, machine_window_aggregates, start_gold_stream, upsert_gold_batch
from iot_streaming_pipeline.layout import PipelinePaths
from iot_streaming_pipeline.monitoring import BatchMetricsListener, PipelineHealth, assess_health, flush_metrics
from iot_streaming_pipeline.pipeline import drain_pipeline, silver_settings, start_pipeline
from iot_streaming_pipeline.silver import SilverSettings, start_silver_stream, write_silver_batch
from iot_streaming_pipeline.silver_ledger import batch_ledger, ledger_totals, silver_commit_log, visibility_latency
from iot_streaming_pipeline.tables import ensure_pipeline_tables
from iot_streaming_pipeline.trigger_options import ReadLimits, UnsupportedTriggerError, trigger_arguments

__all__ = [
    "GOLD_KEY",
    "BatchMetricsListener",
    "CheckpointNotFoundError",
    "CheckpointTopicMismatchError",
    "CommittedOffsets",
    "ConcurrentSilverWriterError",
    "InvalidInputError",
    "InvalidPipelineConfigError",
    "KafkaCredentials",
    "KafkaSettings",
    "MissingKafkaCredentialsError",
    "PipelineConfig",
    "PipelineHealth",
    "PipelinePaths",
    "ReadLimits",
    "SilverSettings",
    "StreamingPipelineError",
    "StreamingSettings",
    "UnsupportedTriggerError",
    "assess_health",
    "batch_ledger",
    "consumer_lag",
    "drain_pipeline",
    "ensure_pipeline_tables",
    "flush_metrics",
    "kafka_credentials_from_env",
    "kafka_source_options",
    "ledger_totals",
    "load_environment_config",
    "load_pipeline_config",
    "machine_window_aggregates",
    "parse_pipeline_config",
    "read_committed_offsets",
    "restart_source_options",
    "silver_commit_log",
    "silver_settings",
    "start_bronze_stream",
    "start_gold_stream",
    "start_pipeline",
    "start_silver_stream",
    "to_bronze",
    "trigger_arguments",
    "upsert_gold_batch",
    "visibility_latency",
    "write_silver_batch",
]
