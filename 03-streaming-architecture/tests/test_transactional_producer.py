"""Transactional producer: an aborted transaction stays in the log, and read_committed hides it."""
from __future__ import annotations

from kafka import KafkaProducer
from pyspark.sql import functions as F

from catalog_tools.kafka_io import create_topic
from iot_streaming_pipeline.config import kafka_source_options, load_environment_config


def produce_in_transactions(topic: str, client_config: dict) -> None:
    producer = KafkaProducer(transactional_id=f"{topic}-tx", enable_idempotence=True, acks="all", **client_config)
    try:
        producer.init_transactions()
        producer.begin_transaction()
        for i in range(3):
            producer.send(topic, key=b"M1", value=f"committed-{i}".encode())
        producer.commit_transaction()
        producer.begin_transaction()
        for i in range(2):
            producer.send(topic, key=b"M1", value=f"aborted-{i}".encode())
        producer.flush()
        producer.abort_transaction()  # e.g. the gateway crashed half-way through a file of readings
    finally:
        producer.close()


def test_the_pipeline_source_reads_only_committed_records(spark, kafka, unique_topic):
    create_topic(unique_topic, kafka.client_config())
    produce_in_transactions(unique_topic, kafka.client_config())
    config = load_environment_config("dev", overrides={"kafka": {
        "bootstrap_servers": kafka.plaintext_bootstrap, "topic": unique_topic}})
    options = {k: v for k, v in kafka_source_options(config.kafka, None).items() if k != "maxOffsetsPerTrigger"}

    def values(isolation_level: str) -> list[str]:
        rows = (spark.read.format("kafka").options(**{**options, "kafka.isolation.level": isolation_level})
                .load().select(F.col("value").cast("string")).collect())
        return sorted(r.value for r in rows)

    assert options["kafka.isolation.level"] == "read_committed"
    assert values("read_uncommitted") == ["aborted-0", "aborted-1", "committed-0", "committed-1", "committed-2"]
    assert values("read_committed") == ["committed-0", "committed-1", "committed-2"]
