"""SCD Type 6 (1 + 2 + 3): Type 2 history plus ``current_<a>`` columns overwritten on EVERY version of the key.

Facts joined to any historical version can report by the member's current value (e.g. today's
line of a machine) without a second join. It is the Type 2 MERGE with ``current_value_columns``:
the staged union updates all stored versions of a changed key in the same single MERGE.

Example::

    >>> spec = scd6_spec(("machine_id",), current_value_columns={"line_id": "current_line_id"})
    >>> merge_scd6(spark, "/lake/dim_machine", changes_df, spec)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping

from pyspark.sql import DataFrame, SparkSession

from manufacturing_star_schema.errors import InvalidSpecError
from manufacturing_star_schema.scd_type2 import Scd2Spec, ScdMergeResult, merge_scd2


def scd6_spec(
    natural_key: tuple[str, ...], current_value_columns: Mapping[str, str], **options: object
) -> Scd2Spec:
    """A Type 2 spec with at least one current-value (Type 1) column: that is Type 6."""
    if not current_value_columns:
        raise InvalidSpecError("current_value_columns: expected at least one attribute -> column, got none")
    return Scd2Spec(natural_key=natural_key, current_value_columns=dict(current_value_columns), **options)


def merge_scd6(spark: SparkSession, target_path: str, source: DataFrame, spec: Scd2Spec) -> ScdMergeResult:
    """Apply one batch to a Type 6 dimension in one MERGE (see ``merge_scd2`` for the rules)."""
    if not spec.current_value_columns:
        raise InvalidSpecError("Type 6 needs current_value_columns; got a plain Type 2 spec")
    return merge_scd2(spark, target_path, source, spec)
