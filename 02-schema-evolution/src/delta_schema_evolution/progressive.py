"""``progressive_flatten``: the whole progressive method for a ``MAP<STRING,STRING>`` column, in order.

1. discover keys on a bounded sample; 2. infer each key's type (scalar or JSON) from the samples;
3. persist them in the Delta key registry; 4. classify rare keys as dynamic; 5. guard the column count;
6. extract registered keys with ``getItem`` + ``try_cast``; 7. parse JSON-encoded values with
``from_json``; 8. quarantine rows whose values fail the cast or parse, with the reason; 9. append to the
flat table with ``mergeSchema`` (new keys become new columns); 10. widen columns in place when the
registry widened a type, then OPTIMIZE ZORDER; 11. explode only unregistered keys, after filtering, into
a long side table. ``docs/11-step-methodology.md`` explains each step.

Example::

    report = progressive_flatten(spark, readings, "customExtension", ["reading_id"], FlatteningTables(
        registry="/lake/registry/ext_keys", flat="/lake/silver/readings_flat",
        quarantine="/lake/quarantine/readings_flat", dynamic="/lake/silver/readings_ext_dynamic"))
    assert report.rows_in == report.rows_written + report.rows_quarantined
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from delta_schema_evolution.dynamic_keys import explode_unregistered_keys
from delta_schema_evolution.errors import SchemaEvolutionError, SchemaInputError
from delta_schema_evolution.flat_table import OptimizeResult, optimize_with_zorder, write_flat_table
from delta_schema_evolution.key_registry import REGISTERED, registered_keys, update_key_registry
from delta_schema_evolution.map_flattening import (
    EXTRACTION_REASON,
    check_map_column,
    discover_keys,
    extract_registered_keys,
    guard_column_count,
)
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


@dataclass(frozen=True)
class FlatteningReport:
    """What one run did; ``rows_in == rows_written + rows_quarantined`` always holds."""

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


class RowCountMismatchError(SchemaEvolutionError):
    """Rows in differ from rows written + rows quarantined: something was lost, nothing is reported done."""


def _check_inputs(source: DataFrame, map_column: str, id_columns: Sequence[str], settings: FlatteningSettings) -> None:
    check_map_column(source, map_column)
    missing = [c for c in id_columns if c not in source.columns]
    if not id_columns or missing:
        raise SchemaInputError(f"id_columns: expected at least one column of {source.columns}, got {list(id_columns)}")
    unknown = [c for c in settings.zorder_by if c not in source.columns or c == map_column]
    if unknown:
        raise SchemaInputError(f"zorder_by: expected non-map columns of {source.columns}, got unknown {unknown}")


def _flat_column_count(spark: SparkSession, flat_path: str, source: DataFrame, map_column: str) -> int:
    if DeltaTable.isDeltaTable(spark, flat_path):
        return len(DeltaTable.forPath(spark, flat_path).toDF().columns)
    return len(source.columns) - 1


def progressive_flatten(spark: SparkSession, source: DataFrame, map_column: str, id_columns: Sequence[str],
                        tables: FlatteningTables, settings: FlatteningSettings | None = None,
                        seen_at: dt.datetime | None = None) -> FlatteningReport:
    """Run the 11 steps on ``source`` and return a ``FlatteningReport``.

    Raises:
        SchemaInputError: bad arguments, checked before any work.
        TableTooWideError: the new key columns would pass ``fail_at_columns`` (nothing is written).
        RowCountMismatchError: rows in != rows written + rows quarantined.
    """
    settings = settings or FlatteningSettings()
    _check_inputs(source, map_column, id_columns, settings)
    discovered = discover_keys(source, map_column, settings.sample_rows, min_share=settings.min_share)
    already = registered_keys(spark, tables.registry)
    new_columns = [k.key for k in discovered if k.status == REGISTERED and k.key not in already]
    guard_column_count(_flat_column_count(spark, tables.flat, source, map_column), len(new_columns),
                                      settings.warn_at_columns, settings.fail_at_columns)
    update = update_key_registry(spark, tables.registry, discovered, seen_at)
    keys = registered_keys(spark, tables.registry)

    payload = F.to_json(F.struct(*[F.col(f"`{c}`") for c in source.columns]))
    extracted = extract_registered_keys(source, map_column, keys, settings.column_prefix).cache()
    try:
        good = extracted.where(F.col(EXTRACTION_REASON).isNull())
        bad = extracted.where(F.col(EXTRACTION_REASON).isNotNull())
        rows_in, rows_quarantined = extracted.count(), bad.count()
        if rows_quarantined:
            write_quarantine(bad.select(F.col(EXTRACTION_REASON).alias(QUARANTINE_REASON),
                                        payload.alias(QUARANTINE_PAYLOAD)), tables.quarantine, tables.flat)
        written = write_flat_table(spark, tables.flat, good.drop(map_column, EXTRACTION_REASON))
        dynamic = explode_unregistered_keys(good, map_column, id_columns, keys)
        dynamic.write.format("delta").mode("append").save(tables.dynamic)
        dynamic_entries = int(dict(DeltaTable.forPath(spark, tables.dynamic).history(1)
                                   .first()["operationMetrics"]).get("numOutputRows", 0))
    finally:
        extracted.unpersist()
    if rows_in != written.rows_written + rows_quarantined:
        raise RowCountMismatchError(f"rows: expected rows in {rows_in} = written + quarantined, got "
                                    f"{written.rows_written} + {rows_quarantined}")
    optimized = (optimize_with_zorder(spark, tables.flat, list(settings.zorder_by))
                 if written.columns_widened and settings.zorder_by else None)
    return FlatteningReport(
        rows_in=rows_in, rows_written=written.rows_written, rows_quarantined=rows_quarantined,
        dynamic_entries=dynamic_entries, keys_found=[k.key for k in discovered], keys_registered=update.new_keys,
        keys_extracted=list(keys), keys_dynamic=[k.key for k in discovered if k.key not in keys],
        columns_added=written.columns_added, columns_widened=written.columns_widened,
        column_count=len(DeltaTable.forPath(spark, tables.flat).toDF().columns), optimize=optimized,
        promoted=update.promoted)
