"""Shared test helpers: the machine-configuration change feed schema and small readers."""

from __future__ import annotations

import datetime as dt

import pytest
from pyspark.sql import types as T

MACHINE_CHANGES = T.StructType(
    [
        T.StructField("machine_id", T.StringType()),
        T.StructField("line_id", T.StringType()),
        T.StructField("firmware", T.StringType()),
        T.StructField("max_rpm", T.IntegerType()),
        T.StructField("change_ts", T.TimestampType()),
    ]
)
MACHINE_ATTRIBUTES = T.StructType([f for f in MACHINE_CHANGES.fields if f.name != "change_ts"])


def ts(day: int, hour: int = 0) -> dt.datetime:
    """A change timestamp in March 2026 (naive datetimes are UTC: the session time zone is UTC)."""
    return dt.datetime(2026, 3, day, hour)


TINY_DATA_SETTINGS = {
    # AQE runs every shuffle stage as a job of its own (an SCD2 outcome count took 210 jobs and 29 s
    # with it, 21 jobs and 8 s without)
    "spark.sql.adaptive.enabled": "false",
    # every query here is new and reads a few rows: compiling generated Java code for each costs more
    # than interpreting it (the same results; Spark's own test suites run both modes)
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
}


@pytest.fixture(scope="session", autouse=True)
def _execution_settings_for_tiny_test_data(spark):
    """Execution settings for this folder's tests, which assert correctness on a few rows (see
    ``TINY_DATA_SETTINGS``). Run as scripts, the benchmark and the example keep Spark's defaults."""
    for key, value in TINY_DATA_SETTINGS.items():
        spark.conf.set(key, value)


@pytest.fixture
def changes(spark):
    """Build a machine-config change batch from tuples (machine_id, line_id, firmware, max_rpm, change_ts)."""

    def build(rows, schema=MACHINE_CHANGES):
        return spark.createDataFrame(rows, schema)

    return build


def history(spark, path, *columns):
    """The dimension as sorted tuples of the given columns."""
    ordered = ["machine_id", "valid_from"]
    return [
        tuple(r) for r in spark.read.format("delta").load(path).orderBy(*ordered).select(*columns).collect()
    ]


def outcome_counts(result) -> dict[str, int]:
    return {r["outcome"]: r["count"] for r in result.outcomes.groupBy("outcome").count().collect()}
