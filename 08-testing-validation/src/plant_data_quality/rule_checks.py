"""One Spark expression per row rule that is true exactly when a row fails the rule.

Nulls fail only ``not_null``; every other rule leaves a null value to ``not_null`` and
``completeness`` (the same convention Great Expectations and DQX follow). ``unique`` and
``reference`` read helper columns that :func:`with_key_columns` adds: the rows per repeated key
(:mod:`plant_data_quality.duplicate_keys`) and whether the dimension holds the row's key (a small
dimension's keys inlined as an ``IN`` list, a larger one broadcast and joined).

Example::

    rule = Rule("speed_in_range", "range", column="spindle_speed_rpm", params={"min": 0, "max": 30000})
    readings_df.where(failure_expression(rule, now=None))   # rows above 30000 or below 0, never nulls
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from plant_data_quality.contract import Contract, Rule
from plant_data_quality.duplicate_keys import HELPER_PREFIX, key_count_column, with_duplicate_key_counts
from plant_data_quality.errors import MissingDimensionError

# a dimension with up to this many keys is checked with an IN list (a hash set in every task);
# a larger one is broadcast and joined
DIMENSION_KEYS_INLINED = 1_000


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
            df = with_reference_found(df, rule, dimensions[dimension_name])
    return df


def with_reference_found(
    df: DataFrame, rule: Rule, dimension: DataFrame, inline_limit: int = DIMENSION_KEYS_INLINED
) -> DataFrame:
    """Add a column that is true where ``dimension`` holds the row's key and null where it does not.

    Up to ``inline_limit`` distinct keys are collected and inlined as an ``IN`` list: each task
    looks a row up in a hash set, cheaper per row than a join. More keys are broadcast and joined.
    """
    found = reference_found_column(rule)
    key_column = f"{HELPER_PREFIX}key_{rule.name}"
    keys = (dimension.select(F.col(rule.params["dimension_column"]).alias(key_column))
            .where(F.col(key_column).isNotNull()).distinct())
    few = keys.limit(inline_limit + 1).collect()
    if len(few) <= inline_limit:
        return df.withColumn(found, F.when(in_list(rule.column, [row[0] for row in few]), F.lit(True)))
    flagged = keys.withColumn(found, F.lit(True))
    return df.join(F.broadcast(flagged), df[rule.column] == flagged[key_column], "left").drop(key_column)


def in_list(column: str, values: list) -> Column:
    """``column IN (values)``, written as SQL text when every value is a string or an integer.

    One parse builds the whole list; ``Column.isin`` (used for other types) makes one call to the
    JVM per value. Strings travel as hex-encoded bytes, so no value needs quoting or escaping.

    Example::

        in_list("machine_id", ["M-0001", "M-0002"])   # machine_id IN (CAST(X'4d2d30303031' AS STRING), ...)
    """
    if not values or not all(type(value) in (str, int) for value in values):
        return F.col(column).isin(values)
    literals = [str(value) if type(value) is int else f"CAST(X'{value.encode().hex()}' AS STRING)"
                for value in values]
    quoted = "`" + column.replace("`", "``") + "`"
    return F.expr(f"{quoted} IN ({', '.join(literals)})")


def failure_expression(rule: Rule, now: dt.datetime | None, known_matches: Sequence[str] = ()) -> Column:
    """A boolean, never-null Column: true when the row fails ``rule``.

    ``known_matches`` are values known to match a ``pattern`` rule's regex
    (:mod:`plant_data_quality.pattern_matches`): a row holding one is looked up in a hash set and
    skips the regex.
    """
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
        matches = columns[0].rlike(params["regex"])
        if known_matches:
            matches = in_list(rule.column, list(known_matches)) | matches
        return present & ~matches
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
