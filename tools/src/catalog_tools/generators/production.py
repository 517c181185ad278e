"""Test-equipment results and per-shift production output.

Example::

    >>> next(iter_test_results(1, seed=1))["passed"] in (True, False)
    True
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from catalog_tools.generators.plants import iter_plant_hierarchy, require_in_range
from catalog_tools.generators.sensors import DEFAULT_START

PRODUCTS = ("PRD-HOUSING-A", "PRD-BRACKET-B", "PRD-VALVE-C", "PRD-SENSOR-D")
# measurement -> (nominal, tolerance)
MEASUREMENTS = {"leak_rate_mbar_l_s": (0.5, 0.4), "torque_nm": (12.0, 1.5), "insulation_mohm": (500.0, 200.0)}
SHIFTS = (("A", 6), ("B", 14), ("C", 22))  # code, local start hour; C crosses midnight


def iter_test_results(
    n: int, seed: int, start: dt.datetime = DEFAULT_START, plants: int = 4
) -> Iterator[dict[str, Any]]:
    """Yield ``n`` end-of-line test results; ``passed`` is true exactly when the value is within limits."""
    require_in_range("n", n, 0, 100_000_000)
    rng = random.Random(seed)
    machines = list(iter_plant_hierarchy(plants=plants))
    for index in range(n):
        machine = rng.choice(machines)
        measurement = rng.choice(sorted(MEASUREMENTS))
        nominal, tolerance = MEASUREMENTS[measurement]
        value = round(rng.gauss(nominal, tolerance / 2), 4)
        lower, upper = nominal - tolerance, nominal + tolerance
        yield {
            "test_id": f"TST-{seed}-{index:08d}",
            "equipment_id": f"{machine['plant_id']}-TE{rng.randint(1, 3):02d}",
            "machine_id": machine["machine_id"],
            "plant_id": machine["plant_id"],
            "product_id": rng.choice(PRODUCTS),
            "serial_number": f"SN{rng.getrandbits(40):012X}",
            "measurement": measurement,
            "measured_value": value,
            "lower_limit": lower,
            "upper_limit": upper,
            "passed": lower <= value <= upper,
            "tested_at": start + dt.timedelta(seconds=index * 7),
        }


def iter_production_output(
    n: int, seed: int, start: dt.datetime = DEFAULT_START, plants: int = 4
) -> Iterator[dict[str, Any]]:
    """Yield ``n`` per-machine, per-shift output records (good and scrap units)."""
    require_in_range("n", n, 0, 100_000_000)
    rng = random.Random(seed)
    machines = list(iter_plant_hierarchy(plants=plants))
    for index in range(n):
        machine = machines[index % len(machines)]
        shift_number = index // len(machines)
        shift_code, _ = SHIFTS[shift_number % len(SHIFTS)]
        shift_date = (start + dt.timedelta(days=shift_number // len(SHIFTS))).date()
        planned = rng.randint(200, 600)
        scrap = rng.randint(0, planned // 20)
        yield {
            "output_id": f"OUT-{seed}-{index:08d}",
            "machine_id": machine["machine_id"],
            "plant_id": machine["plant_id"],
            "product_id": rng.choice(PRODUCTS),
            "shift_date": shift_date,
            "shift_code": shift_code,
            "planned_units": planned,
            "good_units": planned - scrap - rng.randint(0, planned // 10),
            "scrap_units": scrap,
            "reported_at": start + dt.timedelta(hours=8 * (shift_number + 1)),
        }
