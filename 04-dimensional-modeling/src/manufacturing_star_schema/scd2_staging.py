"""The general path of ``merge_scd2``: one batch staged as the rows ONE MERGE writes, plus every row's outcome.

The steps, each a function below, in the order ``build_scd2_staging`` runs them:

1. ``checked_source_rows``: a NULL key, a NULL change timestamp, or two different versions of one key
   at the same change timestamp get a quarantine reason; exact duplicates are ranked (the first counts).
2. ``stored_versions_touched_by``: the stored rows the batch's keys need (usually only current ones).
3. ``key_timelines``: the batch's changes and those stored rows as one timeline per key, ordered by the
   source's change timestamp; a delete carries the last known attributes forward (a tombstone).
4. ``staged_versions``: ``valid_to`` is the next version's ``valid_from``; stored rows whose validity
   (or Type 6 current values) change are staged to match on ``valid_from``, new versions never match.
5. ``batch_quarantine`` and ``batch_outcomes``: what happened to each source row.

Example::

    >>> staging = build_scd2_staging(target_df, changes_df, Scd2Spec(("machine_id",)))  # doctest: +SKIP
    >>> staging.staged.count(); staging.release()  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from manufacturing_star_schema.errors import InvalidSpecError, MissingColumnsError
from manufacturing_star_schema.hashing import hash_key, row_hash
from manufacturing_star_schema.invariants import OPEN_END
from manufacturing_star_schema.scd_specs import Scd2Spec

# scratch columns that cross from one step to the next
CONTENT = "_scd_content"  # hash of a source row's tracked columns (conflict check)
RANK = "_scd_rank"  # 1 for the first of identical rows of a key and instant
ORIGIN = "_scd_origin"  # 0 = stored row, 1 = new event
STORED_HASH = "_scd_stored_hash"
HASH = "_scd_hash"  # the row hash of every timeline row (stored or computed)
STORED_SAME_INSTANT = "_scd_stored_same_instant"  # hash of the stored version at a new event's instant
LAST_STORED_FROM = "_scd_last_stored_from"
PREVIOUS_HASH = "_scd_prev_hash"
MERGE_FROM = "_scd_merge_from"  # the merge key: valid_from of a stored row, NULL for an insert
OUTCOME = "_scd_outcome"
QUARANTINE_REASON = "quarantine_reason"


def old(column: str) -> str:
    """The scratch column holding a stored row's value of ``column`` before the batch."""
    return f"_scd_old_{column}"


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


def check_scd2_inputs(target: DataFrame, source: DataFrame, spec: Scd2Spec) -> list[str]:
    """Check both sides' columns against the spec; return the dimension's attribute columns."""
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


def payload_columns(spec: Scd2Spec, attributes: list[str]) -> list[str]:
    """Key, attributes and the delete flag: what a version carries besides its validity."""
    return [*spec.natural_key, *attributes, spec.is_deleted]


def checked_source_rows(source: DataFrame, spec: Scd2Spec, attributes: list[str]) -> DataFrame:
    """Source rows as ``payload + valid_from``, with ``RANK`` and a ``quarantine_reason`` (NULL when valid)."""
    key, vf, deleted = list(spec.natural_key), spec.valid_from, spec.is_deleted
    tracked = list(spec.tracked_columns or attributes)
    flag = F.coalesce(F.col(deleted).cast("boolean"), F.lit(False)) if deleted in source.columns else F.lit(False)
    null_key = F.greatest(*[F.col(k).isNull() for k in key]) if len(key) > 1 else F.col(key[0]).isNull()
    same_instant = Window.partitionBy(*key, vf).orderBy(CONTENT)
    all_at_instant = same_instant.rowsBetween(Window.unboundedPreceding, Window.unboundedFollowing)
    conflict = F.min(CONTENT).over(all_at_instant) != F.max(CONTENT).over(all_at_instant)
    return (
        source.withColumn(deleted, flag)
        .select(*payload_columns(spec, attributes), F.col(spec.change_ts_column).cast("timestamp").alias(vf))
        .withColumn(CONTENT, row_hash([*tracked, deleted]))
        .withColumn(RANK, F.row_number().over(same_instant))
        .withColumn(
            QUARANTINE_REASON,
            F.when(null_key, "null natural key")
            .when(F.col(vf).isNull(), "null change timestamp")
            .when(conflict, "conflicting versions for the same key and change timestamp"),
        )
    )


