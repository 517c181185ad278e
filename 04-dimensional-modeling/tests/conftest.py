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


@pytest.fixture(scope="session", autouse=True)
def _no_adaptive_execution_for_tiny_test_data(spark):
    """Adaptive query execution off for this folder's tests: they assert correctness on a few rows,
    and AQE runs every shuffle stage as a job of its own (an SCD2 outcome count took 210 jobs and
    29 s with it, 21 jobs and 8 s without). The benchmark keeps Spark's default (on)."""
    spark.conf.set("spark.sql.adaptive.enabled", "false")


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
