"""The fast path of ``merge_scd2``: a simple batch applied by ONE MERGE, with no Spark action before it.

A batch is *simple* when it has one row per natural key, no NULL key or change timestamp and no
deletes, and its spec has no Type 6 current-value columns (``spec_allows_fast_path``). Nothing
checks the batch before the MERGE: the MERGE's own source does, while Delta materializes it.

``simple_batch_versions`` turns each source row into the version it would insert (``valid_from``,
``is_deleted = false``, the row hash) and flags it ``NOT_SIMPLE`` when its key has another row in the
batch (a window over the key: the same hash partitioning the next join on the key needs), or its key,
change timestamp or delete flag rules the batch out.

``classify_simple_batch`` puts each version beside its key's current row (read from the version
pinned before the MERGE) and marks the rows that change something: new keys, different hashes, and
changes not newer than the current version (the guard's cases). Rows that change nothing (unchanged,
already applied) never reach the MERGE, so they never make Delta rewrite the files holding them.

``fast_merge_source`` is the MERGE's source, as narrow as mack's staged union: the key, the
attributes, ``valid_from`` and a role (no hash, surrogate key or delete flag: the MERGE computes
them for the rows it inserts). Its filter raises ``FALLBACK_MARKER`` on the first ``NOT_SIMPLE``
row, so a batch that is not simple fails the MERGE before anything is committed. Roles:

* ``expire``: the change of a key that has a current row; matches that row and closes it
  (``valid_to = change_ts``, ``is_current = false``);
* ``insert``: the same change again; never matches, inserted as the new current version;
* ``new``: the version of a key without a current row; matches nothing and is inserted.

The MERGE's condition is the natural key and ``is_current`` only (no row hash is read to find
matches). A target row is matched by at most one source row. A match the classification did not
foresee (a ``new`` key that has a current row, a change not strictly newer than the current version,
or a current row with the same hash: a late change, an older batch replayed, or a commit between the
read and the MERGE) hits a first ``WHEN MATCHED`` clause whose update is ``raise_error``. Either
error aborts the MERGE uncommitted, and ``merge_scd2`` falls back to the general path, which places,
rejects or quarantines such changes. A batch left empty (a rerun) matches and inserts nothing, and
Delta records no version for it. ``fast_path_report`` gives each source row its outcome from the
same classification (the guard has proved that no earlier version matters).

Example::

    >>> if spec_allows_fast_path(spec):  # doctest: +SKIP
    ...     versions = simple_batch_versions(changes_df, attributes, spec)
    ...     classified = classify_simple_batch(dimension_df, versions, spec)
    ...     metrics = merge_simple_batch(DeltaTable.forPath(spark, path), classified, attributes, spec)
"""

from __future__ import annotations

from delta.tables import DeltaTable
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from manufacturing_star_schema.hashing import hash_key, row_hash, row_hash_of
from manufacturing_star_schema.invariants import OPEN_END
from manufacturing_star_schema.scd_specs import Scd2Spec
from manufacturing_star_schema.sql_identifiers import keys_equal, quoted

FALLBACK_MARKER = "SCD2_FAST_PATH_FALLBACK"
ROLE = "_scd_role"
OUTCOME = "_scd_outcome"
NOT_SIMPLE = "_scd_not_simple"
CHANGES_SOMETHING = "_scd_changes_something"
CURRENT_FROM = "_scd_current_from"
CURRENT_HASH = "_scd_current_hash"


def spec_allows_fast_path(spec: Scd2Spec) -> bool:
    """True when batches of this spec may try the fast path: allowed, and no Type 6 columns."""
    return spec.fast_path and not spec.current_value_columns


def simple_batch_versions(source: DataFrame, attributes: list[str], spec: Scd2Spec) -> DataFrame:
    """Each source row as the version it would insert, flagged ``NOT_SIMPLE`` when it rules the batch out.

    A row is not simple when its key has another row in the batch (exact duplicates too), its key or
    change timestamp is NULL (or the timestamp does not cast), or it is a delete (``is_deleted = true``).
    """
    key, vf, deleted = list(spec.natural_key), spec.valid_from, spec.is_deleted
    tracked = list(spec.tracked_columns or attributes)
    flag = F.coalesce(F.col(deleted).cast("boolean"), F.lit(False)) if deleted in source.columns else F.lit(False)
    null_key = F.greatest(*[F.col(k).isNull() for k in key]) if len(key) > 1 else F.col(key[0]).isNull()
    rows_of_key = F.count(F.lit(1)).over(Window.partitionBy(*key))
    not_simple = (rows_of_key > 1) | null_key | F.col(vf).isNull() | F.col(NOT_SIMPLE)
    change_ts = F.col(spec.change_ts_column).cast("timestamp")
    return (
        source.select(*key, *attributes, change_ts.alias(vf), flag.alias(NOT_SIMPLE))
        .withColumn(NOT_SIMPLE, not_simple)
        .withColumn(deleted, F.lit(False))
        .withColumn(spec.row_hash, row_hash([*tracked, deleted]))
    )


