"""Sensor readings with a ``customExtension`` map whose keys and value types drift with firmware.

Every machine starts on firmware ``1.4.2`` and is upgraded to ``2.1.0`` at a seeded point of the
stream. On 1.x the numeric extension values are integer strings (``"42"``); on 2.x they become
decimal strings (``"42.17"``), new keys appear, and one key per machine type holds a JSON-encoded
object. This is the drift that breaks naive schema inference downstream.

Example::

    >>> batch = sensor_event_messages(100, seed=7, faults=FaultPlan(duplicate_rate=0.05))
    >>> batch.counts.total_messages, len(batch.messages)
    (105, 105)
"""
from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from catalog_tools.generators.faults import FaultCounts, FaultPlan
from catalog_tools.generators.plants import iter_plant_hierarchy, require_in_range
from catalog_tools.kafka_io import KafkaMessage

DEFAULT_START = dt.datetime(2026, 1, 5, 6, 0, tzinfo=dt.UTC)
FIRMWARE_BEFORE, FIRMWARE_AFTER = "1.4.2", "2.1.0"
TEMPERATURE_RANGE_C = (-40.0, 400.0)
REQUIRED_FIELDS = ("event_id", "machine_id", "event_time")

# machine type -> (numeric keys on every firmware, keys added on 2.x, the JSON-valued 2.x key)
EXTENSION_KEYS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "cnc_mill": (("spindle_load_pct", "coolant_temp_c"), ("tool_wear_um",), "axis_offsets"),
    "injection_molder": (("mold_temp_c", "shot_weight_g"), ("cushion_mm",), "cavity_pressures"),
    "press": (("tonnage_t", "stroke_count"), ("lube_pressure_bar",), "ram_parallelism"),
    "test_bench": (("voltage_mv", "current_ma"), ("ambient_rh_pct",), "channel_readings"),
}
TEXT_EXTENSION_KEY = {
    "cnc_mill": "tool_id", "injection_molder": "mold_id", "press": "die_id", "test_bench": "fixture_id",
}


@dataclass(frozen=True)
class SensorEventBatch:
    """Messages ready for a Kafka topic, and the exact fault counts they contain."""

    messages: list[KafkaMessage]
    counts: FaultCounts


