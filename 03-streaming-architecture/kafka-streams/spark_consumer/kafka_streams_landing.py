"""Spark side of the Kafka Streams preprocessing: parse its JSON topics with explicit schemas, land them in Delta.

Two landings, both Structured Streaming queries over Spark's Kafka source with
``kafka.isolation.level=read_committed`` (the Kafka Streams app writes in exactly_once_v2
transactions; aborted records must never reach Delta):

* ``start_machine_minute_landing``: the machine-minute aggregates. The app emits the *current*
  total of a window on every update, so each micro-batch keeps the latest update per
  ``(machine_id, window_start)`` and MERGEs it into Delta; a replayed batch writes the same
  absolute totals again.
* ``start_envelope_landing``: the dead-letter and late topics in one query, appended to one
  table as they are (envelope fields as columns, the raw JSON, ``kafka_topic``), so every record
  the app refused can be counted and replayed.

A record that does not match the contract (its ``machine_id`` or ``window_start`` does not parse)
fails the batch with ``AggregateContractError``: the checkpoint does not advance, nothing is lost.

Example::

    query = start_machine_minute_landing(spark, {"kafka.bootstrap.servers": "broker:9092"},
                                         "iot.machine-minute-aggregates", "/lake/machine_minute",
                                         "/chk/machine_minute", available_now=True)
    query.awaitTermination()
"""
from __future__ import annotations

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery
from pyspark.sql.types import (
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

TIMESTAMP_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSSX"

MACHINE_MINUTE_SCHEMA = StructType([
    StructField("machine_id", StringType()),
    StructField("plant_id", StringType()),
    StructField("line_id", StringType()),
    StructField("machine_type", StringType()),
    StructField("site_id", StringType()),
    StructField("division_id", StringType()),
    StructField("manufacturer", StringType()),
    StructField("model", StringType()),
    StructField("window_start", TimestampType()),
    StructField("window_end", TimestampType()),
    StructField("event_count", LongType()),
    StructField("unknown_machine_events", LongType()),
    StructField("avg_temperature_c", DoubleType()),
    StructField("max_temperature_c", DoubleType()),
    StructField("avg_vibration_mm_s", DoubleType()),
    StructField("max_pressure_bar", DoubleType()),
    StructField("first_event_time", TimestampType()),
    StructField("last_event_time", TimestampType()),
])
"""The JSON that ``MachineMinuteJson.render`` writes (one window of one machine)."""

ENVELOPE_SCHEMA = StructType([
    StructField("reason", StringType()),
    StructField("stage", StringType()),
    StructField("source_topic", StringType()),
    StructField("source_partition", IntegerType()),
    StructField("source_offset", LongType()),
    StructField("source_timestamp", TimestampType()),
    StructField("key", StringType()),
    StructField("value", StringType()),
    StructField("value_encoding", StringType()),
    StructField("event_id", StringType()),
    StructField("event_time", TimestampType()),
    StructField("window_start", TimestampType()),
    StructField("window_end", TimestampType()),
    StructField("stream_time", TimestampType()),
    StructField("grace_ms", LongType()),
])
"""The envelope of ``DeadLetters.envelope``; the last six fields are only set on the late topic."""

KAFKA_COLUMNS = [StructField("kafka_partition", IntegerType()), StructField("kafka_offset", LongType())]
MACHINE_MINUTE_KEY = ("machine_id", "window_start")


class AggregateContractError(ValueError):
    """An aggregate record on the topic does not parse into ``MACHINE_MINUTE_SCHEMA``."""


def _kafka_stream(spark: SparkSession, kafka_options: dict[str, str], topics: list[str]) -> DataFrame:
    return (spark.readStream.format("kafka").options(**kafka_options)
            .option("subscribe", ",".join(topics)).option("startingOffsets", "earliest")
            .option("kafka.isolation.level", "read_committed").option("failOnDataLoss", "true").load())


def parse_machine_minute(kafka_rows: DataFrame) -> DataFrame:
    """Kafka rows -> one row per aggregate update, typed by ``MACHINE_MINUTE_SCHEMA``, plus partition and offset.

    ``value_parsed`` is false for a record that does not parse (its key columns are null).
    """
    parsed = F.from_json(F.col("value").cast("string"), MACHINE_MINUTE_SCHEMA,
                         {"timestampFormat": TIMESTAMP_FORMAT, "mode": "PERMISSIVE"})
    return (kafka_rows.select(parsed.alias("a"), F.col("partition").alias("kafka_partition"),
                              F.col("offset").alias("kafka_offset"))
            .select("a.*", "kafka_partition", "kafka_offset")
            .withColumn("value_parsed", F.col("machine_id").isNotNull() & F.col("window_start").isNotNull()))


def latest_update_per_window(updates: DataFrame) -> DataFrame:
    """Keep the last update (highest offset; one key always lives in one partition) of each window."""
    order = Window.partitionBy(*MACHINE_MINUTE_KEY).orderBy(F.col("kafka_offset").desc())
    return updates.withColumn("_rank", F.row_number().over(order)).where("_rank = 1").drop("_rank")


def create_machine_minute_table(spark: SparkSession, delta_path: str) -> None:
    """Create the Delta table the MERGE writes into, unless it exists."""
    (DeltaTable.createIfNotExists(spark).location(delta_path)
     .addColumns(StructType(MACHINE_MINUTE_SCHEMA.fields + KAFKA_COLUMNS)).execute())


def merge_machine_minute_batch(spark: SparkSession, batch: DataFrame, delta_path: str) -> None:
    """MERGE one micro-batch of aggregate updates; a later update (higher offset) wins over an earlier one."""
    unparsed = batch.where(~F.col("value_parsed")).select("kafka_partition", "kafka_offset").limit(5).collect()
    if unparsed:
        raise AggregateContractError(
            f"expected aggregate JSON with machine_id and window_start (MACHINE_MINUTE_SCHEMA), "
            f"got unparseable records at (partition, offset) {[tuple(r) for r in unparsed]}")
    updates = latest_update_per_window(batch.drop("value_parsed"))
    condition = " AND ".join(f"t.{column} = u.{column}" for column in MACHINE_MINUTE_KEY)
    (DeltaTable.forPath(spark, delta_path).alias("t").merge(updates.alias("u"), condition)
     .whenMatchedUpdateAll(condition="u.kafka_offset >= t.kafka_offset")
     .whenNotMatchedInsertAll().execute())


def start_machine_minute_landing(spark: SparkSession, kafka_options: dict[str, str], topic: str, delta_path: str,
                                 checkpoint: str, available_now: bool = False) -> StreamingQuery:
    """Start topic -> Delta MERGE; ``available_now=True`` drains what is there and stops (scheduled job)."""
    create_machine_minute_table(spark, delta_path)
    writer = (parse_machine_minute(_kafka_stream(spark, kafka_options, [topic])).writeStream
              .foreachBatch(lambda batch, _batch_id: merge_machine_minute_batch(spark, batch, delta_path))
              .option("checkpointLocation", checkpoint))
    writer = writer.trigger(availableNow=True) if available_now else writer.trigger(processingTime="10 seconds")
    return writer.start()


def parse_envelopes(kafka_rows: DataFrame) -> DataFrame:
    """Kafka rows of the dead-letter or late topic -> envelope columns + the raw JSON + Kafka coordinates."""
    text = F.col("value").cast("string")
    parsed = F.from_json(text, ENVELOPE_SCHEMA, {"timestampFormat": TIMESTAMP_FORMAT})
    return kafka_rows.select(parsed.alias("e"), text.alias("envelope_json"), F.col("topic").alias("kafka_topic"),
                             F.col("partition").alias("kafka_partition"), F.col("offset").alias("kafka_offset"),
                             F.col("timestamp").alias("kafka_timestamp")).select(
        "e.*", "envelope_json", "kafka_topic", "kafka_partition", "kafka_offset", "kafka_timestamp")


def start_envelope_landing(spark: SparkSession, kafka_options: dict[str, str], topics: list[str], delta_path: str,
                           checkpoint: str, available_now: bool = False) -> StreamingQuery:
    """Start topics -> one Delta table, appended (Delta's streaming sink: exactly once per batch with the checkpoint).

    Example: ``start_envelope_landing(spark, options, ["iot.sensor-events.dead-letter",
    "iot.sensor-events.late"], "/lake/preprocessing_refused", "/chk/refused")``.
    """
    writer = (parse_envelopes(_kafka_stream(spark, kafka_options, topics)).writeStream.format("delta")
              .outputMode("append").option("checkpointLocation", checkpoint))
    writer = writer.trigger(availableNow=True) if available_now else writer.trigger(processingTime="10 seconds")
    return writer.start(delta_path)
