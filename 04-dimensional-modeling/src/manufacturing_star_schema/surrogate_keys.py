"""Three ways to make surrogate keys, and the unknown member (key -1) for late-arriving dimensions.

* identity (``DeltaTable.create().addColumn(..., generatedAlwaysAs=IdentityGenerator())``): unique
  under concurrent writers, but not consecutive and not reproducible (a rebuild gives new keys).
* hash (``xxhash64`` of the natural key [+ valid_from]): reproducible, needs no coordination, known
  before the load (facts can compute it); 64-bit collisions are possible, so check uniqueness.
* max + row_number: compact and consecutive; two writers that read the same max write the same keys
  (Delta appends do not conflict with each other), so only with one writer at a time.

Example::

    >>> keyed = assign_max_plus_row_number(dim, new_members, "plant_sk", ["plant_id"])  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from manufacturing_star_schema.errors import MissingColumnsError
from manufacturing_star_schema.hashing import hash_key
from manufacturing_star_schema.sql_identifiers import quoted

UNKNOWN_MEMBER_KEY = -1


def with_hash_key(rows: DataFrame, natural_key: Sequence[str], key_column: str) -> DataFrame:
    """Add a deterministic BIGINT key: the same natural key always gets the same surrogate key."""
    if not set(natural_key) <= set(rows.columns):
        raise MissingColumnsError("rows", natural_key, rows.columns)
    return rows.withColumn(key_column, hash_key(natural_key))


def assign_max_plus_row_number(
    existing: DataFrame, new_members: DataFrame, key_column: str, order_by: Sequence[str]
) -> DataFrame:
    """Number ``new_members`` from ``max(existing key) + 1``, ordered by ``order_by`` (deterministic).

    Safe only with ONE writer at a time: see the module table and tests/test_surrogate_keys.py.
    The unknown member (-1) never lowers the start.
    """
    if key_column not in existing.columns:
        raise MissingColumnsError("existing dimension", [key_column], existing.columns)
    if not set(order_by) <= set(new_members.columns):
        raise MissingColumnsError("new members", order_by, new_members.columns)
    start = existing.agg(F.coalesce(F.max(key_column), F.lit(0)).alias("_start")).select(
        F.greatest(F.col("_start"), F.lit(0)).alias("_start")
    )
    numbered = new_members.withColumn("_n", F.row_number().over(Window.orderBy(*order_by)))
    return (
        numbered.crossJoin(start)
        .withColumn(key_column, (F.col("_start") + F.col("_n")).cast("bigint"))
        .drop("_start", "_n")
    )


def ensure_unknown_member(
    spark: SparkSession, dimension_path: str, key_column: str, defaults: Mapping[str, Any]
) -> int:
    """Insert the unknown member (``key_column = -1``) unless it exists; return rows inserted (0 or 1).

    ``defaults`` fills the other NOT NULL columns, e.g. ``{"plant_id": "UNKNOWN", "is_deleted": False}``.
    """
    columns = [key_column, *defaults]
    values = [F.lit(UNKNOWN_MEMBER_KEY).cast("bigint").alias(key_column)] + [
        F.lit(v).alias(c) for c, v in defaults.items()
    ]
    member = spark.range(1).select(*values)
    table = DeltaTable.forPath(spark, dimension_path)
    result = (
        table.alias("t")
        .merge(member.alias("s"), f"t.{quoted(key_column)} = s.{quoted(key_column)}")
        .whenNotMatchedInsert(values={quoted(c): f"s.{quoted(c)}" for c in columns})
        .execute()
    )
    return int(result.first()["num_inserted_rows"])
