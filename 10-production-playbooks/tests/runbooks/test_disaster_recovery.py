"""Runbook docs/runbooks/disaster-recovery.md: back up a streamed table together with its checkpoint,
lose both, restore both, and the stream continues with no loss and no duplicates.

Delta Lake OSS 4.0 has no DEEP CLONE (the SQL does not parse) and its SHALLOW CLONE keeps pointing
at the source's data files; the test shows both, then backs up by copying the stopped table's
folder (data files and ``_delta_log``) and its checkpoint, which is what a deep clone copies.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pyspark.errors import ParseException
from pyspark.sql import SparkSession


def append_readings(spark: SparkSession, bronze: str, first: int, last: int) -> None:
    spark.range(first, last + 1).selectExpr("id AS reading_id", "CAST(20 + id AS DOUBLE) AS temperature_c") \
        .write.format("delta").mode("append").save(bronze)


def run_silver_stream(spark: SparkSession, bronze: str, silver: str, checkpoint: Path) -> None:
    """Bronze -> silver, everything available, then stop (the pipeline between two runs)."""
    (spark.readStream.format("delta").load(bronze)
     .writeStream.format("delta").option("checkpointLocation", str(checkpoint))
     .trigger(availableNow=True).start(silver).awaitTermination(180))


def reading_ids(spark: SparkSession, path: str) -> list[int]:
    return sorted(row.reading_id for row in spark.read.format("delta").load(path).collect())


def test_deep_clone_is_not_in_delta_oss_and_a_shallow_clone_still_reads_the_source_files(spark, tmp_path):
    source = str(tmp_path / "silver")
    append_readings(spark, source, 0, 4)

    with pytest.raises(ParseException, match="PARSE_SYNTAX_ERROR"):
        spark.sql(f"CREATE TABLE delta.`{tmp_path / 'deep'}` DEEP CLONE delta.`{source}`")

    shallow = str(tmp_path / "shallow")
    spark.sql(f"CREATE TABLE delta.`{shallow}` SHALLOW CLONE delta.`{source}`")
    files = spark.read.format("delta").load(shallow).inputFiles()
    assert files and all(str(Path(source).resolve()) in f for f in files)  # not a backup: same files


def test_a_table_and_its_checkpoint_restored_together_continue_with_no_loss_and_no_duplicates(spark, tmp_path):
    bronze, silver, checkpoint = str(tmp_path / "bronze"), str(tmp_path / "silver"), tmp_path / "checkpoint"
    append_readings(spark, bronze, 0, 9)
    run_silver_stream(spark, bronze, silver, checkpoint)

    # Step 1-2: the stream is stopped between runs; copy the table folder and the checkpoint together
    backup = tmp_path / "backup"
    shutil.copytree(silver, backup / "silver")
    shutil.copytree(checkpoint, backup / "checkpoint")
    history = [row.version for row in spark.sql(f"DESCRIBE HISTORY delta.`{silver}`").collect()]

    # The disaster: table and checkpoint are gone; meanwhile bronze receives readings 10..14
    shutil.rmtree(silver)
    shutil.rmtree(checkpoint)
    append_readings(spark, bronze, 10, 14)

    # Step 3-4: restore both to their paths; verify the table before starting the stream
    shutil.copytree(backup / "silver", silver)
    shutil.copytree(backup / "checkpoint", checkpoint)
    assert [row.version for row in spark.sql(f"DESCRIBE HISTORY delta.`{silver}`").collect()] == history
    assert reading_ids(spark, silver) == list(range(10))

    # Step 5: restart; the stream picks up exactly where the backup's checkpoint stopped
    run_silver_stream(spark, bronze, silver, checkpoint)
    assert reading_ids(spark, silver) == list(range(15))


def test_a_table_restored_without_its_checkpoint_gets_every_row_again_from_a_new_one(spark, tmp_path):
    bronze, silver = str(tmp_path / "bronze"), str(tmp_path / "silver")
    append_readings(spark, bronze, 0, 9)
    run_silver_stream(spark, bronze, silver, tmp_path / "checkpoint")

    # what goes wrong when only the table was backed up: a new checkpoint starts from the beginning
    run_silver_stream(spark, bronze, silver, tmp_path / "checkpoint-new")
    assert reading_ids(spark, silver) == sorted([*range(10), *range(10)])
