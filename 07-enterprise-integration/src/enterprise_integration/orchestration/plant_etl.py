"""The manufacturing ETL's steps for one logical date: landing JSON -> bronze -> silver -> gold.
Each step replaces exactly its date's partition (Delta ``replaceWhere``), so running a date again,
or backfilling it, gives the same tables.

Example::

    day = date(2026, 12, 3)
    if sensor_files_arrived(landing_root, day):
        ingest_bronze(spark, landing_root, paths.bronze, day)
        build_silver(spark, paths.bronze, paths.silver, paths.silver_quarantine, day)
        aggregate_gold(spark, paths.silver, paths.gold, day)
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, StringType, StructField, StructType, TimestampType

READING_SCHEMA = StructType([
    StructField("machine_id", StringType()),
    StructField("sensor", StringType()),
    StructField("ts", TimestampType()),
    StructField("value", DoubleType()),
])


@dataclass(frozen=True)
class LakePaths:
    """Table locations under one lake root (a local folder here, a Unity Catalog volume or
    cloud path on a workspace)."""

    root: str

    def __post_init__(self) -> None:
        if not self.root:
            raise ValueError("expected a lake root (folder or URI), got an empty string")

    @property
    def landing(self) -> str:
        return f"{self.root}/landing/sensor_readings"

    @property
    def machines_landing(self) -> str:
        return f"{self.root}/landing/machines"

    @property
    def bronze(self) -> str:
        return f"{self.root}/bronze/sensor_readings"

    @property
    def silver(self) -> str:
        return f"{self.root}/silver/sensor_readings"

    @property
    def silver_quarantine(self) -> str:
        return f"{self.root}/silver/sensor_readings_quarantine"

    @property
    def gold(self) -> str:
        return f"{self.root}/gold/machine_hourly"

    @property
    def dim_machine(self) -> str:
        return f"{self.root}/gold/dim_machine"

    @property
    def fact_machine_hourly(self) -> str:
        return f"{self.root}/gold/fact_machine_hourly"


@dataclass(frozen=True)
class SilverCounts:
    """Bronze rows of the date in = silver rows written + rows quarantined (with their reason)."""

    rows_in: int
    rows_written: int
    rows_quarantined: int


def plain_date(day: date) -> date:
    """The date as a ``datetime.date`` (Airflow hands out pendulum dates, which Spark's
    DataFrame builder rejects)."""
    return date(day.year, day.month, day.day)


def landing_partition(landing_root: str, day: date) -> str:
    """The landing folder of one date: ``<root>/date=YYYY-MM-DD``."""
    return f"{landing_root}/date={day.isoformat()}"


def sensor_files_arrived(landing_root: str, day: date) -> bool:
    """True when the date's landing folder holds its ``_SUCCESS`` marker (the uploader writes it last)."""
    return (Path(landing_partition(landing_root, day)) / "_SUCCESS").is_file()


def ingest_bronze(spark: SparkSession, landing_root: str, bronze_path: str, day: date) -> int:
    """Replace the date's bronze partition with the date's landing files (JSON lines); rows written."""
    readings = (
        spark.read.schema(READING_SCHEMA).option("pathGlobFilter", "*.json")
        .json(landing_partition(landing_root, day))
        .withColumn("reading_date", F.lit(day))
        .withColumn("source_file", F.col("_metadata.file_path"))
    )
    return replace_date_partition(spark, readings, bronze_path, day)


def build_silver(
    spark: SparkSession, bronze_path: str, silver_path: str, quarantine_path: str, day: date
) -> SilverCounts:
    """Valid, deduplicated readings of the date to silver; the rest to quarantine with a reason."""
    bronze = spark.read.format("delta").load(bronze_path).where(F.col("reading_date") == F.lit(day))
    first = Window.partitionBy("machine_id", "sensor", "ts").orderBy("source_file")
    checked = bronze.withColumn("_n", F.row_number().over(first)).withColumn(
        "reason",
        F.when(F.col("machine_id").isNull() | F.col("ts").isNull(), F.lit("missing machine_id or ts"))
        .when(F.col("value").isNull() | F.isnan("value"), F.lit("missing or NaN value"))
        .when(F.col("_n") > 1, F.lit("duplicate reading (machine_id, sensor, ts)")),
    ).drop("_n")
    written = replace_date_partition(spark, checked.where(F.col("reason").isNull()).drop("reason"), silver_path, day)
    quarantined = replace_date_partition(spark, checked.where(F.col("reason").isNotNull()), quarantine_path, day)
    return SilverCounts(written + quarantined, written, quarantined)


def aggregate_gold(spark: SparkSession, silver_path: str, gold_path: str, day: date) -> int:
    """Hourly min/avg/max/count per machine and sensor for the date; rows written."""
    hourly = (
        spark.read.format("delta").load(silver_path).where(F.col("reading_date") == F.lit(day))
        .groupBy("reading_date", "machine_id", "sensor", F.date_trunc("hour", "ts").alias("hour"))
        .agg(F.min("value").alias("min_value"), F.avg("value").alias("avg_value"),
             F.max("value").alias("max_value"), F.count("*").alias("readings"))
    )
    return replace_date_partition(spark, hourly, gold_path, day)


def partition_has_rows(spark: SparkSession, table_path: str, day: date) -> bool:
    """True when the Delta table exists and holds rows for the date (a sensor between two DAGs)."""
    if not DeltaTable.isDeltaTable(spark, table_path):
        return False
    table = spark.read.format("delta").load(table_path)
    return not table.where(F.col("reading_date") == F.lit(day)).limit(1).isEmpty()


def replace_date_partition(spark: SparkSession, frame: DataFrame, table_path: str, day: date) -> int:
    """Overwrite only the date's partition (Delta ``replaceWhere``) and return the rows written,
    read from the commit's own metrics instead of counting the table again."""
    (
        frame.write.format("delta").mode("overwrite")
        .option("replaceWhere", f"reading_date = '{day.isoformat()}'")
        .partitionBy("reading_date")
        .save(table_path)
    )
    metrics = DeltaTable.forPath(spark, table_path).history(1).select("operationMetrics").first()[0]
    return int(metrics.get("numOutputRows", "0"))
