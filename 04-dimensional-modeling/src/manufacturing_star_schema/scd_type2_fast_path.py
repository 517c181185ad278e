"""The fast path of ``merge_scd2``: a simple batch applied by ONE MERGE, with no staging read first.

A batch is *simple* when it has one row per natural key, no NULL key or change timestamp, no
deletes, and the spec has no Type 6 current-value columns. One aggregation over the batch decides
that (the dimension is not read).

``classify_simple_batch`` puts each version beside its key's current row (read from the version
pinned before the MERGE) and marks the rows that change something: new keys, different hashes, and
changes not newer than the current version (the guard's cases). Rows that change nothing (unchanged,
already applied) never reach the MERGE, so they never make Delta rewrite the files holding them.

``merge_simple_batch`` stages those rows the way mack's ``type_2_scd_upsert`` does, and applies them
in ONE MERGE whose condition is the natural key and ``is_current`` only (no row hash to read):

* a ``match`` copy of every row matches its key's current row and closes it
  (``valid_to = change_ts``, ``is_current = false``); for a new key it matches nothing and is inserted;
* an ``insert`` copy of every row whose key has a current row never matches (its role is not
  ``match``) and is inserted as the new current version.

A target row is matched by at most one source row, so Delta's "multiple source rows matched" rule
holds. A match that the classification did not foresee (a change not strictly newer than the
current version, a current row with the same hash, a current row for a key read as new: a late
change, an older batch replayed, or a commit between the read and the MERGE) hits a first
``WHEN MATCHED`` clause whose update is ``raise_error``: the MERGE fails before its commit, and
``merge_scd2`` falls back to the general path, which places, rejects or quarantines such changes.
A batch left empty (a rerun) matches and inserts nothing, and Delta records no version for it.
``fast_path_report`` gives each source row its outcome from the same classification (the guard has
proved that no earlier version matters).

Example::

    >>> if is_simple_batch(changes_df, spec):  # doctest: +SKIP
    ...     versions = simple_batch_versions(changes_df, attributes, spec)
    ...     classified = classify_simple_batch(dimension_df, versions, spec)
    ...     metrics = merge_simple_batch(DeltaTable.forPath(spark, path), classified, spec)
"""

from __future__ import annotations

from delta.tables import DeltaTable
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from manufacturing_star_schema.hashing import hash_key, row_hash
from manufacturing_star_schema.invariants import OPEN_END
from manufacturing_star_schema.scd_specs import Scd2Spec
from manufacturing_star_schema.sql_identifiers import keys_equal, quoted

FALLBACK_MARKER = "SCD2_FAST_PATH_FALLBACK"
ROLE = "_scd_role"
OUTCOME = "_scd_outcome"
CHANGES_SOMETHING = "_scd_changes_something"
CURRENT_FROM = "_scd_current_from"
CURRENT_HASH = "_scd_current_hash"
NEW_KEY = "_scd_new_key"
CLASSIFICATION = (CURRENT_FROM, CURRENT_HASH, OUTCOME, CHANGES_SOMETHING)


def is_simple_batch(source: DataFrame, spec: Scd2Spec) -> bool:
    """True when the batch can take the fast path: ONE aggregation over the batch, nothing else read.

    Simple: no Type 6 columns in the spec, no NULL key, no NULL (or uncastable) change timestamp,
    no ``is_deleted = true`` row, and as many distinct keys as rows (one row per key; exact
    duplicates count as two rows, so they take the general path, which reports them).
    """
    if spec.current_value_columns:
        return False
    key = list(spec.natural_key)
    null_key = F.greatest(*[F.col(k).isNull() for k in key]) if len(key) > 1 else F.col(key[0]).isNull()
    checks = [
        F.count(F.lit(1)).alias("rows"),
        F.count_distinct(*[F.col(k) for k in key]).alias("keys"),
        F.sum(null_key.cast("int")).alias("null_keys"),
        F.sum(F.col(spec.change_ts_column).cast("timestamp").isNull().cast("int")).alias("null_ts"),
    ]
    if spec.is_deleted in source.columns:
        deleted = F.coalesce(F.col(spec.is_deleted).cast("boolean"), F.lit(False))
        checks.append(F.sum(deleted.cast("int")).alias("deletes"))
    totals = source.agg(*checks).first().asDict()
    if totals["rows"] == 0:
        return False
    return totals["keys"] == totals["rows"] and not any(totals.get(n) for n in ("null_keys", "null_ts", "deletes"))


