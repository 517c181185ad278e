"""Progressive flattening of a ``MAP<STRING,STRING>`` column (customExtension) without exploding it.

Implemented steps of the progressive method (the rest are listed in the README as not built yet):

1. sample-based key discovery: ``discover_keys`` looks at a bounded sample only;
2. a key registry persisted in Delta (key, first_seen, last_seen, inferred_type, status): ``update_key_registry``;
3. extraction of registered keys with ``getItem``, no explode, no shuffle: ``extract_registered_keys``;
4. type inference from the samples and casts whose failures are quarantined with the reason;
5. a column-count guard that warns before the table becomes too wide: ``guard_column_count``.

Example::

    keys = discover_keys(readings, "customExtension", sample_rows=10_000)
    update_key_registry(spark, "/lake/registry/custom_extension_keys", keys)
    flat = extract_registered_keys(readings, "customExtension", registered_keys(spark, registry_path))
"""
from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from delta_schema_evolution.errors import SchemaEvolutionError, SchemaInputError

REGISTERED = "registered"
EXTRACTION_REASON = "_extraction_reason"
_INTEGER = re.compile(r"[+-]?\d+")
_DOUBLE = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
REGISTRY_SCHEMA = T.StructType([
    T.StructField("key", T.StringType(), False), T.StructField("first_seen", T.TimestampType()),
    T.StructField("last_seen", T.TimestampType()), T.StructField("inferred_type", T.StringType()),
    T.StructField("status", T.StringType()), T.StructField("observations", T.LongType()),
])


class TableTooWideWarning(UserWarning):
    """The flattened table is approaching the column limit you set."""


class TableTooWideError(SchemaEvolutionError):
    """Adding the new key columns would exceed the hard column limit."""


@dataclass(frozen=True)
class DiscoveredKey:
    """A key seen in the sample, how often, and the type its sample values support."""

    key: str
    observations: int
    inferred_type: str


def infer_type(values: Sequence[str | None]) -> str:
    """The narrowest of bigint, double, boolean, string that every non-null sample value parses as.

    Example::

        >>> infer_type(["12", "-3", None]), infer_type(["1.5", "2"]), infer_type(["true", "x"])
        ('bigint', 'double', 'string')
    """
    present = [v.strip() for v in values if v is not None and v.strip() != ""]
    if not present:
        return "string"
    if all(_INTEGER.fullmatch(v) for v in present):
        return "bigint"
    if all(_DOUBLE.fullmatch(v) for v in present):
        return "double"
    if all(v.lower() in {"true", "false"} for v in present):
        return "boolean"
    return "string"


def _check_map_column(frame: DataFrame, map_column: str) -> None:
    if map_column not in frame.columns:
        raise SchemaInputError(f"map_column: expected one of {frame.columns}, got {map_column!r}")
    data_type = frame.schema[map_column].dataType
    if not (isinstance(data_type, T.MapType) and isinstance(data_type.keyType, T.StringType)
            and isinstance(data_type.valueType, T.StringType)):
        raise SchemaInputError(f"{map_column}: expected map<string,string>, got {data_type.simpleString()}")


def discover_keys(frame: DataFrame, map_column: str, sample_rows: int = 10_000,
                  values_per_key: int = 200) -> list[DiscoveredKey]:
    """Keys of ``map_column`` in the first ``sample_rows`` rows, with counts and an inferred type.

    The explode here runs on the bounded sample only; the full data is never exploded.
    """
    _check_map_column(frame, map_column)
    if sample_rows < 1:
        raise SchemaInputError(f"sample_rows: expected >= 1, got {sample_rows}")
    entries = (frame.select(map_column).limit(sample_rows)
               .select(F.explode(map_column).alias("key", "value")))
    grouped = entries.groupBy("key").agg(F.count(F.lit(1)).alias("observations"),
                                         F.slice(F.collect_list("value"), 1, values_per_key).alias("values"))
    return sorted((DiscoveredKey(row["key"], row["observations"], infer_type(row["values"]))
                   for row in grouped.collect()), key=lambda k: k.key)


def update_key_registry(spark: SparkSession, registry_path: str, keys: Sequence[DiscoveredKey],
                        seen_at: dt.datetime | None = None) -> None:
    """MERGE discovered keys into the Delta registry: new keys are inserted as ``registered`` with their
    first_seen; known keys get last_seen and their observation count increased; types never change here."""
    seen_at = seen_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = [(k.key, seen_at, seen_at, k.inferred_type, REGISTERED, k.observations) for k in keys]
    batch = spark.createDataFrame(rows, REGISTRY_SCHEMA)
    if not DeltaTable.isDeltaTable(spark, registry_path):
        batch.write.format("delta").save(registry_path)
        return
    (DeltaTable.forPath(spark, registry_path).alias("r").merge(batch.alias("b"), "r.key = b.key")
     .whenMatchedUpdate(set={"last_seen": "b.last_seen", "observations": "r.observations + b.observations"})
     .whenNotMatchedInsertAll().execute())


def registered_keys(spark: SparkSession, registry_path: str) -> dict[str, str]:
    """``{key: inferred_type}`` for every key whose status is ``registered``."""
    rows = spark.read.format("delta").load(registry_path).where(F.col("status") == REGISTERED).collect()
    return {row["key"]: row["inferred_type"] for row in sorted(rows, key=lambda r: r["key"])}


def column_name(prefix: str, key: str) -> str:
    """A safe column name for a map key: ``ext_`` + the key with anything not alphanumeric as ``_``."""
    return prefix + re.sub(r"[^0-9a-zA-Z_]", "_", key)


def extract_registered_keys(frame: DataFrame, map_column: str, keys: dict[str, str],
                            prefix: str = "ext_") -> DataFrame:
    """One typed column per registered key via ``getItem`` (a projection: no explode, no shuffle), plus
    ``_extraction_reason`` naming every key whose value failed its cast (null when all cast)."""
    _check_map_column(frame, map_column)
    columns, failures = [], []
    for key, type_name in keys.items():
        raw = F.col(map_column).getItem(key)
        typed = raw.try_cast(type_name)
        columns.append(typed.alias(column_name(prefix, key)))
        failures.append(F.when(raw.isNotNull() & typed.isNull(),
                               F.concat(F.lit(f"{key}: "), raw, F.lit(f" is not {type_name}"))))
    reason = F.concat_ws("; ", *failures) if failures else F.lit("")
    return frame.select("*", *columns, F.when(reason != "", reason).alias(EXTRACTION_REASON))


def guard_column_count(current_columns: int, new_columns: int, warn_at: int = 400, fail_at: int = 1000) -> int:
    """Warn (``TableTooWideWarning``) when the total reaches ``warn_at``; raise ``TableTooWideError``
    above ``fail_at``. Returns the total."""
    total = current_columns + new_columns
    if total > fail_at:
        raise TableTooWideError(f"column count: expected at most {fail_at}, got {total} "
                                f"({current_columns} existing + {new_columns} new key columns)")
    if total >= warn_at:
        warnings.warn(f"column count {total} reached the warning threshold {warn_at} (hard limit {fail_at})",
                      TableTooWideWarning, stacklevel=2)
    return total
