"""Ask a real Delta table whether it accepts an incoming type: the evidence behind the compatibility matrix.

Each probe creates a tiny table whose columns hold the table types, optionally enables
``delta.enableTypeWidening``, then applies the incoming type with ``append`` + ``mergeSchema``,
with a MERGE ``withSchemaEvolution()`` or with ``ALTER TABLE ... ALTER COLUMN ... TYPE``, and
records what Delta did: the resulting column type, or the error class it raised. Run it on your
own runtime (Databricks included) to re-check the matrix.

Example::

    pair = TypePair("int->long", IntegerType(), LongType(), 1, 1)
    outcomes = probe_one_by_one(spark, "/tmp/probe", [pair], APPEND_MERGE_SCHEMA, type_widening=True)
    outcomes["int->long"]   # Outcome(accepted=True, result_type='bigint', error_class=None)
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from delta.tables import DeltaTable
from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

from delta_schema_evolution.compare import compare_schemas
from delta_schema_evolution.errors import SchemaInputError

_ERROR_CLASS = re.compile(r"\[([A-Z][A-Z0-9_]+(?:\.[A-Z0-9_]+)?)\]")
APPEND_MERGE_SCHEMA = "append_merge_schema"
MERGE_WITH_SCHEMA_EVOLUTION = "merge_with_schema_evolution"
ALTER_COLUMN_TYPE = "alter_column_type"
OPERATIONS = (APPEND_MERGE_SCHEMA, MERGE_WITH_SCHEMA_EVOLUTION, ALTER_COLUMN_TYPE)


@dataclass(frozen=True)
class TypePair:
    """A table column type and the type a new producer sends, with one value of each."""

    name: str
    table_type: T.DataType
    incoming_type: T.DataType
    table_value: Any
    incoming_value: Any


@dataclass(frozen=True)
class Outcome:
    """What Delta did with one pair: accepted (and the column's type afterwards) or the error class."""

    accepted: bool
    result_type: str | None = None
    error_class: str | None = None


def error_class_of(error: BaseException) -> str | None:
    """The Spark/Delta error class of an exception, or the first ``[ERROR_CLASS]`` in its message
    (Delta's table-feature errors reach Python as a plain ``Py4JJavaError``)."""
    condition = error.getCondition() if isinstance(error, PySparkException) else None
    if condition:
        return condition
    found = _ERROR_CLASS.search(str(error))
    return found.group(1) if found else None


def _column(index: int) -> str:
    return f"c{index}"


def _frame(spark: SparkSession, row_id: int, types: Sequence[T.DataType], values: Sequence[Any]) -> DataFrame:
    fields = [T.StructField("id", T.IntegerType())]
    fields += [T.StructField(_column(i), data_type) for i, data_type in enumerate(types)]
    return spark.createDataFrame([(row_id, *values)], T.StructType(fields))


def create_probe_table(spark: SparkSession, path: str, pairs: Sequence[TypePair], type_widening: bool) -> None:
    """A one-row Delta table at ``path`` with column ``c<i>`` of ``pairs[i].table_type``."""
    _frame(spark, 1, [p.table_type for p in pairs], [p.table_value for p in pairs]).write.format("delta").save(path)
    if type_widening:
        spark.sql(f"ALTER TABLE delta.`{path}` SET TBLPROPERTIES ('delta.enableTypeWidening' = 'true')")


def write_incoming(spark: SparkSession, path: str, incoming: DataFrame, operation: str) -> None:
    """Write ``incoming`` the way ``operation`` says: append with mergeSchema, or MERGE with schema evolution."""
    if operation == APPEND_MERGE_SCHEMA:
        incoming.write.format("delta").mode("append").option("mergeSchema", "true").save(path)
    elif operation == MERGE_WITH_SCHEMA_EVOLUTION:
        (DeltaTable.forPath(spark, path).alias("t").merge(incoming.alias("s"), "t.id = s.id")
         .whenMatchedUpdateAll().whenNotMatchedInsertAll().withSchemaEvolution().execute())
    else:
        raise SchemaInputError(f"operation: expected one of {OPERATIONS}, got {operation!r}")


def alter_column_to_incoming(spark: SparkSession, path: str, column: str, pair: TypePair) -> None:
    """``ALTER TABLE ... ALTER COLUMN <leaf path> TYPE <incoming type>`` for the leaf where the pair differs."""
    table = T.StructType([T.StructField(column, pair.table_type)])
    incoming = T.StructType([T.StructField(column, pair.incoming_type)])
    for change in compare_schemas(table, incoming).changes:
        spark.sql(f"ALTER TABLE delta.`{path}` ALTER COLUMN {change.path} TYPE {change.incoming_type}")


def _apply(spark: SparkSession, path: str, pairs: Sequence[TypePair], changed: set[int], row_id: int,
           operation: str) -> None:
    if operation == ALTER_COLUMN_TYPE:
        for index in sorted(changed):
            alter_column_to_incoming(spark, path, _column(index), pairs[index])
        return
    write_incoming(spark, path, _incoming_frame(spark, path, pairs, changed, row_id), operation)


def _incoming_frame(spark: SparkSession, path: str, pairs: Sequence[TypePair], changed: set[int],
                    row_id: int) -> DataFrame:
    """Changed columns carry the incoming type; the others are cast to the table's CURRENT type, so an
    earlier accepted widening of another column cannot make this write fail."""
    types = [p.incoming_type if i in changed else p.table_type for i, p in enumerate(pairs)]
    values = [p.incoming_value if i in changed else p.table_value for i, p in enumerate(pairs)]
    frame = _frame(spark, row_id, types, values)
    current = spark.read.format("delta").load(path).schema
    return frame.select("id", *[
        frame[_column(i)] if i in changed else frame[_column(i)].cast(current[_column(i)].dataType).alias(_column(i))
        for i in range(len(pairs))
    ])


def probe_together(spark: SparkSession, path: str, pairs: Sequence[TypePair], operation: str,
                   type_widening: bool) -> dict[str, Outcome]:
    """Change every pair's column in ONE write; all pairs share the outcome when Delta rejects it."""
    create_probe_table(spark, path, pairs, type_widening)
    try:
        _apply(spark, path, pairs, set(range(len(pairs))), 2, operation)
    except Exception as error:  # noqa: BLE001 - the probe records whatever Delta raised
        return {p.name: Outcome(False, error_class=error_class_of(error)) for p in pairs}
    schema = spark.read.format("delta").load(path).schema
    return {p.name: Outcome(True, result_type=schema[_column(i)].dataType.simpleString()) for i, p in enumerate(pairs)}


def probe_one_by_one(spark: SparkSession, path: str, pairs: Sequence[TypePair], operation: str,
                     type_widening: bool) -> dict[str, Outcome]:
    """Change one pair's column per write, against one shared table, and record each outcome."""
    create_probe_table(spark, path, pairs, type_widening)
    outcomes: dict[str, Outcome] = {}
    for index, pair in enumerate(pairs):
        try:
            _apply(spark, path, pairs, {index}, 100 + index, operation)
        except Exception as error:  # noqa: BLE001 - the probe records whatever Delta raised
            outcomes[pair.name] = Outcome(False, error_class=error_class_of(error))
            continue
        result_type = spark.read.format("delta").load(path).schema[_column(index)].dataType.simpleString()
        outcomes[pair.name] = Outcome(True, result_type=result_type)
    return outcomes
