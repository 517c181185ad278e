"""What silver committed: one commit record per batch, the watermark a restart resumes from, the ledger.

Every silver batch appends to the silver table (an empty append when it has no silver rows) with
``userMetadata`` naming its writer, its batch id and the watermark it classified with. So the
silver table's own Delta history says which batch committed when, and a restart recovers the
watermark from the last commit plus the rows written since, without a per-batch audit table.
The ledger, ``rows in = silver + quarantine + late + duplicates`` per batch, is read back from the
four tables by ``silver_batch_id``: every row is counted where it is stored.

Example::

    >>> silver_commit_metadata("dev-silver", 7, None)
    '{"silver_app_id": "dev-silver", "silver_batch_id": 7, "watermark_before": null}'
    >>> committed_watermark_before(spark, paths.silver, "dev-silver", 8)  # doctest: +SKIP
    datetime.datetime(2026, 1, 5, 6, 31)
"""
from __future__ import annotations

import datetime as dt
import json

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from iot_streaming_pipeline.layout import PipelinePaths

DISPOSITIONS = ("silver", "quarantine", "late", "duplicate_in_batch", "duplicate_of_earlier")
COMMIT_METADATA_SCHEMA = "silver_app_id STRING, silver_batch_id BIGINT, watermark_before STRING"
RECENT_COMMITS = 100  # how far back in silver's history a restart looks for its writer's last commit


def silver_commit_metadata(app_id: str, batch_id: int, watermark_before: dt.datetime | None) -> str:
    """The ``userMetadata`` of a silver batch's commit (JSON)."""
    return json.dumps({"silver_app_id": app_id, "silver_batch_id": batch_id,
                       "watermark_before": watermark_before.isoformat() if watermark_before else None})


def silver_commit_log(spark: SparkSession, silver_path: str, limit: int | None = None) -> DataFrame:
    """The silver batches' commits in the table's history (the newest ``limit`` commits, or all).

    Columns: ``version``, ``committed_at``, ``silver_app_id``, ``silver_batch_id``,
    ``watermark_before``; commits without a silver batch's metadata (OPTIMIZE, a backfill) are left out.
    """
    table = DeltaTable.forPath(spark, silver_path)
    history = table.history(limit) if limit else table.history()
    fields = F.from_json("userMetadata", COMMIT_METADATA_SCHEMA)
    return (history.select("version", F.col("timestamp").alias("committed_at"), fields.alias("m"))
            .where(F.col("m.silver_app_id").isNotNull() & F.col("m.silver_batch_id").isNotNull())
            .select("version", "committed_at", "m.silver_app_id", "m.silver_batch_id",
                    F.to_timestamp("m.watermark_before").alias("watermark_before")))


def committed_watermark_before(spark: SparkSession, silver_path: str, app_id: str, batch_id: int) -> dt.datetime | None:
    """Max event time of the silver rows ``app_id`` committed before ``batch_id`` (None before any).

    From the writer's last commit before ``batch_id`` (its ``watermark_before``) and the silver rows
    of that batch and later; with no such commit in recent history, from all the writer's rows.
    """
    last = (silver_commit_log(spark, silver_path, RECENT_COMMITS)
            .where((F.col("silver_app_id") == app_id) & (F.col("silver_batch_id") < batch_id))
            .orderBy(F.col("silver_batch_id").desc()).first())
    rows = spark.read.format("delta").load(silver_path).where(
        (F.col("silver_app_id") == app_id) & (F.col("silver_batch_id") < batch_id))
    base = None
    if last is not None:
        base, rows = last.watermark_before, rows.where(F.col("silver_batch_id") >= last.silver_batch_id)
    written = rows.agg(F.max("event_time")).first()[0]
    return max((t for t in (base, written) if t is not None), default=None)


def visibility_latency(spark: SparkSession, silver_path: str) -> DataFrame:
    """One row per silver event: ``kafka_timestamp`` and ``latency_s``, its batch's commit time - produce time.

    The commit time is the silver table's commit of the batch that wrote the row (matched by
    writer and batch id in :func:`silver_commit_log`); the produce time is the Kafka record
    timestamp (``CreateTime``, stamped by the producer).
    """
    commits = silver_commit_log(spark, silver_path).select("silver_app_id", "silver_batch_id", "committed_at")
    return (spark.read.format("delta").load(silver_path).join(commits, ["silver_app_id", "silver_batch_id"])
            .select("kafka_timestamp",
                    ((F.unix_micros("committed_at") - F.unix_micros("kafka_timestamp")) / 1e6).alias("latency_s")))


def batch_ledger(spark: SparkSession, paths: PipelinePaths) -> DataFrame:
    """Rows per batch and disposition, read from where they are stored, plus ``rows_in``.

    One row per ``(silver_app_id, silver_batch_id)`` that stored anything.
    """
    def stored(path: str, disposition: F.Column) -> DataFrame:
        return spark.read.format("delta").load(path).select("silver_app_id", "silver_batch_id",
                                                            disposition.alias("disposition"))

    rows = (stored(paths.silver, F.lit("silver")).unionByName(stored(paths.quarantine, F.lit("quarantine")))
            .unionByName(stored(paths.late_events, F.lit("late")))
            .unionByName(stored(paths.duplicates, F.col("duplicate_of"))))
    per_batch = (rows.groupBy("silver_app_id", "silver_batch_id").pivot("disposition", list(DISPOSITIONS))
                 .count().na.fill(0, list(DISPOSITIONS)))
    return per_batch.withColumn("rows_in", sum((F.col(d) for d in DISPOSITIONS), F.lit(0)))


def ledger_totals(spark: SparkSession, paths: PipelinePaths) -> dict[str, int]:
    """Totals of :func:`batch_ledger` over every batch: ``rows_in`` and one count per disposition."""
    columns = ("rows_in", *DISPOSITIONS)
    totals = batch_ledger(spark, paths).agg(*[F.sum(c).alias(c) for c in columns]).first()
    return {c: int(totals[c] or 0) for c in columns}
