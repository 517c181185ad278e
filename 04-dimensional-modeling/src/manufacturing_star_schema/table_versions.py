"""Read a Delta table pinned to one version, so a batch's outcomes are judged against what was read.

Example::

    >>> version = latest_version(spark, "/lake/dim_machine")  # doctest: +SKIP
    >>> dimension = read_version(spark, "/lake/dim_machine", version)  # doctest: +SKIP
"""

from __future__ import annotations

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession


def latest_version(spark: SparkSession, path: str) -> int:
    """The table's latest committed version."""
    return int(DeltaTable.forPath(spark, path).history(1).select("version").first()[0])


def read_version(spark: SparkSession, path: str, version: int) -> DataFrame:
    """The table as of ``version`` (later commits do not change what this DataFrame reads)."""
    return spark.read.format("delta").option("versionAsOf", version).load(path)


def read_pinned(spark: SparkSession, path: str) -> DataFrame:
    """The table as of its latest version now."""
    return read_version(spark, path, latest_version(spark, path))