def new_events(valid: DataFrame, target: DataFrame, spec: Scd2Spec, attributes: list[str]) -> DataFrame:
    """The first of each key's identical rows at an instant, as timeline rows of ``ORIGIN`` 1."""
    return valid.filter(F.col(RANK) == 1).select(
        *payload_columns(spec, attributes),
        spec.valid_from,
        F.lit(1).alias(ORIGIN),
        F.lit(None).cast("string").alias(STORED_HASH),
        F.lit(None).cast("timestamp").alias(old(spec.valid_to)),
        F.lit(None).cast("boolean").alias(old(spec.is_current)),
        *[F.lit(None).cast(target.schema[c].dataType).alias(old(c)) for c in spec.current_value_columns.values()],
    )


@dataclass(frozen=True)
class StoredVersions:
    """The stored rows a batch needs; ``reads_history`` is true when earlier versions are among them."""

    rows: DataFrame
    reads_history: bool


def stored_versions_touched_by(
    target: DataFrame, events: DataFrame, spec: Scd2Spec, persisted: list[DataFrame]
) -> StoredVersions:
    """The stored rows a batch's timeline needs, reading as little of the dimension as possible.

    Only the CURRENT row of each key in the batch is needed when every change of that key is at or
    after the current version's ``valid_from`` (new versions, reruns of the latest batch). Keys with
    an older change (a late change, a replay of an older batch) also need their earlier versions;
    those are read only when such keys exist. Type 6 updates every version of a touched key, so it
    reads the whole history of the batch's keys.
    """
    key, vf = list(spec.natural_key), spec.valid_from
    batch_keys = events.select(*key).distinct()
    if spec.current_value_columns:
        return StoredVersions(target.join(F.broadcast(batch_keys), key, "left_semi"), reads_history=True)
    current = target.filter(F.col(spec.is_current)).join(F.broadcast(batch_keys), key, "left_semi").persist()
    persisted.append(current)
    late_keys = (
        events.select(*key, vf)
        .join(current.select(*key, F.col(vf).alias("_scd_current_from")), key)
        .filter(F.col(vf) < F.col("_scd_current_from"))
        .select(*key)
        .distinct()
    )
    if late_keys.isEmpty():
        return StoredVersions(current, reads_history=False)
    earlier = target.filter(~F.col(spec.is_current)).join(F.broadcast(late_keys), key, "left_semi")
    return StoredVersions(current.unionByName(earlier), reads_history=True)


def stored_events(stored: DataFrame, spec: Scd2Spec, attributes: list[str]) -> DataFrame:
    """Stored rows as timeline rows of ``ORIGIN`` 0, remembering their hash and validity before the batch."""
    return stored.select(
        *payload_columns(spec, attributes),
        spec.valid_from,
        F.lit(0).alias(ORIGIN),
        F.col(spec.row_hash).alias(STORED_HASH),
        F.col(spec.valid_to).alias(old(spec.valid_to)),
        F.col(spec.is_current).alias(old(spec.is_current)),
        *[F.col(c).alias(old(c)) for c in spec.current_value_columns.values()],
    )


def timeline_window(spec: Scd2Spec) -> Window:
    """One key's rows by ``valid_from``; a stored row sorts before a new event at the same instant."""
    return Window.partitionBy(*spec.natural_key).orderBy(spec.valid_from, ORIGIN)


def is_new() -> Column:
    """True for the batch's own rows on a timeline (false for stored rows)."""
    return F.col(ORIGIN) == 1


