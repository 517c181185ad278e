"""The sensor-event contracts shipped with the package (version 1), as parsed dictionaries.

Example::

    >>> sensor_event_json_schema()["required"]
    ['event_id', 'machine_id', 'event_time']
"""
from __future__ import annotations

import json
from importlib import resources
from typing import Any


def _read(name: str) -> dict[str, Any]:
    return json.loads(resources.files("plant_data_quality.topic_contracts").joinpath("schemas", name).read_text())


def sensor_event_json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of the sensor event, version 1."""
    return _read("sensor_event.v1.schema.json")


def sensor_event_avro_schema() -> dict[str, Any]:
    """The Avro schema of the sensor event, version 1."""
    return _read("sensor_event.v1.avsc")
