"""Shared test data: the sensor-readings contract, tiny inline batches, a job counter."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import DoubleType, StringType, StructField, StructType, TimestampType

FOLDER = Path(__file__).resolve().parents[1]
SENSOR_CONTRACT_PATH = FOLDER / "contracts" / "sensor_readings.yaml"
NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)

READING_SCHEMA = StructType([
    StructField("event_id", StringType()),
    StructField("machine_id", StringType()),
    StructField("event_time", TimestampType()),
    StructField("ingested_at", TimestampType()),
    StructField("temperature_c", DoubleType()),
    StructField("vibration_mm_s", DoubleType()),
    StructField("pressure_bar", DoubleType()),
    StructField("status", StringType()),
    StructField("firmware_version", StringType()),
])


def minutes(n: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


def reading(event_id: str | None, **overrides: Any) -> tuple:
    """A reading that passes every rule of the sensor contract, with ``overrides`` applied."""
    row = {"event_id": event_id, "machine_id": "M-0001", "event_time": minutes(0), "ingested_at": minutes(1),
           "temperature_c": 55.0, "vibration_mm_s": 2.5, "pressure_bar": 6.0, "status": "running",
           "firmware_version": "2.1.0"}
    row.update(overrides)
    return tuple(row[field.name] for field in READING_SCHEMA.fields)


def readings(spark: SparkSession, rows: list[tuple]) -> DataFrame:
    return spark.createDataFrame(rows, READING_SCHEMA)


def machines(spark: SparkSession, ids: tuple[str, ...] = ("M-0001", "M-0002", "M-0003")) -> DataFrame:
    return spark.createDataFrame([(machine_id, "P1") for machine_id in ids], "machine_id string, plant_id string")


def count_spark_jobs(spark: SparkSession, action: Callable[[], Any], group: str) -> tuple[Any, int]:
    """Run ``action`` in its own job group; return its value and how many Spark jobs it started."""
    context = spark.sparkContext
    context.setJobGroup(group, f"counting jobs of {group}")
    try:
        value = action()
    finally:
        context.setLocalProperty("spark.jobGroup.id", None)
    return value, len(context.statusTracker().getJobIdsForGroup(group))
