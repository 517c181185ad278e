"""Silver: one idempotent foreachBatch that sends every bronze row to exactly one place.

Each bronze row gets one ``disposition``:

* ``quarantine`` (not parseable or fails a rule) -> quarantine table, with the reason;
* ``duplicate_in_batch`` / ``duplicate_of_earlier`` (event id already seen within the dedup
  horizon, in this batch or in silver / late_events written by earlier batches) -> dropped, counted;
* ``late`` (older than the watermark) -> late_events table, never silently dropped;
* ``silver`` -> silver table.

The watermark of a row is ``max(event time committed by earlier batches, event time of earlier
offsets in the same Kafka partition) - allowed lateness``. Every write carries Delta's
``txnAppId``/``txnVersion`` (the batch id), so a batch replayed after a crash is skipped by Delta,
and every decision reads only what *earlier* batches wrote, so a replay classifies rows the same
way. The per-batch counts go to ``silver_audit``, where ``rows_in`` always equals the sum of the
dispositions.

Example::

    >>> settings = SilverSettings(app_id="dev-silver", allowed_lateness_seconds=600,
    ...                           dedup_horizon_seconds=3600, metric_ranges={"temperature_c": (-40.0, 400.0)},
    ...                           extension_fields={"tool_id": "string"})
    >>> query = start_silver_stream(spark, paths, settings, "2 seconds")  # doctest: +SKIP
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery

from iot_streaming_pipeline.errors import InvalidInputError
from iot_streaming_pipeline.layout import PipelinePaths
from iot_streaming_pipeline.validation import BRONZE_COLUMNS, parse_and_validate

DISPOSITIONS = ("silver", "quarantine", "late", "duplicate_in_batch", "duplicate_of_earlier")
AUDIT_COLUMNS = ("app_id", "batch_id", "rows_in", *DISPOSITIONS, "max_event_time", "silver_committed_at")


@dataclass(frozen=True)
class SilverSettings:
    """Rules of the silver step; ``app_id`` names the writer in Delta's transaction log."""

    app_id: str
    allowed_lateness_seconds: int
    dedup_horizon_seconds: int
    metric_ranges: dict[str, tuple[float, float]]
    extension_fields: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.app_id:
            raise InvalidInputError("app_id: expected a non-empty writer id, got ''")
        if self.allowed_lateness_seconds < 1 or self.dedup_horizon_seconds < self.allowed_lateness_seconds:
            raise InvalidInputError(
                "expected 1 <= allowed_lateness_seconds <= dedup_horizon_seconds, got "
                f"{self.allowed_lateness_seconds} and {self.dedup_horizon_seconds}"
            )


def _written_before(table: DataFrame, app_id: str, batch_id: int) -> DataFrame:
    """Rows written by any batch before ``batch_id`` of ``app_id`` (or by another writer)."""
    return table.where((F.col("silver_app_id") != app_id) | (F.col("silver_batch_id") < batch_id))


def classify_batch(spark: SparkSession, bronze_batch: DataFrame, batch_id: int, paths: PipelinePaths,
                   settings: SilverSettings) -> DataFrame:
    """Return the batch's rows, parsed, each with its ``disposition`` (see the module docstring)."""
    checked = parse_and_validate(bronze_batch, settings.metric_ranges, settings.extension_fields)
    checked = checked.withColumn("silver_app_id", F.lit(settings.app_id)).withColumn(
        "silver_batch_id", F.lit(batch_id).cast("long"))
    by_event = Window.partitionBy("event_id").orderBy("kafka_topic", "kafka_partition", "kafka_offset")
    valid = checked.where(F.col("quarantine_reason").isNull()).withColumn("_seen", F.row_number().over(by_event))

    min_time = valid.agg(F.min("event_time")).first()[0]
    horizon_start = (F.lit(min_time) - F.expr(f"INTERVAL {settings.dedup_horizon_seconds} SECONDS")
                     if min_time is not None else F.lit(None).cast("timestamp"))
    seen_ids = (
        _written_before(spark.read.format("delta").load(paths.silver), settings.app_id, batch_id)
        .where(F.col("event_time") >= horizon_start).select("event_id")
        .unionByName(_written_before(spark.read.format("delta").load(paths.late_events), settings.app_id, batch_id)
                     .where(F.col("event_time") >= horizon_start).select("event_id"))
        .distinct().withColumn("_seen_before", F.lit(True))
    )
    audit = spark.read.format("delta").load(paths.silver_audit)
    previous_max = (audit.where((F.col("app_id") != settings.app_id) | (F.col("batch_id") < batch_id))
                    .agg(F.max("max_event_time")).first()[0])

    by_offset = (Window.partitionBy("kafka_topic", "kafka_partition").orderBy("kafka_offset")
                 .rowsBetween(Window.unboundedPreceding, -1))
    lateness = F.expr(f"INTERVAL {settings.allowed_lateness_seconds} SECONDS")
    watermark_base = F.greatest(F.lit(previous_max).cast("timestamp"), F.max("event_time").over(by_offset))
    classified_valid = (
        valid.join(seen_ids, "event_id", "left")
        .withColumn("_watermark", watermark_base - lateness)
        .withColumn("disposition",
                    F.when(F.col("_seen") > 1, F.lit("duplicate_in_batch"))
                    .when(F.col("_seen_before").isNotNull(), F.lit("duplicate_of_earlier"))
                    .when(F.col("event_time") < F.col("_watermark"), F.lit("late"))
                    .otherwise(F.lit("silver")))
        .drop("_seen", "_seen_before", "_watermark")
    )
    quarantined = checked.where(F.col("quarantine_reason").isNotNull()).withColumn("disposition", F.lit("quarantine"))
    return quarantined.unionByName(classified_valid)


