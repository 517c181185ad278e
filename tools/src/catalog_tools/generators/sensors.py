"""Valid sensor readings, in event-time order, with firmware-dependent ``customExtension`` maps.

One reading every ``interval_ms`` across all machines. Every machine starts on firmware
``1.4.2`` and is upgraded to ``2.1.0`` once, at a seeded point between 30 % and 70 % of the
stream, which is where its ``customExtension`` drifts (see :mod:`.extension`).
``spindle_speed_rpm`` is ``None`` for presses and test benches, which have no spindle.

Example::

    >>> first = next(iter_sensor_readings(10, seed=7))
    >>> first["event_time"], first["firmware_version"]
    (datetime.datetime(2026, 1, 5, 6, 0, tzinfo=datetime.timezone.utc), '1.4.2')
"""
from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator
from typing import Any

from catalog_tools.generators.common import (
    DEFAULT_START,
    exact_count,
    require_count,
    require_in_range,
    require_utc_start,
)
from catalog_tools.generators.extension import (
    SENSOR_FIRMWARE_AFTER,
    SENSOR_FIRMWARE_BEFORE,
    custom_extension,
)
from catalog_tools.generators.plants import hot_machine_ids, iter_machines

REQUIRED_FIELDS: tuple[str, ...] = ("event_id", "machine_id", "event_time")
# inclusive range of a plausible value; anything outside is an out-of-range record
METRIC_RANGES: dict[str, tuple[float, float]] = {
    "temperature_c": (-40.0, 400.0),
    "vibration_mm_s": (0.0, 100.0),
    "pressure_bar": (0.0, 400.0),
    "spindle_speed_rpm": (0.0, 30000.0),
}
TEMPERATURE_RANGE_C = METRIC_RANGES["temperature_c"]
MACHINES_WITH_SPINDLE = frozenset({"cnc_mill", "injection_molder"})


def _assign_machines(machines: list[dict[str, Any]], n: int, hot_events: int, hot_machines: int,
                     plants: int, rng: random.Random) -> list[dict[str, Any]]:
    """Exactly ``hot_events`` events from the hot machines, the others spread over the rest."""
    if hot_events == 0:
        return [rng.choice(machines) for _ in range(n)]
    hot_ids = set(hot_machine_ids(hot_machines, plants))
    hot = [m for m in machines if m["machine_id"] in hot_ids]
    cold = [m for m in machines if m["machine_id"] not in hot_ids]
    assigned = [hot[i % len(hot)] for i in range(hot_events)]
    assigned += [rng.choice(cold) for _ in range(n - hot_events)]
    rng.shuffle(assigned)
    return assigned


def _unique_event_id(rng: random.Random, seen: set[str]) -> str:
    while True:
        event_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if event_id not in seen:
            seen.add(event_id)
            return event_id


def readings_with_hot_events(
    n: int, seed: int, start: dt.datetime, interval_ms: int, plants: int, hot_events: int,
    hot_machines: int,
) -> Iterator[dict[str, Any]]:
    """:func:`iter_sensor_readings` with the skew given as an exact number of hot events.

    Arguments are checked when called, before the first reading is generated.
    """
    require_count("n", n)
    require_count("hot_machine_events", hot_events, n)
    require_in_range("interval_ms", interval_ms, 1, 86_400_000)
    start = require_utc_start(start)
    if hot_events:
        hot_machine_ids(hot_machines, plants)  # validates hot_machines before any work
    return _generate_readings(n, seed, start, interval_ms, plants, hot_events, hot_machines)


def _generate_readings(
    n: int, seed: int, start: dt.datetime, interval_ms: int, plants: int, hot_events: int,
    hot_machines: int,
) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    machines = list(iter_machines(plants))
    upgrade_at = {m["machine_id"]: rng.uniform(0.3, 0.7) * n for m in machines}
    seen: set[str] = set()
    assigned = _assign_machines(machines, n, hot_events, hot_machines, plants, rng)
    for index, machine in enumerate(assigned):
        upgraded = index >= upgrade_at[machine["machine_id"]]
        firmware = SENSOR_FIRMWARE_AFTER if upgraded else SENSOR_FIRMWARE_BEFORE
        has_spindle = machine["machine_type"] in MACHINES_WITH_SPINDLE
        yield {
            "event_id": _unique_event_id(rng, seen),
            "machine_id": machine["machine_id"],
            "machine_type": machine["machine_type"],
            "plant_id": machine["plant_id"],
            "line_id": machine["line_id"],
            "firmware_version": firmware,
            "event_time": start + dt.timedelta(milliseconds=index * interval_ms),
            "temperature_c": round(rng.uniform(20.0, 90.0), 2),
            "vibration_mm_s": round(rng.uniform(0.1, 12.0), 3),
            "pressure_bar": round(rng.uniform(1.0, 250.0), 2),
            "spindle_speed_rpm": round(rng.uniform(500.0, 24000.0), 1) if has_spindle else None,
            "customExtension": custom_extension(machine["machine_type"], firmware, rng),
        }


def iter_sensor_readings(
    n: int,
    seed: int,
    start: dt.datetime = DEFAULT_START,
    interval_ms: int = 200,
    plants: int = 4,
    hot_machine_share: float = 0.0,
    hot_machines: int = 2,
) -> Iterator[dict[str, Any]]:
    """Yield ``n`` valid readings in event-time order, one every ``interval_ms``.

    With ``hot_machine_share`` > 0, exactly ``round_half_up(n * share)`` readings come from the
    first ``hot_machines`` machines (:func:`.plants.hot_machine_ids`) and the rest from the others.
    With 0, every machine is equally likely.
    """
    require_in_range("hot_machine_share", hot_machine_share, 0.0, 1.0)
    require_count("n", n)
    hot_events = exact_count(n, hot_machine_share)
    return readings_with_hot_events(n, seed, start, interval_ms, plants, hot_events, hot_machines)
