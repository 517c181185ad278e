"""Read what a streaming checkpoint has committed, compare it with the topic, and restart safely.

A checkpoint folder holds ``offsets/<batch>`` (planned: written before a batch runs) and
``commits/<batch>`` (written after its sink succeeded). The offsets a query has *committed* are
those of the newest batch that has both files. This module reads them from a local or mounted
path (on Databricks: a ``/Volumes`` or ``/dbfs`` path).

Example::

    >>> committed = read_committed_offsets("/tmp/lake/checkpoints/bronze")  # doctest: +SKIP
    >>> committed.kafka_offsets()  # doctest: +SKIP
    {'plant.sensor-readings.v1': {0: 210}}
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iot_streaming_pipeline.errors import CheckpointNotFoundError, CheckpointTopicMismatchError, InvalidInputError

TopicOffsets = dict[str, dict[int, int]]


@dataclass(frozen=True)
class CommittedOffsets:
    """The newest committed batch of a checkpoint and the end offsets of each of its sources."""

    checkpoint: str
    batch_id: int
    sources: list[dict[str, Any]]

    def kafka_offsets(self) -> TopicOffsets:
        """``{topic: {partition: next offset to read}}`` of the Kafka sources (Delta sources skipped)."""
        offsets: TopicOffsets = {}
        for source in self.sources:
            if "reservoirId" in source:
                continue
            for topic, partitions in source.items():
                offsets.setdefault(topic, {}).update({int(p): int(o) for p, o in partitions.items()})
        return offsets


def _batch_ids(folder: Path) -> set[int]:
    return {int(f.name) for f in folder.iterdir() if f.name.isdigit()} if folder.is_dir() else set()


def read_committed_offsets(checkpoint: str | Path) -> CommittedOffsets:
    """Return the offsets of the newest batch with both an ``offsets`` and a ``commits`` file."""
    root = Path(checkpoint)
    committed = _batch_ids(root / "offsets") & _batch_ids(root / "commits")
    if not committed:
        raise CheckpointNotFoundError(f"expected a committed batch under {str(root)!r} (offsets/N and commits/N), "
                                      f"found offsets {sorted(_batch_ids(root / 'offsets'))} and commits "
                                      f"{sorted(_batch_ids(root / 'commits'))}")
    batch_id = max(committed)
    lines = (root / "offsets" / str(batch_id)).read_text().splitlines()
    if not lines or not lines[0].startswith("v"):
        raise InvalidInputError(f"expected a versioned offsets file (first line 'v1'), got {lines[:1]}")
    sources = [json.loads(line) for line in lines[2:] if line.strip() and line.strip() != "-"]
    return CommittedOffsets(str(root), batch_id, sources)


def consumer_lag(committed: TopicOffsets, earliest: TopicOffsets, latest: TopicOffsets) -> dict[str, dict[int, int]]:
    """Records between the checkpoint and the topic's end, per partition; raises if they no longer match.

    ``earliest``/``latest`` are the topic's beginning and end offsets (e.g. from a Kafka consumer's
    ``beginning_offsets``/``end_offsets``). A committed offset beyond the end means the topic was
    recreated; one before the beginning means retention deleted records the query never read.
    """
    lag: dict[str, dict[int, int]] = {}
    for topic, partitions in committed.items():
        for partition, offset in partitions.items():
            if partition not in latest.get(topic, {}):
                raise CheckpointTopicMismatchError(
                    f"{topic}-{partition}: the checkpoint has offset {offset}, the topic has no such partition "
                    f"(partitions now: {sorted(latest.get(topic, {}))}); topic deleted or recreated smaller")
            first, end = earliest[topic][partition], latest[topic][partition]
            if offset > end:
                raise CheckpointTopicMismatchError(
                    f"{topic}-{partition}: expected the checkpoint offset {offset} <= end offset {end}; the topic "
                    "was recreated. Restart with a new checkpoint (see docs/checkpoint-recovery.md)")
            if offset < first:
                raise CheckpointTopicMismatchError(
                    f"{topic}-{partition}: expected the checkpoint offset {offset} >= earliest offset {first}; "
                    f"{first - offset} records were deleted before they were read")
            lag.setdefault(topic, {})[partition] = end - offset
    return lag


def restart_source_options(position: str, timestamp_ms: int | None = None) -> dict[str, str]:
    """Kafka source options for a query started on a NEW checkpoint (an existing one ignores them).

    ``position``: ``"earliest"`` (replay what the topic still holds; silver's dedup absorbs the
    overlap), ``"latest"`` (skip to now; backfill the gap from bronze), or ``"timestamp"`` (every
    partition from the first record at or after ``timestamp_ms``).
    """
    if position in ("earliest", "latest"):
        return {"startingOffsets": position}
    if position == "timestamp":
        if timestamp_ms is None or timestamp_ms < 0:
            raise InvalidInputError(f"expected timestamp_ms >= 0 for position='timestamp', got {timestamp_ms!r}")
        return {"startingTimestamp": str(timestamp_ms), "startingOffsetsByTimestampStrategy": "latest"}
    raise InvalidInputError(f"expected position 'earliest', 'latest' or 'timestamp', got {position!r}")
