"""Gold: per-machine one-minute aggregates of silver, with a watermark, upserted by MERGE.

The aggregation runs in update mode, so every micro-batch emits the *current* totals of the
windows it touched; ``MERGE ... WHEN MATCHED UPDATE`` writes those absolute values, which makes a
replayed batch harmless. Silver has already routed late events away, so Spark's watermark never
drops a silver row here: the sum of ``event_count`` equals the number of silver rows.

Example::

    >>> query = start_gold_stream(spark, paths, "1 minute", 600, "2 seconds")  # doctest: +SKIP
"""
from __future__ import annotations

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery

from iot_streaming_pipeline.errors import InvalidInputError
from iot_streaming_pipeline.layout import PipelinePaths

GOLD_KEY = ("machine_id", "window_start")


def machine_window_aggregates(silver: DataFrame, window: str, allowed_lateness_seconds: int) -> DataFrame:
    """Group silver rows per plant, machine and ``window`` of event time, with a watermark."""
    missing = [c for c in ("event_time", "plant_id", "machine_id", "temperature_c") if c not in silver.columns]
    if missing:
        raise InvalidInputError(f"expected silver columns event_time, plant_id, machine_id, temperature_c, "
                                f"missing {missing}")
    return (
        silver.withWatermark("event_time", f"{allowed_lateness_seconds} seconds")
        .groupBy(F.window("event_time", window).alias("window"), "plant_id", "machine_id")
        .agg(F.count("*").alias("event_count"),
             F.round(F.avg("temperature_c"), 3).alias("avg_temperature_c"),
             F.max("temperature_c").alias("max_temperature_c"),
             F.round(F.avg("vibration_mm_s"), 3).alias("avg_vibration_mm_s"),
             F.max("pressure_bar").alias("max_pressure_bar"))
        .select(F.col("window.start").alias("window_start"), F.col("window.end").alias("window_end"),
                "plant_id", "machine_id", "event_count", "avg_temperature_c", "max_temperature_c",
                "avg_vibration_mm_s", "max_pressure_bar")
    )


def upsert_gold_batch(spark: SparkSession, updates: DataFrame, gold_path: str) -> None:
    """MERGE the batch's window totals into gold on (machine_id, window_start)."""
    condition = " AND ".join(f"gold.{k} = updates.{k}" for k in GOLD_KEY)
    (DeltaTable.forPath(spark, gold_path).alias("gold").merge(updates.alias("updates"), condition)
     .whenMatchedUpdateAll().whenNotMatchedInsertAll().execute())


def start_gold_stream(spark: SparkSession, paths: PipelinePaths, window: str, allowed_lateness_seconds: int,
                      trigger_interval: str | None, query_name: str = "gold") -> StreamingQuery:
    """Start silver -> gold (update mode, MERGE per batch); ``trigger_interval=None`` means availableNow."""
    aggregates = machine_window_aggregates(spark.readStream.format("delta").load(paths.silver), window,
                                           allowed_lateness_seconds)
    writer = (aggregates.writeStream.queryName(query_name).outputMode("update")
              .foreachBatch(lambda batch, _batch_id: upsert_gold_batch(spark, batch, paths.gold))
              .option("checkpointLocation", paths.checkpoint(query_name)))
    writer = writer.trigger(availableNow=True) if trigger_interval is None else writer.trigger(
        processingTime=trigger_interval)
    return writer.start()
