"""Bronze: Kafka records as they arrived, plus where they came from and when they landed.

Append-only, partitioned by ingestion date, written by Delta's streaming sink (idempotent per
batch through the checkpoint). Nothing is parsed here, so nothing can be lost here.

Example::

    >>> raw = spark.readStream.format("kafka").options(**options).load()  # doctest: +SKIP
    >>> query = start_bronze_stream(raw, paths, "dev", "2 seconds")  # doctest: +SKIP
"""
from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery

from iot_streaming_pipeline.errors import InvalidInputError
from iot_streaming_pipeline.layout import PipelinePaths

KAFKA_COLUMNS = ("key", "value", "topic", "partition", "offset", "timestamp")


def to_bronze(raw_kafka: DataFrame, environment: str) -> DataFrame:
    """Map Spark's Kafka source columns to the bronze layout (value bytes untouched)."""
    missing = [c for c in KAFKA_COLUMNS if c not in raw_kafka.columns]
    if missing:
        raise InvalidInputError(f"expected Kafka source columns {list(KAFKA_COLUMNS)}, missing {missing}")
    ingested_at: Column = F.current_timestamp()
    return raw_kafka.select(
        F.col("key").alias("kafka_key"),
        F.col("value").alias("value"),
        F.col("topic").alias("kafka_topic"),
        F.col("partition").alias("kafka_partition"),
        F.col("offset").alias("kafka_offset"),
        F.col("timestamp").alias("kafka_timestamp"),
        ingested_at.alias("ingested_at"),
        F.to_date(ingested_at).alias("ingest_date"),
        F.lit(environment).alias("pipeline_environment"),
    )


def start_bronze_stream(raw_kafka: DataFrame, paths: PipelinePaths, environment: str,
                        trigger_interval: str | None, query_name: str = "bronze") -> StreamingQuery:
    """Start the Kafka -> bronze query; ``trigger_interval=None`` means availableNow (drain, then stop)."""
    writer = (
        to_bronze(raw_kafka, environment).writeStream.format("delta").queryName(query_name)
        .outputMode("append").partitionBy("ingest_date")
        .option("checkpointLocation", paths.checkpoint(query_name))
    )
    writer = writer.trigger(availableNow=True) if trigger_interval is None else writer.trigger(
        processingTime=trigger_interval)
    return writer.start(paths.bronze)
