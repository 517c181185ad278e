"""Partition-count fixes, each a before/after pair run under its own job group.

- AQE partition coalescing: the same aggregation with 200 fixed shuffle partitions (200 reduce
  tasks of a few KB each) and with AQE merging them into a few right-sized ones.
- ``coalesce`` against ``repartition`` before a write: both give the same number of files;
  ``repartition`` shuffles every row to get there, ``coalesce`` merges partitions without a shuffle.

Example::

    >>> run_aggregation_with_fixed_partitions(spark, group="fixed-200")  # doctest: +SKIP
    >>> run_aggregation_with_aqe_coalescing(spark, group="aqe-coalesced")  # doctest: +SKIP
"""
from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from workloads.scenarios import job_group


def _readings_per_machine(spark: SparkSession, rows: int) -> DataFrame:
    return spark.range(0, rows, 1, 8).select((F.col("id") % 240).alias("machine_key"),
                                             (F.rand(seed=13) * 100).alias("temperature_c"))


def _average_per_machine(spark: SparkSession, rows: int) -> None:
    _readings_per_machine(spark, rows).groupBy("machine_key").agg(F.avg("temperature_c")) \
        .write.format("noop").mode("overwrite").save()


def run_aggregation_with_fixed_partitions(spark: SparkSession, group: str = "fixed-partitions",
                                          rows: int = 400_000, partitions: int = 200) -> None:
    """AQE off: the reduce stage runs exactly ``partitions`` tasks, however little data each gets."""
    with job_group(spark, group, {"spark.sql.adaptive.enabled": "false",
                                  "spark.sql.shuffle.partitions": str(partitions)}):
        _average_per_machine(spark, rows)


def run_aggregation_with_aqe_coalescing(spark: SparkSession, group: str = "aqe-coalesced",
                                        rows: int = 400_000, partitions: int = 200) -> None:
    """AQE on with partition coalescing: the same ``partitions`` are merged into a few reduce tasks."""
    with job_group(spark, group, {"spark.sql.adaptive.enabled": "true",
                                  "spark.sql.adaptive.coalescePartitions.enabled": "true",
                                  "spark.sql.shuffle.partitions": str(partitions)}):
        _average_per_machine(spark, rows)


def _wide_readings(spark: SparkSession, rows: int) -> DataFrame:
    return spark.range(0, rows, 1, 16).select(
        "id", (F.col("id") % 240).alias("machine_key"), F.sha2(F.col("id").cast("string"), 256).alias("payload"))


def run_repartition_before_write(spark: SparkSession, path: str, group: str = "repartition-write",
                                 rows: int = 200_000, files: int = 4) -> None:
    """``repartition(files)``: ``files`` output files, after a full shuffle of every row."""
    with job_group(spark, group, {"spark.sql.adaptive.enabled": "false"}):
        _wide_readings(spark, rows).repartition(files).write.mode("overwrite").parquet(path)


def run_coalesce_before_write(spark: SparkSession, path: str, group: str = "coalesce-write",
                              rows: int = 200_000, files: int = 4) -> None:
    """``coalesce(files)``: the same number of files, by merging input partitions, with no shuffle."""
    with job_group(spark, group, {"spark.sql.adaptive.enabled": "false"}):
        _wide_readings(spark, rows).coalesce(files).write.mode("overwrite").parquet(path)
