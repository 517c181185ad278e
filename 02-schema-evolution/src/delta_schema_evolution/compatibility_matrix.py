"""The compatibility matrix: for each (table type, incoming type) pair, the classification and what
Delta 4.0.0 really does with it. Every cell is confirmed on real Delta by
tests/test_compatibility_matrix.py; ``examples/probe_compatibility_matrix.py`` re-runs the probe.

Columns (operations):

* ``append``: ``df.write.mode("append").option("mergeSchema", "true")``
* ``merge``: ``DeltaTable.merge(...).whenMatchedUpdateAll().whenNotMatchedInsertAll().withSchemaEvolution()``
* ``append_tw`` / ``merge_tw``: the same with ``delta.enableTypeWidening = true`` on the table
* ``alter_tw``: ``ALTER TABLE ... ALTER COLUMN <path> TYPE <incoming type>`` with type widening on

An accepted cell names the column type after the write (``int`` for a MERGE that silently cast the
incoming values down to the table type); a rejected cell names the error class.

Example::

    >>> row = matrix_row("int->long")
    >>> (row.kind, row.append.error_class, row.merge_tw.result_type)
    ('type_widening', 'DELTA_FAILED_TO_MERGE_FIELDS', 'bigint')
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from pyspark.sql import types as T

from delta_schema_evolution.compare import compare_schemas
from delta_schema_evolution.compatibility import INCOMPATIBLE, LOSSY_CAST, SAFE_WIDENING, TYPE_WIDENING
from delta_schema_evolution.errors import SchemaInputError
from delta_schema_evolution.matrix_probe import Outcome, TypePair

FAILED_TO_MERGE = "DELTA_FAILED_TO_MERGE_FIELDS"
NOT_SUPPORTED_CHANGE = "NOT_SUPPORTED_CHANGE_COLUMN"
UNSUPPORTED_CHANGE_OP = "DELTA_UNSUPPORTED_ALTER_TABLE_CHANGE_COL_OP"
CANNOT_UPDATE_STRUCT = "CANNOT_UPDATE_FIELD.STRUCT_TYPE"
NEEDS_FEATURE = "DELTA_FEATURES_REQUIRE_MANUAL_ENABLEMENT"
MATRIX_COLUMNS = ("append", "merge", "append_tw", "merge_tw", "alter_tw")


@dataclass(frozen=True)
class MatrixRow:
    """One pair, its classification, and Delta's expected outcome per operation."""

    pair: TypePair
    kind: str
    append: Outcome
    merge: Outcome
    append_tw: Outcome
    merge_tw: Outcome
    alter_tw: Outcome

    @property
    def name(self) -> str:
        return self.pair.name

    def outcome(self, column: str) -> Outcome:
        return getattr(self, column)


def ok(result_type: str) -> Outcome:
    """An accepted cell: the column's type after the operation."""
    return Outcome(True, result_type=result_type)


def rejected(error_class: str) -> Outcome:
    """A rejected cell: the error class Delta raises."""
    return Outcome(False, error_class=error_class)


_S, _F = T.StructType, T.StructField
_READING = _S([_F("v", T.StringType()), _F("unit", T.StringType())])
_DAY, _MOMENT = dt.date(2024, 1, 1), dt.datetime(2024, 1, 1, 6, 30)
_E = rejected(FAILED_TO_MERGE)


def _row(name: str, table: T.DataType, incoming: T.DataType, table_value: object, incoming_value: object,
         kind: str, *outcomes: Outcome) -> MatrixRow:
    return MatrixRow(TypePair(name, table, incoming, table_value, incoming_value), kind, *outcomes)


