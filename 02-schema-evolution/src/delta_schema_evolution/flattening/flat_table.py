"""The flat Delta table: append flattened batches with ``mergeSchema`` (a newly registered key becomes a
new nullable column, old rows read null), widen columns in place with Delta type widening when the
registry widened a key's type, and OPTIMIZE with ZORDER after a widening.

Example::

    written = write_flat_table(spark, "/lake/silver/readings_flat", flat_batch)
    written.columns_added, written.columns_widened   # (['ext_door_open'], {'ext_spindle_rpm': ('int', 'bigint')})
    if written.columns_widened:
        optimize_with_zorder(spark, "/lake/silver/readings_flat", ["machine_type"])
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from delta_schema_evolution.compatibility import TYPE_WIDENING, delta_type_widening_supported, lossless_conversion
from delta_schema_evolution.errors import SchemaInputError
from delta_schema_evolution.policy import WIDEN
from delta_schema_evolution.safe_merge import Action, widen_table


@dataclass(frozen=True)
class FlatWrite:
    """One append to the flat table: rows written (Delta's own numOutputRows) and schema changes made."""

    rows_written: int
    version: int
    columns_added: list[str] = field(default_factory=list)
    columns_widened: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class OptimizeResult:
    """Files OPTIMIZE ZORDER rewrote."""

    files_removed: int
    files_added: int
    zorder_by: list[str]


def _last_commit(spark: SparkSession, table_path: str) -> tuple[int, dict[str, str]]:
    row = DeltaTable.forPath(spark, table_path).history(1).select("version", "operationMetrics").first()
    return int(row["version"]), dict(row["operationMetrics"] or {})


def write_flat_table(spark: SparkSession, flat_path: str, batch: DataFrame) -> FlatWrite:
    """Append ``batch``: widen table columns Delta can widen to the batch type, cast batch columns the
    table already holds in a wider type, and let ``mergeSchema`` add the columns the table lacks."""
    if not DeltaTable.isDeltaTable(spark, flat_path):
        batch.write.format("delta").save(flat_path)
        version, metrics = _last_commit(spark, flat_path)
        return FlatWrite(int(metrics.get("numOutputRows", 0)), version, list(batch.columns))
    table_types = {f.name.lower(): f.dataType for f in DeltaTable.forPath(spark, flat_path).toDF().schema.fields}
    widen = [Action(f.name, TYPE_WIDENING, WIDEN, table_types[f.name.lower()].simpleString(), f.dataType.simpleString())
             for f in batch.schema.fields
             if f.name.lower() in table_types and table_types[f.name.lower()] != f.dataType
             and delta_type_widening_supported(table_types[f.name.lower()], f.dataType)]
    widen_table(spark, flat_path, widen)
    table_types = {f.name.lower(): f.dataType for f in DeltaTable.forPath(spark, flat_path).toDF().schema.fields}
    columns = []
    for f in batch.schema.fields:
        table_type = table_types.get(f.name.lower())
        needs_cast = table_type is not None and table_type != f.dataType and lossless_conversion(f.dataType, table_type)
        columns.append(F.col(f"`{f.name}`").cast(table_type).alias(f.name) if needs_cast else F.col(f"`{f.name}`"))
    batch.select(*columns).write.format("delta").mode("append").option("mergeSchema", "true").save(flat_path)
    version, metrics = _last_commit(spark, flat_path)
    return FlatWrite(int(metrics.get("numOutputRows", 0)), version,
                     [c for c in batch.columns if c.lower() not in table_types],
                     {a.path: (str(a.table_type), str(a.incoming_type)) for a in widen})


def optimize_with_zorder(spark: SparkSession, flat_path: str, zorder_by: Sequence[str]) -> OptimizeResult:
    """OPTIMIZE ... ZORDER BY: rewrites the table's files clustered by ``zorder_by``, so after a type
    widening no data file keeps the old physical type and skipping works on the clustered columns."""
    if not zorder_by:
        raise SchemaInputError("zorder_by: expected at least one column, got none")
    table = DeltaTable.forPath(spark, flat_path)
    missing = [c for c in zorder_by if c not in table.toDF().columns]
    if missing:
        raise SchemaInputError(f"zorder_by: expected columns of {table.toDF().columns}, got unknown {missing}")
    metrics = table.optimize().executeZOrderBy(*zorder_by).select("metrics.*").first()
    return OptimizeResult(int(metrics["numFilesRemoved"]), int(metrics["numFilesAdded"]), list(zorder_by))
