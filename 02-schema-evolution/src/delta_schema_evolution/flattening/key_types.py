"""Type inference for map values from samples: scalars (int, bigint, double, boolean, string) and
JSON-encoded values (a Spark struct or array type inferred from the parsed samples).

Types travel as Spark DDL strings (``int``, ``struct<`unit`:string,`value`:double>``) so the key registry
stays readable and ``from_json``/``try_cast`` accept them as they are.

Example::

    >>> infer_type(["12", "-3", None]), infer_type(["3000000000"]), infer_type(["1.5", "2"])
    ('int', 'bigint', 'double')
    >>> infer_type(['{"value": 1.5, "unit": "bar"}', '{"value": 2}'])
    'struct<`unit`:string,`value`:double>'
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence

from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from delta_schema_evolution.compatibility import delta_type_widening_supported

_INTEGER = re.compile(r"[+-]?\d+")
_DOUBLE = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_INT_MAX, _LONG_MAX = 2**31 - 1, 2**63 - 1


def is_json_type(type_name: str) -> bool:
    """True for the types extracted with ``from_json`` rather than a cast."""
    return type_name.startswith(("struct<", "array<"))


def ddl(data_type: T.DataType) -> str:
    """A DDL type string with struct field names quoted, which ``from_json`` and ``CAST`` parse back."""
    if isinstance(data_type, T.StructType):
        fields = ",".join(f"`{f.name.replace('`', '``')}`:{ddl(f.dataType)}" for f in data_type.fields)
        return f"struct<{fields}>"
    if isinstance(data_type, T.ArrayType):
        return f"array<{ddl(data_type.elementType)}>"
    return data_type.simpleString()


def _json_value_type(value: object) -> T.DataType | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return T.BooleanType()
    if isinstance(value, int):
        return T.LongType()
    if isinstance(value, float):
        return T.DoubleType()
    if isinstance(value, list):
        element = None
        for item in value:
            element = merge_json_types(element, _json_value_type(item))
        return T.ArrayType(element or T.StringType())
    if isinstance(value, dict):
        fields = {name: _json_value_type(item) for name, item in value.items()}
        return T.StructType([T.StructField(name, fields[name] or T.StringType()) for name in sorted(fields)])
    return T.StringType()


def merge_json_types(left: T.DataType | None, right: T.DataType | None) -> T.DataType | None:
    """The type both sides fit: long+double is double, structs merge by field, anything else mixed is string.

    Example::

        >>> merge_json_types(T.LongType(), T.DoubleType())
        DoubleType()
    """
    if left is None or right is None or left == right:
        return left if right is None else right
    if {type(left), type(right)} == {T.LongType, T.DoubleType}:
        return T.DoubleType()
    if isinstance(left, T.ArrayType) and isinstance(right, T.ArrayType):
        return T.ArrayType(merge_json_types(left.elementType, right.elementType) or T.StringType())
    if isinstance(left, T.StructType) and isinstance(right, T.StructType):
        by_name = {f.name: f.dataType for f in left.fields}
        for field in right.fields:
            by_name[field.name] = merge_json_types(by_name.get(field.name), field.dataType) or T.StringType()
        return T.StructType([T.StructField(name, by_name[name]) for name in sorted(by_name)])
    return T.StringType()


def infer_json_type(values: Sequence[str]) -> str | None:
    """The struct or array DDL every sample parses into, or None when a sample is not a JSON object/array."""
    merged: T.DataType | None = None
    for value in values:
        if not value.startswith(("{", "[")):
            return None
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        merged = merge_json_types(merged, _json_value_type(parsed))
    if not isinstance(merged, (T.StructType, T.ArrayType)):
        return None
    return ddl(merged)


def infer_type(values: Sequence[str | None]) -> str:
    """The narrowest of int, bigint, double, boolean, a JSON struct/array, string for the sample values."""
    present = [v.strip() for v in values if v is not None and v.strip() != ""]
    if not present:
        return "string"
    if all(_INTEGER.fullmatch(v) for v in present):
        largest = max(abs(int(v)) for v in present)
        return "int" if largest <= _INT_MAX else "bigint" if largest <= _LONG_MAX else "string"
    if all(_DOUBLE.fullmatch(v) for v in present):
        return "double"
    if all(v.lower() in {"true", "false"} for v in present):
        return "boolean"
    return infer_json_type(present) or "string"


def parse_type(spark: SparkSession, type_name: str) -> T.DataType:
    """Spark's own parse of a DDL type string (analysis only, no job)."""
    return spark.range(0).select(F.lit(None).cast(type_name).alias("t")).schema["t"].dataType


def _only_adds_fields(old: T.DataType, new: T.DataType) -> bool:
    if isinstance(old, T.StructType) and isinstance(new, T.StructType):
        by_name = {f.name: f.dataType for f in new.fields}
        return all(f.name in by_name and _only_adds_fields(f.dataType, by_name[f.name]) for f in old.fields)
    if isinstance(old, T.ArrayType) and isinstance(new, T.ArrayType):
        return _only_adds_fields(old.elementType, new.elementType)
    return old == new


def widened_type(spark: SparkSession, registered: str, observed: str) -> str:
    """The registry type after a new sample: the observed type when Delta can widen the column to it
    (int to bigint or double, a JSON struct gaining fields), otherwise the registered type, so values
    that do not fit are quarantined instead of silently changing the column.

    Example::

        widened_type(spark, "int", "bigint")     # 'bigint'
        widened_type(spark, "bigint", "double")  # 'bigint' (Delta cannot widen long to double)
    """
    if registered == observed:
        return registered
    old, new = parse_type(spark, registered), parse_type(spark, observed)
    if is_json_type(registered) and is_json_type(observed):
        merged = merge_json_types(old, new)
        return ddl(merged) if merged is not None and _only_adds_fields(old, merged) else registered
    return observed if delta_type_widening_supported(old, new) else registered
