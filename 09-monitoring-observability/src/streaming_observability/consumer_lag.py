"""Consumer lag for Spark's Kafka source: the checkpoint's committed offsets vs the broker's end offsets.

Spark does not commit its progress to a Kafka consumer group, so the usual lag exporters (which read
group offsets) see nothing. The truth is in the query's checkpoint: ``offsets/<batch>`` holds the
offsets each batch reads up to, and ``commits/<batch>`` exists once that batch is done. This module
reads both and compares them with the broker, at scrape time, from a process of its own: it keeps
reporting when the driver is gone.

Example::

    >>> collector = ConsumerLagCollector({"bronze": "/chk/bronze"},
    ...     lambda topics: broker_end_offsets("broker:9092", topics))  # doctest: +SKIP
    >>> registry.register(collector)  # doctest: +SKIP
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from streaming_observability.errors import CheckpointFormatError, ObservabilityInputError

TopicPartition = tuple[str, int]
EndOffsets = Callable[[set[str]], dict[TopicPartition, int]]


@dataclass(frozen=True)
class CheckpointOffsets:
    """The last committed batch of a checkpoint and the Kafka offsets it read up to."""

    batch_id: int
    offsets: dict[TopicPartition, int]
    committed_at_seconds: float

    @property
    def topics(self) -> set[str]:
        return {topic for topic, _ in self.offsets}


def _batch_ids(folder: Path) -> list[int]:
    return sorted(int(p.name) for p in folder.iterdir() if p.name.isdigit()) if folder.is_dir() else []


def checkpoint_offsets(checkpoint_dir: str | Path) -> CheckpointOffsets:
    """Read the offsets of the last committed batch of a streaming checkpoint (local path).

    Raises CheckpointFormatError when the folder has no committed batch or an offset file is not
    ``v1`` + metadata + one JSON line per source.
    """
    root = Path(checkpoint_dir)
    committed = _batch_ids(root / "commits")
    if not committed:
        raise CheckpointFormatError(f"expected at least one committed batch in {root / 'commits'}, found none")
    batch_id = committed[-1]
    offset_file = root / "offsets" / str(batch_id)
    if not offset_file.is_file():
        raise CheckpointFormatError(f"expected {offset_file} for committed batch {batch_id}, it is missing")
    lines = offset_file.read_text().splitlines()
    if len(lines) < 3 or not lines[0].startswith("v"):
        raise CheckpointFormatError(
            f"expected 'v1', a metadata line and one line per source in {offset_file}, got {len(lines)} lines"
        )
    offsets: dict[TopicPartition, int] = {}
    for line in lines[2:]:
        try:
            source = json.loads(line)
        except json.JSONDecodeError:
            continue  # a non-JSON offset: not a Kafka source
        if isinstance(source, dict):
            for topic, partitions in source.items():
                if isinstance(partitions, dict):
                    offsets.update({(topic, int(p)): int(o) for p, o in partitions.items()})
    return CheckpointOffsets(
        batch_id=batch_id,
        offsets=offsets,
        committed_at_seconds=(root / "commits" / str(batch_id)).stat().st_mtime,
    )


def broker_end_offsets(bootstrap_servers: str, topics: set[str], **client_config: Any) -> dict[TopicPartition, int]:
    """The end (next to be written) offset of every partition of ``topics``, asked of the broker.

    ``client_config`` is passed to kafka-python's KafkaConsumer (security settings and the like).
    """
    from kafka import KafkaConsumer
    from kafka import TopicPartition as KafkaTopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False, **client_config)
    try:
        partitions = [
            KafkaTopicPartition(topic, partition)
            for topic in sorted(topics)
            for partition in sorted(consumer.partitions_for_topic(topic) or ())
        ]
        return {(tp.topic, tp.partition): int(end) for tp, end in consumer.end_offsets(partitions).items()}
    finally:
        consumer.close()


def consumer_lag(
    checkpointed: Mapping[TopicPartition, int], end: Mapping[TopicPartition, int]
) -> dict[TopicPartition, int]:
    """Messages written to each partition but not yet committed by the query.

    A partition the checkpoint has not seen yet (added after the query started) lags by its whole
    end offset.
    """
    return {tp: max(0, end_offset - checkpointed.get(tp, 0)) for tp, end_offset in end.items()}


class ConsumerLagCollector(Collector):
    """Prometheus collector computing lag at scrape time for named checkpoints.

    Publishes ``streaming_consumer_lag_messages``, ``streaming_checkpoint_offset``,
    ``kafka_partition_end_offset``, ``streaming_checkpoint_latest_batch_id``,
    ``streaming_checkpoint_last_commit_timestamp_seconds`` and ``streaming_consumer_lag_up``
    (0 when a checkpoint or the broker could not be read).
    """

    def __init__(self, checkpoints: Mapping[str, str | Path], end_offsets: EndOffsets) -> None:
        if not checkpoints:
            raise ObservabilityInputError("expected at least one {name: checkpoint path}, got none")
        self.checkpoints = dict(checkpoints)
        self.end_offsets = end_offsets

    def collect(self) -> Iterator[GaugeMetricFamily]:
        partition_labels = ["checkpoint", "topic", "partition"]
        lag = GaugeMetricFamily("streaming_consumer_lag_messages",
                                "Messages at the broker not yet committed by the query", labels=partition_labels)
        committed = GaugeMetricFamily("streaming_checkpoint_offset", "Offset the last committed batch read up to",
                                      labels=partition_labels)
        end_family = GaugeMetricFamily("kafka_partition_end_offset", "Broker end offset of the partition",
                                       labels=["topic", "partition"])
        batch = GaugeMetricFamily("streaming_checkpoint_latest_batch_id", "Last committed batch id",
                                  labels=["checkpoint"])
        commit_time = GaugeMetricFamily("streaming_checkpoint_last_commit_timestamp_seconds",
                                        "Unix time the last batch was committed", labels=["checkpoint"])
        up = GaugeMetricFamily("streaming_consumer_lag_up", "1 when checkpoint and broker were read",
                               labels=["checkpoint"])
        seen_end: set[TopicPartition] = set()
        for name, path in self.checkpoints.items():
            try:
                offsets = checkpoint_offsets(path)
                end = self.end_offsets(offsets.topics)
            except Exception:  # noqa: BLE001 - a scrape reports failure as a metric, never raises
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            batch.add_metric([name], offsets.batch_id)
            commit_time.add_metric([name], offsets.committed_at_seconds)
            for (topic, partition), value in sorted(offsets.offsets.items()):
                committed.add_metric([name, topic, str(partition)], value)
            for (topic, partition), value in sorted(consumer_lag(offsets.offsets, end).items()):
                lag.add_metric([name, topic, str(partition)], value)
            for (topic, partition), value in sorted(end.items()):
                if (topic, partition) not in seen_end:
                    seen_end.add((topic, partition))
                    end_family.add_metric([topic, str(partition)], value)
        yield from (lag, committed, end_family, batch, commit_time, up)
