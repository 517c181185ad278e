"""Breaking changes between two Avro versions of a topic contract, by Avro's resolution rules.

``mode="backward"`` (Schema Registry's default) asks whether the new schema can read data written
with the old one; ``mode="full"`` also asks whether the old schema can read data written with the
new one. A field the reader needs that the writer lacks (and has no default) is ``required_added``
when the new schema reads old data, ``field_removed`` when the old schema reads new data.

Example::

    >>> old = {"type": "record", "name": "E", "fields": [{"name": "rpm", "type": "long"}]}
    >>> new = {"type": "record", "name": "E", "fields": [{"name": "rpm", "type": "int"}]}
    >>> [str(change) for change in breaking_avro_changes(old, new)]
    ['type_narrowed at rpm: written as long, read as int']
"""
from __future__ import annotations

from typing import Any

import fastavro

from plant_data_quality.errors import PayloadContractError
from plant_data_quality.topic_contracts.breaking_changes import SchemaChange

# writer type -> reader types that can read it (Avro's promotions)
PROMOTIONS = {"int": {"int", "long", "float", "double"}, "long": {"long", "float", "double"},
              "float": {"float", "double"}, "double": {"double"}, "string": {"string", "bytes"},
              "bytes": {"bytes", "string"}}
NUMERIC = ("int", "long", "float", "double")
MODES = ("backward", "full")


def _type_name(schema: Any) -> str:
    if isinstance(schema, list):
        return "union"
    if isinstance(schema, dict):
        return schema["type"] if isinstance(schema["type"], str) else _type_name(schema["type"])
    return schema


def _can_read(reader: Any, writer: Any, path: str, missing_kind: str) -> list[SchemaChange]:
    """What stops ``reader`` from reading data written with ``writer`` (empty: it can)."""
    if isinstance(writer, list):
        changes: list[SchemaChange] = []
        for branch in writer:
            changes += _can_read(reader, branch, path, missing_kind)
        return changes
    if isinstance(reader, list):
        if any(not _can_read(branch, writer, path, missing_kind) for branch in reader):
            return []
        kind = "null_no_longer_allowed" if _type_name(writer) == "null" else "type_changed"
        return [SchemaChange(kind, path, f"written as {_type_name(writer)}, read as a union without it")]
    writer_type, reader_type = _type_name(writer), _type_name(reader)
    if writer_type == "record" and reader_type == "record":
        return _record_changes(reader, writer, path, missing_kind)
    if writer_type == "enum" and reader_type == "enum":
        removed = [s for s in writer["symbols"] if s not in reader["symbols"]]
        if removed and "default" not in reader:
            return [SchemaChange("enum_narrowed", path, f"symbols the reader lacks: {removed}")]
        return []
    if writer_type in ("array", "map") and writer_type == reader_type:
        key = "items" if writer_type == "array" else "values"
        return _can_read(reader[key], writer[key], f"{path}[]", missing_kind)
    if reader_type in PROMOTIONS.get(writer_type, {writer_type}):
        return []
    if writer_type == "null":
        return [SchemaChange("null_no_longer_allowed", path, f"written as null, read as {reader_type}")]
    narrowed = writer_type in NUMERIC and reader_type in NUMERIC
    return [SchemaChange("type_narrowed" if narrowed else "type_changed", path,
                         f"written as {writer_type}, read as {reader_type}")]


def _record_changes(reader: dict[str, Any], writer: dict[str, Any], path: str, missing_kind: str) -> list[SchemaChange]:
    writer_fields = {field["name"]: field for field in writer["fields"]}
    changes = []
    for field in reader["fields"]:
        names = [field["name"], *field.get("aliases", [])]
        source = next((writer_fields[name] for name in names if name in writer_fields), None)
        child = field["name"] if path == "$" else f"{path}.{field['name']}"
        if source is None:
            if "default" not in field:
                changes.append(SchemaChange(missing_kind, child, "no value in the data and no default"))
            continue
        changes += _can_read(field["type"], source["type"], child, missing_kind)
    return changes


def breaking_avro_changes(old: dict[str, Any], new: dict[str, Any], mode: str = "backward") -> list[SchemaChange]:
    """Every breaking change from ``old`` to ``new`` in ``mode``; empty means compatible."""
    if mode not in MODES:
        raise ValueError(f"expected mode in {MODES}, got {mode!r}")
    for label, schema in (("old", old), ("new", new)):
        try:
            fastavro.parse_schema(schema)
        except Exception as error:  # fastavro raises several types for an invalid schema
            raise PayloadContractError(f"expected a valid Avro schema as {label}, got: {error}") from error
    changes = _can_read(new, old, "$", "required_added")
    if mode == "full":
        changes += [change for change in _can_read(old, new, "$", "field_removed") if change not in changes]
    return changes
