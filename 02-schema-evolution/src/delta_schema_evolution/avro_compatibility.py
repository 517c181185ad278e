"""Avro schema evolution checked the only way that cannot lie: write records with one schema and read
them with the other (fastavro's schema resolution), for the Confluent modes BACKWARD, FORWARD, FULL and
their transitive variants.

* BACKWARD: the NEW schema reads data written with the latest previous schema (consumers upgrade first).
* FORWARD: the latest previous schema reads data written with the NEW schema (producers upgrade first).
* FULL: both. ``*_TRANSITIVE``: against every previous version, not only the latest.

Example::

    >>> v1 = {"type": "record", "name": "Reading", "fields": [{"name": "id", "type": "long"}]}
    >>> v2 = {"type": "record", "name": "Reading", "fields": [{"name": "id", "type": "long"},
    ...       {"name": "unit", "type": "string", "default": "C"}]}
    >>> check_compatibility(v2, [v1], FULL).compatible
    True
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from fastavro import parse_schema, schemaless_reader, schemaless_writer

from delta_schema_evolution.errors import SchemaInputError

BACKWARD, BACKWARD_TRANSITIVE = "BACKWARD", "BACKWARD_TRANSITIVE"
FORWARD, FORWARD_TRANSITIVE = "FORWARD", "FORWARD_TRANSITIVE"
FULL, FULL_TRANSITIVE = "FULL", "FULL_TRANSITIVE"
NONE = "NONE"
MODES = (BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL, FULL_TRANSITIVE, NONE)

_PRIMITIVE_SAMPLES: dict[str, list[Any]] = {
    "null": [None], "boolean": [True, False], "int": [7, -3], "long": [3_000_000_000, 1],
    "float": [1.5, -2.25], "double": [71.5, -0.125], "string": ["C", "rpm"], "bytes": [b"\x01", b""],
}


@dataclass(frozen=True)
class ReadCheck:
    """One direction checked: data written with ``writer_version`` read with ``reader_version``."""

    writer_version: int
    reader_version: int
    readable: bool
    error: str | None = None


@dataclass(frozen=True)
class CompatibilityResult:
    """The mode, whether the new schema passes it, and every read that was tried."""

    mode: str
    compatible: bool
    checks: list[ReadCheck] = field(default_factory=list)


def _sample(schema: Any, index: int) -> Any:
    """A deterministic value of ``schema``; ``index`` rotates union branches and enum symbols."""
    if isinstance(schema, str):
        if schema not in _PRIMITIVE_SAMPLES:
            raise SchemaInputError(f"sample records: expected a primitive or inline type, got named type {schema!r}")
        values = _PRIMITIVE_SAMPLES[schema]
        return values[index % len(values)]
    if isinstance(schema, list):
        return _sample(schema[index % len(schema)], index)
    kind = schema["type"]
    if kind == "record":
        return {f["name"]: _sample(f["type"], index) for f in schema["fields"]}
    if kind == "enum":
        return schema["symbols"][index % len(schema["symbols"])]
    if kind == "array":
        return [_sample(schema["items"], index), _sample(schema["items"], index + 1)]
    if kind == "map":
        return {"k1": _sample(schema["values"], index), "k2": _sample(schema["values"], index + 1)}
    if kind == "fixed":
        return bytes(schema["size"])
    return _sample(kind, index)


def sample_records(schema: dict[str, Any], count: int = 4) -> list[dict[str, Any]]:
    """``count`` records that exercise every union branch and enum symbol of ``schema`` in turn."""
    return [_sample(schema, index) for index in range(count)]


def can_read(writer_schema: dict[str, Any], reader_schema: dict[str, Any],
             records: list[dict[str, Any]] | None = None) -> str | None:
    """Write ``records`` (default: samples) with the writer schema, read them with the reader schema.

    Returns None when every record is read back, else the resolution error's message.
    """
    writer, reader = parse_schema(writer_schema), parse_schema(reader_schema)
    for record in records if records is not None else sample_records(writer_schema):
        buffer = io.BytesIO()
        schemaless_writer(buffer, writer, record)
        buffer.seek(0)
        try:
            schemaless_reader(buffer, writer, reader)
        except Exception as error:  # noqa: BLE001 - any resolution failure means "not readable"
            return f"{type(error).__name__}: {error}"
    return None


def check_compatibility(new_schema: dict[str, Any], previous_schemas: list[dict[str, Any]],
                        mode: str) -> CompatibilityResult:
    """Check ``new_schema`` against ``previous_schemas`` (oldest first) under ``mode``."""
    if mode not in MODES:
        raise SchemaInputError(f"mode: expected one of {MODES}, got {mode!r}")
    if mode == NONE or not previous_schemas:
        return CompatibilityResult(mode, True)
    new_version = len(previous_schemas) + 1
    versions = list(enumerate(previous_schemas, start=1))
    against = versions if mode.endswith("_TRANSITIVE") else versions[-1:]
    checks: list[ReadCheck] = []
    for version, old in against:
        if mode.startswith(("BACKWARD", "FULL")):
            error = can_read(old, new_schema)
            checks.append(ReadCheck(version, new_version, error is None, error))
        if mode.startswith(("FORWARD", "FULL")):
            error = can_read(new_schema, old)
            checks.append(ReadCheck(new_version, version, error is None, error))
    return CompatibilityResult(mode, all(check.readable for check in checks), checks)
