"""Turn a real Delta/Spark schema exception into a structured object and the resolution it calls for.

Works on the exception object or on its text (a log line), so a job's failure handler and an
on-call engineer reading a log get the same answer.

Example::

    >>> parsed = parse_delta_error(
    ...     "[DELTA_FAILED_TO_MERGE_FIELDS] Failed to merge fields 'rpm' and 'rpm' SQLSTATE: 22005\\n"
    ...     "Caused by: [DELTA_MERGE_INCOMPATIBLE_DATATYPE] Failed to merge incompatible data types "
    ...     "IntegerType and LongType SQLSTATE: 42K09")
    >>> (parsed.error_class, parsed.field_path, parsed.table_type, parsed.incoming_type, parsed.resolution)
    ('DELTA_FAILED_TO_MERGE_FIELDS', 'rpm', 'int', 'bigint', 'widen')
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pyspark.sql import types as T

from delta_schema_evolution.compatibility import (
    INCOMPATIBLE,
    LOSSY_CAST,
    SAFE_WIDENING,
    TYPE_WIDENING,
    classify_leaf,
)

WIDEN = "widen"
CAST = "cast"
SAFE_CAST_WITH_QUARANTINE = "safe_cast_with_quarantine"
VERSIONED_COLUMN = "versioned_column"
MERGE_SCHEMA = "merge_schema"
ENABLE_TABLE_FEATURE = "enable_table_feature"
UNKNOWN = "unknown"

RESOLUTION_OF_KIND = {
    TYPE_WIDENING: WIDEN,
    SAFE_WIDENING: CAST,
    LOSSY_CAST: SAFE_CAST_WITH_QUARANTINE,
    INCOMPATIBLE: VERSIONED_COLUMN,
}

_ERROR_CLASS = re.compile(r"\[([A-Z][A-Z0-9_]+(?:\.[A-Z0-9_]+)?)\]")
_MERGE_FIELDS = re.compile(r"Failed to merge fields '([^']+)' and '([^']+)'")
_INCOMPATIBLE_TYPES = re.compile(r"Failed to merge incompatible data types (.+?) and (.+?)(?: SQLSTATE|\n|$)")
_DECIMAL_PRECISION_SCALE = re.compile(
    r"Failed to merge decimal types with incompatible precision (\d+) and (\d+) & scale (\d+) and (\d+)")
_CAST_INPUT = re.compile(r'cannot be cast to "([A-Z0-9(), ]+)"', re.IGNORECASE)
_CAST_FROM = re.compile(r'of the type "([A-Z0-9(), ]+)" cannot be cast', re.IGNORECASE)
_SIMPLE_TYPES = {
    "ByteType": T.ByteType(), "ShortType": T.ShortType(), "IntegerType": T.IntegerType(), "LongType": T.LongType(),
    "FloatType": T.FloatType(), "DoubleType": T.DoubleType(), "StringType": T.StringType(),
    "BooleanType": T.BooleanType(), "DateType": T.DateType(), "TimestampType": T.TimestampType(),
    "TimestampNTZType": T.TimestampNTZType(), "BinaryType": T.BinaryType(),
}
_DECIMAL = re.compile(r"DecimalType\((\d+),\s*(\d+)\)")
_SQL_NAMES = {"INT": T.IntegerType(), "BIGINT": T.LongType(), "SMALLINT": T.ShortType(), "TINYINT": T.ByteType(),
              "DOUBLE": T.DoubleType(), "FLOAT": T.FloatType(), "STRING": T.StringType(), "DATE": T.DateType(),
              "BOOLEAN": T.BooleanType(), "TIMESTAMP": T.TimestampType()}


@dataclass(frozen=True)
class ParsedSchemaError:
    """What a schema exception says, in fields: error class, causes, path, both types, resolution."""

    error_class: str | None
    cause_classes: list[str] = field(default_factory=list)
    field_path: str | None = None
    table_type: str | None = None
    incoming_type: str | None = None
    resolution: str = UNKNOWN
    summary: str = ""


def _spark_type(text: str | None) -> T.DataType | None:
    """A pyspark type from a Scala type name (``IntegerType``, ``DecimalType(10,2)``) or SQL name (``INT``)."""
    if text is None:
        return None
    text = text.strip()
    if text in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[text]
    decimal = _DECIMAL.fullmatch(text) or re.fullmatch(r"DECIMAL\((\d+),\s*(\d+)\)", text)
    if decimal:
        return T.DecimalType(int(decimal.group(1)), int(decimal.group(2)))
    return _SQL_NAMES.get(text.upper())


def _type_text(text: str | None) -> str | None:
    data_type = _spark_type(text)
    if data_type is not None:
        return data_type.simpleString()
    if text and text.startswith("MapType("):
        return "map<...>: " + text
    return text


def _field_path(text: str) -> str | None:
    """Nested merges report each level as its own ``Failed to merge fields 'a' and 'a'``; join them."""
    names = [match.group(1) for match in _MERGE_FIELDS.finditer(text)]
    unique: list[str] = []
    for name in names:
        if not unique or unique[-1] != name:
            unique.append(name)
    return ".".join(unique) if unique else None


def _leaf_pair(path: str, table: T.DataType, incoming: T.DataType) -> tuple[str, T.DataType, T.DataType]:
    """Descend while both sides have the same shape, to the leaf that really differs: ``spindle``
    becomes ``spindle.rpm``, ``customExtension`` becomes ``customExtension.value``."""
    if isinstance(table, T.StructType) and isinstance(incoming, T.StructType):
        by_name = {f.name.lower(): f for f in incoming.fields}
        differing = [(f, by_name[f.name.lower()]) for f in table.fields
                     if f.name.lower() in by_name and f.dataType != by_name[f.name.lower()].dataType]
        if len(differing) == 1:
            table_field, incoming_field = differing[0]
            return _leaf_pair(f"{path}.{table_field.name}", table_field.dataType, incoming_field.dataType)
    if isinstance(table, T.MapType) and isinstance(incoming, T.MapType):
        if table.keyType == incoming.keyType:
            return _leaf_pair(f"{path}.value", table.valueType, incoming.valueType)
        return _leaf_pair(f"{path}.key", table.keyType, incoming.keyType)
    if isinstance(table, T.ArrayType) and isinstance(incoming, T.ArrayType):
        return _leaf_pair(f"{path}.element", table.elementType, incoming.elementType)
    return path, table, incoming


def _resolution(error_class: str | None, table: T.DataType | None, incoming: T.DataType | None,
                table_text: str | None, incoming_text: str | None) -> str:
    if error_class == "DELTA_FEATURES_REQUIRE_MANUAL_ENABLEMENT":
        return ENABLE_TABLE_FEATURE
    if error_class in {"CAST_INVALID_INPUT", "CAST_OVERFLOW", "NUMERIC_VALUE_OUT_OF_RANGE"}:
        return SAFE_CAST_WITH_QUARANTINE
    if error_class and error_class.startswith("_LEGACY_ERROR_TEMP_DELTA_0007"):
        return MERGE_SCHEMA
    if table is not None and incoming is not None:
        return RESOLUTION_OF_KIND.get(classify_leaf(table, incoming), UNKNOWN)
    if table_text and incoming_text:
        return VERSIONED_COLUMN
    return UNKNOWN


def error_chain_text(error: BaseException | str) -> str:
    """The message of ``error`` and of every exception in its cause chain (PySpark keeps the JVM
    cause on ``_cause``; Delta puts the two incompatible types there)."""
    if isinstance(error, str):
        return error
    texts, seen, current = [], set(), error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts.append(str(current))
        current = getattr(current, "_cause", None) or current.__cause__
    return "\nCaused by: ".join(texts)


def _type_at(schema: T.StructType | None, path: str | None) -> T.DataType | None:
    """The type at a dotted ``path`` of ``schema`` (case-insensitive), or None."""
    if schema is None or not path:
        return None
    current: T.DataType = schema
    for name in path.split("."):
        if not isinstance(current, T.StructType):
            return None
        matches = [f for f in current.fields if f.name.lower() == name.lower()]
        if not matches:
            return None
        current = matches[0].dataType
    return current


def parse_delta_error(error: BaseException | str, table_schema: T.StructType | None = None,
                      incoming_schema: T.StructType | None = None) -> ParsedSchemaError:
    """Parse a Delta/Spark schema exception (or its text) into a :class:`ParsedSchemaError`.

    ``table_type``/``incoming_type`` are Spark simple strings. When the message names a field but not
    the types (Delta's ``DELTA_FAILED_TO_MERGE_FIELDS`` does so in its top-level message), pass the
    table and incoming schemas and the types are looked up at that path.
    """
    text = error_chain_text(error)
    classes = list(dict.fromkeys(_ERROR_CLASS.findall(text)))
    condition = None
    if not isinstance(error, str):
        get_condition = getattr(error, "getCondition", None)
        condition = get_condition() if callable(get_condition) else None
    error_class = condition or (classes[0] if classes else None)
    table_text = incoming_text = None
    types = _INCOMPATIBLE_TYPES.search(text)
    decimals = _DECIMAL_PRECISION_SCALE.search(text)
    if decimals:
        table_text = f"DECIMAL({decimals.group(1)},{decimals.group(3)})"
        incoming_text = f"DECIMAL({decimals.group(2)},{decimals.group(4)})"
    elif types:
        table_text, incoming_text = types.group(1), types.group(2)
    elif error_class == "CAST_INVALID_INPUT":
        incoming_match, table_match = _CAST_FROM.search(text), _CAST_INPUT.search(text)
        incoming_text = incoming_match.group(1) if incoming_match else None
        table_text = table_match.group(1) if table_match else None
    table, incoming = _spark_type(table_text), _spark_type(incoming_text)
    path = _field_path(text)
    looked_up_table, looked_up_incoming = _type_at(table_schema, path), _type_at(incoming_schema, path)
    if path and looked_up_table is not None and looked_up_incoming is not None:
        path, table, incoming = _leaf_pair(path, looked_up_table, looked_up_incoming)
        table_text, incoming_text = table.simpleString(), incoming.simpleString()
    first_line = text.split("\n", 1)[0]
    return ParsedSchemaError(
        error_class=error_class,
        cause_classes=[c for c in classes if c != error_class],
        field_path=path,
        table_type=_type_text(table_text),
        incoming_type=_type_text(incoming_text),
        resolution=_resolution(error_class, table, incoming, table_text, incoming_text),
        summary=first_line[:300],
    )
