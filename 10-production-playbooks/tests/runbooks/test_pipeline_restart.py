"""Runbook docs/runbooks/pipeline-restart.md: stop a stream cleanly, deploy a compatible change,
restart it from the same checkpoint; nothing is lost, nothing is written twice; an incompatible
change is refused by Spark instead of silently starting over."""
from __future__ import annotations

from pathlib import Path

import pytest
from pyspark.errors import StreamingQueryException
from pyspark.sql import DataFrame, SparkSession


def append_readings(spark: SparkSession, bronze: str, first: int, last: int) -> None:
    spark.range(first, last + 1).selectExpr("id AS reading_id", "CAST(20 + id AS DOUBLE) AS temperature_c") \
        .write.format("delta").mode("append").save(bronze)


def silver(spark: SparkSession, bronze: str, with_fahrenheit: bool = False) -> DataFrame:
    stream = spark.readStream.format("delta").load(bronze)
    if with_fahrenheit:  # the change being deployed: one more derived column
        stream = stream.selectExpr("*", "temperature_c * 9 / 5 + 32 AS temperature_f")
    return stream


def run(stream: DataFrame, sink: str, checkpoint: Path) -> None:
    (stream.writeStream.format("delta").option("checkpointLocation", str(checkpoint))
     .option("mergeSchema", "true").trigger(availableNow=True).start(sink).awaitTermination(180))


def test_a_compatible_change_restarts_from_the_checkpoint_with_no_loss_and_no_duplicates(spark, tmp_path):
    bronze, sink, checkpoint = str(tmp_path / "bronze"), str(tmp_path / "silver"), tmp_path / "checkpoint"
    append_readings(spark, bronze, 0, 9)
    run(silver(spark, bronze), sink, checkpoint)  # step 1: the running version drains and stops

    append_readings(spark, bronze, 10, 14)  # arrives during the deployment
    run(silver(spark, bronze, with_fahrenheit=True), sink, checkpoint)  # step 3: same checkpoint

    rows = spark.read.format("delta").load(sink).collect()
    assert sorted(row.reading_id for row in rows) == list(range(15))  # step 4: verify
    assert {row.reading_id for row in rows if row.temperature_f is not None} == set(range(10, 15))


def test_restarting_on_a_checkpoint_of_a_different_source_is_refused(spark, tmp_path):
    bronze, other, sink, checkpoint = (str(tmp_path / "bronze"), str(tmp_path / "other"),
                                       str(tmp_path / "silver"), tmp_path / "checkpoint")
    append_readings(spark, bronze, 0, 4)
    append_readings(spark, other, 100, 104)
    run(silver(spark, bronze), sink, checkpoint)

    with pytest.raises(StreamingQueryException, match="DIFFERENT_DELTA_TABLE_READ_BY_STREAMING_SOURCE|different"):
        run(silver(spark, other), sink, checkpoint)
    assert spark.read.format("delta").load(sink).count() == 5