def classify_simple_batch(target: DataFrame, versions: DataFrame, spec: Scd2Spec) -> DataFrame:
    """Each version of a simple batch beside its key's current row, with the outcome it gets if it commits.

    ``target`` is the dimension as read before the MERGE; only the current rows of the batch's keys
    are read. A new key or a different hash is a ``new_version``; the same hash is ``already_applied``
    at the current version's instant and ``unchanged`` after it. ``CHANGES_SOMETHING`` marks the rows
    the MERGE needs: the new versions, and every change not newer than the current version (the
    guard's cases).
    """
    key, vf = list(spec.natural_key), spec.valid_from
    current = (
        target.filter(F.col(spec.is_current))
        .join(F.broadcast(versions.select(*key)), key, "left_semi")
        .select(*key, F.col(vf).alias(CURRENT_FROM), F.col(spec.row_hash).alias(CURRENT_HASH))
    )
    same_hash = F.col(spec.row_hash).eqNullSafe(F.col(CURRENT_HASH))
    outcome = (
        F.when(~same_hash, "new_version")
        .when(F.col(vf) == F.col(CURRENT_FROM), "already_applied")
        .otherwise("unchanged")
    )
    return (
        versions.join(current, key, "left")
        .withColumn(OUTCOME, outcome)
        .withColumn(CHANGES_SOMETHING, ~same_hash | (F.col(vf) < F.col(CURRENT_FROM)))
    )


def fast_merge_source(classified: DataFrame, attributes: list[str], spec: Scd2Spec) -> DataFrame:
    """The fast MERGE's source: key, attributes, ``valid_from`` and ``ROLE`` of the rows that change something.

    Raises Spark's ``USER_RAISED_EXCEPTION`` carrying ``FALLBACK_MARKER`` when it is computed over a
    batch that is not simple: the check sits in the same filter that keeps the rows the MERGE needs,
    so every row passes through it and no separate action reads the batch.
    """
    key, vf = list(spec.natural_key), spec.valid_from
    not_simple = F.raise_error(F.lit(f"{FALLBACK_MARKER}: the batch is not simple")).cast("boolean")
    keep = F.when(F.col(NOT_SIMPLE), not_simple).otherwise(F.col(CHANGES_SOMETHING))
    roles = F.when(F.col(CURRENT_FROM).isNotNull(), F.array(F.lit("expire"), F.lit("insert")))
    return classified.filter(keep).select(
        *key, *attributes, vf, F.explode(roles.otherwise(F.array(F.lit("new")))).alias(ROLE)
    )


def merge_simple_batch(
    table: DeltaTable, classified: DataFrame, attributes: list[str], spec: Scd2Spec
) -> dict[str, int]:
    """Apply a classified simple batch (see ``classify_simple_batch``) in one MERGE; return Delta's metrics.

    Raises Spark's ``USER_RAISED_EXCEPTION`` carrying ``FALLBACK_MARKER`` (see ``is_fallback_error``)
    when the batch is not simple, or a matched current row is not older than its change, has the
    same hash, or belongs to a key the classification read as new; nothing is committed then.
    """
    key, vf = list(spec.natural_key), spec.valid_from
    source_value = {c: F.col(f"s.{quoted(c)}") for c in [*key, *attributes, vf]}
    tracked = {c: source_value[c] for c in spec.tracked_columns or attributes}
    source_hash = row_hash_of({**tracked, spec.is_deleted: F.lit(False)})
    on = " AND ".join([keys_equal(key), f"t.{quoted(spec.is_current)}", f"s.{ROLE} <> 'insert'"])
    unforeseen = (
        (F.col(f"s.{ROLE}") == "new")
        | (F.col(f"s.{quoted(vf)}") <= F.col(f"t.{quoted(vf)}"))
        | (source_hash == F.col(f"t.{quoted(spec.row_hash)}"))
    )
    abort = F.raise_error(F.lit(f"{FALLBACK_MARKER}: a change is not newer than the current version"))
    values: dict[str, str | Column] = {quoted(c): value for c, value in source_value.items()}
    values[quoted(spec.is_deleted)] = F.lit(False)
    values[quoted(spec.valid_to)] = f"TIMESTAMP '{OPEN_END.isoformat(sep=' ')}'"
    values[quoted(spec.is_current)] = F.lit(True)
    values[quoted(spec.row_hash)] = source_hash
    if spec.hashes_surrogate_key:
        values[quoted(spec.surrogate_key_column)] = hash_key([f"s.{quoted(c)}" for c in [*key, vf]])
    # shuffle_hash, as on the general path: the rewrite is a LEFT OUTER join that cannot broadcast the
    # source; hashing it avoids sorting every target row of the touched files
    staged = fast_merge_source(classified, attributes, spec).hint("shuffle_hash")
    result = (
        table.alias("t")
        .merge(staged.alias("s"), on)
        .whenMatchedUpdate(condition=unforeseen, set={quoted(spec.valid_to): abort.cast("timestamp")})
        .whenMatchedUpdate(set={quoted(spec.valid_to): f"s.{quoted(vf)}", quoted(spec.is_current): "false"})
        .whenNotMatchedInsert(condition=f"s.{ROLE} <> 'expire'", values=values)
        .execute()
        .first()
    )
    return {k: int(v) for k, v in result.asDict().items()}


def fast_path_report(classified: DataFrame, attributes: list[str], spec: Scd2Spec) -> tuple[DataFrame, DataFrame]:
    """The outcomes and quarantine of a batch the fast path applied, as the general path reports them (lazy).

    The guard let the MERGE commit (or nothing needed one), so every change is newer than its key's
    current version, or at that version's instant with the same hash: the current row decides.
    Nothing is quarantined: a simple batch has no NULL key or timestamp, one row per key, and a
    different version at a stored instant would have aborted the MERGE.
    """
    key, vf, ts = list(spec.natural_key), spec.valid_from, spec.change_ts_column
    outcomes = classified.select(*key, F.col(vf).alias(ts), F.col(OUTCOME).alias("outcome"))
    quarantine = classified.select(
        *key, *attributes, spec.is_deleted, F.col(vf).alias(ts), F.lit(None).cast("string").alias("quarantine_reason")
    ).limit(0)
    return outcomes, quarantine


def is_fallback_error(error: BaseException) -> bool:
    """True for the errors the fast path's checks raise (and only for them)."""
    return FALLBACK_MARKER in str(error)
