"""Job entry point ``spill-probe``: a sort bigger than a task's execution memory, under its own job group.

Run on a job cluster, it produces the stage the monitoring job is meant to find: one partition of
``--rows`` 64-character strings sorted in a single task, which spills when the executor's execution
memory is smaller than the partition. The session is the one the cluster provides
(``SparkSession.builder.getOrCreate()``); the probe sets no Spark configuration itself, so what spills
is decided by the cluster's settings. Point ``spark-perf-analyze --job-group spill-probe`` at the
cluster's Spark UI or event log to read the spill.

Example::

    spill-probe --rows 1500000 --partitions 1
    # spill probe: sorted 1,500,000 rows in 1 partition(s), job group spill-probe, application local-17...
"""
from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

JOB_GROUP = "spill-probe"


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, found {value!r}")
    return number


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """``--rows N`` and ``--partitions N`` (both >= 1); anything else is an argparse error (exit 2)."""
    parser = argparse.ArgumentParser(prog="spill-probe", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=_positive_int, default=1_500_000, help="rows to sort (default 1,500,000)")
    parser.add_argument("--partitions", type=_positive_int, default=1, help="sort partitions (default 1)")
    return parser.parse_args(argv)


def run_spill_probe(spark: SparkSession, rows: int, partitions: int) -> str:
    """Sort ``rows`` SHA-256 strings in ``partitions`` tasks under job group ``spill-probe``; return the app id.

    Example::

        >>> run_spill_probe(spark, rows=1_500_000, partitions=1)  # doctest: +SKIP
        'app-20261206101500-0000'
    """
    from pyspark.sql import functions as F

    spark.sparkContext.setJobGroup(JOB_GROUP, f"spill probe: sort {rows} rows in {partitions} partition(s)")
    try:
        (spark.range(rows).select(F.sha2(F.col("id").cast("string"), 256).alias("payload"))
         .repartition(partitions).sortWithinPartitions("payload").write.format("noop").mode("overwrite").save())
    finally:
        spark.sparkContext.setLocalProperty("spark.jobGroup.id", None)
    return spark.sparkContext.applicationId


def main(argv: list[str] | None = None) -> int:
    """Entry point: parameters from ``argv``, the cluster's session, one summary line, exit code 0."""
    from pyspark.sql import SparkSession

    args = parse_arguments(argv)
    spark = SparkSession.builder.getOrCreate()
    app_id = run_spill_probe(spark, args.rows, args.partitions)
    print(f"spill probe: sorted {args.rows:,} rows in {args.partitions} partition(s), job group {JOB_GROUP}, "
          f"application {app_id}", flush=True)
    return 0
