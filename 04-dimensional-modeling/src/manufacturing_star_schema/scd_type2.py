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
itself. That MERGE's source checks the batch as Delta computes it, and the MERGE aborts uncommitted
when the batch is not simple or a change is not newer than its key's current version; the steps
above then apply the batch. ``ScdMergeResult.path`` says which ran (``"general_after_fallback"``
after an aborted fast MERGE); ``Scd2Spec(fast_path=False)`` forces the general path.
The general path's steps live in ``scd2_staging``.

Example::

    >>> spec = Scd2Spec(natural_key=("machine_id",))
    >>> result = merge_scd2(spark, "/lake/dim_machine", changes_df, spec)  # doctest: +SKIP
    >>> result.metrics["num_inserted_rows"]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping

from delta.tables import DeltaTable, IdentityGenerator
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from manufacturing_star_schema.errors import OutOfOrderChangeError
from manufacturing_star_schema.scd2_staging import (
    MERGE_FROM,
    OUTCOME,
    Scd2Staging,
    build_scd2_staging,
    check_scd2_inputs,
)
from manufacturing_star_schema.scd_results import ScdMergeResult, merge_metrics, no_change_metrics
from manufacturing_star_schema.scd_specs import Scd2Spec
from manufacturing_star_schema.scd_type2_fast_path import (
    classify_simple_batch,
    fast_path_report,
    is_fallback_error,
    merge_simple_batch,
    simple_batch_versions,
    spec_allows_fast_path,
)
from manufacturing_star_schema.schema_sync import add_new_source_columns
from manufacturing_star_schema.sql_identifiers import keys_equal, quoted
from manufacturing_star_schema.table_versions import latest_version, read_version


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


def merge_scd2(spark: SparkSession, target_path: str, source: DataFrame, spec: Scd2Spec) -> ScdMergeResult:
    """Apply one batch of changes to the Type 2 (or Type 6) dimension at ``target_path`` in ONE MERGE.

    New source columns are added to the dimension first (``ALTER TABLE ADD COLUMNS``). The returned
    ``outcomes``/``quarantine`` are computed against the version read before the MERGE, so they can be
    counted after it: every source row has exactly one outcome. A batch that changes nothing (a rerun)
    writes nothing: the table gets no new version, on either path. A Type 2 batch first tries the fast
    path (one MERGE, no staging, no action before it); if the batch turns out not simple, or a change
    is not newer than the current version, that MERGE aborts uncommitted and the general path applies
    the batch (``result.path`` tells which ran).
    """
    excluded = [*spec.natural_key, spec.change_ts_column, spec.is_deleted]
    added = add_new_source_columns(spark, target_path, source, exclude=excluded)
    table = DeltaTable.forPath(spark, target_path)
    target = read_version(spark, target_path, latest_version(spark, target_path))
    attributes = check_scd2_inputs(target, source, spec)
    path = "general"
    if spec_allows_fast_path(spec):
        fast = apply_simple_batch(table, target, source, attributes, spec)
        if fast is not None:
            fast.added_columns = added
            return fast
        path = "general_after_fallback"
    staging = build_scd2_staging(target, source, spec)
    try:
        if spec.on_out_of_order == "reject":
            reject_late_changes(staging, spec)
        metrics = apply_staged(table, staging, spec)
    finally:
        staging.release()
    return ScdMergeResult(metrics, staging.outcomes, staging.quarantine, added, path=path)


def apply_simple_batch(
    table: DeltaTable, target: DataFrame, source: DataFrame, attributes: list[str], spec: Scd2Spec
) -> ScdMergeResult | None:
    """The fast path: ONE MERGE of the rows that change something (a rerun: none, and no version).

    No action runs before the MERGE: the simple-batch check and the classification are the MERGE's
    source, which Delta computes once while it prepares the MERGE, as it does mack's staged union.
    Returns ``None`` when the batch was not simple or the guard fired (the MERGE aborted, nothing
    committed): the general path must run.
    """
    versions = simple_batch_versions(source, attributes, spec)
    classified = classify_simple_batch(target, versions, spec)
    try:
        metrics = merge_simple_batch(table, classified, attributes, spec)
    except Exception as error:  # only the fast path's own errors fall back; anything else propagates
        if not is_fallback_error(error):
            raise
        return None
    outcomes, quarantine = fast_path_report(classified, attributes, spec)
    return ScdMergeResult(metrics, outcomes, quarantine, path="fast")


def reject_late_changes(staging: Scd2Staging, spec: Scd2Spec) -> None:
    """Raise ``OutOfOrderChangeError`` when the batch would place a change in history."""
    late = staging.staged.filter(F.col(OUTCOME) == "placed_in_history")
    examples = [str(r.asDict()) for r in late.select(*spec.natural_key, spec.valid_from).limit(5).collect()]
    if examples:
        raise OutOfOrderChangeError(late.count(), examples)


def apply_staged(table: DeltaTable, staging: Scd2Staging, spec: Scd2Spec) -> dict[str, int]:
    """The single MERGE: staged updates match on (key, valid_from); staged inserts never match."""
    if staging.staged.isEmpty():
        return no_change_metrics()
    matches = [keys_equal(spec.natural_key), f"t.{quoted(spec.valid_from)} = s.{MERGE_FROM}"]
    if staging.only_current_rows_change:
        # a target-only predicate: Delta skips files whose statistics say they hold no current row
        matches.append(f"t.{quoted(spec.is_current)} = true")
    written = [
        *spec.natural_key,
        *staging.attributes,
        spec.is_deleted,
        spec.valid_from,
        spec.valid_to,
        spec.is_current,
        spec.row_hash,
        *spec.current_value_columns.values(),
    ]
    if spec.hashes_surrogate_key:
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
    return merge_metrics(result, table)
