"""The generators as Spark DataFrames with explicit schemas, built from the same Python rows.

Each ``generate_*`` takes the SparkSession as its first argument and the same knobs as its
Python twin, so ``df.count()`` equals the iterator's length and the columns hold the same values.

Example::

    >>> readings = generate_sensor_readings(spark, n=1000, seed=42)  # doctest: +SKIP
    >>> readings.schema == SENSOR_READING_SCHEMA  # doctest: +SKIP
    True
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import (
    BooleanType,
    DataType,
    DateType,
    DoubleType,
    IntegerType,
    MapType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from catalog_tools.generators.common import DEFAULT_START
from catalog_tools.generators.events import raw_event_rows, sensor_event_messages
from catalog_tools.generators.faults import FaultCounts, FaultPlan
from catalog_tools.generators.inspection import iter_test_results
from catalog_tools.generators.machine_config import machine_config_changes
from catalog_tools.generators.plants import iter_plant_hierarchy
from catalog_tools.generators.production import iter_production_output
from catalog_tools.generators.sensors import iter_sensor_readings


def _schema(*columns: tuple[str, DataType, bool]) -> StructType:
    return StructType([StructField(name, data_type, nullable)
                       for name, data_type, nullable in columns])


def _strings(*names: str) -> list[tuple[str, DataType, bool]]:
    return [(name, StringType(), False) for name in names]


PLANT_HIERARCHY_SCHEMA = _schema(
    *_strings("division_id", "division_name", "site_id", "site_name", "plant_id", "plant_name",
              "country", "time_zone", "line_id", "machine_id", "machine_type", "manufacturer",
              "model", "serial_number"),
    ("installed_on", DateType(), False),
)
MACHINE_CONFIG_SCHEMA = _schema(
    *_strings("machine_id", "plant_id", "line_id", "machine_type", "firmware_version"),
    ("setpoint_temperature_c", DoubleType(), False),
    ("max_speed_rpm", IntegerType(), False),
    *_strings("control_mode", "owner_team"),
    ("changed_at", TimestampType(), False),
)
SENSOR_READING_SCHEMA = _schema(
    *_strings("event_id", "machine_id", "machine_type", "plant_id", "line_id", "firmware_version"),
    ("event_time", TimestampType(), False),
    ("temperature_c", DoubleType(), False),
    ("vibration_mm_s", DoubleType(), False),
    ("pressure_bar", DoubleType(), False),
    ("spindle_speed_rpm", DoubleType(), True),
    ("customExtension", MapType(StringType(), StringType(), valueContainsNull=False), False),
)
TEST_RESULT_SCHEMA = _schema(
    *_strings("test_id", "equipment_id", "machine_id", "plant_id", "product_id", "serial_number",
              "measurement", "unit"),
    ("measured_value", DoubleType(), False),
    ("lower_limit", DoubleType(), False),
    ("upper_limit", DoubleType(), False),
    ("passed", BooleanType(), False),
    ("tested_at", TimestampType(), False),
)
PRODUCTION_OUTPUT_SCHEMA = _schema(
    *_strings("output_id", "machine_id", "plant_id", "product_id"),
    ("shift_date", DateType(), False),
    ("shift_code", StringType(), False),
    ("shift_start", TimestampType(), False),
    ("planned_units", IntegerType(), False),
    ("good_units", IntegerType(), False),
    ("scrap_units", IntegerType(), False),
    ("produced_at", TimestampType(), False),
)
# sensor-events are RAW_EVENT_SCHEMA rows; the other datasets by their CLI name
SCHEMAS: dict[str, StructType] = {}
RAW_EVENT_SCHEMA = _schema(
    ("key", StringType(), True),
    ("value", StringType(), False),
    ("timestamp", TimestampType(), False),
)

SCHEMAS.update({
    "sensor-events": RAW_EVENT_SCHEMA, "sensor-readings": SENSOR_READING_SCHEMA,
    "plant-hierarchy": PLANT_HIERARCHY_SCHEMA, "machine-config": MACHINE_CONFIG_SCHEMA,
    "test-results": TEST_RESULT_SCHEMA, "production-output": PRODUCTION_OUTPUT_SCHEMA,
})


def rows_to_frame(spark: SparkSession, rows: Iterable[dict[str, Any]],
                  schema: StructType) -> DataFrame:
    """A DataFrame of ``rows`` (dicts) with exactly ``schema``, columns in the schema's order."""
    names = schema.fieldNames()
    return spark.createDataFrame([tuple(row[name] for name in names) for row in rows], schema)


