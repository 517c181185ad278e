"""Helpers shared by this folder's tests: the machine-configuration change feed and small readers."""

from __future__ import annotations

import datetime as dt
import shutil

from chispa import assert_df_equality
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
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


def history(spark, path, *columns):
    """The dimension as sorted tuples of the given columns."""
    ordered = ["machine_id", "valid_from"]
    return [tuple(r) for r in spark.read.format("delta").load(path).orderBy(*ordered).select(*columns).collect()]


def outcome_counts(result) -> dict[str, int]:
    """How many source rows got each outcome."""
    return {r["outcome"]: r["count"] for r in result.outcomes.groupBy("outcome").count().collect()}


def assert_history(spark, path, columns, expected_rows):
    """The dimension, on the given columns, holds exactly ``expected_rows`` (any order; chispa compares)."""
    actual = spark.read.format("delta").load(path).select(*columns)
    expected = local_frame(spark, expected_rows, actual.schema)
    assert_df_equality(actual, expected, ignore_row_order=True)


def copy_table(source, path) -> str:
    """Copy the Delta table at ``source`` to the new folder ``path`` (a Delta table is its folder; its
    log holds no absolute path); return ``path`` as a string."""
    shutil.copytree(source, path)
    return str(path)


def local_frame(spark: SparkSession, rows, schema: T.StructType | str) -> DataFrame:
    """What ``spark.createDataFrame(rows, schema)`` returns (the same rows and schema), kept inside the JVM.

    A DataFrame made by ``createDataFrame`` from a Python list scans a Python RDD: every Spark job
    that reads it (a MERGE reads its source several times) starts Python worker tasks. Built from
    literals, the rows are a plan of their own and no job needs Python.
    """
    schema = T.StructType.fromDDL(schema) if isinstance(schema, str) else schema
    if not rows:
        empty = spark.range(0).select(*[F.lit(None).cast(f.dataType).alias(f.name) for f in schema.fields])
        return empty.to(schema)
    literal_rows = [
        F.struct(*[F.lit(value).cast(f.dataType).alias(f.name) for value, f in zip(row, schema.fields, strict=True)])
        for row in rows
    ]
    # the cast to the schema's own struct type gives the columns its nullability (a literal is never null)
    return spark.range(1).select(F.inline(F.array(*literal_rows).cast(T.ArrayType(schema, containsNull=False))))
