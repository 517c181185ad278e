"""Wire one environment's medallion: Kafka -> bronze, Kafka or bronze -> silver (+ quarantine, late_events,
duplicates) -> gold.

Two ways to run it: :func:`start_pipeline` starts the three queries side by side with a
processing-time trigger (a long-running job); :func:`drain_pipeline` runs them one after the other
with ``availableNow`` (a scheduled job, or catching up after a restart).

Example::

    >>> config = load_environment_config("dev", overrides={"storage": {"root": str(tmp_path)}})
    >>> drain_pipeline(spark, config, credentials=None)  # doctest: +SKIP
"""
from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.streaming import StreamingQuery

from iot_streaming_pipeline.bronze import start_bronze_stream, to_bronze
from iot_streaming_pipeline.config import KafkaCredentials, PipelineConfig, kafka_source_options
from iot_streaming_pipeline.gold import start_gold_stream
from iot_streaming_pipeline.layout import PipelinePaths
from iot_streaming_pipeline.silver import SilverSettings, start_silver_stream
from iot_streaming_pipeline.tables import ensure_pipeline_tables


def silver_settings(config: PipelineConfig) -> SilverSettings:
    """The silver rules of ``config``; the writer id is stable per environment."""
    return SilverSettings(
        app_id=f"{config.environment}-silver",
        allowed_lateness_seconds=config.streaming.allowed_lateness_seconds,
        dedup_horizon_seconds=config.streaming.dedup_horizon_seconds,
        metric_ranges=config.metric_ranges,
        extension_fields=config.extension_fields,
    )


def kafka_stream(spark: SparkSession, config: PipelineConfig, credentials: KafkaCredentials | None) -> DataFrame:
    """The raw Kafka source of ``config`` (read_committed, maxOffsetsPerTrigger from the config)."""
    return spark.readStream.format("kafka").options(**kafka_source_options(config.kafka, credentials)).load()


def silver_source(spark: SparkSession, config: PipelineConfig,
                  credentials: KafkaCredentials | None) -> DataFrame | None:
    """What silver reads: the topic in the bronze layout (``silver_source: kafka``), or None for the bronze table."""
    if config.streaming.silver_source == "kafka":
        return to_bronze(kafka_stream(spark, config, credentials), config.environment)
    return None


def start_pipeline(spark: SparkSession, config: PipelineConfig, credentials: KafkaCredentials | None,
                   trigger_interval: str | None = None) -> list[StreamingQuery]:
    """Create missing tables, then start bronze, silver and gold with a processing-time trigger.

    ``trigger_interval`` overrides the configured intervals of all three (bronze's own included).

    With ``silver_source: kafka`` bronze and silver read the topic side by side, each with its own
    checkpoint.
    """
    paths = PipelinePaths.under(config.storage_root)
    interval = trigger_interval or config.streaming.trigger_interval
    bronze_interval = trigger_interval or config.streaming.bronze_trigger_interval
    ensure_pipeline_tables(spark, paths, config.extension_fields)
    return [
        start_bronze_stream(kafka_stream(spark, config, credentials), paths, config.environment, bronze_interval),
        start_silver_stream(spark, paths, silver_settings(config), interval,
                            source=silver_source(spark, config, credentials)),
        start_gold_stream(spark, paths, config.streaming.gold_window, config.streaming.allowed_lateness_seconds,
                          interval),
    ]


def drain_pipeline(spark: SparkSession, config: PipelineConfig, credentials: KafkaCredentials | None) -> None:
    """Run bronze, then silver, then gold with ``availableNow`` until each has caught up."""
    paths = PipelinePaths.under(config.storage_root)
    ensure_pipeline_tables(spark, paths, config.extension_fields)
    start_bronze_stream(kafka_stream(spark, config, credentials), paths, config.environment, None).awaitTermination()
    start_silver_stream(spark, paths, silver_settings(config), None,
                        source=silver_source(spark, config, credentials)).awaitTermination()
    start_gold_stream(spark, paths, config.streaming.gold_window, config.streaming.allowed_lateness_seconds,
                      None).awaitTermination()
