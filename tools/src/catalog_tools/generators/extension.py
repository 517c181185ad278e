"""The ``customExtension`` map: keys by machine type and firmware, value types that drift.

A machine on firmware major version 1 sends a text key and integer strings (``"61"``). From
major version 2 on, the same numeric keys carry decimal strings (``"61.27"``), one more numeric
key appears, and one key holds a JSON-encoded object (``'{"axis":"x","value":0.12}'``).

Example::

    >>> import random
    >>> custom_extension("press", "1.4.2", random.Random(1))
    {'die_id': 'D009', 'tonnage_t': '498', 'stroke_count': '40113'}
    >>> sorted(extension_keys("press", "2.1.0"))
    ['die_id', 'lube_pressure_bar', 'ram_parallelism', 'stroke_count', 'tonnage_t']
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass

from catalog_tools.generators.common import InvalidGeneratorArgumentError

FIRMWARE_TRAIN: tuple[str, ...] = ("1.4.2", "1.5.0", "2.1.0", "2.2.1", "2.3.0")
SENSOR_FIRMWARE_BEFORE, SENSOR_FIRMWARE_AFTER = "1.4.2", "2.1.0"
DRIFT_MAJOR_VERSION = 2


@dataclass(frozen=True)
class ExtensionSpec:
    """The keys one machine type sends, and the value ranges behind them."""

    text_key: str  # e.g. tool_id = 'T012' on every firmware
    text_prefix: str
    numeric_keys: dict[str, tuple[float, float]]  # on every firmware
    added_keys: dict[str, tuple[float, float]]  # from major version 2 on
    json_key: str  # from major version 2 on: a JSON object {label: ..., "value": float}
    json_label: str
    json_label_values: tuple[str | int, ...]


EXTENSION_SPECS: dict[str, ExtensionSpec] = {
    "cnc_mill": ExtensionSpec(
        "tool_id", "T", {"spindle_load_pct": (5, 95), "coolant_temp_c": (15, 35)},
        {"tool_wear_um": (0, 300)}, "axis_offset", "axis", ("x", "y", "z"),
    ),
    "injection_molder": ExtensionSpec(
        "mold_id", "M", {"mold_temp_c": (40, 120), "shot_weight_g": (10, 900)},
        {"cushion_mm": (2, 12)}, "cavity_pressure", "cavity", (1, 2, 3, 4),
    ),
    "press": ExtensionSpec(
        "die_id", "D", {"tonnage_t": (100, 800), "stroke_count": (0, 50000)},
        {"lube_pressure_bar": (2, 8)}, "ram_parallelism", "corner", ("fl", "fr", "rl", "rr"),
    ),
    "test_bench": ExtensionSpec(
        "fixture_id", "F", {"voltage_mv": (3000, 5500), "current_ma": (50, 900)},
        {"ambient_rh_pct": (20, 70)}, "channel_reading", "channel", (1, 2, 3, 4, 5, 6, 7, 8),
    ),
}


def has_drifted(firmware: str) -> bool:
    """True from firmware major version 2 on (decimal strings, added keys, the JSON key)."""
    try:
        return int(firmware.split(".")[0]) >= DRIFT_MAJOR_VERSION
    except ValueError:
        raise InvalidGeneratorArgumentError(
            f"firmware: expected '<major>.<minor>.<patch>', got {firmware!r}"
        ) from None


def _spec(machine_type: str) -> ExtensionSpec:
    if machine_type not in EXTENSION_SPECS:
        raise InvalidGeneratorArgumentError(
            f"machine_type: expected one of {sorted(EXTENSION_SPECS)}, got {machine_type!r}"
        )
    return EXTENSION_SPECS[machine_type]


def extension_keys(machine_type: str, firmware: str) -> frozenset[str]:
    """The exact key set a machine of ``machine_type`` on ``firmware`` sends."""
    spec = _spec(machine_type)
    keys = {spec.text_key, *spec.numeric_keys}
    if has_drifted(firmware):
        keys |= {*spec.added_keys, spec.json_key}
    return frozenset(keys)


def custom_extension(machine_type: str, firmware: str, rng: random.Random) -> dict[str, str]:
    """Return the extension map a machine of ``machine_type`` on ``firmware`` sends."""
    spec = _spec(machine_type)
    drifted = has_drifted(firmware)
    values = {spec.text_key: f"{spec.text_prefix}{rng.randint(1, 40):03d}"}
    numeric = {**spec.numeric_keys, **(spec.added_keys if drifted else {})}
    for key, (low, high) in numeric.items():
        number = rng.uniform(low, high)
        values[key] = f"{number:.2f}" if drifted else str(int(number))
    if drifted:
        nested = {spec.json_label: rng.choice(spec.json_label_values),
                  "value": round(rng.uniform(-1.0, 1.0), 3)}
        values[spec.json_key] = json.dumps(nested, separators=(",", ":"))
    return values
