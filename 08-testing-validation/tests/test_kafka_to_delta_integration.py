"""Integration layer of the streaming test strategy: real Kafka -> Spark -> contract gate -> Delta.

Runs on the embedded broker from tools, or on the testcontainers backend where Docker exists
(CATALOG_KAFKA_BACKEND=testcontainers). Unparsable payloads are not dropped: they arrive as rows
with null fields and are quarantined by the contract, so every message is accounted for.
"""
from __future__ import annotations

import json

import pytest
from helpers import NOW, READING_SCHEMA, SENSOR_CONTRACT_PATH, machines
from pyspark.sql import functions as F

from catalog_tools.kafka_io import KafkaMessage, create_topic, produce_messages
from plant_data_quality import contract_gate_for_each_batch, load_contract


def event(event_id: str, **overrides) -> bytes:
    body = {"event_id": event_id, "machine_id": "M-0002", "event_time": "2026-03-02T08:00:00Z",
            "ingested_at": "2026-03-02T08:00:05Z", "temperature_c": 61.5, "vibration_mm_s": 1.2,
            "pressure_bar": 5.5, "status": "running", "firmware_version": "2.1.0"}
    return json.dumps({**body, **overrides}).encode()


@pytest.mark.kafka
def test_every_kafka_message_ends_in_silver_or_in_quarantine(spark, kafka, unique_topic, tmp_path):
    messages = [event("k1"), event("k2"), event("k3", temperature_c=1200.0), event("k4", status="??"),
                b"\x00 not json at all", event("k5")]
    create_topic(unique_topic, kafka.client_config())
    produce_messages([KafkaMessage(None, value) for value in messages], unique_topic, kafka.client_config())
    silver, quarantine, results = (str(tmp_path / name) for name in ("silver", "quarantine", "results"))
    gate = contract_gate_for_each_batch(load_contract(SENSOR_CONTRACT_PATH), silver, quarantine, results,
                                        app_id=unique_topic, dimensions={"machines": machines(spark)},
                                        clock=lambda: NOW)

    parsed = (spark.readStream.format("kafka").options(**kafka.spark_options())
              .option("subscribe", unique_topic).option("startingOffsets", "earliest").load()
              .select(F.from_json(F.col("value").cast("string"), READING_SCHEMA).alias("reading"))
              .select("reading.*"))
    query = (parsed.writeStream.foreachBatch(gate).option("checkpointLocation", str(tmp_path / "checkpoint"))
             .trigger(availableNow=True).start())
    query.awaitTermination()

    written = spark.read.format("delta").load(silver)
    quarantined = spark.read.format("delta").load(quarantine)
    assert sorted(r.event_id for r in written.collect()) == ["k1", "k2", "k5"]
    assert sorted((r.event_id or "<unparsable>", tuple(r.failed_rules)) for r in quarantined.collect()) == [
        ("<unparsable>", ("event_id_not_null", "machine_id_not_null", "event_time_not_null")),
        ("k3", ("temperature_in_range",)), ("k4", ("status_known",))]
    assert written.count() + quarantined.count() == len(messages)
