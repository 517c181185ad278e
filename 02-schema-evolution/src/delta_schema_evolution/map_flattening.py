"""Progressive flattening of a ``MAP<STRING,STRING>`` column (customExtension) without exploding it.

This module holds the per-row work: sampled key discovery (``discover_keys``), extraction of registered
keys into typed columns with ``getItem`` + ``try_cast`` or ``from_json`` (``extract_registered_keys``),
and the column-count guard (``guard_column_count``). The registry lives in ``key_registry``, the flat and
dynamic tables in ``flat_table`` and ``dynamic_keys``, and ``progressive.progressive_flatten`` runs the
whole method in order.

Example::

    keys = discover_keys(readings, "customExtension", sample_rows=10_000, min_share=0.01)
    update_key_registry(spark, "/lake/registry/custom_extension_keys", keys)
    flat = extract_registered_keys(readings, "customExtension", registered_keys(spark, registry_path))
"""
from __future__ import annotations

import re
import warnings
from collections.abc import Mapping

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from delta_schema_evolution.errors import SchemaEvolutionError, SchemaInputError
from delta_schema_evolution.key_registry import DYNAMIC, REGISTERED, DiscoveredKey
from delta_schema_evolution.key_types import infer_type, is_json_type, parse_type

EXTRACTION_REASON = "_extraction_reason"
_CORRUPT = "_corrupt_record"


class TableTooWideWarning(UserWarning):
    """The flattened table is approaching the column limit you set."""


class TableTooWideError(SchemaEvolutionError):
    """Adding the new key columns would exceed the hard column limit."""


def check_map_column(frame: DataFrame, map_column: str) -> None:
    """Raise ``SchemaInputError`` unless ``map_column`` exists and is ``MAP<STRING,STRING>``."""
    if map_column not in frame.columns:
        raise SchemaInputError(f"map_column: expected one of {frame.columns}, got {map_column!r}")
    data_type = frame.schema[map_column].dataType
    if not (isinstance(data_type, T.MapType) and isinstance(data_type.keyType, T.StringType)
            and isinstance(data_type.valueType, T.StringType)):
        raise SchemaInputError(f"{map_column}: expected map<string,string>, got {data_type.simpleString()}")


def discover_keys(frame: DataFrame, map_column: str, sample_rows: int = 10_000, values_per_key: int = 200,
                  min_share: float = 0.0) -> list[DiscoveredKey]:
    """Keys of ``map_column`` in the first ``sample_rows`` rows, with counts, an inferred type, and a status:
    ``dynamic`` when the key is in fewer than ``min_share`` of the sampled rows, else ``registered``.

    The explode here runs on the bounded sample only; the full data is never exploded.

    Example::

        discover_keys(readings, "customExtension", sample_rows=10_000, min_share=0.01)
        # [DiscoveredKey(key='spindle_rpm', observations=9120, inferred_type='int', status='registered'), ...]
    """
    check_map_column(frame, map_column)
    if sample_rows < 1:
        raise SchemaInputError(f"sample_rows: expected >= 1, got {sample_rows}")
    if not 0.0 <= min_share <= 1.0:
        raise SchemaInputError(f"min_share: expected a fraction between 0 and 1, got {min_share}")
    sample = frame.select(map_column).limit(sample_rows).cache()
    try:
        sampled = sample.count()
        grouped = (sample.select(F.explode(map_column).alias("key", "value")).groupBy("key")
                   .agg(F.count(F.lit(1)).alias("observations"),
                        F.slice(F.collect_list("value"), 1, values_per_key).alias("values"))).collect()
    finally:
        sample.unpersist()
    return sorted((DiscoveredKey(row["key"], row["observations"], infer_type(row["values"]),
                                 REGISTERED if row["observations"] >= min_share * sampled else DYNAMIC)
                   for row in grouped), key=lambda k: k.key)


def column_name(prefix: str, key: str) -> str:
    """A safe column name for a map key: ``prefix`` + the key with anything not alphanumeric as ``_``."""
    return prefix + re.sub(r"[^0-9a-zA-Z_]", "_", key)


