"""Runbook docs/runbooks/idempotent-backfill.md: replaceWhere rewrites exactly a date range;
running it twice changes nothing; rows outside the range are refused, not written."""
from __future__ import annotations

import datetime as dt

import pytest
from chispa import assert_df_equality
from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, SparkSession

SCHEMA = "reading_date date, machine string, readings long, avg_temperature_c double"
DAY = dt.date(2026, 3, 1)


def daily(spark: SparkSession, days: list[dt.date], avg: float) -> DataFrame:
    return spark.createDataFrame([(d, m, 100, avg) for d in days for m in ("press-07", "oven-02")], SCHEMA)


def backfill(spark: SparkSession, path: str, rows: DataFrame, first: dt.date, last: dt.date) -> None:
    """The runbook's one command: overwrite only first..last, in one commit."""
    (rows.write.format("delta").mode("overwrite")
     .option("replaceWhere", f"reading_date >= '{first}' AND reading_date <= '{last}'").save(path))


def test_a_backfill_replaces_exactly_its_date_range_and_a_second_run_changes_nothing(spark, tmp_path):
    path = str(tmp_path / "daily")
    days = [DAY + dt.timedelta(days=n) for n in range(5)]
    daily(spark, days, 70.0).write.format("delta").partitionBy("reading_date").save(path)
    # days 2..3 were computed from a sensor feed that has since been corrected
    corrected = daily(spark, days[1:3], 71.0)

    backfill(spark, path, corrected, days[1], days[2])
    once = spark.read.format("delta").load(path)
    expected = daily(spark, [days[0], *days[3:]], 70.0).union(corrected)
    assert_df_equality(once, expected, ignore_row_order=True)
    version_after_first = spark.sql(f"DESCRIBE HISTORY delta.`{path}` LIMIT 1").first().version

    backfill(spark, path, corrected, days[1], days[2])  # the job retried, or someone ran it again
    assert_df_equality(spark.read.format("delta").load(path), expected, ignore_row_order=True)
    assert spark.sql(f"DESCRIBE HISTORY delta.`{path}` LIMIT 1").first().version == version_after_first + 1
    assert spark.read.format("delta").load(path).count() == len(days) * 2


def test_a_backfill_with_rows_outside_its_range_is_refused_and_writes_nothing(spark, tmp_path):
    path = str(tmp_path / "daily")
    days = [DAY + dt.timedelta(days=n) for n in range(3)]
    daily(spark, days, 70.0).write.format("delta").partitionBy("reading_date").save(path)

    with pytest.raises(PySparkException, match="DELTA_REPLACE_WHERE_MISMATCH"):
        backfill(spark, path, daily(spark, days, 99.0), days[1], days[1])  # rows for three days, range of one
    assert_df_equality(spark.read.format("delta").load(path), daily(spark, days, 70.0), ignore_row_order=True)