def generate_plant_hierarchy(spark: SparkSession, seed: int, plants: int = 4,
                             lines_per_plant: int = 2, machines_per_line: int = 3) -> DataFrame:
    """:func:`.plants.iter_plant_hierarchy` as a DataFrame (``PLANT_HIERARCHY_SCHEMA``)."""
    rows = iter_plant_hierarchy(seed, plants, lines_per_plant, machines_per_line)
    return rows_to_frame(spark, rows, PLANT_HIERARCHY_SCHEMA)


def generate_machine_config_changes(spark: SparkSession, n: int, seed: int, out_of_order: int = 0,
                                    start: dt.datetime = DEFAULT_START, plants: int = 4,
                                    history_days: int = 90) -> DataFrame:
    """:func:`.machine_config.machine_config_changes` as a DataFrame (``MACHINE_CONFIG_SCHEMA``).

    The rows keep their delivery order only as long as Spark keeps the partition order; the
    out-of-order rows are defined by that order, so sort by ``changed_at`` where order matters.
    """
    batch = machine_config_changes(n, seed, out_of_order, start, plants, history_days)
    return rows_to_frame(spark, batch.rows, MACHINE_CONFIG_SCHEMA)


def generate_sensor_readings(spark: SparkSession, n: int, seed: int,
                             start: dt.datetime = DEFAULT_START, interval_ms: int = 200,
                             plants: int = 4, hot_machine_share: float = 0.0,
                             hot_machines: int = 2) -> DataFrame:
    """:func:`.sensors.iter_sensor_readings` as a DataFrame (``SENSOR_READING_SCHEMA``)."""
    rows = iter_sensor_readings(n, seed, start, interval_ms, plants, hot_machine_share,
                                hot_machines)
    return rows_to_frame(spark, rows, SENSOR_READING_SCHEMA)


def generate_test_results(spark: SparkSession, n: int, seed: int,
                          start: dt.datetime = DEFAULT_START, plants: int = 4) -> DataFrame:
    """:func:`.inspection.iter_test_results` as a DataFrame (``TEST_RESULT_SCHEMA``)."""
    return rows_to_frame(spark, iter_test_results(n, seed, start, plants), TEST_RESULT_SCHEMA)


def generate_production_output(spark: SparkSession, n: int, seed: int,
                               start: dt.datetime = DEFAULT_START, plants: int = 4) -> DataFrame:
    """:func:`.production.iter_production_output` as a DataFrame (``PRODUCTION_OUTPUT_SCHEMA``)."""
    rows = iter_production_output(n, seed, start, plants)
    return rows_to_frame(spark, rows, PRODUCTION_OUTPUT_SCHEMA)


def generate_raw_sensor_events(spark: SparkSession, n: int, seed: int,
                               faults: FaultPlan | None = None, start: dt.datetime = DEFAULT_START,
                               interval_ms: int = 200,
                               plants: int = 4) -> tuple[DataFrame, FaultCounts]:
    """The Kafka-shaped form of :func:`.events.sensor_event_messages`: key and value as text,
    the event-time ``timestamp`` (``RAW_EVENT_SCHEMA``), and the exact fault counts."""
    batch = sensor_event_messages(n, seed, faults, start, interval_ms, plants)
    return rows_to_frame(spark, raw_event_rows(batch.messages), RAW_EVENT_SCHEMA), batch.counts