def simple_batch_versions(source: DataFrame, attributes: list[str], spec: Scd2Spec) -> DataFrame:
    """Each source row as the version it would insert: ``valid_from``, ``is_deleted = false``, hash (and key)."""
    key, vf, deleted = list(spec.natural_key), spec.valid_from, spec.is_deleted
    tracked = list(spec.tracked_columns or attributes)
    versions = (
        source.select(*key, *attributes, F.col(spec.change_ts_column).cast("timestamp").alias(vf))
        .withColumn(deleted, F.lit(False))
        .withColumn(spec.row_hash, row_hash([*tracked, deleted]))
    )
    if spec.hashes_surrogate_key:
        versions = versions.withColumn(spec.surrogate_key_column, hash_key([*key, vf]))
    return versions


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


def merge_simple_batch(table: DeltaTable, classified: DataFrame, spec: Scd2Spec) -> dict[str, int]:
    """Apply a classified simple batch (see ``classify_simple_batch``) in one MERGE; return Delta's metrics.

    Only the rows marked ``CHANGES_SOMETHING`` enter the MERGE. Raises Spark's
    ``USER_RAISED_EXCEPTION`` carrying ``FALLBACK_MARKER`` (see ``is_fallback_error``) when a
    matched current row is not older than its change, has the same hash, or belongs to a key the
    classification read as new; nothing is committed then.
    """
    key, vf, row = list(spec.natural_key), spec.valid_from, spec.row_hash
    written = [c for c in classified.columns if c not in CLASSIFICATION]
    has_current = F.col(CURRENT_FROM).isNotNull()
    roles = F.when(has_current, F.array(F.lit("match"), F.lit("insert"))).otherwise(F.array(F.lit("match")))
    staged = classified.filter(F.col(CHANGES_SOMETHING)).select(
        *written, (~has_current).alias(NEW_KEY), F.explode(roles).alias(ROLE)
    )
    on = " AND ".join([keys_equal(key), f"t.{quoted(spec.is_current)}", f"s.{ROLE} = 'match'"])
    unforeseen = f"s.{NEW_KEY} OR s.{quoted(vf)} <= t.{quoted(vf)} OR s.{quoted(row)} = t.{quoted(row)}"
    abort = f"CAST(raise_error('{FALLBACK_MARKER}: a change is not newer than the current version') AS TIMESTAMP)"
    values = {quoted(c): f"s.{quoted(c)}" for c in written}
    values[quoted(spec.valid_to)] = f"TIMESTAMP '{OPEN_END.isoformat(sep=' ')}'"
    values[quoted(spec.is_current)] = "true"
    # shuffle_hash, as on the general path: the rewrite is a LEFT OUTER join that cannot broadcast the
    # source; hashing it avoids sorting every target row of the touched files
    result = (
        table.alias("t")
        .merge(staged.hint("shuffle_hash").alias("s"), on)
        .whenMatchedUpdate(condition=unforeseen, set={quoted(spec.valid_to): abort})
        .whenMatchedUpdate(set={quoted(spec.valid_to): f"s.{quoted(vf)}", quoted(spec.is_current): "false"})
        .whenNotMatchedInsert(condition=f"s.{ROLE} = 'insert' OR s.{NEW_KEY}", values=values)
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
    """True for the error the fast path's guard clause raises (and only for it)."""
    return FALLBACK_MARKER in str(error)
