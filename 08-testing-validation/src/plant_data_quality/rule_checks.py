"""One Spark expression per row rule that is true exactly when a row fails the rule.

Nulls fail only ``not_null``; every other rule leaves a null value to ``not_null`` and
``completeness`` (the same convention Great Expectations and DQX follow). ``unique`` and
``reference`` read helper columns that :func:`with_key_columns` adds: the keys seen more than once
(:func:`repeated_keys`: a window over the key columns alone, joined back as a broadcast) and the dimension's keys
(broadcast).

Example::

    rule = Rule("speed_in_range", "range", column="spindle_speed_rpm", params={"min": 0, "max": 30000})
    readings_df.where(failure_expression(rule, now=None))   # rows above 30000 or below 0, never nulls
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from plant_data_quality.contract import Contract, Rule
from plant_data_quality.errors import MissingDimensionError

HELPER_PREFIX = "__dq_"
# up to this many duplicated keys are collected and broadcast; beyond it the count per key is a window
DUPLICATE_KEYS_TO_BROADCAST = 100_000


def key_count_column(rule: Rule) -> str:
    return f"{HELPER_PREFIX}count_{rule.name}"


def reference_found_column(rule: Rule) -> str:
    return f"{HELPER_PREFIX}found_{rule.name}"


def with_key_columns(df: DataFrame, contract: Contract, dimensions: Mapping[str, DataFrame]) -> DataFrame:
    """Add the helper columns ``unique`` (rows per key) and ``reference`` (key found) rules read."""
    for rule in contract.row_rules:
        if rule.kind == "unique":
            df = with_duplicate_key_counts(df, rule)
        elif rule.kind == "reference":
            dimension_name = rule.params["dimension"]
            if dimension_name not in dimensions:
                raise MissingDimensionError(f"rule {rule.name!r} expected dimension {dimension_name!r}, "
                                            f"got dimensions {sorted(dimensions)}")
            key_column = f"{HELPER_PREFIX}key_{rule.name}"
            keys = (dimensions[dimension_name]
                    .select(F.col(rule.params["dimension_column"]).alias(key_column))
                    .where(F.col(key_column).isNotNull()).distinct()
                    .withColumn(reference_found_column(rule), F.lit(True)))
            df = (df.join(F.broadcast(keys), df[rule.column] == keys[key_column], "left")
                  .drop(key_column))
    return df


def key_present(rule: Rule) -> Column:
    """True where none of ``rule``'s key columns is null (``unique`` leaves null keys to ``not_null``)."""
    present = F.lit(True)
    for name in rule.columns:
        present = present & F.col(name).isNotNull()
    return present


def repeated_keys(df: DataFrame, rule: Rule, limit: int = DUPLICATE_KEYS_TO_BROADCAST) -> DataFrame | None:
    """The keys of ``rule`` seen more than once in ``df``, with their row counts, collected; None past ``limit``.

    One window over the key columns alone: with nearly every key distinct, a hash aggregation would
    build a map entry per key before the shuffle; the window shuffles the keys and sorts them. The
    result is a small local DataFrame (key columns, then the count), ready to broadcast.
    """
    count_column = key_count_column(rule)
    per_key = F.count(F.lit(1)).over(Window.partitionBy(*rule.columns))
    counted = (df.where(key_present(rule)).select(*rule.columns, per_key.alias(count_column))
               .where(F.col(count_column) > 1).dropDuplicates(list(rule.columns)))
    duplicated = counted.limit(limit + 1).collect()
    if len(duplicated) > limit:
        return None
    return df.sparkSession.createDataFrame(duplicated, counted.schema)


def with_duplicate_key_counts(df: DataFrame, rule: Rule, limit: int = DUPLICATE_KEYS_TO_BROADCAST) -> DataFrame:
    """Add the rows-per-key count of ``rule``'s key to the rows whose key occurs more than once.

    The repeated keys (usually few) come from :func:`repeated_keys` and are broadcast back, so the
    full rows are never shuffled. When more than ``limit`` keys repeat, the count comes from a window
    over the key instead (a full shuffle). Rows whose key has a null get no count.
    """
    count_column = key_count_column(rule)
    repeated = repeated_keys(df, rule, limit)
    if repeated is None:
        per_key = F.count(F.lit(1)).over(Window.partitionBy(*rule.columns))
        return df.withColumn(count_column, F.when(key_present(rule), per_key))
    helper_keys = [f"{HELPER_PREFIX}dupkey_{position}" for position in range(len(rule.columns))]
    keys = repeated.toDF(*helper_keys, count_column)
    condition = [df[name] == keys[helper] for name, helper in zip(rule.columns, helper_keys, strict=True)]
    return df.join(F.broadcast(keys), condition, "left").drop(*helper_keys)


def failure_expression(rule: Rule, now: dt.datetime | None) -> Column:
    """A boolean, never-null Column: true when the row fails ``rule``."""
    columns = [F.col(name) for name in rule.checked_columns]
    present = columns[0].isNotNull() if columns else F.lit(True)
    for column in columns[1:]:
        present = present & column.isNotNull()
    params = rule.params
    if rule.kind == "not_null":
        return columns[0].isNull()
    if rule.kind == "range":
        outside = F.lit(False)
        if "min" in params:
            outside = outside | (columns[0] < F.lit(params["min"]))
        if "max" in params:
            outside = outside | (columns[0] > F.lit(params["max"]))
        return present & outside
    if rule.kind == "set":
        return present & ~columns[0].isin(list(params["values"]))
    if rule.kind == "pattern":
        return present & ~columns[0].rlike(params["regex"])
    if rule.kind == "freshness":
        if now is None:
            raise ValueError(f"rule {rule.name!r} expected a reference time 'now', got None")
        oldest = now - dt.timedelta(seconds=params["max_age_seconds"])
        return present & (columns[0] < F.lit(oldest))
    if rule.kind == "ordered":
        earlier, later = columns
        wrong = later < earlier if params.get("allow_equal", False) else later <= earlier
        return present & wrong
    if rule.kind == "unique":
        return present & F.coalesce(F.col(key_count_column(rule)) > 1, F.lit(False))
    if rule.kind == "reference":
        return present & F.col(reference_found_column(rule)).isNull()
    if rule.kind == "in_house":
        return F.coalesce(params["failure"], F.lit(False))
    raise ValueError(f"expected a row rule kind, got {rule.kind!r} for rule {rule.name!r}")
