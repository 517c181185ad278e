"""Machine configuration and firmware history: the source feed of an SCD Type 2 dimension.

Every machine gets an initial row when it is onboarded (``history_days`` before ``start``), then
``n - machines`` changes follow at distinct seeded times before ``start``. Each change row holds
the machine's full configuration after the change, with at least one of
``TRACKED_ATTRIBUTES`` different from the machine's previous row. Firmware only moves forward
along ``FIRMWARE_TRAIN``. ``changed_at`` is the source system's change time, never a load time.

Rows come in delivery order. ``out_of_order=k`` swaps ``k`` disjoint pairs of consecutive changes
of the same machine, so exactly ``k`` rows arrive after a newer change of their machine.

Example::

    >>> batch = machine_config_changes(n=50, seed=3, out_of_order=2)
    >>> len(batch.rows), batch.out_of_order
    (50, 2)
    >>> sorted(batch.rows[0])  # doctest: +NORMALIZE_WHITESPACE
    ['changed_at', 'control_mode', 'firmware_version', 'line_id', 'machine_id', 'machine_type',
     'max_speed_rpm', 'owner_team', 'plant_id', 'setpoint_temperature_c']
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from catalog_tools.generators.common import (
    DEFAULT_START,
    InvalidGeneratorArgumentError,
    require_count,
    require_in_range,
    require_utc_start,
)
from catalog_tools.generators.extension import FIRMWARE_TRAIN
from catalog_tools.generators.plants import iter_machines

CONTROL_MODES = ("auto", "semi_auto", "manual")
OWNER_TEAMS = ("maintenance-a", "maintenance-b", "process-eng")
MAX_SPEEDS_RPM = (1200, 1800, 2400, 3600, 4800)
TRACKED_ATTRIBUTES = ("firmware_version", "setpoint_temperature_c", "max_speed_rpm",
                      "control_mode", "owner_team")


@dataclass(frozen=True)
class ConfigChangeBatch:
    """Change rows in delivery order and how many of them arrive after a newer change."""

    rows: list[dict[str, Any]]
    out_of_order: int


def _initial_config(machine: dict[str, Any], rng: random.Random, at: dt.datetime) -> dict[str, Any]:
    return {
        "machine_id": machine["machine_id"],
        "plant_id": machine["plant_id"],
        "line_id": machine["line_id"],
        "machine_type": machine["machine_type"],
        "firmware_version": FIRMWARE_TRAIN[0],
        "setpoint_temperature_c": round(rng.uniform(40, 80), 1),
        "max_speed_rpm": rng.choice(MAX_SPEEDS_RPM[:4]),
        "control_mode": "auto",
        "owner_team": rng.choice(OWNER_TEAMS),
        "changed_at": at,
    }


def _next_config(previous: dict[str, Any], rng: random.Random, at: dt.datetime) -> dict[str, Any]:
    change = dict(previous, changed_at=at)
    changeable = [a for a in TRACKED_ATTRIBUTES
                  if a != "firmware_version" or previous[a] != FIRMWARE_TRAIN[-1]]
    for attribute in rng.sample(changeable, rng.randint(1, 2)):
        if attribute == "firmware_version":
            change[attribute] = FIRMWARE_TRAIN[FIRMWARE_TRAIN.index(previous[attribute]) + 1]
        elif attribute == "setpoint_temperature_c":
            step = rng.choice([-5.0, -2.5, 2.5, 5.0])
            change[attribute] = round(previous[attribute] + step, 1)
        else:
            choices = {"max_speed_rpm": MAX_SPEEDS_RPM, "control_mode": CONTROL_MODES,
                       "owner_team": OWNER_TEAMS}[attribute]
            change[attribute] = rng.choice([c for c in choices if c != previous[attribute]])
    return change


def _in_source_order(n: int, seed: int, start: dt.datetime, plants: int,
                     history_days: int) -> list[dict[str, Any]]:
    machines = list(iter_machines(plants))
    onboarded = start - dt.timedelta(days=history_days)
    window_s = (history_days - 1) * 86400  # changes fall between onboarded + 1 day and start
    if not len(machines) <= n <= len(machines) + window_s - 1:
        raise InvalidGeneratorArgumentError(
            f"n: expected at least one row per machine ({len(machines)}) and at most one change "
            f"per second of history ({len(machines) + window_s - 1}), got {n}"
        )
    rng = random.Random(f"machine-config/{seed}")
    current = {m["machine_id"]: _initial_config(m, rng, onboarded + dt.timedelta(minutes=i))
               for i, m in enumerate(machines)}
    rows = list(current.values())
    first_change = onboarded + dt.timedelta(days=1)
    for offset_s in sorted(rng.sample(range(window_s), n - len(machines))):
        machine_id = rng.choice(machines)["machine_id"]
        current[machine_id] = _next_config(current[machine_id], rng,
                                           first_change + dt.timedelta(seconds=offset_s))
        rows.append(current[machine_id])
    return rows


def machine_config_changes(
    n: int,
    seed: int,
    out_of_order: int = 0,
    start: dt.datetime = DEFAULT_START,
    plants: int = 4,
    history_days: int = 90,
) -> ConfigChangeBatch:
    """Return ``n`` change rows in delivery order with exactly ``out_of_order`` late-delivered ones.

    ``out_of_order`` may be at most the number of disjoint same-machine change pairs; beyond
    that it raises :class:`InvalidGeneratorArgumentError` saying how many there are.
    """
    require_count("n", n)
    require_count("out_of_order", out_of_order)
    require_in_range("history_days", history_days, 2, 3650)
    rows = _in_source_order(n, seed, require_utc_start(start), plants, history_days)
    positions_by_machine: dict[str, list[int]] = {}
    for position, row in enumerate(rows):
        positions_by_machine.setdefault(row["machine_id"], []).append(position)
    disjoint_pairs = [(p[i], p[i + 1]) for p in positions_by_machine.values()
                      for i in range(0, len(p) - 1, 2)]
    require_in_range("out_of_order", out_of_order, 0, len(disjoint_pairs))
    for older, newer in random.Random(f"machine-config-delivery/{seed}").sample(disjoint_pairs,
                                                                               out_of_order):
        rows[older], rows[newer] = rows[newer], rows[older]
    return ConfigChangeBatch(rows, out_of_order)


def iter_machine_config_changes(
    n: int,
    seed: int,
    out_of_order: int = 0,
    start: dt.datetime = DEFAULT_START,
    plants: int = 4,
    history_days: int = 90,
) -> Iterator[dict[str, Any]]:
    """Yield the rows of :func:`machine_config_changes` (arguments are checked at the call)."""
    return iter(machine_config_changes(n, seed, out_of_order, start, plants, history_days).rows)
