"""Re-key facts that were loaded with the unknown member (-1) once their dimension rows have arrived.

A fact whose machine was not in the dimension at load time keeps its natural key (``machine_id``)
and gets ``machine_sk = -1`` (see ``fact_keys.lookup_key_as_of``). When the dimension catches up, one
Delta MERGE on the fact table sets the surrogate key of the version valid at the fact's event time:

* the MERGE source is the distinct ``(natural key, event time)`` pairs of the -1 facts that now find
  a version, so each fact row matches at most one source row and is only UPDATED: no fact is
  inserted, deleted or duplicated;
* the ON condition includes ``t.<key> = -1``: facts that already have a real key are never touched,
  so a rerun re-keys nothing; facts whose event time is still before every version stay -1 and are
  reported in ``still_unknown``.

Example::

    >>> result = rekey_unknown_members(spark, "/lake/fact_sensor_readings", dim_machine_df,
    ...                                {"machine_id": "machine_id"}, "event_ts", "machine_sk")  # doctest: +SKIP
    >>> result.rekeyed_rows  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from manufacturing_star_schema.errors import MissingColumnsError
from manufacturing_star_schema.fact_keys import lookup_key_as_of, unmatched_keys
from manufacturing_star_schema.sql_identifiers import quoted
from manufacturing_star_schema.surrogate_keys import UNKNOWN_MEMBER_KEY


@dataclass
class RekeyResult:
    """Rows re-keyed by the MERGE, and the natural keys still on -1 (with their fact counts)."""

    rekeyed_rows: int
    still_unknown: DataFrame


def rekey_unknown_members(
    spark: SparkSession,
    fact_path: str,
    dimension: DataFrame,
    key_map: Mapping[str, str],
    event_ts: str,
    surrogate_key_column: str,
) -> RekeyResult:
    """Give every -1 fact the surrogate key valid at its event time, in one MERGE on ``fact_path``.

    ``key_map`` maps the fact's natural-key columns to the dimension's; the dimension's validity
    columns are ``valid_from``/``valid_to``. ``still_unknown`` is pinned to the version after the MERGE.
    """
    facts = spark.read.format("delta").load(fact_path)
    needed = [*key_map, event_ts, surrogate_key_column]
    if not set(needed) <= set(facts.columns):
        raise MissingColumnsError("fact table", needed, facts.columns)
    fact_keys = list(key_map)
    pending = facts.filter(F.col(surrogate_key_column) == UNKNOWN_MEMBER_KEY).select(*fact_keys, event_ts).distinct()
    resolved = (
        lookup_key_as_of(pending, dimension, key_map, event_ts, surrogate_key_column)
        .withColumnRenamed(surrogate_key_column, "_rekey_sk")
        .filter(F.col("_rekey_sk") != UNKNOWN_MEMBER_KEY)
    )
    condition = " AND ".join(
        [f"t.{quoted(surrogate_key_column)} = {UNKNOWN_MEMBER_KEY}"]
        + [f"t.{quoted(c)} = s.{quoted(c)}" for c in [*fact_keys, event_ts]]
    )
    table = DeltaTable.forPath(spark, fact_path)
    result = (
        table.alias("t")
        .merge(resolved.alias("s"), condition)
        .whenMatchedUpdate(set={quoted(surrogate_key_column): "s._rekey_sk"})
        .execute()
    )
    written = table.history(1).select("version").first()[0]
    after = spark.read.format("delta").option("versionAsOf", written).load(fact_path)
    return RekeyResult(
        rekeyed_rows=int(result.first()["num_updated_rows"]),
        still_unknown=unmatched_keys(after, fact_keys, surrogate_key_column),
    )
