"""The dimensional load for one logical date: the machine dimension as SCD type 2 (a changed line or
firmware closes the current row and opens a new one), then the hourly fact keyed by the
dimension row current on that date. Both steps give the same tables when a date runs again.

Example::

    load_machine_dimension(spark, paths.machines_landing, paths.dim_machine, day)
    load_machine_hourly_fact(spark, paths.gold, paths.dim_machine, paths.fact_machine_hourly, day)
"""
from __future__ import annotations

from datetime import date

from delta.tables import DeltaTable
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import (
    BooleanType,
    DateType,
    LongType,
    StringType,
    StructField,
    StructType,
)

from enterprise_integration.orchestration.plant_etl import plain_date, replace_date_partition

MACHINE_SNAPSHOT_SCHEMA = StructType([
    StructField("machine_id", StringType()),
    StructField("line_id", StringType()),
    StructField("firmware", StringType()),
])

DIM_MACHINE_SCHEMA = StructType([
    StructField("machine_sk", LongType(), nullable=False),
    StructField("machine_id", StringType(), nullable=False),
    StructField("line_id", StringType()),
    StructField("firmware", StringType()),
    StructField("valid_from", DateType(), nullable=False),
    StructField("valid_to", DateType()),
    StructField("is_current", BooleanType(), nullable=False),
])


def load_machine_dimension(spark: SparkSession, machines_landing: str, dim_path: str, day: date) -> int:
    """Apply the date's machine master snapshot (``<landing>/date=YYYY-MM-DD/*.json``) as SCD2 rows
    valid from the date; returns the number of new dimension rows (0 when nothing changed)."""
    day = plain_date(day)
    if not DeltaTable.isDeltaTable(spark, dim_path):
        spark.createDataFrame([], DIM_MACHINE_SCHEMA).write.format("delta").mode("ignore").save(dim_path)
    snapshot = (
        spark.read.schema(MACHINE_SNAPSHOT_SCHEMA).option("pathGlobFilter", "*.json")
        .json(f"{machines_landing}/date={day.isoformat()}")
        .dropDuplicates(["machine_id"])
    )
    dim = spark.read.format("delta").load(dim_path)
    current = dim.where("is_current")
    changed = snapshot.alias("s").join(current.alias("d"), "machine_id", "left").where(
        F.col("d.machine_sk").isNull()
        | ~F.col("s.line_id").eqNullSafe(F.col("d.line_id"))
        | ~F.col("s.firmware").eqNullSafe(F.col("d.firmware"))
    ).where(F.col("d.valid_from").isNull() | (F.col("d.valid_from") < F.lit(day))).select("s.*").collect()
    if not changed:
        return 0
    next_sk = (dim.agg(F.max("machine_sk")).first()[0] or 0) + 1
    opened = [
        (next_sk + i, r.machine_id, r.line_id, r.firmware, day, None, True)
        for i, r in enumerate(sorted(changed, key=lambda r: r.machine_id))
    ]
    # one MERGE: close the current rows of changed machines and insert their new rows
    staged = spark.createDataFrame(opened, DIM_MACHINE_SCHEMA)
    updates = staged.select(F.col("machine_id").alias("merge_key"), "*").unionByName(
        staged.select(F.lit(None).cast("string").alias("merge_key"), "*")
    )
    (
        DeltaTable.forPath(spark, dim_path).alias("d")
        .merge(updates.alias("u"), "d.machine_id = u.merge_key AND d.is_current")
        .whenMatchedUpdate(set={"valid_to": "u.valid_from", "is_current": "false"})
        .whenNotMatchedInsert(
            condition="u.merge_key IS NULL",
            values={c: f"u.{c}" for c in DIM_MACHINE_SCHEMA.fieldNames()},
        )
        .execute()
    )
    return len(opened)


def load_machine_hourly_fact(spark: SparkSession, gold_path: str, dim_path: str, fact_path: str, day: date) -> int:
    """Replace the date's fact rows: gold hourly rows with the machine_sk valid on the date
    (-1 when the machine is not in the dimension yet); returns rows written."""
    dim = spark.read.format("delta").load(dim_path).where(
        (F.col("valid_from") <= F.lit(day)) & (F.col("valid_to").isNull() | (F.col("valid_to") > F.lit(day)))
    )
    fact = (
        spark.read.format("delta").load(gold_path).where(F.col("reading_date") == F.lit(day))
        .join(dim.select("machine_id", "machine_sk"), "machine_id", "left")
        .select(F.coalesce("machine_sk", F.lit(-1).cast("long")).alias("machine_sk"), "reading_date", "hour",
                "sensor", "min_value", "avg_value", "max_value", "readings")
    )
    return replace_date_partition(spark, fact, fact_path, day)
