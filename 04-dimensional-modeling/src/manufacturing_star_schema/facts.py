"""Fact loads: transaction facts, incremental by watermark, CDC MERGE, periodic snapshot, aggregate fact.

Example::

    >>> facts, quarantine = build_sensor_reading_facts(readings_df, dim_machine_df)  # doctest: +SKIP
    >>> append_by_watermark(spark, facts, "/lake/fact_sensor_readings", "ingested_at")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from manufacturing_star_schema.errors import InvalidSpecError, MissingColumnsError
from manufacturing_star_schema.fact_keys import lookup_key_as_of
from manufacturing_star_schema.source_checks import split_by_rules
from manufacturing_star_schema.sql_identifiers import quoted

SENSOR_READING_COLUMNS = [
    "reading_id",
    "machine_id",
    "sensor_type",
    "event_ts",
    "reading_value",
    "ingested_at",
]


def date_key(column: str) -> F.Column:
    """``yyyymmdd`` as INT, the dim_date key of a date or timestamp column."""
    return F.date_format(F.col(column), "yyyyMMdd").cast("int")


def build_sensor_reading_facts(readings: DataFrame, dim_machine: DataFrame) -> tuple[DataFrame, DataFrame]:
    """Transaction fact rows (grain: one reading) keyed as of the event time; bad readings quarantined.

    Returns (facts, quarantine). ``rows in = facts + quarantine``; an unknown machine is NOT bad input:
    it gets ``machine_sk = -1`` (late-arriving dimension) and stays in the facts, with its
    ``machine_id``, until ``fact_rekey.rekey_unknown_members`` gives it the real key.
    """
    if not set(SENSOR_READING_COLUMNS) <= set(readings.columns):
        raise MissingColumnsError("readings", SENSOR_READING_COLUMNS, readings.columns)
    valid, quarantine = split_by_rules(
        readings.select(*SENSOR_READING_COLUMNS),
        {
            "null reading_id": F.col("reading_id").isNull(),
            "null machine_id": F.col("machine_id").isNull(),
            "null event_ts": F.col("event_ts").isNull(),
            "reading_value is NaN": F.isnan(F.col("reading_value")),
        },
    )
    keyed = lookup_key_as_of(valid, dim_machine, {"machine_id": "machine_id"}, "event_ts", "machine_sk")
    facts = keyed.select(
        "reading_id",
        "machine_sk",
        "machine_id",  # the natural key stays on the fact so that -1 rows can be re-keyed later
        date_key("event_ts").alias("date_key"),
        "sensor_type",
        "event_ts",
        "reading_value",
        "ingested_at",
        F.to_date("event_ts").alias("event_date"),
    )
    return facts, quarantine


def append_by_watermark(spark: SparkSession, rows: DataFrame, target_path: str, watermark_column: str) -> int:
    """Append the rows whose ``watermark_column`` is above the target's maximum; return rows appended.

    The watermark is read from the target itself, so a rerun appends nothing. A row that arrives with a
    watermark value at or below the maximum is skipped: use it for append-only sources with a monotonic
    column (ingestion time, offset), and ``merge_fact_cdc`` where rows can be corrected later.
    """
    if watermark_column not in rows.columns:
        raise MissingColumnsError("rows", [watermark_column], rows.columns)
    table = DeltaTable.forPath(spark, target_path)
    version_before = table.history(1).first()["version"]
    high = spark.read.format("delta").load(target_path).agg(F.max(watermark_column)).first()[0]
    fresh = rows if high is None else rows.filter(F.col(watermark_column) > F.lit(high))
    fresh.write.format("delta").mode("append").save(target_path)
    last = table.history(1).first()
    if last["version"] == version_before:  # nothing new: Delta committed nothing
        return 0
    return int(last["operationMetrics"].get("numOutputRows", 0))


def merge_fact_cdc(
    spark: SparkSession,
    changes: DataFrame,
    target_path: str,
    key: Sequence[str],
    sequence_column: str,
    operation_column: str = "op",
) -> dict[str, int]:
    """Apply a CDC feed (``op`` in I/U/D) to a fact table in one MERGE: latest sequence per key wins.

    A change with a sequence at or below the stored one is ignored (replays and reordering are safe);
    ``D`` deletes the fact row. The target carries ``sequence_column``.
    """
    needed = [*key, sequence_column, operation_column]
    if not set(needed) <= set(changes.columns):
        raise MissingColumnsError("changes", needed, changes.columns)
    unknown_ops = (
        changes.filter(~F.col(operation_column).isin("I", "U", "D")).select(operation_column).limit(5)
    )
    bad = [r[0] for r in unknown_ops.collect()]
    if bad:
        raise InvalidSpecError(f"{operation_column}: expected one of ['I', 'U', 'D'], got {bad}")
    latest = (
        changes.withColumn(
            "_rank", F.row_number().over(Window.partitionBy(*key).orderBy(F.col(sequence_column).desc()))
        )
        .filter("_rank = 1")
        .drop("_rank")
    )
    columns = [c for c in latest.columns if c != operation_column]
    on_key = " AND ".join(f"t.{quoted(k)} = s.{quoted(k)}" for k in key)
    newer = f"s.{quoted(sequence_column)} > t.{quoted(sequence_column)}"
    result = (
        DeltaTable.forPath(spark, target_path)
        .alias("t")
        .merge(latest.alias("s"), on_key)
        .whenMatchedDelete(condition=f"{newer} AND s.{quoted(operation_column)} = 'D'")
        .whenMatchedUpdate(condition=newer, set={quoted(c): f"s.{quoted(c)}" for c in columns})
        .whenNotMatchedInsert(
            condition=f"s.{quoted(operation_column)} <> 'D'",
            values={quoted(c): f"s.{quoted(c)}" for c in columns},
        )
        .execute()
    )
    return {k: int(v) for k, v in result.first().asDict().items()}


def daily_production_snapshot(
    production_events: DataFrame, machines: DataFrame, first_day: dt.date, last_day: dt.date
) -> DataFrame:
    """Periodic snapshot (grain: machine x production day), zero rows included for idle days.

    ``production_events``: machine_sk, production_date, units_produced, units_scrapped.
    ``machines``: machine_sk, plant_sk (one row per machine to report).
    """
    needed = ["machine_sk", "production_date", "units_produced", "units_scrapped"]
    if not set(needed) <= set(production_events.columns):
        raise MissingColumnsError("production events", needed, production_events.columns)
    if last_day < first_day:
        raise InvalidSpecError(f"expected first_day <= last_day, got {first_day} > {last_day}")
    days = production_events.sparkSession.sql(
        f"SELECT explode(sequence(DATE'{first_day}', DATE'{last_day}')) AS snapshot_date"
    )
    totals = production_events.groupBy("machine_sk", F.col("production_date").alias("snapshot_date")).agg(
        F.sum("units_produced").alias("units_produced"), F.sum("units_scrapped").alias("units_scrapped")
    )
    return (
        machines.select("machine_sk", "plant_sk")
        .crossJoin(days)
        .join(totals, ["machine_sk", "snapshot_date"], "left")
        .select(
            "machine_sk",
            "plant_sk",
            date_key("snapshot_date").alias("date_key"),
            "snapshot_date",
            F.coalesce("units_produced", F.lit(0)).cast("bigint").alias("units_produced"),
            F.coalesce("units_scrapped", F.lit(0)).cast("bigint").alias("units_scrapped"),
        )
    )


def write_snapshot_days(snapshot: DataFrame, target_path: str, first_day: dt.date, last_day: dt.date) -> None:
    """Replace exactly the days ``first_day..last_day`` (``replaceWhere``): reloading a day is idempotent."""
    (
        snapshot.write.format("delta")
        .mode("overwrite")
        .option("replaceWhere", f"snapshot_date >= '{first_day}' AND snapshot_date <= '{last_day}'")
        .save(target_path)
    )


def hourly_sensor_aggregate(sensor_facts: DataFrame) -> DataFrame:
    """Aggregate fact (grain: machine_sk x sensor_type x hour): count, min, max, avg of the readings."""
    needed = ["machine_sk", "sensor_type", "event_ts", "reading_value"]
    if not set(needed) <= set(sensor_facts.columns):
        raise MissingColumnsError("sensor facts", needed, sensor_facts.columns)
    return sensor_facts.groupBy(
        "machine_sk", "sensor_type", F.date_trunc("hour", "event_ts").alias("event_hour")
    ).agg(
        F.count(F.lit(1)).alias("readings"),
        F.min("reading_value").alias("min_value"),
        F.max("reading_value").alias("max_value"),
        F.avg("reading_value").alias("avg_value"),
    )
