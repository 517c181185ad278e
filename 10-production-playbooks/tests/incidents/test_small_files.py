"""Many tiny files in a Delta table; OPTIMIZE and auto-compaction bring the count down, content unchanged.

Small files raise no error, so the symptom is the table's own numbers: ``DESCRIBE DETAIL`` read by
``delta_file_health``, whose WARN line is what a scheduled health check logs and what the
diagnoser recognises. How much faster reads get is measured by
``benchmarks/small_files_benchmark.py``, not here.
"""
from __future__ import annotations

import pytest
from chispa import assert_df_equality
from delta.tables import DeltaTable
from helpers import capture_incident_log
from pyspark.sql import SparkSession

from production_playbooks import diagnose_text
from production_playbooks.file_health import delta_file_health

SMALL_FILES = 24


def hourly_readings(spark: SparkSession, hours: int = SMALL_FILES):
    """One day of readings, written the way a too-wide job writes them: one tiny file per hour."""
    return spark.range(hours * 10).selectExpr("id AS reading_id", "CAST(id DIV 10 AS INT) AS hour",
                                               "CAST(20 + id % 7 AS DOUBLE) AS temperature_c").repartition(hours)


def test_small_files_are_reproduced_diagnosed_and_fixed_by_optimize_with_equal_content(spark, tmp_path):
    path = str(tmp_path / "readings")
    hourly_readings(spark).write.format("delta").save(path)

    # 1. The symptom: 24 files of a few hundred bytes each.
    before = delta_file_health(spark, path)
    assert (before.num_files, before.has_small_files) == (SMALL_FILES, True)
    log = capture_incident_log("small-files", "file-health-check", before.report_line() + "\n", tmp_path)
    assert diagnose_text(log).incident_id == "small-files"

    # 2. The fix: OPTIMIZE rewrites them into one file; the data is the same, row for row.
    metrics = DeltaTable.forPath(spark, path).optimize().executeCompaction().first()["metrics"]
    assert (metrics["numFilesRemoved"], metrics["numFilesAdded"]) == (SMALL_FILES, 1)
    after = delta_file_health(spark, path)
    assert (after.num_files, after.has_small_files) == (1, False)
    assert_df_equality(spark.read.format("delta").option("versionAsOf", 0).load(path),
                       spark.read.format("delta").load(path), ignore_row_order=True)


def test_auto_compaction_keeps_an_appending_table_from_accumulating_small_files(spark, tmp_path):
    path = str(tmp_path / "readings")
    spark.createDataFrame([], "reading_id long, hour int, temperature_c double").write.format("delta") \
        .option("delta.autoOptimize.autoCompact", "true").save(path)
    spark.conf.set("spark.databricks.delta.autoCompact.minNumFiles", "4")
    try:
        for hour in range(8):  # eight small appends, as a micro-batch job makes them
            hourly_readings(spark, 1).selectExpr("reading_id + " + str(hour * 10) + " AS reading_id",
                                                 f"{hour} AS hour", "temperature_c") \
                .write.format("delta").mode("append").save(path)
    finally:
        spark.conf.unset("spark.databricks.delta.autoCompact.minNumFiles")
    health = delta_file_health(spark, path, max_small_files=4)
    assert health.num_files < 8 and not health.has_small_files
    assert spark.read.format("delta").load(path).count() == 80
    history = DeltaTable.forPath(spark, path).history().where("operation = 'OPTIMIZE'").collect()
    assert history and all(row["operationParameters"]["auto"] == "true" for row in history)


@pytest.mark.bench
def test_the_small_files_benchmark_reads_the_same_rows_from_every_layout_and_draws_its_runs(
    spark, tmp_path, load_script
):
    benchmark = load_script("benchmarks/small_files_benchmark.py")

    outcome = benchmark.run_benchmark(spark, tmp_path, rows=300, files=12, repeats=1)
    benchmark.draw(outcome, tmp_path / "runs.png")

    summary = outcome["summary"]
    assert (summary["small_files_count"], summary["optimized_files_count"]) == (12, 1)
    assert sorted(run["layout"] for run in outcome["rows"]) == sorted(benchmark.LAYOUTS)
    assert (tmp_path / "runs.png").stat().st_size > 0
