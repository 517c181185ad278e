"""The plant hierarchy: division > site > plant > line > machine, plants in six IANA time zones.

The structure is fixed so every dataset joins on ``machine_id`` whatever its seed: machine ids
are ``<plant>-L<line>-M<nn>`` and a machine's type is a function of its id. The seed chooses the
descriptive attributes (manufacturer, model, serial number, installation date).

Example::

    >>> rows = iter_plant_hierarchy(seed=1, plants=2, lines_per_plant=1, machines_per_line=2)
    >>> for row in rows:
    ...     print(row["machine_id"], row["machine_type"], row["time_zone"])
    BER1-L1-M01 cnc_mill Europe/Berlin
    BER1-L1-M02 injection_molder Europe/Berlin
    CHI1-L1-M01 cnc_mill America/Chicago
    CHI1-L1-M02 injection_molder America/Chicago
"""
from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from catalog_tools.generators.common import InvalidGeneratorArgumentError, require_in_range


class PlantSite(NamedTuple):
    """One plant with its site and division."""

    division_id: str
    division_name: str
    site_id: str
    site_name: str
    plant_id: str
    plant_name: str
    country: str
    time_zone: str


PLANT_SITES: tuple[PlantSite, ...] = (
    PlantSite("DIV-EU", "Europe", "SITE-BER", "Berlin", "BER1", "Berlin Assembly", "DE",
              "Europe/Berlin"),
    PlantSite("DIV-AM", "Americas", "SITE-CHI", "Chicago", "CHI1", "Chicago Machining", "US",
              "America/Chicago"),
    PlantSite("DIV-AP", "Asia Pacific", "SITE-SHA", "Shanghai", "SHA1", "Shanghai Molding", "CN",
              "Asia/Shanghai"),
    PlantSite("DIV-EU", "Europe", "SITE-BRN", "Brno", "BRN1", "Brno Components", "CZ",
              "Europe/Prague"),
    PlantSite("DIV-AM", "Americas", "SITE-MTY", "Monterrey", "MTY1", "Monterrey Stamping", "MX",
              "America/Monterrey"),
    PlantSite("DIV-AP", "Asia Pacific", "SITE-PNQ", "Pune", "PNQ1", "Pune Test Center", "IN",
              "Asia/Kolkata"),
)
MACHINE_TYPES: tuple[str, ...] = ("cnc_mill", "injection_molder", "press", "test_bench")
# fictional vendors and model names, per machine type
MACHINE_MODELS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "cnc_mill": (("Northmill", ("NM-500", "NM-750")), ("Vektor", ("VX-5",))),
    "injection_molder": (("Polyform", ("PF-220", "PF-350")), ("Moldex", ("MX-80",))),
    "press": (("Stampwerk", ("SW-400", "SW-800")), ("Ironline", ("IL-250",))),
    "test_bench": (("Checkpoint", ("CP-2", "CP-4")), ("Veritest", ("VT-10",))),
}
_MACHINE_ID = re.compile(r"^[A-Z0-9]+-L(\d+)-M(\d+)$")


def machine_type_of(machine_id: str) -> str:
    """Type of machine ``M<m>`` on line ``L<l>``: ``MACHINE_TYPES[(l + m - 2) % 4]``.

    Example::

        >>> machine_type_of("BER1-L2-M03")
        'test_bench'
    """
    match = _MACHINE_ID.match(machine_id)
    if match is None:
        raise InvalidGeneratorArgumentError(
            f"machine_id: expected '<plant>-L<line>-M<nn>', got {machine_id!r}"
        )
    line, number = int(match.group(1)), int(match.group(2))
    return MACHINE_TYPES[(line + number - 2) % len(MACHINE_TYPES)]


def iter_machines(
    plants: int = 4, lines_per_plant: int = 2, machines_per_line: int = 3
) -> Iterator[dict[str, Any]]:
    """Yield the fixed structure, one row per machine: ids, type, line and the plant's time zone.

    Example::

        >>> len(list(iter_machines()))
        24
    """
    require_in_range("plants", plants, 1, len(PLANT_SITES))
    require_in_range("lines_per_plant", lines_per_plant, 1, 99)
    require_in_range("machines_per_line", machines_per_line, 1, 99)
    return _generate_machines(plants, lines_per_plant, machines_per_line)


def _generate_machines(plants: int, lines_per_plant: int,
                       machines_per_line: int) -> Iterator[dict[str, Any]]:
    for site in PLANT_SITES[:plants]:
        for line in range(1, lines_per_plant + 1):
            for number in range(1, machines_per_line + 1):
                machine_id = f"{site.plant_id}-L{line}-M{number:02d}"
                yield {
                    **site._asdict(),
                    "line_id": f"{site.plant_id}-L{line}",
                    "machine_id": machine_id,
                    "machine_type": machine_type_of(machine_id),
                }


def hot_machine_ids(hot_machines: int, plants: int = 4) -> tuple[str, ...]:
    """The machines that carry the key skew: the first ``hot_machines`` of the hierarchy.

    Example::

        >>> hot_machine_ids(2)
        ('BER1-L1-M01', 'BER1-L1-M02')
    """
    machines = [m["machine_id"] for m in iter_machines(plants)]
    require_in_range("hot_machines", hot_machines, 1, len(machines) - 1)
    return tuple(machines[:hot_machines])


def iter_plant_hierarchy(
    seed: int, plants: int = 4, lines_per_plant: int = 2, machines_per_line: int = 3
) -> Iterator[dict[str, Any]]:
    """Yield one row per machine with its line, plant, site, division and seeded attributes.

    Columns: the ``PlantSite`` fields, ``line_id``, ``machine_id``, ``machine_type``,
    ``manufacturer``, ``model``, ``serial_number`` and ``installed_on`` (a date).
    """
    machines = iter_machines(plants, lines_per_plant, machines_per_line)
    return _with_seeded_attributes(machines, random.Random(f"plant-hierarchy/{seed}"))


def _with_seeded_attributes(machines: Iterator[dict[str, Any]],
                            rng: random.Random) -> Iterator[dict[str, Any]]:
    for machine in machines:
        manufacturer, models = rng.choice(MACHINE_MODELS[machine["machine_type"]])
        yield {
            **machine,
            "manufacturer": manufacturer,
            "model": rng.choice(models),
            "serial_number": f"{manufacturer[:2].upper()}{rng.getrandbits(32):08X}",
            "installed_on": dt.date(2015, 1, 1) + dt.timedelta(days=rng.randint(0, 3650)),
        }
