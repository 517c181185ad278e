"""SCD Type 3: the current and the previous value side by side, one row per key, in ONE Delta MERGE.

For each tracked attribute ``a`` the dimension has ``a``, ``previous_<a>`` and ``<a>_changed_at``.
Only a change newer than the stored ``updated_at`` is applied (Type 3 keeps the latest transition
only, so an older change has nowhere to go: it is reported as ``older_than_stored``). Reruns change
nothing because nothing is newer than what is stored.

Example::

    >>> merge_scd3(spark, "/lake/dim_machine_line", moves_df, Scd3Spec(("machine_id",), ("line_id",)))  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from manufacturing_star_schema.errors import InvalidSpecError
from manufacturing_star_schema.hashing import row_hash
from manufacturing_star_schema.scd_type1 import _overwrite_outcomes, prepare_overwrite_batch
from manufacturing_star_schema.scd_type2 import ScdMergeResult, _merge_metrics
from manufacturing_star_schema.schema_sync import quoted


@dataclass(frozen=True)
class Scd3Spec:
    """A Type 3 dimension: ``tracked`` attributes get previous-value and changed-at columns."""

    natural_key: tuple[str, ...]
    tracked: tuple[str, ...]
    change_ts_column: str = "change_ts"
    updated_at: str = "updated_at"
    is_deleted: str = "is_deleted"
    row_hash: str = "row_hash"

    def __post_init__(self) -> None:
        if not self.natural_key or not self.tracked:
            raise InvalidSpecError(
                f"expected at least one natural key and one tracked column, got {self.natural_key} and {self.tracked}"
            )

    def previous(self, attribute: str) -> str:
        return f"previous_{attribute}"

    def changed_at(self, attribute: str) -> str:
        return f"{attribute}_changed_at"

    @property
    def control_columns(self) -> list[str]:
        history = [c for a in self.tracked for c in (self.previous(a), self.changed_at(a))]
        return [self.updated_at, self.is_deleted, self.row_hash, *history]


def merge_scd3(spark: SparkSession, target_path: str, source: DataFrame, spec: Scd3Spec) -> ScdMergeResult:
    """Apply the latest change per key; a tracked attribute that changes moves its old value to ``previous_``."""
    key, ts = list(spec.natural_key), spec.change_ts_column
    target, latest, superseded, quarantine, attributes, added = prepare_overwrite_batch(
        spark, target_path, source, spec.natural_key, ts, spec.is_deleted, spec.control_columns
    )
    if not set(spec.tracked) <= set(attributes):
        raise InvalidSpecError(f"tracked: expected columns of {attributes}, got {list(spec.tracked)}")
    staged = latest.withColumn(spec.row_hash, row_hash([*attributes, spec.is_deleted]))
    on_key = " AND ".join(f"t.{quoted(k)} = s.{quoted(k)}" for k in key)
    update = {quoted(c): f"s.{quoted(c)}" for c in [*attributes, spec.is_deleted, spec.row_hash]}
    update[quoted(spec.updated_at)] = f"s.{quoted(ts)}"
    for a in spec.tracked:
        moved = f"NOT (t.{quoted(a)} <=> s.{quoted(a)})"
        update[quoted(spec.previous(a))] = (
            f"CASE WHEN {moved} THEN t.{quoted(a)} ELSE t.{quoted(spec.previous(a))} END"
        )
        update[quoted(spec.changed_at(a))] = (
            f"CASE WHEN {moved} THEN s.{quoted(ts)} ELSE t.{quoted(spec.changed_at(a))} END"
        )
    insert = {quoted(c): f"s.{quoted(c)}" for c in [*key, *attributes, spec.is_deleted, spec.row_hash]}
    insert[quoted(spec.updated_at)] = f"s.{quoted(ts)}"
    for a in spec.tracked:
        insert[quoted(spec.previous(a))] = "NULL"
        insert[quoted(spec.changed_at(a))] = f"s.{quoted(ts)}"
    result = (
        DeltaTable.forPath(spark, target_path)
        .alias("t")
        .merge(staged.alias("s"), on_key)
        .whenMatchedUpdate(
            condition=f"s.{quoted(ts)} > t.{quoted(spec.updated_at)} "
            f"AND t.{quoted(spec.row_hash)} <> s.{quoted(spec.row_hash)}",
            set=update,
        )
        .whenNotMatchedInsert(values=insert)
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
    ).withColumn("outcome", F.when(F.col("outcome") == "soft_deleted", "updated").otherwise(F.col("outcome")))
    return ScdMergeResult(
        _merge_metrics(result, DeltaTable.forPath(spark, target_path)), outcomes, quarantine, added
    )
