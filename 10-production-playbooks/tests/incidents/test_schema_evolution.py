"""Schema-evolution incidents, each reproduced on Spark + Delta, diagnosed from its captured text, then fixed.

Every test follows the playbook: make the incident happen, capture what the job printed into the
corpus (or check the corpus still matches), let the diagnoser name the playbook, run the Fix steps,
and check the incident is gone and no row was lost.
"""
from __future__ import annotations

import pytest
from helpers import capture_incident_log, failure_text, jvm_stack_traces_in_messages
from pyspark.sql import functions as F

from production_playbooks import diagnose_text

READINGS = "device_id string, reading_id long, reading int"


def _append(frame, path, merge_schema=False):
    writer = frame.write.format("delta").mode("append")
    if merge_schema:
        writer = writer.option("mergeSchema", "true")
    writer.save(path)


def _ids(spark, path):
    return sorted(row.reading_id for row in spark.read.format("delta").load(path).collect())


def _captured_failure(spark, incident_id, name, action, tmp_path):
    with jvm_stack_traces_in_messages(spark):  # pyspark renders the JVM trace when str() is called
        with pytest.raises(Exception) as caught:
            action()
        text = failure_text(caught.value)
    return capture_incident_log(incident_id, name, text, tmp_path)


def test_merge_incompatible_datatype_is_reproduced_diagnosed_and_fixed(spark, delta_path, tmp_path):
    spark.createDataFrame([("press-1", 1, 20), ("press-1", 2, 21)], READINGS).write.format("delta").save(delta_path)
    # the upstream producer now sends the reading as text; one value is not a number at all
    upstream = spark.createDataFrame(
        [("press-2", 3, "22"), ("press-2", 4, "23"), ("press-2", 5, "n/a")],
        "device_id string, reading_id long, reading string",
    )

    text = _captured_failure(spark, "delta-merge-incompatible-datatype", "append-with-mergeschema",
                             lambda: _append(upstream, delta_path, merge_schema=True), tmp_path)
    assert "[DELTA_FAILED_TO_MERGE_FIELDS]" in text and "[DELTA_MERGE_INCOMPATIBLE_DATATYPE]" in text
    diagnosis = diagnose_text(text)
    assert diagnosis.incident_id == "delta-merge-incompatible-datatype"  # the root, not the wrapper
    assert _ids(spark, delta_path) == [1, 2]  # the failed append wrote nothing

    # Fix: cast at the boundary to the table's type; what does not cast goes to quarantine with its reason
    cast = upstream.withColumn("reading_as_int", F.expr("try_cast(reading AS INT)"))
    good = cast.where("reading_as_int IS NOT NULL").select(
        "device_id", "reading_id", F.col("reading_as_int").alias("reading"))
    bad = cast.where("reading_as_int IS NULL").select(
        "device_id", "reading_id", F.col("reading").alias("raw_reading"),
        F.lit("reading is not an INT").alias("quarantine_reason"))
    _append(good, delta_path)
    _append(bad, str(tmp_path / "quarantine"))

    quarantined = spark.read.format("delta").load(str(tmp_path / "quarantine")).collect()
    assert upstream.count() == good.count() + len(quarantined)  # rows in = rows written + rows quarantined
    assert [(row.reading_id, row.raw_reading) for row in quarantined] == [(5, "n/a")]
    assert _ids(spark, delta_path) == [1, 2, 3, 4]
    assert spark.read.format("delta").load(delta_path).schema["reading"].dataType.simpleString() == "int"


def test_failed_to_merge_fields_on_a_widened_column_is_reproduced_diagnosed_and_fixed(spark, delta_path, tmp_path):
    spark.createDataFrame([("press-1", 1, 20), ("press-1", 2, 21)], READINGS).write.format("delta").save(delta_path)
    # the energy counter outgrew INT upstream, and the producer switched the field to a long
    upstream = spark.createDataFrame([("press-2", 3, 3_000_000_000)], "device_id string, reading_id long, reading long")

    text = _captured_failure(spark, "delta-failed-to-merge-fields", "append-wider-type",
                             lambda: _append(upstream, delta_path, merge_schema=True), tmp_path)
    assert "[DELTA_FAILED_TO_MERGE_FIELDS]" in text
    assert diagnose_text(text).incident_id == "delta-failed-to-merge-fields"

    # Fix: let the table widen the column in place (type widening), then append again with mergeSchema
    spark.sql(f"ALTER TABLE delta.`{delta_path}` SET TBLPROPERTIES ('delta.enableTypeWidening' = 'true')")
    _append(upstream, delta_path, merge_schema=True)

    table = spark.read.format("delta").load(delta_path)
    assert table.schema["reading"].dataType.simpleString() == "bigint"
    assert sorted((row.reading_id, row.reading) for row in table.collect()) == [(1, 20), (2, 21), (3, 3_000_000_000)]


def test_mergeschema_surprise_is_reproduced_diagnosed_and_fixed(spark, tmp_path):
    bronze, silver, checkpoint = (str(tmp_path / name) for name in ("bronze", "silver", "silver-checkpoint"))
    schema = "device_id string, reading_id long, temperature double"
    spark.createDataFrame([("oven-1", 1, 180.5), ("oven-1", 2, 181.0)], schema).write.format("delta").save(bronze)

    def run_silver(transform=lambda frame: frame):
        query = (transform(spark.readStream.format("delta").load(bronze)).writeStream.format("delta")
                 .option("checkpointLocation", checkpoint).trigger(availableNow=True).start(silver))
        query.awaitTermination()

    run_silver()
    # a new producer misspells the column; mergeSchema accepts it without a word
    misspelt = spark.createDataFrame([("oven-2", 3, 175.0), ("oven-2", 4, 176.5)],
                                     "device_id string, reading_id long, temprature double")
    _append(misspelt, bronze, merge_schema=True)
    assert "temprature" in spark.read.format("delta").load(bronze).columns  # the surprise
    assert spark.read.format("delta").load(bronze).where("temperature IS NULL").count() == 2

    text = _captured_failure(spark, "delta-mergeschema-surprise", "downstream-stream-fails",
                             run_silver, tmp_path)
    assert "temprature" in text
    assert diagnose_text(text).incident_id == "delta-mergeschema-surprise"

    # Fix: the silver stream projects its contract explicitly and repairs the misspelt column, same checkpoint
    run_silver(lambda frame: frame.select(
        "device_id", "reading_id", F.coalesce("temperature", "temprature").alias("temperature")))

    result = spark.read.format("delta").load(silver)
    assert result.columns == ["device_id", "reading_id", "temperature"]
    assert sorted(row.reading_id for row in result.collect()) == [1, 2, 3, 4]  # nothing lost, nothing twice
    assert result.where("temperature IS NULL").count() == 0
