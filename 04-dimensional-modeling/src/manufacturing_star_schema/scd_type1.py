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

from dataclasses import dataclass

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from manufacturing_star_schema.errors import InvalidSpecError, MissingColumnsError
from manufacturing_star_schema.hashing import hash_key, row_hash
from manufacturing_star_schema.scd_type2 import ScdMergeResult, _merge_metrics
from manufacturing_star_schema.schema_sync import add_new_source_columns, quoted
from manufacturing_star_schema.source_checks import latest_per_key, null_key_or_time_rules, split_by_rules


@dataclass(frozen=True)
class Scd1Spec:
    """Column names of one Type 1 dimension. ``surrogate_key_column=None`` stores no surrogate key."""

    natural_key: tuple[str, ...]
    change_ts_column: str = "change_ts"
    updated_at: str = "updated_at"
    is_deleted: str = "is_deleted"
    row_hash: str = "row_hash"
    surrogate_key_column: str | None = None

    def __post_init__(self) -> None:
        if not self.natural_key:
            raise InvalidSpecError("natural_key: expected at least one column, got none")

    @property
    def control_columns(self) -> list[str]:
        control = [self.updated_at, self.is_deleted, self.row_hash]
        return control + ([self.surrogate_key_column] if self.surrogate_key_column else [])


def prepare_overwrite_batch(
    spark: SparkSession,
    target_path: str,
    source: DataFrame,
    natural_key: tuple[str, ...],
    change_ts: str,
    is_deleted: str,
    control_columns: list[str],
) -> tuple[DataFrame, DataFrame, DataFrame, DataFrame, list[str], list[str]]:
    """Shared by Type 1 and Type 3: schema sync, checks, latest change per key.

    Returns (target pinned to the read version, latest changes, superseded rows, quarantine,
    attribute columns, added columns).
    """
    if not set([*natural_key, change_ts]) <= set(source.columns):
        raise MissingColumnsError("source", [*natural_key, change_ts], source.columns)
    added = add_new_source_columns(spark, target_path, source, exclude=[*natural_key, change_ts, is_deleted])
    version = DeltaTable.forPath(spark, target_path).history(1).select("version").first()[0]
    target = spark.read.format("delta").option("versionAsOf", version).load(target_path)
    if not set([*natural_key, *control_columns]) <= set(target.columns):
        raise MissingColumnsError("dimension", [*natural_key, *control_columns], target.columns)
    excluded = {*natural_key, *control_columns}
    attributes = [c for c in target.columns if c not in excluded and c in source.columns]
    flagged = source.withColumn(
        is_deleted,
        F.coalesce(F.col(is_deleted).cast("boolean"), F.lit(False))
        if is_deleted in source.columns
        else F.lit(False),
    ).select(*natural_key, *attributes, is_deleted, F.col(change_ts).cast("timestamp").alias(change_ts))
    valid, quarantine = split_by_rules(flagged, null_key_or_time_rules(natural_key, change_ts))
    latest, superseded = latest_per_key(valid, natural_key, change_ts)
    return target, latest, superseded, quarantine, attributes, added


def merge_scd1(spark: SparkSession, target_path: str, source: DataFrame, spec: Scd1Spec) -> ScdMergeResult:
    """Upsert the latest change per key into the Type 1 dimension at ``target_path`` in one MERGE."""
    key, ts = list(spec.natural_key), spec.change_ts_column
    target, latest, superseded, quarantine, attributes, added = prepare_overwrite_batch(
        spark, target_path, source, spec.natural_key, ts, spec.is_deleted, spec.control_columns
    )
    staged = latest.withColumn(spec.row_hash, row_hash([*attributes, spec.is_deleted]))
    if spec.surrogate_key_column:
        staged = staged.withColumn(spec.surrogate_key_column, hash_key(key))
    on_key = " AND ".join(f"t.{quoted(k)} = s.{quoted(k)}" for k in key)
    newer_and_different = (
        f"s.{quoted(ts)} > t.{quoted(spec.updated_at)} "
        f"AND t.{quoted(spec.row_hash)} <> s.{quoted(spec.row_hash)}"
    )
    values = {quoted(c): f"s.{quoted(c)}" for c in [*key, *attributes, spec.is_deleted, spec.row_hash]}
    values[quoted(spec.updated_at)] = f"s.{quoted(ts)}"
    if spec.surrogate_key_column:
        values[quoted(spec.surrogate_key_column)] = f"s.{quoted(spec.surrogate_key_column)}"
    delete_keeps_attributes = {
        quoted(spec.is_deleted): "true",
        quoted(spec.updated_at): f"s.{quoted(ts)}",
        quoted(spec.row_hash): f"sha2(concat(t.{quoted(spec.row_hash)}, ':deleted'), 256)",
    }
    result = (
        DeltaTable.forPath(spark, target_path)
        .alias("t")
        .merge(staged.alias("s"), on_key)
        .whenMatchedUpdate(
            condition=f"s.{quoted(spec.is_deleted)} AND NOT t.{quoted(spec.is_deleted)} AND "
            f"s.{quoted(ts)} > t.{quoted(spec.updated_at)}",
            set=delete_keeps_attributes,
        )
        .whenMatchedUpdate(condition=f"NOT s.{quoted(spec.is_deleted)} AND {newer_and_different}", set=values)
        .whenNotMatchedInsert(values=values)
        .execute()
    )
    outcomes = _overwrite_outcomes(
        target,
        latest,
        superseded,
        quarantine,
        key,
        ts,
        spec.updated_at,
        spec.row_hash,
        staged,
        spec.is_deleted,
    )
    return ScdMergeResult(
        _merge_metrics(result, DeltaTable.forPath(spark, target_path)), outcomes, quarantine, added
    )


def _overwrite_outcomes(
    target: DataFrame,
    latest: DataFrame,
    superseded: DataFrame,
    quarantine: DataFrame,
    key: list[str],
    ts: str,
    updated_at: str,
    hash_column: str,
    staged: DataFrame,
    is_deleted: str,
) -> DataFrame:
    stored = target.select(
        *key,
        F.col(updated_at).alias("_stored_at"),
        F.col(hash_column).alias("_stored_hash"),
        F.col(is_deleted).alias("_stored_deleted"),
    )
    joined = staged.join(stored, key, "left")
    outcome = (
        F.when(F.col("_stored_at").isNull(), "inserted")
        .when(F.col(ts) <= F.col("_stored_at"), "older_than_stored")
        .when(F.col(is_deleted) & F.col("_stored_deleted"), "unchanged")
        .when(F.col(is_deleted), "soft_deleted")
        .when(F.col(hash_column) == F.col("_stored_hash"), "unchanged")
        .otherwise("updated")
    )
    return (
        joined.select(*key, ts, outcome.alias("outcome"))
        .unionByName(superseded.select(*key, ts, F.lit("superseded_in_batch").alias("outcome")))
        .unionByName(quarantine.select(*key, ts, F.lit("quarantined").alias("outcome")))
    )
