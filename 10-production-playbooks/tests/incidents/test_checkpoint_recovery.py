"""A Kafka -> Delta stream loses its checkpoint; it restarts from the offsets the sink recorded.

Real broker, real Spark Kafka source, real Delta sink. The checkpoint's latest offsets file is
emptied, as a crash in the middle of a write to an object store leaves it; the restart fails.
Throwing the checkpoint away and restarting the usual way duplicates every row already written.
Restarting with a new checkpoint from the sink's own ``kafka_partition``/``kafka_offset``
columns writes each record exactly once.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import capture_incident_log, failure_text, jvm_stack_traces_in_messages
from pyspark.errors import StreamingQueryException
from pyspark.sql import SparkSession

from catalog_tools.kafka_io import KafkaMessage, create_topic, produce_messages
from production_playbooks import diagnose_text
from production_playbooks.sink_offsets import starting_offsets_from_sink

PARTITIONS = 2

pytestmark = pytest.mark.kafka


def readings(first: int, last: int) -> list[KafkaMessage]:
    """Readings ``first``..``last``; the key spreads them over both partitions."""
    return [KafkaMessage(f"machine-{n % 3}".encode(), f'{{"reading_id": {n}}}'.encode())
            for n in range(first, last + 1)]


def run_bronze_stream(spark: SparkSession, kafka, topic: str, sink: str, checkpoint: Path,
                      starting_offsets: str = "earliest") -> None:
    """Kafka -> Delta bronze, every record with its partition and offset; drains what is there, then stops."""
    query = (
        spark.readStream.format("kafka").options(**kafka.spark_options())
        .option("subscribe", topic).option("startingOffsets", starting_offsets).load()
        .selectExpr("get_json_object(CAST(value AS STRING), '$.reading_id') AS reading_id",
                    "partition AS kafka_partition", "offset AS kafka_offset")
        .writeStream.format("delta").option("checkpointLocation", str(checkpoint))
        .trigger(availableNow=True).start(sink)
    )
    query.awaitTermination(180)


def reading_ids(spark: SparkSession, sink: str) -> list[int]:
    return sorted(int(row.reading_id) for row in spark.read.format("delta").load(sink).collect())


def test_checkpoint_lost_is_reproduced_diagnosed_and_fixed_from_the_offsets_the_sink_recorded(
    spark, kafka, unique_topic, tmp_path
):
    create_topic(unique_topic, kafka.client_config(), partitions=PARTITIONS)
    sink, checkpoint = str(tmp_path / "bronze"), tmp_path / "checkpoint"
    produce_messages(readings(0, 9), unique_topic, kafka.client_config())
    run_bronze_stream(spark, kafka, unique_topic, sink, checkpoint)
    assert reading_ids(spark, sink) == list(range(10))

    # 1. Readings 10..14 arrive while the job is down; the checkpoint's latest offsets file is
    #    left empty (a crash mid-write). The restart fails before reading anything.
    produce_messages(readings(10, 14), unique_topic, kafka.client_config())
    latest_offsets = max((checkpoint / "offsets").glob("[0-9]*"), key=lambda p: int(p.name))
    latest_offsets.write_bytes(b"")
    with jvm_stack_traces_in_messages(spark):
        with pytest.raises(StreamingQueryException) as failed:
            run_bronze_stream(spark, kafka, unique_topic, sink, checkpoint)
        text = failure_text(failed.value)
    log = capture_incident_log("checkpoint-lost", "empty-offsets-file", text, tmp_path)
    assert diagnose_text(log).incident_id == "checkpoint-lost"
    assert reading_ids(spark, sink) == list(range(10))

    # 2. The tempting fix, on a copy of the sink: delete the checkpoint and restart. The new
    #    query starts from earliest and writes readings 0..9 a second time.
    naive_sink = str(tmp_path / "bronze-naive")
    shutil.copytree(sink, naive_sink)
    run_bronze_stream(spark, kafka, unique_topic, naive_sink, tmp_path / "checkpoint-naive")
    assert reading_ids(spark, naive_sink) == sorted([*range(15), *range(10)])

    # 3. The fix: keep the broken checkpoint for the post-mortem, start a new one from the
    #    offsets the sink holds (highest per partition + 1). Every reading lands exactly once.
    shutil.move(checkpoint, tmp_path / "checkpoint-corrupt")
    offsets = starting_offsets_from_sink(spark.read.format("delta").load(sink), unique_topic, range(PARTITIONS))
    run_bronze_stream(spark, kafka, unique_topic, sink, tmp_path / "checkpoint-2", starting_offsets=offsets)
    assert reading_ids(spark, sink) == list(range(15))
