"""Kafka retention deletes records a stopped stream still needed; failOnDataLoss decides what happens.

Real broker: the records are removed with the admin client's DeleteRecords (what retention or
``kafka-delete-records.sh`` does: the partition's log start offset moves past them). With the
default ``failOnDataLoss=true`` the restarted query fails. With ``false`` it continues from the
earliest offset still there, and the sink's own offsets show exactly which records were lost,
so rows produced = rows written + rows deleted by retention.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import capture_incident_log, failure_text, jvm_stack_traces_in_messages
from kafka import KafkaAdminClient, TopicPartition
from pyspark.errors import StreamingQueryException
from pyspark.sql import SparkSession

from catalog_tools.kafka_io import KafkaMessage, create_topic, produce_messages
from production_playbooks import diagnose_text
from production_playbooks.sink_offsets import offset_gaps

pytestmark = pytest.mark.kafka


def readings(first: int, last: int) -> list[KafkaMessage]:
    return [KafkaMessage(b"press-07", f'{{"reading_id": {n}}}'.encode()) for n in range(first, last + 1)]


def run_bronze_stream(spark: SparkSession, kafka, topic: str, sink: str, checkpoint: Path,
                      fail_on_data_loss: bool = True) -> None:
    query = (
        spark.readStream.format("kafka").options(**kafka.spark_options())
        .option("subscribe", topic).option("startingOffsets", "earliest")
        .option("failOnDataLoss", str(fail_on_data_loss).lower()).load()
        .selectExpr("get_json_object(CAST(value AS STRING), '$.reading_id') AS reading_id",
                    "partition AS kafka_partition", "offset AS kafka_offset")
        .writeStream.format("delta").option("checkpointLocation", str(checkpoint))
        .trigger(availableNow=True).start(sink)
    )
    query.awaitTermination(180)


def delete_records_before(kafka, topic: str, offset: int) -> None:
    admin = KafkaAdminClient(**kafka.client_config())
    try:
        admin.delete_records({TopicPartition(topic, 0): offset})
    finally:
        admin.close()


def test_kafka_offsets_out_of_range_is_reproduced_diagnosed_and_the_loss_accounted_with_fail_on_data_loss_false(
    spark, kafka, unique_topic, tmp_path
):
    create_topic(unique_topic, kafka.client_config())
    sink, checkpoint = str(tmp_path / "bronze"), tmp_path / "checkpoint"
    produced = produce_messages(readings(0, 9), unique_topic, kafka.client_config())
    run_bronze_stream(spark, kafka, unique_topic, sink, checkpoint)

    # 1. While the query is stopped, readings 10..19 arrive and retention deletes offsets below 15.
    produced += produce_messages(readings(10, 19), unique_topic, kafka.client_config())
    delete_records_before(kafka, unique_topic, 15)
    with jvm_stack_traces_in_messages(spark):
        with pytest.raises(StreamingQueryException) as failed:
            run_bronze_stream(spark, kafka, unique_topic, sink, checkpoint)
        text = failure_text(failed.value).replace(unique_topic, "<topic>")
    text = re.sub(r"-(-?\d+)-executor\b", "-<n>-executor", text)  # the consumer group ends with a signed hash
    log = capture_incident_log("kafka-offsets-out-of-range", "retention-deleted-unread-records", text, tmp_path)
    assert diagnose_text(log).incident_id == "kafka-offsets-out-of-range"
    assert spark.read.format("delta").load(sink).count() == 10

    # 2. The decision on-call makes: accept the loss (failOnDataLoss=false) and account for it.
    run_bronze_stream(spark, kafka, unique_topic, sink, checkpoint, fail_on_data_loss=False)
    bronze = spark.read.format("delta").load(sink)
    assert sorted(int(row.reading_id) for row in bronze.collect()) == [*range(10), *range(15, 20)]
    gaps = offset_gaps(bronze)
    assert gaps == [(0, 10, 14)]
    lost = sum(last - first + 1 for _, first, last in gaps)
    assert produced == bronze.count() + lost == 20