def key_timelines(history: DataFrame, events: DataFrame, spec: Scd2Spec, attributes: list[str]) -> DataFrame:
    """Stored and new rows as one timeline per key, with every row's ``HASH``.

    A delete carries the last known attributes (a stored tombstone counts as known). A new event at
    the instant of a stored version gets that version's hash in ``STORED_SAME_INSTANT``;
    ``LAST_STORED_FROM`` is the key's latest stored ``valid_from``.
    """
    key, vf, deleted = list(spec.natural_key), spec.valid_from, spec.is_deleted
    tracked = list(spec.tracked_columns or attributes)
    timeline = timeline_window(spec)
    so_far = timeline.rowsBetween(Window.unboundedPreceding, Window.currentRow)
    whole_key = timeline.rowsBetween(Window.unboundedPreceding, Window.unboundedFollowing)
    known = ~F.col(deleted) | ~is_new()
    last_known = F.last(F.when(known, F.struct(*attributes)), ignorenulls=True).over(so_far)
    carried = [
        F.when(F.col(deleted) & F.col("_scd_last_known").isNotNull(), F.col("_scd_last_known")[a])
        .otherwise(F.col(a))
        .alias(a)
        for a in attributes
    ]
    olds = [old(spec.valid_to), old(spec.is_current), *[old(c) for c in spec.current_value_columns.values()]]
    stored_just_before = (F.lag(ORIGIN).over(timeline) == 0) & (F.lag(vf).over(timeline) == F.col(vf))
    return (
        history.unionByName(events)
        .withColumn("_scd_last_known", last_known)
        .select(*key, *carried, deleted, vf, ORIGIN, STORED_HASH, *olds)
        .withColumn(HASH, F.coalesce(F.col(STORED_HASH), row_hash([*tracked, deleted])))
        .withColumn(STORED_SAME_INSTANT, F.when(is_new() & stored_just_before, F.lag(HASH).over(timeline)))
        .withColumn(LAST_STORED_FROM, F.max(F.when(~is_new(), F.col(vf))).over(whole_key))
    )


def at_stored_instant() -> Column:
    """A new event at the instant of a stored version (already applied, or a conflict)."""
    return is_new() & F.col(STORED_SAME_INSTANT).isNotNull()


def unchanged() -> Column:
    """A new event whose hash equals the version before it on the timeline."""
    return is_new() & F.col(HASH).eqNullSafe(F.col(PREVIOUS_HASH))


def on_timeline(timelines: DataFrame, spec: Scd2Spec) -> DataFrame:
    """The timeline without new events at a stored instant, with each row's ``PREVIOUS_HASH``."""
    return timelines.filter(~at_stored_instant()).withColumn(PREVIOUS_HASH, F.lag(HASH).over(timeline_window(spec)))


def staged_versions(placed: DataFrame, spec: Scd2Spec, attributes: list[str]) -> DataFrame:
    """The MERGE's source: changed stored rows (``MERGE_FROM`` = their ``valid_from``) and new versions
    (``MERGE_FROM`` NULL: they never match), each with its ``OUTCOME``."""
    key, vf = list(spec.natural_key), spec.valid_from
    timeline = timeline_window(spec)
    whole_key = timeline.rowsBetween(Window.unboundedPreceding, Window.unboundedFollowing)
    next_from = F.lead(vf).over(timeline)
    versions = (
        placed.filter(~unchanged())
        .withColumn(spec.valid_to, F.coalesce(next_from, F.lit(OPEN_END)))
        .withColumn(spec.is_current, next_from.isNull())
    )
    for attribute, current_column in spec.current_value_columns.items():
        versions = versions.withColumn(current_column, F.last(attribute).over(whole_key))
    changed: Column = ~F.col(spec.valid_to).eqNullSafe(F.col(old(spec.valid_to))) | ~F.col(spec.is_current).eqNullSafe(
        F.col(old(spec.is_current))
    )
    for current_column in spec.current_value_columns.values():
        changed = changed | ~F.col(current_column).eqNullSafe(F.col(old(current_column)))
    staged = versions.filter(is_new() | changed).select(
        *payload_columns(spec, attributes),
        vf,
        spec.valid_to,
        spec.is_current,
        F.col(HASH).alias(spec.row_hash),
        *spec.current_value_columns.values(),
        F.when(~is_new(), F.col(vf)).alias(MERGE_FROM),
        F.when(~is_new(), "update_stored_version")
        .when(F.col(vf) < F.col(LAST_STORED_FROM), "placed_in_history")
        .otherwise("new_version")
        .alias(OUTCOME),
    )
    if spec.hashes_surrogate_key:
        staged = staged.withColumn(spec.surrogate_key_column, hash_key([*key, vf]))
    return staged


