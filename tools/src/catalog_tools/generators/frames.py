"""The generators as Spark DataFrames with explicit schemas, built from the same Python rows.

Example::

    >>> readings = generate_sensor_readings(spark, n=1000, seed=42)  # doctest: +SKIP
    >>> readings.schema == SENSOR_READING_SCHEMA  # doctest: +SKIP
    True
"""
from __future__ import annotations

import datetime as dt

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.types import (
    BooleanType,
    DateType,
    DoubleType,
    IntegerType,
    MapType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from catalog_tools.generators.faults import FaultCounts, FaultPlan
from catalog_tools.generators.machine_config import machine_config_changes
from catalog_tools.generators.plants import iter_plant_hierarchy
from catalog_tools.generators.production import iter_production_output, iter_test_results
from catalog_tools.generators.sensors import DEFAULT_START, iter_sensor_readings, sensor_event_messages


def _schema(*fields: tuple[str, object, bool]) -> StructType:
    return StructType([StructField(name, data_type, nullable) for name, data_type, nullable in fields])


PLANT_HIERARCHY_SCHEMA = _schema(
    ("machine_id", StringType(), False), ("machine_type", StringType(), False), ("line_id", StringType(), False),
    ("division_id", StringType(), False), ("site_id", StringType(), False), ("plant_id", StringType(), False),
    ("plant_name", StringType(), False), ("country", StringType(), False), ("time_zone", StringType(), False),
)
MACHINE_CONFIG_SCHEMA = _schema(
    ("machine_id", StringType(), False), ("plant_id", StringType(), False), ("machine_type", StringType(), False),
    ("firmware_version", StringType(), False), ("setpoint_temperature_c", DoubleType(), False),
    ("max_speed_rpm", IntegerType(), False), ("control_mode", StringType(), False),
    ("owner_team", StringType(), False), ("status", StringType(), False), ("changed_at", TimestampType(), False),
)
SENSOR_READING_SCHEMA = _schema(
    ("event_id", StringType(), False), ("machine_id", StringType(), False), ("machine_type", StringType(), False),
    ("plant_id", StringType(), False), ("line_id", StringType(), False), ("firmware_version", StringType(), False),
    ("event_time", TimestampType(), False), ("temperature_c", DoubleType(), False),
    ("vibration_mm_s", DoubleType(), False), ("pressure_bar", DoubleType(), False),
    ("customExtension", MapType(StringType(), StringType(), valueContainsNull=False), False),
)
TEST_RESULT_SCHEMA = _schema(
    ("test_id", StringType(), False), ("equipment_id", StringType(), False), ("machine_id", StringType(), False),
    ("plant_id", StringType(), False), ("product_id", StringType(), False), ("serial_number", StringType(), False),
    ("measurement", StringType(), False), ("measured_value", DoubleType(), False),
    ("lower_limit", DoubleType(), False), ("upper_limit", DoubleType(), False), ("passed", BooleanType(), False),
    ("tested_at", TimestampType(), False),
)
PRODUCTION_OUTPUT_SCHEMA = _schema(
    ("output_id", StringType(), False), ("machine_id", StringType(), False), ("plant_id", StringType(), False),
    ("product_id", StringType(), False), ("shift_date", DateType(), False), ("shift_code", StringType(), False),
    ("planned_units", IntegerType(), False), ("good_units", IntegerType(), False),
    ("scrap_units", IntegerType(), False), ("reported_at", TimestampType(), False),
)
RAW_EVENT_SCHEMA = _schema(("key", StringType(), True), ("value", StringType(), False),
                           ("timestamp", TimestampType(), False))


def _frame(spark: SparkSession, rows: list[dict], schema: StructType) -> DataFrame:
    names = schema.fieldNames()
    return spark.createDataFrame([tuple(row[name] for name in names) for row in rows], schema)


def generate_plant_hierarchy(spark: SparkSession, plants: int = 4, lines_per_plant: int = 2,
                             machines_per_line: int = 3) -> DataFrame:
    rows = list(iter_plant_hierarchy(plants, lines_per_plant, machines_per_line))
    return _frame(spark, rows, PLANT_HIERARCHY_SCHEMA)


def generate_machine_config_changes(spark: SparkSession, n: int, seed: int, out_of_order: int = 0,
                                    start: dt.datetime = DEFAULT_START) -> DataFrame:
    return _frame(spark, machine_config_changes(n, seed, out_of_order, start).rows, MACHINE_CONFIG_SCHEMA)


def generate_sensor_readings(spark: SparkSession, n: int, seed: int, start: dt.datetime = DEFAULT_START,
                             hot_machine_share: float = 0.0, hot_machines: int = 2) -> DataFrame:
    rows = list(iter_sensor_readings(n, seed, start, hot_machine_share=hot_machine_share, hot_machines=hot_machines))
    return _frame(spark, rows, SENSOR_READING_SCHEMA)


def generate_test_results(spark: SparkSession, n: int, seed: int) -> DataFrame:
    return _frame(spark, list(iter_test_results(n, seed)), TEST_RESULT_SCHEMA)


def generate_production_output(spark: SparkSession, n: int, seed: int) -> DataFrame:
    return _frame(spark, list(iter_production_output(n, seed)), PRODUCTION_OUTPUT_SCHEMA)


def generate_raw_sensor_events(spark: SparkSession, n: int, seed: int,
                               faults: FaultPlan | None = None) -> tuple[DataFrame, FaultCounts]:
    """The Kafka-shaped form (key, value text, timestamp) of :func:`sensor_event_messages`."""
    batch = sensor_event_messages(n, seed, faults)
    rows = [
        {
            "key": m.key.decode() if m.key is not None else None,
            "value": m.value.decode("utf-8", errors="replace"),
            "timestamp": dt.datetime.fromtimestamp(m.timestamp_ms / 1000, tz=dt.UTC),
        }
        for m in batch.messages
    ]
    return _frame(spark, rows, RAW_EVENT_SCHEMA), batch.counts
