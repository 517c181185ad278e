"""Helpers shared by the test files: generated events produced with the broker's clock, what each one
must become, and the dev config pointed at a test broker."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from catalog_tools.generators import REQUIRED_FIELDS, FaultPlan, SensorEventBatch
from catalog_tools.generators.sensors import METRIC_RANGES
from catalog_tools.kafka_io import KafkaMessage, create_topic, produce_messages
from iot_streaming_pipeline.config import PipelineConfig, load_environment_config

FAULTS = FaultPlan(duplicate_rate=0.05, late_rate=0.03, malformed_rate=0.02, missing_required_rate=0.02,
                   out_of_range_rate=0.02)


@dataclass(frozen=True)
class ExpectedOutcome:
    """What the pipeline must make of a generated batch, recomputed from the payload bytes alone."""

    on_time_ids: set[str]
    late_ids: set[str]
    quarantined: int
    duplicates: int


def expected_outcome(messages: list[KafkaMessage], allowed_lateness_s: int = 600) -> ExpectedOutcome:
    """Replay the messages in topic order: bad ones quarantined, repeats dropped, old ones late."""
    on_time: set[str] = set()
    late: set[str] = set()
    quarantined = duplicates = 0
    running_max: dt.datetime | None = None
    for message in messages:
        try:
            event = json.loads(message.value)
        except ValueError:
            quarantined += 1
            continue
        out_of_range = [m for m, (low, high) in METRIC_RANGES.items()
                        if event.get(m) is not None and not low <= event[m] <= high]
        if not all(event.get(f) for f in REQUIRED_FIELDS) or out_of_range:
            quarantined += 1
            continue
        if event["event_id"] in on_time | late:
            duplicates += 1
            continue
        event_time = dt.datetime.fromisoformat(event["event_time"].replace("Z", "+00:00"))
        if running_max is not None and event_time < running_max - dt.timedelta(seconds=allowed_lateness_s):
            late.add(event["event_id"])
            continue
        on_time.add(event["event_id"])
        running_max = event_time if running_max is None else max(running_max, event_time)
    return ExpectedOutcome(on_time, late, quarantined, duplicates)


def produce_with_broker_time(batch: SensorEventBatch, topic: str, client_config: dict[str, Any],
                             partitions: int = 1) -> int:
    """Produce the batch with the producer's clock as record timestamp.

    The generator stamps records with their event time (January 2026); a broker with the default
    7-day time retention deletes such records within a minute, so tests use the send time instead.
    """
    create_topic(topic, client_config, partitions)
    return produce_messages([m._replace(timestamp_ms=None) for m in batch.messages], topic, client_config)


def pipeline_config(root: Path, bootstrap: str, topic: str, silver_source: str = "kafka",
                    **kafka: Any) -> PipelineConfig:
    """The dev config pointed at a test broker, topic and temp storage root; silver reads ``silver_source``."""
    return load_environment_config("dev", overrides={
        "storage": {"root": str(root)},
        "kafka": {"bootstrap_servers": bootstrap, "topic": topic, **kafka},
        "streaming": {"silver_source": silver_source},
    })


def topic_offsets(topic: str, client_config: dict[str, Any]) -> tuple[dict, dict]:
    """``({topic: {p: earliest}}, {topic: {p: end}})`` as the broker reports them now."""
    consumer = KafkaConsumer(**client_config)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        earliest, latest = consumer.beginning_offsets(partitions), consumer.end_offsets(partitions)
    finally:
        consumer.close()
    return ({topic: {tp.partition: o for tp, o in earliest.items()}},
            {topic: {tp.partition: o for tp, o in latest.items()}})
