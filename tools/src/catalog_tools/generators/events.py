"""Sensor events as Kafka messages, with exactly the faults a :class:`FaultPlan` asks for.

Key: the machine id (UTF-8). Value: the reading as compact JSON with sorted keys (UTF-8).
Timestamp: the event time in epoch milliseconds. The contract behind the counts is in
:mod:`catalog_tools.generators.faults`.

Example::

    >>> batch = sensor_event_messages(100, seed=7, faults=FaultPlan(duplicate_rate=0.05))
    >>> batch.counts.total_messages, len(batch.messages)
    (105, 105)
    >>> batch.messages[0].key
    b'BER1-L2-M02'
"""
from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from catalog_tools.generators.common import DEFAULT_START, epoch_ms, to_json_document
from catalog_tools.generators.faults import FaultCounts, FaultPlan
from catalog_tools.generators.plants import hot_machine_ids
from catalog_tools.generators.sensors import (
    METRIC_RANGES,
    REQUIRED_FIELDS,
    readings_with_hot_events,
)
from catalog_tools.kafka_io import KafkaMessage

# for each metric, an impossible low and high value (outside METRIC_RANGES)
IMPOSSIBLE_VALUES: dict[str, tuple[float, float]] = {
    "temperature_c": (-999.0, 9999.0),
    "vibration_mm_s": (-1.0, 999.0),
    "pressure_bar": (-5.0, 9999.0),
    "spindle_speed_rpm": (-100.0, 99999.0),
}


@dataclass(frozen=True)
class SensorEventBatch:
    """Messages ready for a Kafka topic, the exact fault counts, and the hot (skewed) machines."""

    messages: list[KafkaMessage]
    counts: FaultCounts
    hot_machine_ids: tuple[str, ...] = ()


def encode_event(document: dict[str, Any]) -> bytes:
    """Compact JSON with sorted keys, so equal events are equal bytes."""
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode("utf-8")


def sensor_event_messages(
    n: int,
    seed: int,
    faults: FaultPlan | None = None,
    start: dt.datetime = DEFAULT_START,
    interval_ms: int = 200,
    plants: int = 4,
) -> SensorEventBatch:
    """Return ``n`` base events plus duplicates as Kafka messages, faulted as ``faults`` says.

    Base events come in the order of :func:`.sensors.iter_sensor_readings` (same seed, same
    event ids); late and out-of-order events keep their place in that order but get an older
    event time (and Kafka timestamp).
    """
    plan = faults or FaultPlan()
    counts = plan.exact_counts(n)
    readings = list(readings_with_hot_events(n, seed, start, interval_ms, plants,
                                             counts.hot_machine_events, plan.hot_machines))
    rng = random.Random(f"sensor-events/{seed}")
    shuffled = list(range(n))
    rng.shuffle(shuffled)
    first_missing = counts.malformed_json
    first_out_of_range = first_missing + counts.missing_required
    first_valid = first_out_of_range + counts.out_of_range
    malformed = set(shuffled[:first_missing])
    missing = set(shuffled[first_missing:first_out_of_range])
    out_of_range = set(shuffled[first_out_of_range:first_valid])
    valid = sorted(shuffled[first_valid:])
    # the first valid event stays on time, so late and out-of-order events have a maximum to trail
    displaced = rng.sample(valid[1:], counts.late + counts.out_of_order)
    late, out_of_order = set(displaced[: counts.late]), set(displaced[counts.late:])
    on_time = [i for i in valid if i not in late and i not in out_of_order]
    duplicated = set(rng.sample(on_time, counts.duplicates))

    lateness_ms = plan.allowed_lateness_s * 1000
    running_max: dt.datetime | None = None
    ordered: list[tuple[int, int, int, KafkaMessage]] = []
    for index, reading in enumerate(readings):
        if index in late:
            offset_ms = lateness_ms + rng.randint(lateness_ms // 2, lateness_ms)
            reading["event_time"] = running_max - dt.timedelta(milliseconds=offset_ms)
        elif index in out_of_order:
            offset_ms = rng.randint(1, lateness_ms // 2)
            reading["event_time"] = running_max - dt.timedelta(milliseconds=offset_ms)
        elif index not in malformed and index not in missing and index not in out_of_range:
            running_max = reading["event_time"]
        document = to_json_document(reading)
        if index in out_of_range:
            metric = rng.choice([m for m in METRIC_RANGES if document[m] is not None])
            document[metric] = rng.choice(IMPOSSIBLE_VALUES[metric])
        if index in missing:
            del document[rng.choice(REQUIRED_FIELDS)]
        value = encode_event(document)
        if index in malformed:
            value = value[: len(value) // 2]
        key = reading["machine_id"].encode("utf-8")
        message = KafkaMessage(key, value, epoch_ms(reading["event_time"]))
        ordered.append((index, 0, index, message))
        if index in duplicated:
            ordered.append((min(index + rng.randint(0, 5), n - 1), 1, index, message))
    ordered.sort(key=lambda entry: entry[:3])
    hot_ids = hot_machine_ids(plan.hot_machines, plants) if counts.hot_machine_events else ()
    return SensorEventBatch([entry[3] for entry in ordered], counts, hot_ids)


def raw_event_rows(messages: Iterable[KafkaMessage]) -> Iterator[dict[str, Any]]:
    """Kafka messages as ``RAW_EVENT_SCHEMA`` rows: key and value decoded, timestamp as UTC."""
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    for message in messages:
        yield {
            "key": message.key.decode("utf-8") if message.key is not None else None,
            "value": message.value.decode("utf-8"),
            "timestamp": epoch + dt.timedelta(milliseconds=message.timestamp_ms or 0),
        }
