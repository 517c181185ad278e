"""Production output per machine and shift, with shifts in each plant's local time.

Shifts A, B and C start at 06:00, 14:00 and 22:00 plant-local time and last eight hours, so C
ends on the next calendar day. ``shift_date`` is the local date the shift starts on;
``shift_start`` and ``produced_at`` (the end of the shift, when the counts are reported) are UTC.
Rows go shift by shift, each shift listing every machine; the first shift is A on ``start``'s
UTC date.

Example::

    >>> row = next(iter_production_output(1, seed=1))
    >>> row["machine_id"], row["shift_code"], str(row["shift_start"])
    ('BER1-L1-M01', 'A', '2026-01-05 05:00:00+00:00')
    >>> row["good_units"] + row["scrap_units"] <= row["planned_units"]
    True
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from catalog_tools.generators.common import DEFAULT_START, require_count, require_utc_start
from catalog_tools.generators.inspection import PRODUCTS
from catalog_tools.generators.plants import iter_machines

SHIFTS: tuple[tuple[str, int], ...] = (("A", 6), ("B", 14), ("C", 22))  # code, local start hour
SHIFT_HOURS = 8


def iter_production_output(
    n: int, seed: int, start: dt.datetime = DEFAULT_START, plants: int = 4
) -> Iterator[dict[str, Any]]:
    """Yield ``n`` per-machine, per-shift output rows (planned, good and scrap units)."""
    require_count("n", n)
    machines = list(iter_machines(plants))
    return _generate(n, seed, require_utc_start(start).date(), machines)


def _generate(n: int, seed: int, first_day: dt.date,
              machines: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    rng = random.Random(f"production-output/{seed}")
    for index in range(n):
        machine = machines[index % len(machines)]
        shift_number = index // len(machines)
        shift_code, local_hour = SHIFTS[shift_number % len(SHIFTS)]
        shift_date = first_day + dt.timedelta(days=shift_number // len(SHIFTS))
        local_start = dt.datetime.combine(shift_date, dt.time(local_hour),
                                          tzinfo=ZoneInfo(machine["time_zone"]))
        shift_start = local_start.astimezone(dt.UTC)
        planned = rng.randint(200, 600)
        scrap = rng.randint(0, planned // 20)
        yield {
            "output_id": f"OUT-{index + 1:08d}-{rng.getrandbits(24):06x}",
            "machine_id": machine["machine_id"],
            "plant_id": machine["plant_id"],
            "product_id": rng.choice(PRODUCTS),
            "shift_date": shift_date,
            "shift_code": shift_code,
            "shift_start": shift_start,
            "planned_units": planned,
            "good_units": planned - scrap - rng.randint(0, planned // 10),
            "scrap_units": scrap,
            "produced_at": shift_start + dt.timedelta(hours=SHIFT_HOURS),
        }
