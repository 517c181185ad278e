"""The plant hierarchy: division > site > plant > line > machine, plants in several time zones.

Example::

    >>> machines = list(iter_plant_hierarchy(plants=2, lines_per_plant=1, machines_per_line=2))
    >>> [m["machine_id"] for m in machines]
    ['BER1-L1-M01', 'BER1-L1-M02', 'CHI1-L1-M01', 'CHI1-L1-M02']
"""
from __future__ import annotations

import zlib
from collections.abc import Iterator
from typing import Any, NamedTuple


class PlantSite(NamedTuple):
    division_id: str
    site_id: str
    plant_id: str
    plant_name: str
    country: str
    time_zone: str


PLANT_SITES: tuple[PlantSite, ...] = (
    PlantSite("DIV-EU", "SITE-BER", "BER1", "Berlin Assembly", "DE", "Europe/Berlin"),
    PlantSite("DIV-AM", "SITE-CHI", "CHI1", "Chicago Machining", "US", "America/Chicago"),
    PlantSite("DIV-AP", "SITE-SHA", "SHA1", "Shanghai Molding", "CN", "Asia/Shanghai"),
    PlantSite("DIV-EU", "SITE-BRN", "BRN1", "Brno Components", "CZ", "Europe/Prague"),
    PlantSite("DIV-AM", "SITE-MTY", "MTY1", "Monterrey Stamping", "MX", "America/Monterrey"),
    PlantSite("DIV-AP", "SITE-PNQ", "PNQ1", "Pune Test Center", "IN", "Asia/Kolkata"),
)
MACHINE_TYPES: tuple[str, ...] = ("cnc_mill", "injection_molder", "press", "test_bench")


class InvalidGeneratorArgumentError(ValueError):
    """A generator argument is outside its documented range."""


def require_in_range(name: str, value: float, low: float, high: float) -> None:
    """Raise InvalidGeneratorArgumentError unless ``low <= value <= high``."""
    if not low <= value <= high:
        raise InvalidGeneratorArgumentError(f"{name}: expected a value in [{low}, {high}], got {value!r}")


def machine_type_of(machine_id: str) -> str:
    """The machine type is a fixed function of the id, so every generator and seed agree on it."""
    return MACHINE_TYPES[zlib.crc32(machine_id.encode()) % len(MACHINE_TYPES)]


def iter_plant_hierarchy(
    plants: int = 4, lines_per_plant: int = 2, machines_per_line: int = 3
) -> Iterator[dict[str, Any]]:
    """Yield one row per machine with its line, plant, site, division and the plant's time zone.

    The hierarchy is fixed, not random: ids are ``<plant>-L<line>-M<nn>`` and each machine's type
    comes from :func:`machine_type_of`, so datasets generated with different seeds join.
    """
    require_in_range("plants", plants, 1, len(PLANT_SITES))
    require_in_range("lines_per_plant", lines_per_plant, 1, 99)
    require_in_range("machines_per_line", machines_per_line, 1, 99)
    for site in PLANT_SITES[:plants]:
        for line in range(1, lines_per_plant + 1):
            for number in range(1, machines_per_line + 1):
                machine_id = f"{site.plant_id}-L{line}-M{number:02d}"
                yield {
                    "machine_id": machine_id,
                    "machine_type": machine_type_of(machine_id),
                    "line_id": f"{site.plant_id}-L{line}",
                    **site._asdict(),
                }
