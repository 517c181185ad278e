"""Runbook docs/runbooks/rollback-bad-write.md, step by step: RESTORE to a version or a timestamp,
and what VACUUM does to the versions you can restore to."""
from __future__ import annotations

import pytest
from chispa import assert_df_equality
from pyspark.errors import PySparkException
from pyspark.sql import SparkSession

GOOD = [(1, "press-07", 71.5), (2, "press-07", 72.0), (3, "oven-02", 181.0)]
SCHEMA = "reading_id int, machine string, temperature_c double"


def table_with_a_bad_write(spark: SparkSession, path: str) -> None:
    """Version 0: good readings. Version 1: a deploy that wrote Fahrenheit over Celsius."""
    spark.createDataFrame(GOOD, SCHEMA).write.format("delta").save(path)
    spark.createDataFrame([(r, m, t * 9 / 5 + 32) for r, m, t in GOOD], SCHEMA) \
        .write.format("delta").mode("overwrite").save(path)


def test_restore_to_the_last_good_version_brings_back_its_rows_and_keeps_history(spark, tmp_path):
    path = str(tmp_path / "readings")
    table_with_a_bad_write(spark, path)

    # Step 1: find the last good version in the history
    history = spark.sql(f"DESCRIBE HISTORY delta.`{path}`").select("version", "operation").collect()
    assert [(row.version, row.operation) for row in history] == [(1, "WRITE"), (0, "WRITE")]

    # Step 2: RESTORE; Step 3: verify the content equals the good version
    restored = spark.sql(f"RESTORE TABLE delta.`{path}` TO VERSION AS OF 0").first()
    assert restored["num_restored_files"] >= 1
    assert_df_equality(spark.read.format("delta").load(path), spark.createDataFrame(GOOD, SCHEMA),
                       ignore_row_order=True)
    # the bad write is still in the history (version 1), the restore is version 2
    latest = spark.sql(f"DESCRIBE HISTORY delta.`{path}` LIMIT 1").first()
    assert (latest.version, latest.operation) == (2, "RESTORE")


def test_restore_to_a_timestamp_picks_the_version_that_was_current_then(spark, tmp_path):
    path = str(tmp_path / "readings")
    table_with_a_bad_write(spark, path)
    version_0_time = spark.sql(f"DESCRIBE HISTORY delta.`{path}`").where("version = 0").first().timestamp

    spark.sql(f"RESTORE TABLE delta.`{path}` TO TIMESTAMP AS OF '{version_0_time.isoformat()}'")

    assert_df_equality(spark.read.format("delta").load(path), spark.createDataFrame(GOOD, SCHEMA),
                       ignore_row_order=True)


def test_after_vacuum_removed_its_files_an_old_version_can_no_longer_be_restored(spark, tmp_path):
    path = str(tmp_path / "readings")
    table_with_a_bad_write(spark, path)
    # A retention of 0 hours, as someone "cleaning up" does; Delta refuses it unless this check is off.
    spark.conf.set("spark.databricks.delta.retentionDurationCheck.enabled", "false")
    try:
        spark.sql(f"VACUUM delta.`{path}` RETAIN 0 HOURS")
    finally:
        spark.conf.unset("spark.databricks.delta.retentionDurationCheck.enabled")

    with pytest.raises(PySparkException, match="Not all files from version 0 are available in file system"):
        spark.sql(f"RESTORE TABLE delta.`{path}` TO VERSION AS OF 0")
    # the history still lists version 0: only its data files are gone
    assert spark.sql(f"DESCRIBE HISTORY delta.`{path}`").where("version = 0").count() == 1


def test_vacuum_with_the_default_retention_is_refused_below_seven_days(spark, tmp_path):
    path = str(tmp_path / "readings")
    table_with_a_bad_write(spark, path)
    with pytest.raises(PySparkException, match="DELTA_VACUUM_RETENTION_PERIOD_TOO_SHORT|retention"):
        spark.sql(f"VACUUM delta.`{path}` RETAIN 1 HOURS")