COMPATIBILITY_MATRIX: tuple[MatrixRow, ...] = (
    # integral widening: byte->short and short->int widen even without type widening on append
    _row("byte->short", T.ByteType(), T.ShortType(), 1, 2, TYPE_WIDENING,
         ok("smallint"), ok("tinyint"), ok("smallint"), ok("smallint"), ok("smallint")),
    _row("short->int", T.ShortType(), T.IntegerType(), 1, 2, TYPE_WIDENING,
         ok("int"), ok("smallint"), ok("int"), ok("int"), ok("int")),
    _row("int->long", T.IntegerType(), T.LongType(), 1, 2, TYPE_WIDENING,
         _E, ok("int"), ok("bigint"), ok("bigint"), ok("bigint")),
    # a narrower incoming type is safe, yet append+mergeSchema still refuses it: cast before writing
    _row("long->int", T.LongType(), T.IntegerType(), 1, 2, SAFE_WIDENING,
         _E, ok("bigint"), _E, ok("bigint"), rejected(NOT_SUPPORTED_CHANGE)),
    _row("float->double", T.FloatType(), T.DoubleType(), 1.0, 2.5, TYPE_WIDENING,
         _E, ok("float"), ok("double"), ok("double"), ok("double")),
    _row("double->float", T.DoubleType(), T.FloatType(), 1.0, 2.5, SAFE_WIDENING,
         _E, ok("double"), _E, ok("double"), rejected(NOT_SUPPORTED_CHANGE)),
    # widenings Delta 4.0 supports only through ALTER COLUMN, never automatically
    _row("int->double", T.IntegerType(), T.DoubleType(), 1, 2.0, TYPE_WIDENING,
         _E, ok("int"), _E, ok("int"), ok("double")),
    _row("long->double", T.LongType(), T.DoubleType(), 1, 2.0, LOSSY_CAST,
         _E, ok("bigint"), _E, ok("bigint"), rejected(UNSUPPORTED_CHANGE_OP)),
    _row("int->decimal(10,0)", T.IntegerType(), T.DecimalType(10, 0), 1, Decimal(2), TYPE_WIDENING,
         _E, ok("int"), _E, ok("int"), ok("decimal(10,0)")),
    _row("long->decimal(20,0)", T.LongType(), T.DecimalType(20, 0), 1, Decimal(2), TYPE_WIDENING,
         _E, ok("bigint"), _E, ok("bigint"), ok("decimal(20,0)")),
    # decimals: precision and scale may only grow, keeping the integer digits
    _row("decimal(10,2)->decimal(12,2)", T.DecimalType(10, 2), T.DecimalType(12, 2), Decimal("1.00"),
         Decimal("2.00"), TYPE_WIDENING, _E, ok("decimal(10,2)"), ok("decimal(12,2)"), ok("decimal(12,2)"),
         ok("decimal(12,2)")),
    _row("decimal(10,2)->decimal(12,4)", T.DecimalType(10, 2), T.DecimalType(12, 4), Decimal("1.00"),
         Decimal("2.0000"), TYPE_WIDENING, _E, ok("decimal(10,2)"), ok("decimal(12,4)"), ok("decimal(12,4)"),
         ok("decimal(12,4)")),
    _row("decimal(10,2)->decimal(10,4)", T.DecimalType(10, 2), T.DecimalType(10, 4), Decimal("1.00"),
         Decimal("2.0000"), LOSSY_CAST, _E, ok("decimal(10,2)"), _E, ok("decimal(10,2)"),
         rejected(NOT_SUPPORTED_CHANGE)),
    _row("decimal(12,2)->decimal(10,2)", T.DecimalType(12, 2), T.DecimalType(10, 2), Decimal("1.00"),
         Decimal("2.00"), SAFE_WIDENING, _E, ok("decimal(12,2)"), _E, ok("decimal(12,2)"),
         rejected(NOT_SUPPORTED_CHANGE)),
    # dates and timestamps
    # date->timestamp_ntz is a supported widening, but the table must first enable the timestampNtz feature
    _row("date->timestamp_ntz", T.DateType(), T.TimestampNTZType(), _DAY, _MOMENT, TYPE_WIDENING,
         _E, ok("date"), rejected(NEEDS_FEATURE), rejected(NEEDS_FEATURE), rejected(NEEDS_FEATURE)),
    _row("date->timestamp", T.DateType(), T.TimestampType(), _DAY, _MOMENT, LOSSY_CAST,
         _E, ok("date"), _E, ok("date"), rejected(UNSUPPORTED_CHANGE_OP)),
    # strings: a firmware that starts sending numbers as strings (or the reverse)
    _row("string->int", T.StringType(), T.IntegerType(), "1", 2, SAFE_WIDENING,
         _E, ok("string"), _E, ok("string"), rejected(NOT_SUPPORTED_CHANGE)),
    _row("int->string", T.IntegerType(), T.StringType(), 1, "2", LOSSY_CAST,
         _E, ok("int"), _E, ok("int"), rejected(UNSUPPORTED_CHANGE_OP)),
    # customExtension: MAP<STRING,STRING> against MAP<STRING,STRUCT<...>>, both directions
    _row("map<string,string>->map<string,struct>", T.MapType(T.StringType(), T.StringType()),
         T.MapType(T.StringType(), _READING), {"temp": "71.5"}, {"temp": ("71.5", "C")}, INCOMPATIBLE,
         _E, _E, _E, _E, rejected(CANNOT_UPDATE_STRUCT)),
    _row("map<string,struct>->map<string,string>", T.MapType(T.StringType(), _READING),
         T.MapType(T.StringType(), T.StringType()), {"temp": ("71.5", "C")}, {"temp": "71.5"}, INCOMPATIBLE,
         _E, _E, _E, _E, rejected(NOT_SUPPORTED_CHANGE)),
    # nested: a struct field, a map value and an array element change type
    _row("struct<rpm:int>->struct<rpm:bigint>", _S([_F("rpm", T.IntegerType())]), _S([_F("rpm", T.LongType())]),
         (1,), (2,), TYPE_WIDENING, _E, ok("struct<rpm:int>"), ok("struct<rpm:bigint>"), ok("struct<rpm:bigint>"),
         ok("struct<rpm:bigint>")),
    _row("struct<rpm:int>->struct<rpm:string>", _S([_F("rpm", T.IntegerType())]),
         _S([_F("rpm", T.StringType())]), (1,), ("2",), LOSSY_CAST, _E, ok("struct<rpm:int>"), _E,
         ok("struct<rpm:int>"), rejected(UNSUPPORTED_CHANGE_OP)),
    _row("map<string,int>->map<string,bigint>", T.MapType(T.StringType(), T.IntegerType()),
         T.MapType(T.StringType(), T.LongType()), {"rpm": 1}, {"rpm": 2}, TYPE_WIDENING,
         _E, ok("map<string,int>"), ok("map<string,bigint>"), ok("map<string,bigint>"), ok("map<string,bigint>")),
    _row("array<int>->array<bigint>", T.ArrayType(T.IntegerType()), T.ArrayType(T.LongType()), [1], [2],
         TYPE_WIDENING, _E, ok("array<int>"), ok("array<bigint>"), ok("array<bigint>"), ok("array<bigint>")),
)


