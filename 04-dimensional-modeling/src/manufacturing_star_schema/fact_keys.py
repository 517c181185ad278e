"""Look up the surrogate key valid at the fact's event time (as-of join against a Type 2 dimension).

A fact whose natural key has no version valid at its event time (the dimension row arrives later,
or the key is unknown) gets the unknown member ``-1`` instead of being dropped by an inner join;
``unmatched_keys`` lists them so they can be re-keyed once the dimension catches up.

Example::

    keyed = lookup_key_as_of(readings, dim, {"machine_id": "machine_id"}, "event_ts", "machine_sk")
"""

from __future__ import annotations

from collections.abc import Mapping

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from manufacturing_star_schema.errors import MissingColumnsError
from manufacturing_star_schema.surrogate_keys import UNKNOWN_MEMBER_KEY


def lookup_key_as_of(
    facts: DataFrame,
    dimension: DataFrame,
    key_map: Mapping[str, str],
    event_ts: str,
    surrogate_key_column: str,
    valid_from: str = "valid_from",
    valid_to: str = "valid_to",
) -> DataFrame:
    """Add ``surrogate_key_column``: the dimension version with ``valid_from <= event_ts < valid_to``.

    ``key_map`` maps fact columns to dimension natural-key columns. Unmatched facts get -1.
    """
    if not {*key_map, event_ts} <= set(facts.columns):
        raise MissingColumnsError("facts", [*key_map, event_ts], facts.columns)
    needed = [*key_map.values(), surrogate_key_column, valid_from, valid_to]
    if not set(needed) <= set(dimension.columns):
        raise MissingColumnsError("dimension", needed, dimension.columns)
    versions = dimension.filter(F.col(surrogate_key_column) != UNKNOWN_MEMBER_KEY).select(
        *[F.col(d).alias(f"_dim_{d}") for d in key_map.values()],
        F.col(surrogate_key_column).alias("_dim_key"),
        F.col(valid_from).alias("_dim_from"),
        F.col(valid_to).alias("_dim_to"),
    )
    condition = [F.col(f) == F.col(f"_dim_{d}") for f, d in key_map.items()] + [
        F.col("_dim_from") <= F.col(event_ts),
        F.col(event_ts) < F.col("_dim_to"),
    ]
    joined = facts.join(versions, condition, "left")
    return joined.withColumn(
        surrogate_key_column, F.coalesce(F.col("_dim_key"), F.lit(UNKNOWN_MEMBER_KEY).cast("bigint"))
    ).drop(*versions.columns)


def unmatched_keys(keyed_facts: DataFrame, key_columns: list[str], surrogate_key_column: str) -> DataFrame:
    """The natural keys that got the unknown member, with how many facts each (for the re-keying job)."""
    return (
        keyed_facts.filter(F.col(surrogate_key_column) == UNKNOWN_MEMBER_KEY)
        .groupBy(*key_columns)
        .agg(F.count(F.lit(1)).alias("facts"))
    )
