"""Machine configuration and firmware changes over time: the source of an SCD Type 2 dimension.

Each machine has an initial configuration and then changes of one or two tracked attributes at
seeded times (``changed_at`` is the source system's change time, never the load time). Rows come
in delivery order. ``out_of_order`` swaps that many disjoint pairs of consecutive changes of the
same machine, so exactly that many rows arrive after a newer change of their machine.

Example::

    >>> batch = machine_config_changes(n=50, seed=3, out_of_order=2)
    >>> len(batch.rows), batch.out_of_order
    (50, 2)
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from catalog_tools.generators.plants import InvalidGeneratorArgumentError, iter_plant_hierarchy, require_in_range
from catalog_tools.generators.sensors import DEFAULT_START

FIRMWARE_TRAIN = ("1.4.2", "1.5.0", "2.1.0", "2.2.1", "2.3.0")
CONTROL_MODES = ("auto", "semi_auto", "manual")
OWNER_TEAMS = ("maintenance-a", "maintenance-b", "process-eng")
TRACKED_ATTRIBUTES = ("firmware_version", "setpoint_temperature_c", "max_speed_rpm", "control_mode", "owner_team")


@dataclass(frozen=True)
class ConfigChangeBatch:
    """Change rows in delivery order and how many of them arrive after a newer change."""

    rows: list[dict[str, Any]]
    out_of_order: int


def _initial_config(machine: dict[str, Any], rng: random.Random, at: dt.datetime) -> dict[str, Any]:
    return {
        "machine_id": machine["machine_id"],
        "plant_id": machine["plant_id"],
        "machine_type": machine["machine_type"],
        "firmware_version": FIRMWARE_TRAIN[0],
        "setpoint_temperature_c": round(rng.uniform(40, 80), 1),
        "max_speed_rpm": rng.choice([1200, 1800, 2400, 3600]),
        "control_mode": "auto",
        "owner_team": rng.choice(OWNER_TEAMS),
        "status": "active",
        "changed_at": at,
    }


def _next_config(previous: dict[str, Any], rng: random.Random, at: dt.datetime) -> dict[str, Any]:
    change = dict(previous, changed_at=at)
    for attribute in rng.sample(TRACKED_ATTRIBUTES, rng.randint(1, 2)):
        if attribute == "firmware_version":
            position = FIRMWARE_TRAIN.index(previous["firmware_version"])
            change[attribute] = FIRMWARE_TRAIN[min(position + 1, len(FIRMWARE_TRAIN) - 1)]
        elif attribute == "setpoint_temperature_c":
            change[attribute] = round(previous[attribute] + rng.choice([-5.0, -2.5, 2.5, 5.0]), 1)
        elif attribute == "max_speed_rpm":
            change[attribute] = rng.choice([1200, 1800, 2400, 3600, 4800])
        elif attribute == "control_mode":
            change[attribute] = rng.choice([m for m in CONTROL_MODES if m != previous[attribute]])
        else:
            change[attribute] = rng.choice([t for t in OWNER_TEAMS if t != previous[attribute]])
    return change


def iter_machine_config_changes(
    n: int, seed: int, start: dt.datetime = DEFAULT_START, plants: int = 4
) -> Iterator[dict[str, Any]]:
    """Yield ``n`` change rows in ``changed_at`` order: every machine's initial row, then changes."""
    machines = list(iter_plant_hierarchy(plants=plants))
    if n < len(machines):
        raise InvalidGeneratorArgumentError(
            f"n: expected at least one row per machine ({len(machines)}), got {n}"
        )
    rng = random.Random(seed)
    onboarded = start - dt.timedelta(days=90)
    current = {m["machine_id"]: _initial_config(m, rng, onboarded + dt.timedelta(minutes=i))
               for i, m in enumerate(machines)}
    yield from current.values()
    moment = onboarded + dt.timedelta(days=1)
    for _ in range(n - len(machines)):
        moment += dt.timedelta(minutes=rng.randint(30, 24 * 60))
        machine_id = rng.choice(machines)["machine_id"]
        current[machine_id] = _next_config(current[machine_id], rng, moment)
        yield current[machine_id]


def machine_config_changes(
    n: int, seed: int, out_of_order: int = 0, start: dt.datetime = DEFAULT_START, plants: int = 4
) -> ConfigChangeBatch:
    """Return ``n`` change rows in delivery order with exactly ``out_of_order`` late-delivered ones."""
    rows = list(iter_machine_config_changes(n, seed, start, plants))
    positions_by_machine: dict[str, list[int]] = {}
    for position, row in enumerate(rows):
        positions_by_machine.setdefault(row["machine_id"], []).append(position)
    disjoint_pairs = [(p[i], p[i + 1]) for p in positions_by_machine.values() for i in range(0, len(p) - 1, 2)]
    require_in_range("out_of_order", out_of_order, 0, len(disjoint_pairs))
    for older, newer in random.Random(seed ^ 0xC0FF).sample(disjoint_pairs, out_of_order):
        rows[older], rows[newer] = rows[newer], rows[older]
    return ConfigChangeBatch(rows, out_of_order)
