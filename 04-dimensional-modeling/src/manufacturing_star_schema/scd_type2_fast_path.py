"""The fast path of ``merge_scd2``: a simple batch applied by ONE MERGE, with no staging read first.

A batch is *simple* when it has one row per natural key, no NULL key or change timestamp, no
deletes, and the spec has no Type 6 current-value columns. One aggregation over the batch decides
that (the dimension is not read). Each source row then enters the MERGE twice:

* an ``expire`` copy, which matches the key's current row only when the hashes DIFFER, and closes it
  (``valid_to = change_ts``, ``is_current = false``);
* an ``insert`` copy, which matches the current row only when the hashes are EQUAL (an unchanged row
  or a rerun: nothing happens); when it does not match, it is inserted as the new current version.

A target row is matched by at most one of the two copies, so Delta's "multiple source rows matched"
rule holds. A change that is not strictly newer than the current version (a late change, a replay of
an older batch, a different version at the current version's instant) hits a first ``WHEN MATCHED``
clause whose update is ``raise_error``: the MERGE fails before its commit, and ``merge_scd2`` falls
back to the general path, which places, rejects or quarantines such changes.

Before the MERGE, ``classify_simple_batch`` reads the current rows of the batch's keys: rows that
change nothing (unchanged, already applied) are left out of the MERGE, so they never make Delta
rewrite the files holding them, and a batch left empty (a rerun) runs no MERGE and commits no
version. ``fast_path_report`` gives each source row its outcome from the same classification (the
guard has proved that no earlier version matters).

Example::

    >>> if is_simple_batch(changes_df, spec):  # doctest: +SKIP
    ...     versions = simple_batch_versions(changes_df, attributes, spec)
    ...     metrics = merge_simple_batch(DeltaTable.forPath(spark, path), versions, spec)
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


def merge_simple_batch(table: DeltaTable, versions: DataFrame, spec: Scd2Spec) -> dict[str, int]:
    """Apply a simple batch's versions (see ``simple_batch_versions``) in one MERGE; return Delta's metrics.

    Raises Spark's ``USER_RAISED_EXCEPTION`` carrying ``FALLBACK_MARKER`` (see ``is_fallback_error``)
    when some change is not newer than its key's current version; nothing is committed then.
    Callers pass only the versions that change something (``classify_simple_batch``): a version equal
    to the current row would still match it, and a table without deletion vectors rewrites every file
    holding a matched row.
    """
    key, vf, row = list(spec.natural_key), spec.valid_from, spec.row_hash
    expire, insert = f"s.{ROLE} = 'expire'", f"s.{ROLE} = 'insert'"
    on = " AND ".join(
        [
            keys_equal(key),
            f"t.{quoted(spec.is_current)}",
            f"(({expire} AND t.{quoted(row)} <> s.{quoted(row)}) OR ({insert} AND t.{quoted(row)} = s.{quoted(row)}))",
        ]
    )
    not_newer = f"({expire} AND s.{quoted(vf)} <= t.{quoted(vf)}) OR ({insert} AND s.{quoted(vf)} < t.{quoted(vf)})"
    abort = f"CAST(raise_error('{FALLBACK_MARKER}: a change is not newer than the current version') AS TIMESTAMP)"
    written = [c for c in versions.columns if c != ROLE]
    values = {quoted(c): f"s.{quoted(c)}" for c in written}
    values[quoted(spec.valid_to)] = f"TIMESTAMP '{OPEN_END.isoformat(sep=' ')}'"
    values[quoted(spec.is_current)] = "true"
    both_roles = versions.withColumn(ROLE, F.explode(F.array(F.lit("expire"), F.lit("insert"))))
    result = (
        table.alias("t")
        .merge(both_roles.hint("shuffle_hash").alias("s"), on)
        .whenMatchedUpdate(condition=not_newer, set={quoted(spec.valid_to): abort})
        .whenMatchedUpdate(
            condition=expire, set={quoted(spec.valid_to): f"s.{quoted(vf)}", quoted(spec.is_current): "false"}
        )
        .whenNotMatchedInsert(condition=insert, values=values)
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