def key_columns(keys: Mapping[str, str], prefix: str) -> dict[str, str]:
    """``{key: column name}``; raises ``SchemaInputError`` when two keys would share a column."""
    columns: dict[str, str] = {}
    for key in keys:
        name = column_name(prefix, key)
        clash = [k for k, c in columns.items() if c.lower() == name.lower()]
        if clash:
            raise SchemaInputError(f"keys {clash[0]!r} and {key!r}: expected distinct column names, both give {name!r}")
        columns[key] = name
    return columns


def _scalar(raw: Column, key: str, type_name: str) -> tuple[Column, Column | None]:
    if type_name == "string":
        return raw, None  # every string fits: no cast, no failure check (keeps the projection small)
    typed = raw.try_cast(type_name)
    return typed, F.when(raw.isNotNull() & typed.isNull(),
                         F.concat(F.lit(f"{key}: "), raw, F.lit(f" is not {type_name}")))


def _json(raw: Column, key: str, type_name: str, field_names: list[str]) -> tuple[Column, Column]:
    """from_json with a corrupt-record field for structs, so malformed or mistyped values are caught; a
    struct value with top-level fields the registered schema does not know is flagged too (from_json
    would drop them silently)."""
    reason = F.concat(F.lit(f"{key}: "), raw, F.lit(f" does not parse as {type_name}"))
    if type_name.startswith("array<"):
        parsed = F.from_json(raw, type_name)
        return parsed, F.when(raw.isNotNull() & parsed.isNull(), reason)
    with_corrupt = f"{type_name[:-1]},`{_CORRUPT}`:string>"
    parsed = F.from_json(raw, with_corrupt, {"columnNameOfCorruptRecord": _CORRUPT, "mode": "PERMISSIVE"})
    known = F.array(*[F.lit(name) for name in field_names])
    unknown = F.filter(F.json_object_keys(raw), lambda name: ~F.array_contains(known, name))
    failed = raw.isNotNull() & (parsed[_CORRUPT].isNotNull() | (F.size(unknown) > 0))
    return parsed.dropFields(_CORRUPT), F.when(failed, reason)


def extract_registered_keys(frame: DataFrame, map_column: str, keys: Mapping[str, str],
                            prefix: str = "ext_") -> DataFrame:
    """One typed column per registered key via ``getItem`` (a projection: no explode, no shuffle):
    scalars with ``try_cast``, JSON structs/arrays with ``from_json``; plus ``_extraction_reason`` naming
    every key whose value failed its cast or parse (null when all fit).

    Example::

        flat = extract_registered_keys(readings, "customExtension", {"spindle_rpm": "int",
                                       "spindle": "struct<`rpm`:bigint,`unit`:string>"})
    """
    check_map_column(frame, map_column)
    names = key_columns(keys, prefix)
    columns, failures = [], []
    for key, type_name in keys.items():
        raw = F.col(map_column).getItem(key)
        if is_json_type(type_name):
            parsed_type = parse_type(frame.sparkSession, type_name)
            field_names = parsed_type.fieldNames() if isinstance(parsed_type, T.StructType) else []
            typed, failure = _json(raw, key, type_name, field_names)
        else:
            typed, failure = _scalar(raw, key, type_name)
        columns.append(typed.alias(names[key]))
        if failure is not None:
            failures.append(failure)
    reason = F.concat_ws("; ", *failures) if failures else F.lit("")
    return frame.select("*", *columns, F.when(reason != "", reason).cast("string").alias(EXTRACTION_REASON))


def guard_column_count(current_columns: int, new_columns: int, warn_at: int = 400, fail_at: int = 1000) -> int:
    """Warn (``TableTooWideWarning``) when the total reaches ``warn_at``; raise ``TableTooWideError``
    above ``fail_at``. Returns the total.

    Example::

        >>> guard_column_count(100, 20)
        120
    """
    total = current_columns + new_columns
    if total > fail_at:
        raise TableTooWideError(f"column count: expected at most {fail_at}, got {total} "
                                f"({current_columns} existing + {new_columns} new key columns)")
    if total >= warn_at:
        warnings.warn(f"column count {total} reached the warning threshold {warn_at} (hard limit {fail_at})",
                      TableTooWideWarning, stacklevel=2)
    return total
