"""Runbook docs/runbooks/schema-migration.md: rename a column with column mapping, widen a type
with type widening, both without rewriting data files, and what breaks without them."""
from __future__ import annotations

import pytest
from pyspark.errors import PySparkException
from pyspark.sql import SparkSession

SCHEMA = "reading_id int, machine string, temp double"


def readings_table(spark: SparkSession, path: str) -> None:
    spark.createDataFrame([(1, "press-07", 71.5), (2, "oven-02", 181.0)], SCHEMA).write.format("delta").save(path)


def data_files(spark: SparkSession, path: str) -> set[str]:
    return set(spark.read.format("delta").load(path).inputFiles())


def test_a_rename_needs_column_mapping_and_then_rewrites_no_data_file(spark, tmp_path):
    path = str(tmp_path / "readings")
    readings_table(spark, path)
    table = f"delta.`{path}`"

    # Without column mapping the rename is refused
    with pytest.raises(PySparkException, match="DELTA_UNSUPPORTED_RENAME_COLUMN|column mapping"):
        spark.sql(f"ALTER TABLE {table} RENAME COLUMN temp TO temperature_c")

    files_before = data_files(spark, path)
    spark.sql(f"ALTER TABLE {table} SET TBLPROPERTIES ('delta.columnMapping.mode' = 'name', "
              "'delta.minReaderVersion' = '2', 'delta.minWriterVersion' = '5')")
    spark.sql(f"ALTER TABLE {table} RENAME COLUMN temp TO temperature_c")

    renamed = spark.read.format("delta").load(path)
    assert renamed.columns == ["reading_id", "machine", "temperature_c"]
    assert sorted(row.temperature_c for row in renamed.collect()) == [71.5, 181.0]
    assert data_files(spark, path) == files_before  # metadata only


def test_type_widening_turns_int_into_bigint_in_place_and_accepts_the_larger_values(spark, tmp_path):
    path = str(tmp_path / "readings")
    readings_table(spark, path)
    table = f"delta.`{path}`"
    big_id = 3_000_000_000  # a reading id beyond INT

    with pytest.raises(PySparkException):
        spark.sql(f"ALTER TABLE {table} ALTER COLUMN reading_id TYPE BIGINT")  # not without type widening

    files_before = data_files(spark, path)
    spark.sql(f"ALTER TABLE {table} SET TBLPROPERTIES ('delta.enableTypeWidening' = 'true')")
    spark.sql(f"ALTER TABLE {table} ALTER COLUMN reading_id TYPE BIGINT")
    spark.createDataFrame([(big_id, "press-07", 72.0)], "reading_id long, machine string, temp double") \
        .write.format("delta").mode("append").save(path)

    widened = spark.read.format("delta").load(path)
    assert dict(widened.dtypes)["reading_id"] == "bigint"
    assert sorted(row.reading_id for row in widened.collect()) == [1, 2, big_id]
    assert files_before <= data_files(spark, path)  # the old files were kept, not rewritten
