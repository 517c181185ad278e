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

After a committed fast MERGE, ``fast_path_report`` gives each source row its outcome from the key's
current row alone (the guard has proved that no earlier version matters).

Example::

    >>> if is_simple_batch(changes_df, spec):  # doctest: +SKIP
    ...     metrics = merge_simple_batch(DeltaTable.forPath(spark, path), changes_df, attributes, spec)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from delta.tables import DeltaTable
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from manufacturing_star_schema.hashing import hash_key, row_hash
from manufacturing_star_schema.invariants import OPEN_END
from manufacturing_star_schema.schema_sync import quoted

if TYPE_CHECKING:
    from manufacturing_star_schema.scd_type2 import Scd2Spec

FALLBACK_MARKER = "SCD2_FAST_PATH_FALLBACK"
ROLE = "_scd_role"


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
    if spec.surrogate_key_strategy == "hash":
        versions = versions.withColumn(spec.surrogate_key_column, hash_key([*key, vf]))
    return versions


def fast_path_source(source: DataFrame, attributes: list[str], spec: Scd2Spec) -> DataFrame:
    """Every source row twice (roles ``expire`` and ``insert``), with the hash and key of its new version."""
    versions = simple_batch_versions(source, attributes, spec)
    return versions.withColumn(ROLE, F.explode(F.array(F.lit("expire"), F.lit("insert"))))


def merge_simple_batch(
    table: DeltaTable, source: DataFrame, attributes: list[str], spec: Scd2Spec
) -> dict[str, int]:
    """Apply a simple batch in one MERGE; return Delta's metrics.

    Raises Spark's ``USER_RAISED_EXCEPTION`` carrying ``FALLBACK_MARKER`` (see ``is_fallback_error``)
    when some change is not newer than its key's current version; nothing is committed then.
    A batch that changes nothing (a rerun) matches only ``insert`` copies that satisfy no clause:
    Delta commits no version for it.
    """
    key, vf, row = list(spec.natural_key), spec.valid_from, spec.row_hash
    expire, insert = f"s.{ROLE} = 'expire'", f"s.{ROLE} = 'insert'"
    on = " AND ".join(
        [f"t.{quoted(k)} = s.{quoted(k)}" for k in key]
        + [
            f"t.{quoted(spec.is_current)}",
            f"(({expire} AND t.{quoted(row)} <> s.{quoted(row)}) OR ({insert} AND t.{quoted(row)} = s.{quoted(row)}))",
        ]
    )
    not_newer = (
        f"({expire} AND s.{quoted(vf)} <= t.{quoted(vf)}) OR ({insert} AND s.{quoted(vf)} < t.{quoted(vf)})"
    )
    abort = f"CAST(raise_error('{FALLBACK_MARKER}: a change is not newer than the current version') AS TIMESTAMP)"
    written = [*key, *attributes, spec.is_deleted, vf, row]
    if spec.surrogate_key_strategy == "hash":
        written.append(spec.surrogate_key_column)
    values = {quoted(c): f"s.{quoted(c)}" for c in written}
    values[quoted(spec.valid_to)] = f"TIMESTAMP '{OPEN_END.isoformat(sep=' ')}'"
    values[quoted(spec.is_current)] = "true"
    result = (
        table.alias("t")
        .merge(fast_path_source(source, attributes, spec).hint("shuffle_hash").alias("s"), on)
        .whenMatchedUpdate(condition=not_newer, set={quoted(spec.valid_to): abort})
        .whenMatchedUpdate(
            condition=expire, set={quoted(spec.valid_to): f"s.{quoted(vf)}", quoted(spec.is_current): "false"}
        )
        .whenNotMatchedInsert(condition=insert, values=values)
        .execute()
        .first()
    )
    return {k: int(v) for k, v in result.asDict().items()}


def fast_path_report(
    target: DataFrame, source: DataFrame, attributes: list[str], spec: Scd2Spec
) -> tuple[DataFrame, DataFrame]:
    """The outcomes and quarantine of a batch the fast MERGE committed, as the general path reports them (lazy).

    ``target`` is the dimension as read before the MERGE. The guard let the MERGE commit, so every
    change is newer than its key's current version, or at that version's instant with the same hash:
    only the current rows of the batch's keys are read. A new key or a different hash is a
    ``new_version``; the same hash is ``already_applied`` at the current version's instant and
    ``unchanged`` after it. Nothing is quarantined: a simple batch has no NULL key or timestamp, one
    row per key, and a different version at a stored instant would have aborted the MERGE.
    """
    key, vf, ts = list(spec.natural_key), spec.valid_from, spec.change_ts_column
    versions = simple_batch_versions(source, attributes, spec)
    current = (
        target.filter(F.col(spec.is_current))
        .join(F.broadcast(versions.select(*key)), key, "left_semi")
        .select(*key, F.col(vf).alias("_scd_current_from"), F.col(spec.row_hash).alias("_scd_current_hash"))
    )
    outcome = (
        F.when(~F.col(spec.row_hash).eqNullSafe(F.col("_scd_current_hash")), "new_version")
        .when(F.col(vf) == F.col("_scd_current_from"), "already_applied")
        .otherwise("unchanged")
    )
    outcomes = versions.join(current, key, "left").select(*key, F.col(vf).alias(ts), outcome.alias("outcome"))
    quarantine = versions.select(
        *key, *attributes, spec.is_deleted, F.col(vf).alias(ts), F.lit(None).cast("string").alias("quarantine_reason")
    ).limit(0)
    return outcomes, quarantine


def is_fallback_error(error: BaseException) -> bool:
    """True for the error the fast path's guard clause raises (and only for it)."""
    return FALLBACK_MARKER in str(error)
