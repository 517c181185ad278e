"""Gold: per-plant, per-machine one-minute aggregates of silver, with a watermark, upserted by MERGE.

The aggregation runs in update mode, so every micro-batch emits the *current* totals of the
windows it touched; ``MERGE ... WHEN MATCHED UPDATE`` writes those absolute values, which makes a
replayed batch harmless. Silver has already routed late events away, so Spark's watermark never
drops a silver row here: the sum of ``event_count`` equals the number of silver rows.

One definition, :data:`GOLD_KEY`, is both what the aggregation groups by and what the MERGE
matches on. When the two differ (grouping by plant and machine but merging on machine alone), one
machine reported under two plant ids in the same minute gives two source rows for one target row,
and Delta fails that batch, and every restart, with
``DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE``.

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

GOLD_DIMENSIONS = ("plant_id", "machine_id")
"""Silver columns gold groups by as they are, beside the event-time window."""
GOLD_KEY = ("window_start", *GOLD_DIMENSIONS)
"""One gold row per key: the aggregation groups by it (window start + dimensions), the MERGE matches on it."""


def machine_window_aggregates(silver: DataFrame, window: str, allowed_lateness_seconds: int) -> DataFrame:
    """Group silver rows per plant, machine and ``window`` of event time, with a watermark."""
    needed = ("event_time", *GOLD_DIMENSIONS, "temperature_c", "vibration_mm_s", "pressure_bar")
    missing = [c for c in needed if c not in silver.columns]
    if missing:
        raise InvalidInputError(f"expected silver columns {list(needed)}, missing {missing}")
    return (
        silver.withWatermark("event_time", f"{allowed_lateness_seconds} seconds")
        .groupBy(F.window("event_time", window).alias("window"), *GOLD_DIMENSIONS)
        .agg(F.count("*").alias("event_count"),
             F.round(F.avg("temperature_c"), 3).alias("avg_temperature_c"),
             F.max("temperature_c").alias("max_temperature_c"),
             F.round(F.avg("vibration_mm_s"), 3).alias("avg_vibration_mm_s"),
             F.max("pressure_bar").alias("max_pressure_bar"))
        .select(F.col("window.start").alias("window_start"), F.col("window.end").alias("window_end"),
                *GOLD_DIMENSIONS, "event_count", "avg_temperature_c", "max_temperature_c",
                "avg_vibration_mm_s", "max_pressure_bar")
    )


def gold_merge_condition() -> str:
    """The MERGE condition of gold: every column of :data:`GOLD_KEY`, the aggregation's own key.

    Null-safe (``<=>``): an event without a plant id is grouped under a null plant, and its gold
    row must be matched again by the next batch, not inserted a second time.

    Example::

        >>> gold_merge_condition().split(" AND ")[1]
        'gold.plant_id <=> updates.plant_id'
    """
    return " AND ".join(f"gold.{k} <=> updates.{k}" for k in GOLD_KEY)


def upsert_gold_batch(spark: SparkSession, updates: DataFrame, gold_path: str) -> None:
    """MERGE the batch's window totals into gold on :data:`GOLD_KEY` (window start, plant, machine)."""
    missing = [k for k in GOLD_KEY if k not in updates.columns]
    if missing:
        raise InvalidInputError(f"expected gold key columns {list(GOLD_KEY)} in the updates, missing {missing}")
    condition = gold_merge_condition()
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