def batch_quarantine(checked: DataFrame, timelines: DataFrame, spec: Scd2Spec, attributes: list[str]) -> DataFrame:
    """Rows refused by the source checks, plus new events contradicting the stored version at their instant."""
    conflicting = timelines.filter(at_stored_instant() & (F.col(HASH) != F.col(STORED_SAME_INSTANT))).withColumn(
        QUARANTINE_REASON, F.lit("conflicts with the stored version at the same change timestamp")
    )
    instant = F.col(spec.valid_from).alias(spec.change_ts_column)
    columns = [*payload_columns(spec, attributes), instant, QUARANTINE_REASON]
    refused = checked.filter(F.col(QUARANTINE_REASON).isNotNull())
    return refused.select(*columns).unionByName(conflicting.select(*columns))


def batch_outcomes(
    staged: DataFrame,
    placed: DataFrame,
    timelines: DataFrame,
    duplicates: DataFrame,
    quarantine: DataFrame,
    spec: Scd2Spec,
) -> DataFrame:
    """One outcome per source row: the staged inserts' own, then unchanged, already applied, duplicates, quarantined."""
    key, vf, ts = list(spec.natural_key), spec.valid_from, spec.change_ts_column

    def labelled(frame: DataFrame, label: str | Column, instant: str = vf) -> DataFrame:
        outcome = label if isinstance(label, Column) else F.lit(label)
        return frame.select(*key, F.col(instant).alias(ts), outcome.alias("outcome"))

    already_applied = timelines.filter(at_stored_instant() & (F.col(HASH) == F.col(STORED_SAME_INSTANT)))
    return (
        labelled(staged.filter(F.col(MERGE_FROM).isNull()), F.col(OUTCOME))
        .unionByName(labelled(placed.filter(unchanged()), "unchanged"))
        .unionByName(labelled(already_applied, "already_applied"))
        .unionByName(labelled(duplicates, "duplicate_in_batch"))
        .unionByName(labelled(quarantine, "quarantined", instant=ts))
    )


def build_scd2_staging(target: DataFrame, source: DataFrame, spec: Scd2Spec) -> Scd2Staging:
    """Build the staged union for one batch (nothing is written; batch-sized frames are cached).

    Reads the current rows of the batch's keys, plus earlier versions only for keys with a change
    older than their current version (see ``stored_versions_touched_by``). Call ``release()`` on the
    result when done.
    """
    attributes = check_scd2_inputs(target, source, spec)
    persisted: list[DataFrame] = []
    checked = checked_source_rows(source, spec, attributes).persist()
    persisted.append(checked)
    valid = checked.filter(F.col(QUARANTINE_REASON).isNull())
    events = new_events(valid, target, spec, attributes)
    stored = stored_versions_touched_by(target, events, spec, persisted)
    timelines = key_timelines(stored_events(stored.rows, spec, attributes), events, spec, attributes)
    placed = on_timeline(timelines, spec)
    staged = staged_versions(placed, spec, attributes)
    quarantine = batch_quarantine(checked, timelines, spec, attributes)
    outcomes = batch_outcomes(staged, placed, timelines, valid.filter(F.col(RANK) > 1), quarantine, spec)
    staged = staged.persist()
    persisted.append(staged)
    return Scd2Staging(
        staged=staged,
        outcomes=outcomes,
        quarantine=quarantine,
        attributes=attributes,
        only_current_rows_change=not stored.reads_history,
        persisted=persisted,
    )
