"""SCD Type 2 (and Type 6) as ONE Delta MERGE over a staged union.

How one batch is applied:

1. Source rows are checked: a NULL key, a NULL change timestamp, or two different versions of one key
   at the same change timestamp go to the quarantine with a reason. Exact duplicates count once.
2. The batch's changes and the stored history of the keys it touches become one timeline per key,
   ordered by the source's change timestamp (never by load time). A delete (``is_deleted = true``)
   carries the last known attributes forward into a tombstone version.
3. A change identical to a stored version at the same timestamp is ``already_applied`` (reruns are
   no-ops); a change whose null-safe hash equals the version before it is ``unchanged``.
4. ``valid_to`` is the next version's ``valid_from`` (the open end for the last one). A change older
   than the current version lands in the middle of the history (``placed_in_history``): the version
   it interrupts is shortened, and the new row ends where the next stored version starts.
   ``Scd2Spec(on_out_of_order="reject")`` raises ``OutOfOrderChangeError`` instead.
5. Stored rows whose ``valid_to``/``is_current`` (or Type 6 current-value columns) change are staged
   with their ``valid_from`` as merge key; new versions are staged with a NULL merge key, so they never
   match and are inserted. One MERGE applies both: no expire-then-insert second pass.

Stored rows are never deleted and their ``valid_from`` never moves, so surrogate keys stay stable.

A *simple* batch (one row per key, no NULL key or timestamp, no deletes, no Type 6 columns) skips
steps 2-5: ``scd_type2_fast_path`` applies it in one MERGE that tells changed from unchanged rows
itself, and falls back to the steps above when a change is not newer than its key's current version.
``ScdMergeResult.path`` says which ran; ``Scd2Spec(fast_path=False)`` forces the general path.

Example::

    >>> spec = Scd2Spec(natural_key=("machine_id",))
    >>> result = merge_scd2(spark, "/lake/dim_machine", changes_df, spec)  # doctest: +SKIP
    >>> result.metrics["num_inserted_rows"]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from delta.tables import DeltaTable, IdentityGenerator
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from manufacturing_star_schema.errors import InvalidSpecError, MissingColumnsError, OutOfOrderChangeError
from manufacturing_star_schema.hashing import hash_key, row_hash
from manufacturing_star_schema.invariants import OPEN_END
from manufacturing_star_schema.scd_type2_fast_path import (
    fast_path_report,
    is_fallback_error,
    is_simple_batch,
    merge_simple_batch,
)
from manufacturing_star_schema.schema_sync import add_new_source_columns, quoted

SURROGATE_KEY_STRATEGIES = ("hash", "identity", "none")
OUT_OF_ORDER_POLICIES = ("place", "reject")


@dataclass(frozen=True)
class Scd2Spec:
    """Column names and policies of one Type 2 (or Type 6) dimension.

    ``tracked_columns=None`` tracks every source attribute. ``current_value_columns`` maps an
    attribute to a Type 1 column kept on every version of the key (that is Type 6).
    ``fast_path=False`` sends every batch through the general path (tests compare the two).
    """

    natural_key: tuple[str, ...]
    change_ts_column: str = "change_ts"
    tracked_columns: tuple[str, ...] | None = None
    surrogate_key_column: str = "machine_sk"
    surrogate_key_strategy: str = "hash"
    valid_from: str = "valid_from"
    valid_to: str = "valid_to"
    is_current: str = "is_current"
    is_deleted: str = "is_deleted"
    row_hash: str = "row_hash"
    current_value_columns: Mapping[str, str] = field(default_factory=dict)
    on_out_of_order: str = "place"
    fast_path: bool = True

    def __post_init__(self) -> None:
        if not self.natural_key:
            raise InvalidSpecError("natural_key: expected at least one column, got none")
        if self.surrogate_key_strategy not in SURROGATE_KEY_STRATEGIES:
            raise InvalidSpecError(
                f"surrogate_key_strategy: expected one of {SURROGATE_KEY_STRATEGIES}, "
                f"got {self.surrogate_key_strategy!r}"
            )
        if self.on_out_of_order not in OUT_OF_ORDER_POLICIES:
            raise InvalidSpecError(
                f"on_out_of_order: expected one of {OUT_OF_ORDER_POLICIES}, got {self.on_out_of_order!r}"
            )

    @property
    def control_columns(self) -> list[str]:
        control = [self.valid_from, self.valid_to, self.is_current, self.is_deleted, self.row_hash]
        if self.surrogate_key_strategy != "none":
            control.append(self.surrogate_key_column)
        return control + list(self.current_value_columns.values())


@dataclass
class Scd2Staging:
    """What one batch will do, before the MERGE: staged rows plus every source row's outcome.

    ``only_current_rows_change`` is true when no change lands before the current version of its key
    (the usual batch): then the MERGE may restrict itself to current target rows. ``release()``
    unpersists the batch-sized frames cached while staging.
    """

    staged: DataFrame
    outcomes: DataFrame
    quarantine: DataFrame
    attributes: list[str]
    only_current_rows_change: bool = False
    persisted: list[DataFrame] = field(default_factory=list)

    def release(self) -> None:
        """Drop the cached batch-sized frames (the outcomes stay computable: the target is pinned)."""
        for frame in self.persisted:
            frame.unpersist()
        self.persisted.clear()


@dataclass
class ScdMergeResult:
    """Delta's MERGE metrics, the per-source-row outcomes and the quarantine (both pinned to the read version).

    ``path`` is ``"general"``, ``"fast"`` (a simple batch, one MERGE with no staging), or
    ``"general_after_fallback"`` (the fast path's guard aborted its MERGE; see ``scd_type2_fast_path``).
    After the fast path, ``outcomes`` and ``quarantine`` are lazy: only a caller who reads them pays.
    """

    metrics: dict[str, int]
    outcomes: DataFrame
    quarantine: DataFrame
    added_columns: list[str]
    path: str = "general"


def create_scd2_table(
    spark: SparkSession,
    path: str,
    attributes: T.StructType,
    spec: Scd2Spec,
    properties: Mapping[str, str] | None = None,
) -> None:
    """Create an empty Type 2 dimension at ``path``: surrogate key, key + attribute columns, controls.

    Uses Delta's table builder: on Spark 4.0 + Delta 4.0 open source, SQL DDL with
    ``GENERATED ALWAYS AS IDENTITY`` is rejected (see tests/test_ddl.py); the builder is not.
    ``properties`` are Delta table properties, e.g. ``{"delta.enableDeletionVectors": "true"}``.
    """
    builder = DeltaTable.create(spark).location(path)
    for name, value in (properties or {}).items():
        builder = builder.property(name, value)
    if spec.surrogate_key_strategy == "identity":
        builder = builder.addColumn(spec.surrogate_key_column, "BIGINT", generatedAlwaysAs=IdentityGenerator(1, 1))
    elif spec.surrogate_key_strategy == "hash":
        builder = builder.addColumn(spec.surrogate_key_column, "BIGINT", nullable=False)
    types = {f.name: f.dataType for f in attributes.fields}
    for f in attributes.fields:
        builder = builder.addColumn(f.name, f.dataType, nullable=f.name not in spec.natural_key)
    for attribute, column in spec.current_value_columns.items():
        builder = builder.addColumn(column, types[attribute])
    for column, data_type in [
        (spec.valid_from, "TIMESTAMP"),
        (spec.valid_to, "TIMESTAMP"),
        (spec.is_current, "BOOLEAN"),
        (spec.is_deleted, "BOOLEAN"),
        (spec.row_hash, "STRING"),
    ]:
        builder = builder.addColumn(column, data_type, nullable=False)
    builder.execute()


def _check_inputs(target: DataFrame, source: DataFrame, spec: Scd2Spec) -> list[str]:
    needed_source = [*spec.natural_key, spec.change_ts_column]
    if not set(needed_source) <= set(source.columns):
        raise MissingColumnsError("source", needed_source, source.columns)
    needed_target = [*spec.natural_key, *spec.control_columns]
    if not set(needed_target) <= set(target.columns):
        raise MissingColumnsError("dimension", needed_target, target.columns)
    excluded = set(spec.natural_key) | set(spec.control_columns)
    attributes = [c for c in target.columns if c not in excluded]
    if not attributes:
        raise MissingColumnsError("dimension", ["<at least one attribute column>"], target.columns)
    source_attributes = [*spec.natural_key, spec.change_ts_column, *attributes]
    if not set(source_attributes) <= set(source.columns):
        raise MissingColumnsError("source", source_attributes, source.columns)
    for attribute in spec.current_value_columns:
        if attribute not in attributes:
            raise InvalidSpecError(f"current_value_columns: expected an attribute of {attributes}, got {attribute!r}")
    tracked = spec.tracked_columns or attributes
    if not set(tracked) <= set(attributes):
        raise MissingColumnsError("tracked columns", tracked, attributes)
    return attributes


def stored_versions_touched_by(
    target: DataFrame,
    new_events: DataFrame,
    spec: Scd2Spec,
    persisted: list[DataFrame],
) -> tuple[DataFrame, bool]:
    """The stored rows a batch's timeline needs, reading as little of the dimension as possible.

    Only the CURRENT row of each key in the batch is needed when every change of that key is at or
    after the current version's ``valid_from`` (new versions, reruns of the latest batch). Keys with
    an older change (a late change, a replay of an older batch) also need their earlier versions;
    those are read only when such keys exist. Type 6 updates every version of a touched key, so it
    reads the whole history of the batch's keys. Returns the rows and whether earlier versions were read.
    """
    key, vf = list(spec.natural_key), spec.valid_from
    batch_keys = new_events.select(*key).distinct()
    if spec.current_value_columns:
        return target.join(F.broadcast(batch_keys), key, "left_semi"), True
    current = target.filter(F.col(spec.is_current)).join(F.broadcast(batch_keys), key, "left_semi").persist()
    persisted.append(current)
    late_keys = (
        new_events.select(*key, vf)
        .join(current.select(*key, F.col(vf).alias("_scd_current_from")), key)
        .filter(F.col(vf) < F.col("_scd_current_from"))
        .select(*key)
        .distinct()
    )
    if late_keys.isEmpty():
        return current, False
    earlier = target.filter(~F.col(spec.is_current)).join(F.broadcast(late_keys), key, "left_semi")
    return current.unionByName(earlier), True


def build_scd2_staging(target: DataFrame, source: DataFrame, spec: Scd2Spec) -> Scd2Staging:
    """Build the staged union for one batch (nothing is written; batch-sized frames are cached).

    Reads the current rows of the batch's keys, plus earlier versions only for keys with a change
    older than their current version (see ``stored_versions_touched_by``). Call ``release()`` on the
    result when done.
    """
    attributes = _check_inputs(target, source, spec)
    persisted: list[DataFrame] = []

    def cached(frame: DataFrame) -> DataFrame:
        persisted.append(frame.persist())
        return frame

    tracked = list(spec.tracked_columns or attributes)
    key, vf, ts, deleted = list(spec.natural_key), spec.valid_from, spec.change_ts_column, spec.is_deleted
    payload = [*key, *attributes, deleted]

    flagged = (
        source.withColumn(deleted, F.coalesce(F.col(deleted).cast("boolean"), F.lit(False)))
        if deleted in source.columns
        else source.withColumn(deleted, F.lit(False))
    )
    null_key = F.greatest(*[F.col(k).isNull() for k in key]) if len(key) > 1 else F.col(key[0]).isNull()
    same_instant = Window.partitionBy(*key, vf).orderBy("_scd_content")
    all_at_instant = same_instant.rowsBetween(Window.unboundedPreceding, Window.unboundedFollowing)
    checked = (
        flagged.select(*payload, F.col(ts).cast("timestamp").alias(vf))
        .withColumn("_scd_content", row_hash([*tracked, deleted]))
        .withColumn(
            "_scd_conflict",
            F.min("_scd_content").over(all_at_instant) != F.max("_scd_content").over(all_at_instant),
        )
        .withColumn("_scd_rank", F.row_number().over(same_instant))
        .withColumn(
            "quarantine_reason",
            F.when(null_key, "null natural key")
            .when(F.col(vf).isNull(), "null change timestamp")
            .when(F.col("_scd_conflict"), "conflicting versions for the same key and change timestamp"),
        )
    )
    checked = cached(checked)
    early_quarantine = checked.filter(F.col("quarantine_reason").isNotNull())
    valid = checked.filter(F.col("quarantine_reason").isNull())
    duplicates = valid.filter(F.col("_scd_rank") > 1)
    new_events = valid.filter(F.col("_scd_rank") == 1).select(
        *payload,
        vf,
        F.lit(1).alias("_scd_origin"),
        F.lit(None).cast("string").alias("_scd_stored_hash"),
        F.lit(None).cast("timestamp").alias("_scd_old_to"),
        F.lit(None).cast("boolean").alias("_scd_old_current"),
        *[
            F.lit(None).cast(target.schema[c].dataType).alias(f"_scd_old_{c}")
            for c in spec.current_value_columns.values()
        ],
    )
    stored, reads_history = stored_versions_touched_by(target, new_events, spec, persisted)
    history = stored.select(
        *payload,
        vf,
        F.lit(0).alias("_scd_origin"),
        F.col(spec.row_hash).alias("_scd_stored_hash"),
        F.col(spec.valid_to).alias("_scd_old_to"),
        F.col(spec.is_current).alias("_scd_old_current"),
        *[F.col(c).alias(f"_scd_old_{c}") for c in spec.current_value_columns.values()],
    )

    timeline = Window.partitionBy(*key).orderBy(vf, "_scd_origin")
    so_far = timeline.rowsBetween(Window.unboundedPreceding, Window.currentRow)
    whole_key = timeline.rowsBetween(Window.unboundedPreceding, Window.unboundedFollowing)
    is_new = F.col("_scd_origin") == 1
    # a stored tombstone already carries the last known attributes, so it counts as known
    known = ~F.col(deleted) | ~is_new
    last_known = F.last(F.when(known, F.struct(*attributes)), ignorenulls=True).over(so_far)
    events = (
        history.unionByName(new_events)
        .withColumn("_scd_last_known", last_known)
        .select(
            *key,
            *[
                F.when(F.col(deleted) & F.col("_scd_last_known").isNotNull(), F.col("_scd_last_known")[a])
                .otherwise(F.col(a))
                .alias(a)
                for a in attributes
            ],
            deleted,
            vf,
            "_scd_origin",
            "_scd_stored_hash",
            "_scd_old_to",
            "_scd_old_current",
            *[f"_scd_old_{c}" for c in spec.current_value_columns.values()],
        )
        .withColumn("_scd_hash", F.coalesce(F.col("_scd_stored_hash"), row_hash([*tracked, deleted])))
        # the stored version at the same instant sorts right before the new event (origin 0 < 1)
        .withColumn(
            "_scd_stored_same_instant",
            F.when(
                is_new & (F.lag("_scd_origin").over(timeline) == 0) & (F.lag(vf).over(timeline) == F.col(vf)),
                F.lag("_scd_hash").over(timeline),
            ),
        )
        .withColumn("_scd_last_stored_from", F.max(F.when(~is_new, F.col(vf))).over(whole_key))
    )
    at_stored_instant = is_new & F.col("_scd_stored_same_instant").isNotNull()
    on_timeline = events.filter(~at_stored_instant).withColumn("_scd_prev_hash", F.lag("_scd_hash").over(timeline))
    unchanged = is_new & F.col("_scd_hash").eqNullSafe(F.col("_scd_prev_hash"))
    kept = on_timeline.filter(~unchanged)

    next_from = F.lead(vf).over(timeline)
    versions = kept.withColumn(spec.valid_to, F.coalesce(next_from, F.lit(OPEN_END))).withColumn(
        spec.is_current, next_from.isNull()
    )
    for attribute, current_column in spec.current_value_columns.items():
        versions = versions.withColumn(current_column, F.last(attribute).over(whole_key))

    changed = ~F.col(spec.valid_to).eqNullSafe(F.col("_scd_old_to")) | ~F.col(spec.is_current).eqNullSafe(
        F.col("_scd_old_current")
    )
    for current_column in spec.current_value_columns.values():
        changed = changed | ~F.col(current_column).eqNullSafe(F.col(f"_scd_old_{current_column}"))
    late = F.col(vf) < F.col("_scd_last_stored_from")
    staged_columns = [
        *key,
        *attributes,
        deleted,
        vf,
        spec.valid_to,
        spec.is_current,
        F.col("_scd_hash").alias(spec.row_hash),
        *spec.current_value_columns.values(),
    ]
    # one pass over the timeline: changed stored rows (matched on valid_from) and new rows (never match)
    staged = versions.filter(is_new | changed).select(
        *staged_columns,
        F.when(~is_new, F.col(vf)).alias("_scd_merge_from"),
        F.when(~is_new, "update_stored_version")
        .when(late, "placed_in_history")
        .otherwise("new_version")
        .alias("_scd_outcome"),
    )
    if spec.surrogate_key_strategy == "hash":
        staged = staged.withColumn(spec.surrogate_key_column, hash_key([*key, vf]))
    inserts = staged.filter(F.col("_scd_merge_from").isNull())

    late_quarantine = events.filter(
        at_stored_instant & (F.col("_scd_hash") != F.col("_scd_stored_same_instant"))
    ).withColumn("quarantine_reason", F.lit("conflicts with the stored version at the same change timestamp"))
    quarantine_columns = [*payload, F.col(vf).alias(ts), "quarantine_reason"]
    quarantine = early_quarantine.select(*quarantine_columns).unionByName(late_quarantine.select(*quarantine_columns))

    def outcome(frame: DataFrame, label: str, instant: str = vf) -> DataFrame:
        return frame.select(*key, F.col(instant).alias(ts), F.lit(label).alias("outcome"))

    outcomes = (
        inserts.select(*key, F.col(vf).alias(ts), F.col("_scd_outcome").alias("outcome"))
        .unionByName(outcome(on_timeline.filter(unchanged), "unchanged"))
        .unionByName(
            outcome(
                events.filter(at_stored_instant & (F.col("_scd_hash") == F.col("_scd_stored_same_instant"))),
                "already_applied",
            )
        )
        .unionByName(outcome(duplicates, "duplicate_in_batch"))
        .unionByName(outcome(quarantine, "quarantined", instant=ts))
    )
    staged = cached(staged)
    return Scd2Staging(
        staged=staged,
        outcomes=outcomes,
        quarantine=quarantine,
        attributes=attributes,
        only_current_rows_change=not reads_history,
        persisted=persisted,
    )


def _merge_metrics(execute_result: DataFrame | None, table: DeltaTable) -> dict[str, int]:
    if execute_result is not None:
        row = execute_result.first()
        if row is not None:
            return {k: int(v) for k, v in row.asDict().items()}
    last = table.history(1).select("operationMetrics").first()[0] or {}
    return {
        "num_affected_rows": int(last.get("numOutputRows", 0)),
        "num_updated_rows": int(last.get("numTargetRowsUpdated", 0)),
        "num_inserted_rows": int(last.get("numTargetRowsInserted", 0)),
        "num_deleted_rows": int(last.get("numTargetRowsDeleted", 0)),
    }


def merge_scd2(spark: SparkSession, target_path: str, source: DataFrame, spec: Scd2Spec) -> ScdMergeResult:
    """Apply one batch of changes to the Type 2 (or Type 6) dimension at ``target_path`` in ONE MERGE.

    New source columns are added to the dimension first (``ALTER TABLE ADD COLUMNS``). The returned
    ``outcomes``/``quarantine`` are computed against the version read before the MERGE, so they can be
    counted after it: every source row has exactly one outcome. A batch that changes nothing (a rerun)
    writes nothing: the table gets no new version. A simple batch takes the fast path (one MERGE, no
    staging); if its guard finds a change that is not newer than the current version, the MERGE is
    aborted uncommitted and the general path applies the batch (``result.path`` tells which ran).
    """
    excluded = [*spec.natural_key, spec.change_ts_column, spec.is_deleted]
    added = add_new_source_columns(spark, target_path, source, exclude=excluded)
    table = DeltaTable.forPath(spark, target_path)
    read_version = table.history(1).select("version").first()[0]
    target = spark.read.format("delta").option("versionAsOf", read_version).load(target_path)
    attributes = _check_inputs(target, source, spec)
    path = "general"
    if spec.fast_path and is_simple_batch(source, spec):
        try:
            metrics = merge_simple_batch(table, source, attributes, spec)
        except Exception as error:  # only the guard's own error falls back; anything else propagates
            if not is_fallback_error(error):
                raise
            path = "general_after_fallback"
        else:
            outcomes, quarantine = fast_path_report(target, source, attributes, spec)
            return ScdMergeResult(metrics, outcomes, quarantine, added, path="fast")
    staging = build_scd2_staging(target, source, spec)
    try:
        if spec.on_out_of_order == "reject":
            _reject_late_changes(staging, spec)
        metrics = _apply_staged(table, staging, spec)
    finally:
        staging.release()
    return ScdMergeResult(
        metrics=metrics, outcomes=staging.outcomes, quarantine=staging.quarantine, added_columns=added, path=path
    )


def _reject_late_changes(staging: Scd2Staging, spec: Scd2Spec) -> None:
    late = staging.staged.filter(F.col("_scd_outcome") == "placed_in_history")
    examples = [str(r.asDict()) for r in late.select(*spec.natural_key, spec.valid_from).limit(5).collect()]
    if examples:
        raise OutOfOrderChangeError(late.count(), examples)


NO_CHANGE_METRICS = {"num_affected_rows": 0, "num_updated_rows": 0, "num_deleted_rows": 0, "num_inserted_rows": 0}


def _apply_staged(table: DeltaTable, staging: Scd2Staging, spec: Scd2Spec) -> dict[str, int]:
    """The single MERGE: staged updates match on (key, valid_from); staged inserts never match."""
    if staging.staged.isEmpty():
        return dict(NO_CHANGE_METRICS)
    key, vf = list(spec.natural_key), spec.valid_from
    matches = [f"t.{quoted(k)} = s.{quoted(k)}" for k in key] + [f"t.{quoted(vf)} = s._scd_merge_from"]
    if staging.only_current_rows_change:
        # a target-only predicate: Delta skips files whose statistics say they hold no current row
        matches.append(f"t.{quoted(spec.is_current)} = true")
    written = [
        *key,
        *staging.attributes,
        spec.is_deleted,
        vf,
        spec.valid_to,
        spec.is_current,
        spec.row_hash,
        *spec.current_value_columns.values(),
    ]
    if spec.surrogate_key_strategy == "hash":
        written.append(spec.surrogate_key_column)
    updated = [spec.valid_to, spec.is_current, *spec.current_value_columns.values()]
    # shuffle_hash: the MERGE's rewrite is a LEFT OUTER join (source preserved, for the inserts), which
    # cannot broadcast the small source; hashing it avoids sorting every target row of the touched files
    source = staging.staged.hint("shuffle_hash")
    result = (
        table.alias("t")
        .merge(source.alias("s"), " AND ".join(matches))
        .whenMatchedUpdate(set={c: f"s.{quoted(c)}" for c in updated})
        .whenNotMatchedInsert(values={quoted(c): f"s.{quoted(c)}" for c in written})
        .execute()
    )
    return _merge_metrics(result, table)
