"""The invariant checker every SCD test ends with.

For a Type 2 (or Type 6) dimension, per natural key:

* ``current_rows_not_one``: exactly one row has ``is_current = true``;
* ``empty_or_negative_interval``: every row has ``valid_from < valid_to``;
* ``overlap``: a row starts before the previous row of its key ends;
* ``gap``: a row starts after the previous row of its key ends;
* ``current_not_last``: the current row is the last one and its ``valid_to`` is the open end;
* ``duplicate_version``: two rows share key and ``valid_from``.

For a Type 1 or Type 3 dimension (no validity columns) only ``duplicate_key`` is checked: one row per key.

Example::

    >>> assert_scd2_invariants(spark.read.format("delta").load(path), ["machine_id"])  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from manufacturing_star_schema.errors import MissingColumnsError, ScdInvariantError

OPEN_END = dt.datetime(9999, 12, 31)


def scd2_violations(
    dimension: DataFrame,
    natural_key: Sequence[str],
    valid_from: str = "valid_from",
    valid_to: str = "valid_to",
    is_current: str = "is_current",
) -> tuple[dict[str, int], list[str]]:
    """Count every Type 2 invariant violation in one pass; return the counts and up to 5 examples."""
    needed = [*natural_key, valid_from, valid_to, is_current]
    if not set(needed) <= set(dimension.columns):
        raise MissingColumnsError("dimension", needed, dimension.columns)
    ordered = Window.partitionBy(*natural_key).orderBy(valid_from)
    per_key = Window.partitionBy(*natural_key)
    rows = (
        dimension.select(*needed)
        .withColumn("_prev_to", F.lag(valid_to).over(ordered))
        .withColumn("_next_from", F.lead(valid_from).over(ordered))
        .withColumn("_current_count", F.sum(F.col(is_current).cast("int")).over(per_key))
        .withColumn("_same_from", F.count(F.lit(1)).over(Window.partitionBy(*natural_key, valid_from)))
    )
    checks = {
        "current_rows_not_one": F.col("_current_count") != 1,
        "empty_or_negative_interval": ~(F.col(valid_from) < F.col(valid_to)),
        "overlap": F.col(valid_from) < F.col("_prev_to"),
        "gap": F.col(valid_from) > F.col("_prev_to"),
        "current_not_last": F.col(is_current)
        & (F.col("_next_from").isNotNull() | (F.col(valid_to) != F.lit(OPEN_END))),
        "duplicate_version": F.col("_same_from") > 1,
    }
    described = F.concat_ws(
        " ",
        *[F.col(k).cast("string") for k in natural_key],
        F.col(valid_from).cast("string"),
        F.concat_ws(",", *[F.when(check, F.lit(name)) for name, check in checks.items()]),
    )
    any_broken = F.coalesce(F.greatest(*checks.values()), F.lit(False))
    totals = rows.agg(
        *[F.sum(F.coalesce(check, F.lit(False)).cast("int")).alias(name) for name, check in checks.items()],
        F.slice(F.collect_list(F.when(any_broken, described)), 1, 5).alias("_examples"),
    ).first()
    counts = {name: int(totals[name] or 0) for name in checks}
    return counts, list(totals["_examples"])


def assert_scd2_invariants(
    dimension: DataFrame,
    natural_key: Sequence[str],
    valid_from: str = "valid_from",
    valid_to: str = "valid_to",
    is_current: str = "is_current",
) -> dict[str, int]:
    """Raise ``ScdInvariantError`` when any Type 2 invariant is broken; return the (all-zero) counts."""
    counts, examples = scd2_violations(dimension, natural_key, valid_from, valid_to, is_current)
    if any(counts.values()):
        raise ScdInvariantError(counts, examples)
    return counts


def assert_one_row_per_key(dimension: DataFrame, natural_key: Sequence[str]) -> dict[str, int]:
    """The Type 1 / Type 3 invariant: one row per natural key. Raise ``ScdInvariantError`` otherwise."""
    if not set(natural_key) <= set(dimension.columns):
        raise MissingColumnsError("dimension", natural_key, dimension.columns)
    duplicated = dimension.groupBy(*natural_key).count().filter("count > 1")
    examples = [str(row.asDict()) for row in duplicated.limit(5).collect()]
    counts = {"duplicate_key": len(examples) and duplicated.count()}
    if counts["duplicate_key"]:
        raise ScdInvariantError(counts, examples)
    return counts
