"""SCD Type 6 (1 + 2 + 3): Type 2 history plus ``current_<a>`` columns overwritten on EVERY version of the key.

Facts joined to any historical version can report by the member's current value (e.g. today's
line of a machine) without a second join. It is the Type 2 MERGE with ``current_value_columns``:
the staged union updates all stored versions of a changed key in the same single MERGE.

Example::

    >>> spec = scd6_spec(("machine_id",), current_value_columns={"line_id": "current_line_id"})
    >>> merge_scd6(spark, "/lake/dim_machine", changes_df, spec)  # doctest: +SKIP
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession

from manufacturing_star_schema.errors import InvalidSpecError
from manufacturing_star_schema.scd_results import ScdMergeResult
from manufacturing_star_schema.scd_specs import Scd2Spec
from manufacturing_star_schema.scd_type2 import merge_scd2


def merge_scd6(spark: SparkSession, target_path: str, source: DataFrame, spec: Scd2Spec) -> ScdMergeResult:
    """Apply one batch to a Type 6 dimension in one MERGE (see ``merge_scd2`` for the rules)."""
    if not spec.current_value_columns:
        raise InvalidSpecError("Type 6 needs current_value_columns; got a plain Type 2 spec")
    return merge_scd2(spark, target_path, source, spec)