def matrix_row(name: str) -> MatrixRow:
    """The row called ``name`` (``"int->long"``)."""
    for row in COMPATIBILITY_MATRIX:
        if row.name == name:
            return row
    raise SchemaInputError(f"matrix row: expected one of {[r.name for r in COMPATIBILITY_MATRIX]}, got {name!r}")


def classify_pair(pair: TypePair) -> str:
    """The classification ``compare_schemas`` gives the pair's single differing leaf."""
    table = T.StructType([T.StructField("c", pair.table_type)])
    incoming = T.StructType([T.StructField("c", pair.incoming_type)])
    kinds = {change.kind for change in compare_schemas(table, incoming).changes}
    if len(kinds) != 1:
        raise SchemaInputError(f"pair {pair.name}: expected exactly one kind of change, got {sorted(kinds)}")
    return kinds.pop()


def matrix_markdown() -> str:
    """The matrix as a markdown table (used by docs/compatibility-matrix.md)."""

    def cell(outcome: Outcome) -> str:
        return f"ok: `{outcome.result_type}`" if outcome.accepted else f"**{outcome.error_class}**"

    lines = ["| table type -> incoming type | classification | " + " | ".join(MATRIX_COLUMNS) + " |",
             "|---|---|" + "---|" * len(MATRIX_COLUMNS)]
    for row in COMPATIBILITY_MATRIX:
        cells = " | ".join(cell(row.outcome(column)) for column in MATRIX_COLUMNS)
        lines.append(f"| `{row.name}` | {row.kind} | {cells} |")
    return "\n".join(lines) + "\n"
