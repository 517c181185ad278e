"""Multi-plant hierarchy (division > site > plant > line > machine): rollups, cubes, code conformance.

Example::

    >>> production_rollup(output_df, ["division_id", "site_id", "plant_id"], "units_produced")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from manufacturing_star_schema.errors import MissingColumnsError
from manufacturing_star_schema.surrogate_keys import UNKNOWN_MEMBER_KEY

HIERARCHY = ("division_id", "site_id", "plant_id", "line_id", "machine_id")


def production_rollup(rows: DataFrame, levels: Sequence[str], measure: str) -> DataFrame:
    """``GROUP BY ROLLUP(levels)``: totals per level and a grand total, named in ``rollup_level``.

    ``rollup_level`` is the deepest level of the row (``grand_total`` for the total), computed from
    ``grouping_id`` so a NULL member value is never mistaken for a subtotal.
    """
    if not {*levels, measure} <= set(rows.columns):
        raise MissingColumnsError("rows", [*levels, measure], rows.columns)
    level_name = F.lit("grand_total")
    for depth, level in enumerate(levels, start=1):
        # grouping_id has a 1 bit per rolled-up column; at depth d the last len(levels)-d bits are 1
        mask = (1 << (len(levels) - depth)) - 1
        level_name = F.when(F.grouping_id() == mask, F.lit(level)).otherwise(level_name)
    return rows.rollup(*levels).agg(F.sum(measure).alias(measure), level_name.alias("rollup_level"))


def production_cube(rows: DataFrame, dimensions: Sequence[str], measure: str) -> DataFrame:
    """``GROUP BY CUBE(dimensions)``: every combination of subtotals, with ``grouping_id`` kept."""
    if not {*dimensions, measure} <= set(rows.columns):
        raise MissingColumnsError("rows", [*dimensions, measure], rows.columns)
    return rows.cube(*dimensions).agg(F.sum(measure).alias(measure), F.grouping_id().alias("grouping_id"))


def conform_codes(
    rows: DataFrame,
    mapping: DataFrame,
    plant_column: str,
    local_code_column: str,
    conformed_key_column: str,
) -> tuple[DataFrame, DataFrame]:
    """Map each plant's own codes to conformed dimension members through a mapping table.

    ``mapping`` has ``plant_column``, ``local_code_column`` and ``conformed_key_column``. Rows whose
    (plant, code) is not mapped keep flowing with the unknown member (-1); the second frame reports
    them per (plant, local code) with a row count, so nothing is dropped silently.
    Returns (conformed rows, unmapped report).
    """
    keys = [plant_column, local_code_column]
    if not set(keys) <= set(rows.columns):
        raise MissingColumnsError("rows", keys, rows.columns)
    if not {*keys, conformed_key_column} <= set(mapping.columns):
        raise MissingColumnsError("mapping", [*keys, conformed_key_column], mapping.columns)
    lookup = mapping.select(*keys, F.col(conformed_key_column).alias("_conformed")).dropDuplicates(keys)
    joined = rows.join(lookup, keys, "left")
    conformed = joined.withColumn(
        conformed_key_column, F.coalesce(F.col("_conformed"), F.lit(UNKNOWN_MEMBER_KEY).cast("bigint"))
    )
    unmapped = joined.filter(F.col("_conformed").isNull()).groupBy(*keys).agg(F.count(F.lit(1)).alias("rows"))
    return conformed.drop("_conformed"), unmapped
