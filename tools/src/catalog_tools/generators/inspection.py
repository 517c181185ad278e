"""End-of-line test results: one measurement of one produced unit on a test station.

``passed`` is true exactly when ``lower_limit <= measured_value <= upper_limit``; values are
drawn around the nominal value, so most units pass and some fail.

Example::

    >>> result = next(iter_test_results(1, seed=1))
    >>> low, value, high = result["lower_limit"], result["measured_value"], result["upper_limit"]
    >>> result["passed"] == (low <= value <= high)
    True
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from catalog_tools.generators.common import DEFAULT_START, require_count, require_utc_start
from catalog_tools.generators.plants import iter_machines

PRODUCTS = ("PRD-HOUSING-A", "PRD-BRACKET-B", "PRD-VALVE-C", "PRD-SENSOR-D")
# measurement -> (unit, nominal, tolerance); limits are nominal -/+ tolerance
MEASUREMENTS: dict[str, tuple[str, float, float]] = {
    "insulation_resistance": ("Mohm", 500.0, 200.0),
    "leak_rate": ("mbar*l/s", 0.5, 0.4),
    "torque": ("N*m", 12.0, 1.5),
}
STATIONS_PER_PLANT = 3


def iter_test_results(
    n: int, seed: int, start: dt.datetime = DEFAULT_START, plants: int = 4
) -> Iterator[dict[str, Any]]:
    """Yield ``n`` test results, one every 7 seconds from ``start``.

    ``equipment_id`` is the test station (``<plant>-TE<nn>``), ``machine_id`` the machine that
    produced the unit, in the same plant.
    """
    require_count("n", n)
    start = require_utc_start(start)
    machines = list(iter_machines(plants))
    return _generate(n, seed, start, machines)


def _generate(n: int, seed: int, start: dt.datetime,
              machines: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    rng = random.Random(f"test-results/{seed}")
    for index in range(n):
        machine = rng.choice(machines)
        measurement = rng.choice(sorted(MEASUREMENTS))
        unit, nominal, tolerance = MEASUREMENTS[measurement]
        value = round(rng.gauss(nominal, tolerance / 2), 4)
        lower, upper = round(nominal - tolerance, 4), round(nominal + tolerance, 4)
        yield {
            "test_id": f"TST-{index + 1:08d}-{rng.getrandbits(24):06x}",
            "equipment_id": f"{machine['plant_id']}-TE{rng.randint(1, STATIONS_PER_PLANT):02d}",
            "machine_id": machine["machine_id"],
            "plant_id": machine["plant_id"],
            "product_id": rng.choice(PRODUCTS),
            "serial_number": f"SN{rng.getrandbits(40):010X}",
            "measurement": measurement,
            "unit": unit,
            "measured_value": value,
            "lower_limit": lower,
            "upper_limit": upper,
            "passed": lower <= value <= upper,
            "tested_at": start + dt.timedelta(seconds=index * 7),
        }
