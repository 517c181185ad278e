"""Breaking changes between two versions of a JSON Schema topic contract.

A change is breaking when a payload valid under the old version can be invalid under the new one
(producers break: required added, type narrowed, enum or range narrowed, pattern changed,
additional properties closed) or when consumers lose a guarantee they were given (field removed,
required removed, type changed). Adding an optional field, widening a type, a range or an enum,
and editing descriptions are compatible. Nested objects are compared property by property.

Example::

    >>> old = {"type": "object", "properties": {"rpm": {"type": "number"}}}
    >>> new = {"type": "object", "properties": {"rpm": {"type": "integer"}}}
    >>> [change.kind for change in breaking_json_schema_changes(old, new)]
    ['type_narrowed']
"""
from __future__ import annotations

from typing import Any

from plant_data_quality.topic_contracts.breaking_changes import SchemaChange

# a value of the key type is also valid as each listed type (integer -> number widens)
WIDER_TYPES = {"integer": {"integer", "number"}}


def _types(schema: dict[str, Any]) -> set[str] | None:
    declared = schema.get("type")
    if declared is None:
        return None
    return {declared} if isinstance(declared, str) else set(declared)


def _compare_types(old: dict[str, Any], new: dict[str, Any], path: str) -> list[SchemaChange]:
    old_types, new_types = _types(old), _types(new)
    if old_types is None or new_types is None or old_types <= new_types:
        return []
    changes = []
    if "null" in old_types and "null" not in new_types:
        changes.append(SchemaChange("null_no_longer_allowed", path, f"{sorted(old_types)} -> {sorted(new_types)}"))
    for old_type in sorted(old_types - {"null"} - new_types):
        if old_type == "number" and "integer" in new_types:
            changes.append(SchemaChange("type_narrowed", path, "number -> integer"))
        elif not any(old_type in WIDER_TYPES.get(new_type, {new_type}) for new_type in new_types):
            changes.append(SchemaChange("type_changed", path, f"{old_type} -> {sorted(new_types - {'null'})}"))
    return changes


def _compare_bounds(old: dict[str, Any], new: dict[str, Any], path: str) -> list[SchemaChange]:
    changes = []
    for key, kind, tighter in (("minimum", "range_narrowed", lambda o, n: n > o),
                               ("exclusiveMinimum", "range_narrowed", lambda o, n: n > o),
                               ("maximum", "range_narrowed", lambda o, n: n < o),
                               ("exclusiveMaximum", "range_narrowed", lambda o, n: n < o),
                               ("minLength", "length_narrowed", lambda o, n: n > o),
                               ("maxLength", "length_narrowed", lambda o, n: n < o)):
        if key in new and (key not in old or tighter(old[key], new[key])):
            changes.append(SchemaChange(kind, path, f"{key} {old.get(key, 'none')} -> {new[key]}"))
    if "pattern" in new and new.get("pattern") != old.get("pattern"):
        changes.append(SchemaChange("pattern_changed", path, f"{old.get('pattern', 'none')!r} -> {new['pattern']!r}"))
    if "enum" in new:
        removed = [value for value in old.get("enum", []) if value not in new["enum"]]
        if removed or "enum" not in old:
            changes.append(SchemaChange("enum_narrowed", path, f"values no longer allowed: {removed or 'any other'}"))
    return changes


def breaking_json_schema_changes(old: dict[str, Any], new: dict[str, Any], path: str = "$") -> list[SchemaChange]:
    """Every breaking change from ``old`` to ``new``, named; an empty list means compatible."""
    changes = _compare_types(old, new, path) + _compare_bounds(old, new, path)
    old_properties, new_properties = old.get("properties", {}), new.get("properties", {})
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    for name in old_properties:
        child = name if path == "$" else f"{path}.{name}"
        if name not in new_properties:
            changes.append(SchemaChange("field_removed", child, "consumers reading it get nothing"))
        else:
            changes += breaking_json_schema_changes(old_properties[name], new_properties[name], child)
    for name in sorted(new_required - old_required):
        changes.append(SchemaChange("required_added", name if path == "$" else f"{path}.{name}",
                                    "payloads without it become invalid"))
    for name in sorted(old_required - new_required):
        if name in new_properties:
            changes.append(SchemaChange("required_removed", name if path == "$" else f"{path}.{name}",
                                        "consumers relied on it being present"))
    if new.get("additionalProperties") is False and old.get("additionalProperties") is not False:
        changes.append(SchemaChange("additional_properties_closed", path, "extra fields now make a payload invalid"))
    return changes