def format_event_time(moment: dt.datetime) -> str:
    """ISO-8601 UTC with milliseconds and a ``Z``, as the events carry it."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def custom_extension(machine_type: str, firmware: str, rng: random.Random) -> dict[str, str]:
    """Return the extension map a machine of ``machine_type`` on ``firmware`` sends."""
    numeric_keys, added_keys, json_key = EXTENSION_KEYS[machine_type]
    upgraded = firmware.startswith("2.")
    values: dict[str, str] = {TEXT_EXTENSION_KEY[machine_type]: f"T{rng.randint(1, 40):03d}"}
    for key in numeric_keys + (added_keys if upgraded else ()):
        number = rng.uniform(1, 500)
        values[key] = f"{number:.2f}" if upgraded else str(int(number))
    if upgraded:
        values[json_key] = json.dumps({"axis": rng.choice("xyz"), "value": round(rng.uniform(-1, 1), 3)})
    return values


def _machine_assignment(machines: list[dict[str, Any]], n: int, hot_events: int, hot_machines: int,
                        rng: random.Random) -> list[dict[str, Any]]:
    """Exactly ``hot_events`` events go to the first ``hot_machines`` machines, the rest to the others."""
    hot, cold = machines[:hot_machines], machines[hot_machines:] or machines
    if hot_events == 0:
        hot, cold = [], machines
    assigned = [hot[i % len(hot)] for i in range(hot_events)] + [rng.choice(cold) for _ in range(n - hot_events)]
    rng.shuffle(assigned)
    return assigned


def iter_sensor_readings(
    n: int,
    seed: int,
    start: dt.datetime = DEFAULT_START,
    interval_ms: int = 200,
    plants: int = 4,
    hot_machine_share: float = 0.0,
    hot_machines: int = 2,
) -> Iterator[dict[str, Any]]:
    """Yield ``n`` valid readings in event-time order, one every ``interval_ms`` across all machines."""
    require_in_range("n", n, 0, 100_000_000)
    require_in_range("hot_machine_share", hot_machine_share, 0.0, 1.0)
    rng = random.Random(seed)
    machines = list(iter_plant_hierarchy(plants=plants))
    upgrade_at = {m["machine_id"]: rng.uniform(0.3, 0.7) * n for m in machines}
    hot_events = int(n * hot_machine_share + 0.5)
    for index, machine in enumerate(_machine_assignment(machines, n, hot_events, hot_machines, rng)):
        firmware = FIRMWARE_AFTER if index >= upgrade_at[machine["machine_id"]] else FIRMWARE_BEFORE
        yield {
            "event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "machine_id": machine["machine_id"],
            "machine_type": machine["machine_type"],
            "plant_id": machine["plant_id"],
            "line_id": machine["line_id"],
            "firmware_version": firmware,
            "event_time": start + dt.timedelta(milliseconds=index * interval_ms),
            "temperature_c": round(rng.uniform(20.0, 90.0), 2),
            "vibration_mm_s": round(rng.uniform(0.1, 12.0), 3),
            "pressure_bar": round(rng.uniform(1.0, 250.0), 2),
            "customExtension": custom_extension(machine["machine_type"], firmware, rng),
        }


def reading_to_json(reading: dict[str, Any]) -> dict[str, Any]:
    """The JSON document of a reading (event time as ISO-8601 text)."""
    document = dict(reading)
    if "event_time" in document:
        document["event_time"] = format_event_time(document["event_time"])
    return document


def _encode(document: dict[str, Any]) -> bytes:
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def sensor_event_messages(
    n: int,
    seed: int,
    faults: FaultPlan | None = None,
    start: dt.datetime = DEFAULT_START,
    interval_ms: int = 200,
    plants: int = 4,
) -> SensorEventBatch:
    """Return ``n`` generated events (plus duplicates) as Kafka messages with the faults of ``faults``.

    Message key is the machine id, value the UTF-8 JSON reading, timestamp the event time. The
    exact counts follow the contract in :mod:`catalog_tools.generators.faults`.
    """
    plan = faults or FaultPlan()
    counts = plan.exact_counts(n)
    rng = random.Random(seed ^ 0x5EED)
    readings = list(iter_sensor_readings(n, seed, start, interval_ms, plants, plan.hot_machine_share,
                                         plan.hot_machines))
    indices = list(range(n))
    rng.shuffle(indices)
    malformed = set(indices[: counts.malformed_json])
    missing = set(indices[counts.malformed_json: counts.malformed_json + counts.missing_required])
    out_of_range = set(indices[counts.malformed_json + counts.missing_required: n - counts.valid_unique])
    valid_in_order = sorted(set(range(n)) - malformed - missing - out_of_range)
    # the first valid event stays on time so that "late" and "out of order" have a maximum to trail
    displaced = rng.sample(valid_in_order[1:], counts.late + counts.out_of_order)
    late, out_of_order = set(displaced[: counts.late]), set(displaced[counts.late:])
    valid = set(valid_in_order)
    on_time = [i for i in valid_in_order if i not in late and i not in out_of_order]
    duplicated = set(rng.sample(on_time, counts.duplicates))

    lateness_s = plan.allowed_lateness_s
    messages: list[KafkaMessage] = []
    pending_duplicates: list[tuple[int, KafkaMessage]] = []
    running_max: dt.datetime | None = None
    for index, reading in enumerate(readings):
        if index in late:
            reading["event_time"] = running_max - dt.timedelta(seconds=lateness_s + rng.randint(1, lateness_s))
        elif index in out_of_order:
            reading["event_time"] = running_max - dt.timedelta(seconds=rng.randint(1, max(1, lateness_s // 2)))
        elif index in valid:
            running_max = reading["event_time"]
        message = _to_message(reading, index, malformed, missing, out_of_range)
        messages.append(message)
        if index in duplicated:
            pending_duplicates.append((len(messages) + rng.randint(0, 5), message))
        ready = [m for at, m in pending_duplicates if at <= len(messages)]
        pending_duplicates = [(at, m) for at, m in pending_duplicates if at > len(messages)]
        messages.extend(ready)
    messages.extend(m for _, m in pending_duplicates)
    return SensorEventBatch(messages, counts)


def _to_message(reading: dict[str, Any], index: int, malformed: set[int], missing: set[int],
                out_of_range: set[int]) -> KafkaMessage:
    document = reading_to_json(reading)
    timestamp_ms = int(reading["event_time"].timestamp() * 1000)
    key = reading["machine_id"].encode()
    if index in out_of_range:
        document["temperature_c"] = 9999.0 if index % 2 else -273.0
    if index in missing:
        dropped = "event_id" if index % 2 else "machine_id"
        del document[dropped]
        key = key if dropped == "event_id" else None
    value = _encode(document)
    if index in malformed:
        value = value[: len(value) // 2]
    return KafkaMessage(key, value, timestamp_ms)
