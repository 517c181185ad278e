"""Files skipped by Delta are read back from the REST API; Z-order and liquid clustering run on open-source Delta."""
from __future__ import annotations

from pathlib import Path

import pytest
from pyspark.sql import functions as F
from pyspark.sql.utils import AnalysisException

from spark_performance_analyzer.delta_layout import (
    LayoutArgumentError,
    clustering_columns,
    compact,
    create_clustered_table,
    table_files,
    zorder_by,
)
from spark_performance_analyzer.rest_client import SparkRestClient
from spark_performance_analyzer.scan_metrics import (
    UnreadableMetricError,
    parse_ui_count,
    parse_ui_size,
    scan_metrics_for_job_group,
)


def write_eight_sorted_files(spark, path: str) -> None:
    """8 files of 250 rows, file i holding k in [250 i, 250 i + 250): min/max stats separate them."""
    (spark.range(2_000).select(F.col("id").alias("k"), (F.col("id") % 7).alias("machine"))
     .coalesce(1).write.format("delta").option("maxRecordsPerFile", 250).save(path))


def test_scan_metrics_show_the_files_delta_skipped(spark, delta_path):
    path = str(delta_path)
    write_eight_sorted_files(spark, path)
    for _ in range(25):  # more executions than the /sql endpoint's default page of 20
        spark.sql("SELECT 1").collect()

    spark.sparkContext.setJobGroup("selective-scan", "selective-scan")
    matched = spark.read.format("delta").load(path).where("k < 250").count()
    spark.sparkContext.setJobGroup("", "")
    scans = scan_metrics_for_job_group(SparkRestClient(spark.sparkContext.uiWebUrl),
                                       spark.sparkContext.applicationId, "selective-scan")

    assert matched == 250
    assert table_files(spark, path).num_files == 8
    assert [(s.files_read, s.rows_read) for s in scans] == [(1, 250)]  # 7 of 8 files skipped
    assert scans[0].bytes_read > 0


def test_zorder_rewrites_files_and_keeps_every_row(spark, delta_path):
    path = str(delta_path)
    write_eight_sorted_files(spark, path)

    metrics = zorder_by(spark, path, ["machine", "k"]).first()

    assert metrics["metrics"]["numFilesRemoved"] == 8
    assert table_files(spark, path).num_files == metrics["metrics"]["numFilesAdded"]
    assert spark.read.format("delta").load(path).count() == 2_000


def test_liquid_clustered_table_reports_its_columns_and_compacts(spark, delta_path):
    path = str(delta_path)
    frame = spark.range(2_000).select(F.col("id").alias("k"), (F.col("id") % 7).alias("machine")).repartition(8)

    create_clustered_table(spark, path, frame, ["machine", "k"])
    before = table_files(spark, path).num_files
    compact(spark, path)

    assert clustering_columns(spark, path) == ["machine", "k"]
    assert before > 1
    assert table_files(spark, path).num_files == 1
    assert spark.read.format("delta").load(path).count() == 2_000


def test_clustering_by_an_unknown_column_is_refused_before_any_write(spark, delta_path):
    with pytest.raises(LayoutArgumentError, match=r"expected columns of the frame \['id'\], got unknown \['machine'\]"):
        create_clustered_table(spark, str(delta_path), spark.range(3), ["machine"])
    assert not Path(delta_path).exists()


def test_open_source_delta_rejects_the_databricks_target_file_size_property(spark, delta_path):
    spark.range(3).write.format("delta").save(str(delta_path))

    with pytest.raises(AnalysisException, match="DELTA_UNKNOWN_CONFIGURATION"):
        spark.sql(f"ALTER TABLE delta.`{delta_path}` SET TBLPROPERTIES ('delta.targetFileSize' = '32mb')")


@pytest.mark.parametrize("text, expected", [
    ("1053.8 KiB", 1_079_091), ("0.0 B", 0), ("2.5 GiB", 2_684_354_560),
    ("total (min, med, max (stageId: taskId))\n118.0 B (59.0 B, 59.0 B, 59.0 B (stage 14.0: task 33))", 118),
])
def test_ui_sizes_are_read_as_bytes(text, expected):
    assert parse_ui_size(text) == expected


def test_unreadable_metric_text_raises_a_named_error():
    with pytest.raises(UnreadableMetricError, match="expected a count such as '200,000', got '12 ms'"):
        parse_ui_count("12 ms")
