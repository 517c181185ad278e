"""Land the plants' topic in 03's bronze and silver (and, for the reproduction, 03's gold).

Composition only: 03's ``ensure_pipeline_tables``, ``start_bronze_stream`` and
``start_silver_stream`` with ``availableNow`` (drain, then stop), one after the other, the way a
scheduled job runs them. Silver keeps 03's guarantees: malformed records quarantined with a reason,
re-sent events in the duplicates table, late events kept aside, each batch written once.

Example::

    paths = PipelinePaths.under(root)
    land_in_silver(spark, secured_kafka_stream(spark, config, topic), paths, silver_settings(pipeline_config), "dev")
"""
from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession

from iot_streaming_pipeline import (
    PipelinePaths,
    SilverSettings,
    ensure_pipeline_tables,
    start_bronze_stream,
    start_gold_stream,
    start_silver_stream,
)
from plant_case_studies.errors import CaseStudyInputError


def land_in_silver(spark: SparkSession, raw_kafka: DataFrame, paths: PipelinePaths, settings: SilverSettings,
                   environment: str) -> None:
    """Drain the topic into bronze, then bronze into silver (+ quarantine, duplicates, late_events)."""
    if not raw_kafka.isStreaming:
        raise CaseStudyInputError("expected a streaming DataFrame of the Kafka source, got a batch DataFrame")
    ensure_pipeline_tables(spark, paths, settings.extension_fields)
    start_bronze_stream(raw_kafka, paths, environment, None).awaitTermination()
    start_silver_stream(spark, paths, settings, None).awaitTermination()


def aggregate_gold_from_silver(spark: SparkSession, paths: PipelinePaths, window: str = "1 minute",
                               allowed_lateness_seconds: int = 600) -> None:
    """Drain 03's gold stage (per plant, machine and minute) from silver as it is, with no contract in between."""
    start_gold_stream(spark, paths, window, allowed_lateness_seconds, None).awaitTermination()
