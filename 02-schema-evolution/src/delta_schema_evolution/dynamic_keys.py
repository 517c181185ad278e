"""Explode only what has no column: entries whose key is not registered, after filtering rows and keys.

Truly dynamic keys (alarm codes, per-recipe parameters, keys seen once) never get a column; they go to a
long side table ``(id columns..., key, value)``. The explode runs after two filters, so it touches a small
subset: rows that carry at least one unregistered key, and within them only the unregistered entries.

Example::

    long = explode_unregistered_keys(readings, "customExtension", ["reading_id"],
                                     registered=["spindle_rpm", "temp_c"])
    long.write.format("delta").mode("append").save("/lake/silver/custom_extension_dynamic")
"""
from __future__ import annotations

from collections.abc import Collection, Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from delta_schema_evolution.errors import SchemaInputError

_UNREGISTERED = "_unregistered_entries"


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
