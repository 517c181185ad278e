"""SCD Type 1: overwrite in place, one row per natural key, in ONE Delta MERGE.

* change detection by the null-safe ``row_hash`` of the tracked columns: reruns update nothing;
* only a change NEWER than the stored ``updated_at`` (the source's change timestamp) overwrites:
  a late, older change is ignored (``older_than_stored``), so replays cannot revert a member;
* a delete (``is_deleted = true``) keeps the attributes and sets the flag (soft delete);
* new source columns are added to the dimension.

Example::

    >>> merge_scd1(spark, "/lake/dim_plant", plants_df, Scd1Spec(natural_key=("plant_id",)))  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import replace

from delta.tables import DeltaMergeBuilder
from pyspark.sql import DataFrame, SparkSession

from manufacturing_star_schema.hashing import hash_key
from manufacturing_star_schema.scd_overwrite import merge_overwrite, prepare_overwrite_batch
from manufacturing_star_schema.scd_results import ScdMergeResult
from manufacturing_star_schema.scd_specs import Scd1Spec
from manufacturing_star_schema.sql_identifiers import quoted


def merge_scd1(spark: SparkSession, target_path: str, source: DataFrame, spec: Scd1Spec) -> ScdMergeResult:
    """Upsert the latest change per key into the Type 1 dimension at ``target_path`` in one MERGE."""
    batch = prepare_overwrite_batch(spark, target_path, source, spec)
    if spec.surrogate_key_column:
        staged = batch.staged.withColumn(spec.surrogate_key_column, hash_key(list(spec.natural_key)))
        batch = replace(batch, staged=staged)
    ts, deleted = quoted(spec.change_ts_column), quoted(spec.is_deleted)
    updated_at, hashed = quoted(spec.updated_at), quoted(spec.row_hash)
    written = [*spec.natural_key, *batch.attributes, spec.is_deleted, spec.row_hash]
    if spec.surrogate_key_column:
        written.append(spec.surrogate_key_column)
    values = {quoted(c): f"s.{quoted(c)}" for c in written}
    values[updated_at] = f"s.{ts}"
    delete_keeps_attributes = {
        deleted: "true",
        updated_at: f"s.{ts}",
        hashed: f"sha2(concat(t.{hashed}, ':deleted'), 256)",
    }
    newer = f"s.{ts} > t.{updated_at}"

    def clauses(merge: DeltaMergeBuilder) -> DeltaMergeBuilder:
        return (
            merge.whenMatchedUpdate(
                condition=f"s.{deleted} AND NOT t.{deleted} AND {newer}", set=delete_keeps_attributes
            )
            .whenMatchedUpdate(condition=f"NOT s.{deleted} AND {newer} AND t.{hashed} <> s.{hashed}", set=values)
            .whenNotMatchedInsert(values=values)
        )

    return merge_overwrite(spark, target_path, batch, spec, clauses)