def _append_once(rows: DataFrame, path: str, app_id: str, batch_id: int) -> None:
    """Append with Delta's idempotent-write options: a second write of the same batch is skipped."""
    (rows.write.format("delta").mode("append")
     .option("txnAppId", app_id).option("txnVersion", batch_id).save(path))


def silver_columns(classified: DataFrame) -> DataFrame:
    """The silver table's columns (bronze bytes dropped, event date added for partitioning)."""
    return classified.drop("value", "quarantine_reason", "disposition").withColumn(
        "event_date", F.to_date("event_time"))


def quarantine_columns(classified: DataFrame) -> DataFrame:
    """The quarantine table's columns: raw bytes, Kafka position and the reason."""
    return classified.select(F.col("value").cast("string").alias("raw_value"), *BRONZE_COLUMNS[1:],
                             "quarantine_reason", "silver_app_id", "silver_batch_id")


def write_silver_batch(spark: SparkSession, bronze_batch: DataFrame, batch_id: int, paths: PipelinePaths,
                       settings: SilverSettings) -> dict[str, int]:
    """Classify one bronze micro-batch and write each disposition once; return the batch's counts."""
    bronze_batch = bronze_batch.persist()  # read the micro-batch once, however many actions follow
    classified = classify_batch(spark, bronze_batch, batch_id, paths, settings).persist()
    try:
        counts = {d: 0 for d in DISPOSITIONS}
        counts.update({row["disposition"]: row["count"] for row in classified.groupBy("disposition").count().collect()})
        if counts["quarantine"]:
            _append_once(quarantine_columns(classified.where("disposition = 'quarantine'")), paths.quarantine,
                         settings.app_id, batch_id)
        if counts["late"]:
            _append_once(silver_columns(classified.where("disposition = 'late'")), paths.late_events,
                         settings.app_id, batch_id)
        on_time = classified.where("disposition = 'silver'")
        max_event_time = on_time.agg(F.max("event_time")).first()[0] if counts["silver"] else None
        if counts["silver"]:
            _append_once(silver_columns(on_time), paths.silver, settings.app_id, batch_id)
        audit_row = {"app_id": settings.app_id, "batch_id": batch_id, "rows_in": sum(counts.values()), **counts,
                     "max_event_time": max_event_time, "silver_committed_at": dt.datetime.now()}
        _append_once(spark.createDataFrame([audit_row], audit_schema(spark)), paths.silver_audit,
                     settings.app_id, batch_id)
        return {"batch_id": batch_id, "rows_in": audit_row["rows_in"], **counts}  # committed_at left out: varies
    finally:
        classified.unpersist()
        bronze_batch.unpersist()


def audit_schema(spark: SparkSession):  # noqa: ANN201 - StructType
    """Schema of ``silver_audit``: one row per silver batch."""
    from pyspark.sql.types import LongType, StringType, StructField, StructType, TimestampType

    return StructType([StructField("app_id", StringType()), StructField("batch_id", LongType()),
                       StructField("rows_in", LongType())]
                      + [StructField(d, LongType()) for d in DISPOSITIONS]
                      + [StructField("max_event_time", TimestampType()),
                         StructField("silver_committed_at", TimestampType())])


def start_silver_stream(spark: SparkSession, paths: PipelinePaths, settings: SilverSettings,
                        trigger_interval: str | None, query_name: str = "silver") -> StreamingQuery:
    """Start bronze -> silver as a foreachBatch query; ``trigger_interval=None`` means availableNow."""
    def process(batch: DataFrame, batch_id: int) -> None:
        write_silver_batch(spark, batch, batch_id, paths, settings)

    writer = (spark.readStream.format("delta").load(paths.bronze).writeStream.queryName(query_name)
              .foreachBatch(process).option("checkpointLocation", paths.checkpoint(query_name)))
    writer = writer.trigger(availableNow=True) if trigger_interval is None else writer.trigger(
        processingTime=trigger_interval)
    return writer.start()
