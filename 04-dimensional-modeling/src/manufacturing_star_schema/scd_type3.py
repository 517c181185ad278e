"""SCD Type 3: the current and the previous value side by side, one row per key, in ONE Delta MERGE.

For each tracked attribute ``a`` the dimension has ``a``, ``previous_<a>`` and ``<a>_changed_at``.
Only a change newer than the stored ``updated_at`` is applied (Type 3 keeps the latest transition
only, so an older change has nowhere to go: it is reported as ``older_than_stored``). Reruns change
nothing because nothing is newer than what is stored.

Example::

    >>> merge_scd3(spark, "/lake/dim_machine_line", moves_df, Scd3Spec(("machine_id",), ("line_id",)))  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import replace

from delta.tables import DeltaMergeBuilder
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from manufacturing_star_schema.errors import InvalidSpecError
from manufacturing_star_schema.scd_overwrite import merge_overwrite, prepare_overwrite_batch
from manufacturing_star_schema.scd_results import ScdMergeResult
from manufacturing_star_schema.scd_specs import Scd3Spec
from manufacturing_star_schema.sql_identifiers import quoted


def merge_scd3(spark: SparkSession, target_path: str, source: DataFrame, spec: Scd3Spec) -> ScdMergeResult:
    """Apply the latest change per key; a tracked attribute that changes moves its old value to ``previous_``."""
    batch = prepare_overwrite_batch(spark, target_path, source, spec)
    if not set(spec.tracked) <= set(batch.attributes):
        raise InvalidSpecError(f"tracked: expected columns of {batch.attributes}, got {list(spec.tracked)}")
    ts = quoted(spec.change_ts_column)
    copied = [*batch.attributes, spec.is_deleted, spec.row_hash]
    update = {quoted(c): f"s.{quoted(c)}" for c in copied}
    update[quoted(spec.updated_at)] = f"s.{ts}"
    insert = {quoted(c): f"s.{quoted(c)}" for c in [*spec.natural_key, *copied]}
    insert[quoted(spec.updated_at)] = f"s.{ts}"
    for a in spec.tracked:
        moved = f"NOT (t.{quoted(a)} <=> s.{quoted(a)})"
        previous, changed_at = quoted(spec.previous(a)), quoted(spec.changed_at(a))
        update[previous] = f"CASE WHEN {moved} THEN t.{quoted(a)} ELSE t.{previous} END"
        update[changed_at] = f"CASE WHEN {moved} THEN s.{ts} ELSE t.{changed_at} END"
        insert[previous] = "NULL"
        insert[changed_at] = f"s.{ts}"
    hashed = quoted(spec.row_hash)
    newer_and_different = f"s.{ts} > t.{quoted(spec.updated_at)} AND t.{hashed} <> s.{hashed}"

    def clauses(merge: DeltaMergeBuilder) -> DeltaMergeBuilder:
        return merge.whenMatchedUpdate(condition=newer_and_different, set=update).whenNotMatchedInsert(values=insert)

    result = merge_overwrite(spark, target_path, batch, spec, clauses)
    # Type 3 has no soft-delete clause: a delete flag is an ordinary attribute update
    outcome = F.when(F.col("outcome") == "soft_deleted", "updated").otherwise(F.col("outcome"))
    return replace(result, outcomes=result.outcomes.withColumn("outcome", outcome))
