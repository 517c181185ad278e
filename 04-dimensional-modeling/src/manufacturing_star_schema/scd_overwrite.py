"""What Type 1 and Type 3 share: read the batch, keep the latest change per key, run ONE MERGE, report.

``prepare_overwrite_batch`` syncs new source columns, checks the inputs, quarantines rows without a
key or timestamp and keeps the latest change per key (the rest are ``superseded_in_batch``).
``merge_overwrite`` runs the MERGE whose clauses the caller adds, and gives every source row its
outcome against the version read before it.

Example::

    >>> spec = Scd1Spec(("plant_id",))
    >>> batch = prepare_overwrite_batch(spark, "/lake/dim_plant", plants_df, spec)  # doctest: +SKIP
    >>> insert_new = lambda merge: merge.whenNotMatchedInsertAll()
    >>> merge_overwrite(spark, "/lake/dim_plant", batch, spec, insert_new)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from delta.tables import DeltaMergeBuilder, DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from manufacturing_star_schema.errors import MissingColumnsError
from manufacturing_star_schema.hashing import row_hash
from manufacturing_star_schema.scd_results import ScdMergeResult, merge_metrics
from manufacturing_star_schema.scd_specs import OverwriteSpec
from manufacturing_star_schema.schema_sync import add_new_source_columns
from manufacturing_star_schema.source_checks import latest_per_key, null_key_or_time_rules, split_by_rules
from manufacturing_star_schema.sql_identifiers import keys_equal
from manufacturing_star_schema.table_versions import read_pinned


@dataclass(frozen=True)
class OverwriteBatch:
    """One Type 1/3 batch before its MERGE.

    ``target`` is the dimension pinned to the version read; ``staged`` is the latest change per key
    with its ``row_hash`` (the MERGE's source); ``superseded`` are the older changes of a key in the
    same batch; ``quarantine`` the rows without a key or timestamp, with their reason.
    """

    target: DataFrame
    staged: DataFrame
    superseded: DataFrame
    quarantine: DataFrame
    attributes: list[str]
    added_columns: list[str]


def prepare_overwrite_batch(
    spark: SparkSession, target_path: str, source: DataFrame, spec: OverwriteSpec
) -> OverwriteBatch:
    """Schema sync, input checks, quarantine, the latest change per key and its hash (nothing is written
    except new columns)."""
    key, ts, deleted = list(spec.natural_key), spec.change_ts_column, spec.is_deleted
    if not set([*key, ts]) <= set(source.columns):
        raise MissingColumnsError("source", [*key, ts], source.columns)
    added = add_new_source_columns(spark, target_path, source, exclude=[*key, ts, deleted])
    target = read_pinned(spark, target_path)
    if not set([*key, *spec.control_columns]) <= set(target.columns):
        raise MissingColumnsError("dimension", [*key, *spec.control_columns], target.columns)
    excluded = {*key, *spec.control_columns}
    attributes = [c for c in target.columns if c not in excluded and c in source.columns]
    flag = F.coalesce(F.col(deleted).cast("boolean"), F.lit(False)) if deleted in source.columns else F.lit(False)
    flagged = source.withColumn(deleted, flag).select(*key, *attributes, deleted, F.col(ts).cast("timestamp").alias(ts))
    valid, quarantine = split_by_rules(flagged, null_key_or_time_rules(key, ts))
    latest, superseded = latest_per_key(valid, key, ts)
    staged = latest.withColumn(spec.row_hash, row_hash([*attributes, deleted]))
    return OverwriteBatch(target, staged, superseded, quarantine, attributes, added)


def overwrite_outcomes(batch: OverwriteBatch, spec: OverwriteSpec) -> DataFrame:
    """One outcome per source row, judged against the stored row of the version read before the MERGE."""
    key, ts, deleted, hashed = list(spec.natural_key), spec.change_ts_column, spec.is_deleted, spec.row_hash
    stored = batch.target.select(
        *key,
        F.col(spec.updated_at).alias("_stored_at"),
        F.col(hashed).alias("_stored_hash"),
        F.col(deleted).alias("_stored_deleted"),
    )
    outcome = (
        F.when(F.col("_stored_at").isNull(), "inserted")
        .when(F.col(ts) <= F.col("_stored_at"), "older_than_stored")
        .when(F.col(deleted) & F.col("_stored_deleted"), "unchanged")
        .when(F.col(deleted), "soft_deleted")
        .when(F.col(hashed) == F.col("_stored_hash"), "unchanged")
        .otherwise("updated")
    )
    return (
        batch.staged.join(stored, key, "left")
        .select(*key, ts, outcome.alias("outcome"))
        .unionByName(batch.superseded.select(*key, ts, F.lit("superseded_in_batch").alias("outcome")))
        .unionByName(batch.quarantine.select(*key, ts, F.lit("quarantined").alias("outcome")))
    )


def merge_overwrite(
    spark: SparkSession,
    target_path: str,
    batch: OverwriteBatch,
    spec: OverwriteSpec,
    add_clauses: Callable[[DeltaMergeBuilder], DeltaMergeBuilder],
) -> ScdMergeResult:
    """Run ONE MERGE of ``batch.staged`` (alias ``s``) into the dimension (alias ``t``) on the natural key.

    ``add_clauses`` adds the WHEN clauses of the dimension type to the merge builder.
    """
    table = DeltaTable.forPath(spark, target_path)
    merge = table.alias("t").merge(batch.staged.alias("s"), keys_equal(spec.natural_key))
    executed = add_clauses(merge).execute()
    return ScdMergeResult(
        merge_metrics(executed, table), overwrite_outcomes(batch, spec), batch.quarantine, batch.added_columns
    )
