"""``progressive_flatten``: the whole progressive method for a ``MAP<STRING,STRING>`` column, in order.

1. discover keys on a bounded sample (with ``group_column``: and which groups carry each key); 2. infer
each key's type (scalar or JSON) from the samples; 3. plan the Delta key registry's update (each new key
gets a column no other key has), committed only after the batch is written and counted; 4. classify
rare keys as dynamic; 5. guard the column count; 6. extract registered keys with ``getItem`` +
``try_cast``, only on rows whose group carries the key; 7. parse JSON-encoded values with ``from_json``;
8. quarantine rows whose values fail the cast or parse, with the reason; 9. append to the flat table with
``mergeSchema`` (new keys become new columns); 10. widen columns in place when the registry widened a
type, then OPTIMIZE ZORDER; 11. explode only the entries no column took (unregistered keys, registered
keys on an unexpected group, null values), after filtering, into a long side table with a reason.
``docs/11-step-methodology.md`` explains each step.

Example::

    report = progressive_flatten(spark, readings, "customExtension", ["reading_id"], FlatteningTables(
        registry="/lake/registry/ext_keys", flat="/lake/silver/readings_flat",
        quarantine="/lake/quarantine/readings_flat", dynamic="/lake/silver/readings_ext_dynamic"))
    assert report.rows_in == report.rows_written + report.rows_quarantined
    assert report.entries_in == report.entries_flat + report.dynamic_entries + report.entries_quarantined
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from delta_schema_evolution.errors import SchemaEvolutionError, SchemaInputError
from delta_schema_evolution.flattening.column_guard import guard_column_count
from delta_schema_evolution.flattening.flat_table import OptimizeResult, optimize_with_zorder, write_flat_table
from delta_schema_evolution.flattening.key_discovery import discover_keys
from delta_schema_evolution.flattening.key_extraction import (
    EXTRACTED_ENTRIES,
    EXTRACTION_REASON,
    HELPER_COLUMNS,
    UNEXTRACTED_KEYS,
    extract_registered_keys,
)
from delta_schema_evolution.flattening.key_registry import RegistryPlan, commit_registry_update, plan_registry_update
from delta_schema_evolution.flattening.long_lane import DYNAMIC_REASON, explode_unextracted_entries
from delta_schema_evolution.flattening.map_checks import check_group_column, check_map_column
from delta_schema_evolution.safe_merge import QUARANTINE_PAYLOAD, QUARANTINE_REASON, write_quarantine


@dataclass(frozen=True)
class FlatteningTables:
    """Where the four Delta tables of the method live."""

    registry: str
    flat: str
    quarantine: str
    dynamic: str


@dataclass(frozen=True)
class FlatteningSettings:
    """Knobs of the method; the defaults suit a few hundred keys."""

    sample_rows: int = 10_000
    min_share: float = 0.01
    column_prefix: str = "ext_"
    warn_at_columns: int = 400
    fail_at_columns: int = 1000
    zorder_by: tuple[str, ...] = ()
    group_column: str | None = None  # e.g. "machine_type": look a key up only on rows of groups that carry it


@dataclass(frozen=True)
class FlatteningReport:
    """What one run did. Always: ``rows_in == rows_written + rows_quarantined`` and
    ``entries_in == entries_flat + dynamic_entries + entries_quarantined`` (map entries: in a key column,
    in the long lane, or inside a quarantined row's payload)."""

    rows_in: int
    rows_written: int
    rows_quarantined: int
    dynamic_entries: int
    keys_found: list[str]
    keys_registered: list[str]
    keys_extracted: list[str]
    keys_dynamic: list[str]
    columns_added: list[str]
    columns_widened: dict[str, tuple[str, str]]
    column_count: int
    optimize: OptimizeResult | None = None
    promoted: list[str] = field(default_factory=list)
    entries_in: int = 0
    entries_flat: int = 0
    entries_quarantined: int = 0
    dynamic_reasons: dict[str, int] = field(default_factory=dict)
    key_groups: dict[str, tuple[str, ...] | None] = field(default_factory=dict)
    registry_migrated: bool = False


class RowCountMismatchError(SchemaEvolutionError):
    """Rows in differ from rows written + rows quarantined: something was lost, nothing is reported done."""


class EntryCountMismatchError(SchemaEvolutionError):
    """Map entries in differ from entries in key columns + long lane + quarantined rows: an entry was lost."""


def _check_inputs(source: DataFrame, map_column: str, id_columns: Sequence[str], settings: FlatteningSettings) -> None:
    check_map_column(source, map_column)
    missing = [c for c in id_columns if c not in source.columns]
    if not id_columns or missing:
        raise SchemaInputError(f"id_columns: expected at least one column of {source.columns}, got {list(id_columns)}")
    unknown = [c for c in settings.zorder_by if c not in source.columns or c == map_column]
    if unknown:
        raise SchemaInputError(f"zorder_by: expected non-map columns of {source.columns}, got unknown {unknown}")
    if settings.group_column is not None:
        check_group_column(source, settings.group_column, map_column)


def _check_registered_columns(plan: RegistryPlan, source: DataFrame, map_column: str) -> None:
    fixed = {c.lower() for c in source.columns if c != map_column} | {c.lower() for c in HELPER_COLUMNS}
    clashes = sorted(f"{key} -> {entry.column_name}" for key, entry in plan.before.items()
                     if entry.column_name.lower() in fixed)
    if clashes:
        raise SchemaInputError(f"source columns: expected none named like a registered key's column, got {clashes} "
                               f"(rename the source column or the key's column_name in the registry)")


def _flat_column_count(spark: SparkSession, flat_path: str, source: DataFrame, map_column: str) -> int:
    if DeltaTable.isDeltaTable(spark, flat_path):
        return len(DeltaTable.forPath(spark, flat_path).toDF().columns)
    return len(source.columns) - 1


def _last_version(spark: SparkSession, path: str) -> int | None:
    if not DeltaTable.isDeltaTable(spark, path):
        return None
    return int(DeltaTable.forPath(spark, path).history(1).first()["version"])


def _append_counted(spark: SparkSession, frame: DataFrame, path: str) -> int:
    """Append ``frame`` (``mergeSchema``) and return Delta's own numOutputRows for that commit; 0 when the
    append committed nothing (an empty batch may leave the table's version where it was)."""
    before = _last_version(spark, path)
    frame.write.format("delta").mode("append").option("mergeSchema", "true").save(path)
    last = DeltaTable.forPath(spark, path).history(1).first()
    if before is not None and int(last["version"]) == before:
        return 0
    return int(dict(last["operationMetrics"] or {}).get("numOutputRows", 0))


def _counts(extracted: DataFrame, map_column: str) -> dict[str, int]:
    """Rows and map entries of the extracted batch, in one pass: all, quarantined, and (for rows that are
    not quarantined) the entries that landed in a key column (non-null extracted values)."""
    quarantined = F.col(EXTRACTION_REASON).isNotNull()
    entries = F.when(F.col(map_column).isNull(), F.lit(0)).otherwise(F.size(map_column))
    row = extracted.select(
        F.count(F.lit(1)).alias("rows_in"), F.count(F.when(quarantined, F.lit(1))).alias("rows_quarantined"),
        F.sum(entries).alias("entries_in"), F.sum(F.when(quarantined, entries)).alias("entries_quarantined"),
        F.sum(F.when(~quarantined, F.col(EXTRACTED_ENTRIES))).alias("entries_flat")).first()
    return {name: int(row[name] or 0) for name in row.asDict()}


def progressive_flatten(spark: SparkSession, source: DataFrame, map_column: str, id_columns: Sequence[str],
                        tables: FlatteningTables, settings: FlatteningSettings | None = None,
                        seen_at: dt.datetime | None = None) -> FlatteningReport:
    """Run the 11 steps on ``source`` and return a ``FlatteningReport``.

    The key registry is written last, after the flat, quarantine and long tables and the counts: a batch
    that raises leaves the registry as it was, and the next batch plans the same columns again.

    Raises:
        SchemaInputError: bad arguments, or a source column named like a registered key's column; checked
            before any table is written.
        TableTooWideError: the new key columns would pass ``fail_at_columns`` (nothing is written).
        RowCountMismatchError: rows in != rows written + rows quarantined.
        EntryCountMismatchError: map entries in != entries in key columns + long lane + quarantined rows.
    """
    settings = settings or FlatteningSettings()
    _check_inputs(source, map_column, id_columns, settings)
    discovered = discover_keys(source, map_column, settings.sample_rows, min_share=settings.min_share,
                               group_column=settings.group_column)
    taken = [*[c for c in source.columns if c != map_column], *HELPER_COLUMNS]
    plan = plan_registry_update(spark, tables.registry, discovered, seen_at, settings.column_prefix, taken)
    _check_registered_columns(plan, source, map_column)
    guard_column_count(_flat_column_count(spark, tables.flat, source, map_column), len(plan.new_columns()),
                       settings.warn_at_columns, settings.fail_at_columns)
    registered = plan.registered()
    keys = {key: entry.inferred_type for key, entry in registered.items()}
    key_groups = {key: entry.groups for key, entry in registered.items()} if settings.group_column else {}
    columns = {key: entry.column_name for key, entry in registered.items()}

    payload = F.to_json(F.struct(*[F.col(f"`{c}`") for c in source.columns]))
    extracted = extract_registered_keys(source, map_column, keys, settings.column_prefix,
                                        settings.group_column, key_groups, columns).cache()
    try:
        counts = _counts(extracted, map_column)
        good = extracted.where(F.col(EXTRACTION_REASON).isNull())
        bad = extracted.where(F.col(EXTRACTION_REASON).isNotNull())
        if counts["rows_quarantined"]:
            write_quarantine(bad.select(F.col(EXTRACTION_REASON).alias(QUARANTINE_REASON),
                                        payload.alias(QUARANTINE_PAYLOAD)), tables.quarantine, tables.flat)
        written = write_flat_table(spark, tables.flat,
                                   good.drop(map_column, EXTRACTION_REASON, EXTRACTED_ENTRIES, UNEXTRACTED_KEYS))
        dynamic = explode_unextracted_entries(good, map_column, UNEXTRACTED_KEYS, id_columns, keys,
                                              settings.group_column)
        dynamic_entries = _append_counted(spark, dynamic, tables.dynamic)
        dynamic_reasons = {row[DYNAMIC_REASON]: row["count"]
                           for row in dynamic.groupBy(DYNAMIC_REASON).count().collect()}
    finally:
        extracted.unpersist()
    rows_in, rows_quarantined = counts["rows_in"], counts["rows_quarantined"]
    if rows_in != written.rows_written + rows_quarantined:
        raise RowCountMismatchError(f"rows: expected rows in {rows_in} = written + quarantined, got "
                                    f"{written.rows_written} + {rows_quarantined}")
    if counts["entries_in"] != counts["entries_flat"] + dynamic_entries + counts["entries_quarantined"]:
        raise EntryCountMismatchError(f"map entries: expected entries in {counts['entries_in']} = in key columns + "
                                      f"long lane + quarantined rows, got {counts['entries_flat']} + "
                                      f"{dynamic_entries} + {counts['entries_quarantined']}")
    migrated = commit_registry_update(spark, tables.registry, plan)  # only now: the batch is written and counted
    optimized = (optimize_with_zorder(spark, tables.flat, list(settings.zorder_by))
                 if written.columns_widened and settings.zorder_by else None)
    return FlatteningReport(
        rows_in=rows_in, rows_written=written.rows_written, rows_quarantined=rows_quarantined,
        dynamic_entries=dynamic_entries, keys_found=[k.key for k in discovered], keys_registered=plan.update.new_keys,
        keys_extracted=list(keys), keys_dynamic=[k.key for k in discovered if k.key not in keys],
        columns_added=written.columns_added, columns_widened=written.columns_widened,
        column_count=len(DeltaTable.forPath(spark, tables.flat).toDF().columns), optimize=optimized,
        promoted=plan.update.promoted, entries_in=counts["entries_in"], entries_flat=counts["entries_flat"],
        entries_quarantined=counts["entries_quarantined"], dynamic_reasons=dynamic_reasons,
        key_groups=key_groups, registry_migrated=migrated)
