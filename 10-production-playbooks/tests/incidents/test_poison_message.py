"""One malformed record stalls a Kafka -> Delta stream; a quarantine lane lets it advance.

Real broker, real Spark Kafka source, real Delta sink. Spark 4 runs with ANSI mode on, so
``CAST('n/a' AS DOUBLE)`` fails the micro-batch instead of yielding NULL. The checkpoint does not
advance, so the restart reads the same record and fails the same way. The fix parses with
``try_parse_json``/``try_cast`` and writes the bad records to a quarantine table with their
reason, in the same batch: the stream advances and rows in = rows written + rows quarantined.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from chispa import assert_df_equality
from helpers import capture_incident_log, failure_text, jvm_stack_traces_in_messages
from pyspark.errors import StreamingQueryException
from pyspark.sql import DataFrame, SparkSession

from catalog_tools.kafka_io import KafkaMessage, create_topic, produce_messages
from production_playbooks import diagnose_text
from production_playbooks.poison_quarantine import split_poison_records

pytestmark = pytest.mark.kafka

FIELDS = {"reading_id": "INT", "temperature_c": "DOUBLE"}
MESSAGES = [
    KafkaMessage(b"press-07", b'{"reading_id": 0, "temperature_c": 71.5}'),
    KafkaMessage(b"press-07", b'{"reading_id": 1, "temperature_c": "72.0"}'),  # a number sent as a string: casts
    KafkaMessage(b"press-07", b'{"reading_id": 2, "temperature_c": "n/a"}'),  # the poison: sensor offline
    KafkaMessage(b"press-07", b'{"reading_id": 3, "temperature_c": 72.5}'),
    KafkaMessage(b"press-07", b'{"reading_id": 4, "temperature_c'),  # cut off: not JSON
    KafkaMessage(b"press-07", b'{"temperature_c": 73.0}'),  # no reading id
    KafkaMessage(b"press-07", b'{"reading_id": 6, "temperature_c": 73.5}'),
]


def strict_silver_stream(spark: SparkSession, kafka, topic: str, sink: str, checkpoint: Path) -> None:
    """The stalled pipeline: parse, cast with ANSI semantics, append to silver."""
    query = (
        spark.readStream.format("kafka").options(**kafka.spark_options())
        .option("subscribe", topic).option("startingOffsets", "earliest").load()
        .selectExpr("from_json(CAST(value AS STRING), 'reading_id INT, temperature_c STRING') AS r")
        .selectExpr("r.reading_id", "CAST(r.temperature_c AS DOUBLE) AS temperature_c")
        .writeStream.format("delta").option("checkpointLocation", str(checkpoint))
        .trigger(availableNow=True).start(sink)
    )
    query.awaitTermination(180)


def quarantining_silver_stream(spark: SparkSession, kafka, topic: str, sink: str, quarantine: str,
                               checkpoint: Path) -> None:
    """The fix: each batch is split into typed rows and quarantined rows, both written, idempotently."""

    def write_batch(batch: DataFrame, batch_id: int) -> None:
        typed, quarantined = split_poison_records(batch, FIELDS)
        for frame, path in ((typed, sink), (quarantined, quarantine)):
            (frame.write.format("delta").mode("append")
             .option("txnAppId", f"silver-readings-{Path(path).name}").option("txnVersion", batch_id).save(path))

    query = (
        spark.readStream.format("kafka").options(**kafka.spark_options())
        .option("subscribe", topic).option("startingOffsets", "earliest").load()
        .writeStream.foreachBatch(write_batch).option("checkpointLocation", str(checkpoint))
        .trigger(availableNow=True).start()
    )
    query.awaitTermination(180)


def committed_batches(checkpoint: Path) -> list[str]:
    commits = checkpoint / "commits"
    return sorted(p.name for p in commits.glob("[0-9]*")) if commits.exists() else []


def test_stream_stalled_poison_message_is_reproduced_diagnosed_and_fixed_by_a_quarantine_lane(
    spark, kafka, unique_topic, tmp_path
):
    create_topic(unique_topic, kafka.client_config())
    produced = produce_messages(MESSAGES, unique_topic, kafka.client_config())
    sink, quarantine, checkpoint = str(tmp_path / "silver"), str(tmp_path / "quarantine"), tmp_path / "checkpoint"

    # 1. Every attempt fails on reading 2's 'n/a' and the checkpoint never commits a batch.
    for attempt in (1, 2):
        with jvm_stack_traces_in_messages(spark):
            with pytest.raises(StreamingQueryException) as failed:
                strict_silver_stream(spark, kafka, unique_topic, sink, checkpoint)
            text = failure_text(failed.value)
        assert "[CAST_INVALID_INPUT] The value 'n/a'" in text, f"attempt {attempt}"
        assert committed_batches(checkpoint) == [], f"attempt {attempt} advanced the stream"
    log = capture_incident_log("stream-stalled-poison-message", "ansi-cast-in-stream", text, tmp_path)
    assert diagnose_text(log).incident_id == "stream-stalled-poison-message"

    # 2. The fix, from the same offsets: the stream advances, the bad records wait in quarantine.
    quarantining_silver_stream(spark, kafka, unique_topic, sink, quarantine, tmp_path / "checkpoint-quarantine")
    written = spark.read.format("delta").load(sink)
    quarantined = spark.read.format("delta").load(quarantine)
    assert_df_equality(
        written.select("reading_id", "temperature_c"),
        spark.createDataFrame([(0, 71.5), (1, 72.0), (3, 72.5), (6, 73.5)], "reading_id int, temperature_c double"),
        ignore_row_order=True,
    )
    assert sorted((row.kafka_offset, row.reason) for row in quarantined.collect()) == [
        (2, "temperature_c: 'n/a' is not a DOUBLE"),
        (4, "value is not JSON"),
        (5, "reading_id: missing"),
    ]
    assert produced == written.count() + quarantined.count() == len(MESSAGES)
    both = written.select("kafka_offset").union(quarantined.select("kafka_offset"))
    assert {row.kafka_offset for row in both.collect()} == set(range(len(MESSAGES)))
