"""Keep the mirrored Delta table's columns in step with the source table's.

A column added at the source shows up in the ``after`` schema of the next events; the table gains it
(``ALTER TABLE ... ADD COLUMNS``) before those events are merged. A column whose type changed is
refused with :class:`ColumnTypeChangedError` rather than silently cast.
"""
from __future__ import annotations

from delta.tables import DeltaTable
from pyspark.sql import SparkSession
from pyspark.sql import types as T

from enterprise_integration.cdc.connect_types import spark_type_for
from enterprise_integration.cdc.errors import ColumnTypeChangedError, MissingKeyColumnsError
from enterprise_integration.cdc.target import (
    DELETED_COLUMN,
    LSN_COLUMN,
    OP_COLUMN,
    SNAPSHOT_COLUMN,
    CdcTarget,
)


def quoted(name: str) -> str:
    """Backtick-quote a column name for Spark SQL."""
    return "`" + name.replace("`", "``") + "`"


def merged_event_fields(schemas: list[list[dict]]) -> dict[str, dict]:
    """Merge the ``after`` field lists seen in one batch into name -> Connect field, first seen first.

    Raises ColumnTypeChangedError when two events type one column differently.

    Example::

        >>> merged_event_fields([[{"field": "id", "type": "int64"}],
        ...                      [{"field": "id", "type": "int64"}, {"field": "shift", "type": "string"}]])
        {'id': {'field': 'id', 'type': 'int64'}, 'shift': {'field': 'shift', 'type': 'string'}}
    """
    fields: dict[str, dict] = {}
    for schema in schemas:
        for field in schema:
            name = field["field"]
            if name in fields and spark_type_for(fields[name]) != spark_type_for(field):
                raise ColumnTypeChangedError(
                    f"column {name!r}: expected one type per batch, got "
                    f"{spark_type_for(fields[name]).simpleString()} and {spark_type_for(field).simpleString()}"
                )
            fields.setdefault(name, field)
    return fields


def meta_fields(target: CdcTarget) -> list[T.StructField]:
    fields = [
        T.StructField(SNAPSHOT_COLUMN, T.BooleanType()),
        T.StructField(LSN_COLUMN, T.LongType()),
        T.StructField(OP_COLUMN, T.StringType()),
    ]
    if target.delete_mode == "soft":
        fields.append(T.StructField(DELETED_COLUMN, T.BooleanType()))
    return fields


def evolve_target(spark: SparkSession, target: CdcTarget, fields: dict[str, dict]) -> list[str]:
    """Create the table, or add the columns it lacks; return the names of the columns added.

    Raises MissingKeyColumnsError (a key column absent from the events) and ColumnTypeChangedError.
    """
    missing_keys = [name for name in target.key_columns if name not in fields]
    if missing_keys:
        raise MissingKeyColumnsError(
            f"expected key columns {list(target.key_columns)} in the events' schema, "
            f"missing {missing_keys} (schema has {list(fields)})"
        )
    wanted = {name: spark_type_for(field) for name, field in fields.items()}
    if not DeltaTable.isDeltaTable(spark, target.path):
        schema = T.StructType([T.StructField(n, t) for n, t in wanted.items()] + meta_fields(target))
        spark.createDataFrame([], schema).write.format("delta").save(target.path)
        return list(wanted)
    existing = {f.name: f.dataType for f in spark.read.format("delta").load(target.path).schema}
    for name, data_type in wanted.items():
        if name in existing and existing[name] != data_type:
            raise ColumnTypeChangedError(
                f"column {name!r}: the Delta table has {existing[name].simpleString()}, "
                f"the source now sends {data_type.simpleString()}"
            )
    added = [name for name in wanted if name not in existing]
    if added:
        columns = ", ".join(f"{quoted(n)} {wanted[n].simpleString()}" for n in added)
        spark.sql(f"ALTER TABLE delta.{quoted(target.path)} ADD COLUMNS ({columns})")
    return added


def source_columns(spark: SparkSession, target: CdcTarget) -> list[T.StructField]:
    """The mirrored table's source columns (every column but the ``_cdc_`` ones)."""
    schema = spark.read.format("delta").load(target.path).schema
    return [field for field in schema if not field.name.startswith("_cdc_")]
