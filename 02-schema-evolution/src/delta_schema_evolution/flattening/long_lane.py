"""Explode only what has no column: entries whose key is not registered (or that extraction did not put in
a column), after filtering rows and keys.

Truly dynamic keys (alarm codes, per-recipe parameters, keys seen once) never get a column; they go to a
long side table ``(id columns..., key, value)``. The explode runs after two filters, so it touches a small
subset: rows that carry at least one unregistered key, and within them only the unregistered entries.

Example::

    long = explode_unregistered_keys(readings, "customExtension", ["reading_id"],
                                     registered=["spindle_rpm", "temp_c"])
    long.write.format("delta").mode("append").save("/lake/silver/custom_extension_dynamic")

``explode_unextracted_entries`` is the same lane for the output of
``key_extraction.extract_registered_keys``: it explodes that function's ``_unextracted_keys`` (every key
whose value is in no column), looks their values up, and says why each entry is there (``reason``).
"""
from __future__ import annotations

from collections.abc import Collection, Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from delta_schema_evolution.errors import SchemaInputError

_UNREGISTERED = "_unregistered_entries"
DYNAMIC_REASON = "reason"
UNREGISTERED_KEY = "unregistered key"
NULL_VALUE = "null value"
UNEXPECTED_GROUP = "registered key, not known on {group_column} "


def unregistered_entries(map_column: str, registered: Collection[str]) -> Column:
    """The map restricted to keys not in ``registered`` (``map_filter``, no explode)."""
    known = F.array(*[F.lit(key) for key in sorted(registered)]) if registered else F.array().cast("array<string>")
    return F.map_filter(F.col(map_column), lambda key, _value: ~F.array_contains(known, key))


def explode_unregistered_keys(frame: DataFrame, map_column: str, id_columns: Sequence[str],
                              registered: Collection[str]) -> DataFrame:
    """``(id_columns..., key, value)`` for every entry whose key is not registered; rows without such an
    entry are filtered out before the explode."""
    missing = [c for c in (*id_columns, map_column) if c not in frame.columns]
    if missing or not id_columns:
        raise SchemaInputError(f"id_columns/map_column: expected at least one id column and all of "
                               f"{[*id_columns, map_column]} in {frame.columns}, missing {missing}")
    ids = [F.col(c) for c in id_columns]
    narrowed = (frame.select(*ids, unregistered_entries(map_column, registered).alias(_UNREGISTERED))
                .where(F.size(_UNREGISTERED) > 0))
    return narrowed.select(*ids, F.explode(_UNREGISTERED).alias("key", "value"))


def explode_unextracted_entries(frame: DataFrame, map_column: str, keys_column: str, id_columns: Sequence[str],
                                registered: Collection[str], group_column: str | None = None) -> DataFrame:
    """``(id_columns..., key, value, reason)`` for every key in ``keys_column`` (the keys extraction left
    out of the key columns), with its value from ``map_column``; rows whose key list is empty are filtered
    out before the explode. ``reason``: ``unregistered key``, ``null value``, or
    ``registered key, not known on <group_column> <group>`` (a key arriving on a group the registry has not
    seen carry it: a new machine type, a new firmware).

    Example::

        long = explode_unextracted_entries(extracted, "customExtension", "_unextracted_keys", ["reading_id"],
                                           registered=["spindle_rpm"], group_column="machine_type")
    """
    needed = [*id_columns, map_column, keys_column, *([group_column] if group_column else [])]
    missing = [c for c in needed if c not in frame.columns]
    if missing or not id_columns:
        raise SchemaInputError(f"id_columns/map_column/keys_column/group_column: expected at least one id column "
                               f"and all of {needed} in {frame.columns}, missing {missing}")
    ids = [F.col(c) for c in id_columns]
    group = F.col(group_column).cast("string") if group_column else F.lit(None).cast("string")
    known = F.array(*[F.lit(key) for key in sorted(registered)]) if registered else F.array().cast("array<string>")
    narrowed = (frame.select(*ids, group.alias("_group"), F.col(map_column).alias("_map"),
                             F.col(keys_column).alias("_keys"))
                .where(F.size("_keys") > 0))
    exploded = narrowed.select(*ids, "_group", "_map", F.explode("_keys").alias("key"))
    value = F.col("_map")[F.col("key")]
    unexpected = F.concat(F.lit(UNEXPECTED_GROUP.format(group_column=group_column or "group")),
                          F.coalesce(F.col("_group"), F.lit("null")))
    reason = (F.when(~F.array_contains(known, F.col("key")), F.lit(UNREGISTERED_KEY))
              .when(value.isNull(), F.lit(NULL_VALUE)).otherwise(unexpected))
    return exploded.select(*ids, "key", value.alias("value"), reason.alias(DYNAMIC_REASON))
