"""Compare a Delta table's schema with an incoming DataFrame's schema, recursively, by path.

Structs are matched by field name (case-insensitively, as Delta does), arrays by their ``element``,
maps by their ``key`` and ``value``. Every difference becomes one :class:`SchemaChange`.

Example::

    >>> from pyspark.sql.types import IntegerType, LongType, StructField, StructType
    >>> table = StructType([StructField("rpm", IntegerType())])
    >>> incoming = StructType([StructField("rpm", LongType()), StructField("unit", IntegerType())])
    >>> [(c.path, c.kind) for c in compare_schemas(table, incoming).changes]
    [('rpm', 'type_widening'), ('unit', 'added')]
"""
from __future__ import annotations

from dataclasses import dataclass, field

from pyspark.sql import types as T

from delta_schema_evolution.compatibility import INCOMPATIBLE, SAME, classify_leaf
from delta_schema_evolution.errors import SchemaInputError

ADDED = "added"
REMOVED = "removed"
NULLABILITY_RELAXED = "nullability_relaxed"
NULLABILITY_TIGHTENED = "nullability_tightened"


@dataclass(frozen=True)
class SchemaChange:
    """One difference at ``path``; types are Spark's simple strings (``int``, ``map<string,string>``)."""

    path: str
    kind: str
    table_type: str | None
    incoming_type: str | None


@dataclass(frozen=True)
class SchemaDiff:
    """All differences between a table schema and an incoming schema."""

    changes: list[SchemaChange] = field(default_factory=list)

    def of_kind(self, *kinds: str) -> list[SchemaChange]:
        """The changes whose kind is one of ``kinds``."""
        return [change for change in self.changes if change.kind in kinds]

    @property
    def is_identical(self) -> bool:
        return not self.changes


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _compare_types(path: str, table_type: T.DataType, incoming_type: T.DataType, out: list[SchemaChange]) -> None:
    if isinstance(table_type, T.StructType) and isinstance(incoming_type, T.StructType):
        _compare_structs(path, table_type, incoming_type, out)
        return
    if isinstance(table_type, T.ArrayType) and isinstance(incoming_type, T.ArrayType):
        _compare_types(_join(path, "element"), table_type.elementType, incoming_type.elementType, out)
        _compare_nullability(_join(path, "element"), table_type.containsNull, incoming_type.containsNull, out)
        return
    if isinstance(table_type, T.MapType) and isinstance(incoming_type, T.MapType):
        _compare_types(_join(path, "key"), table_type.keyType, incoming_type.keyType, out)
        _compare_types(_join(path, "value"), table_type.valueType, incoming_type.valueType, out)
        _compare_nullability(_join(path, "value"), table_type.valueContainsNull, incoming_type.valueContainsNull, out)
        return
    containers = (T.StructType, T.ArrayType, T.MapType)
    if isinstance(table_type, containers) or isinstance(incoming_type, containers):
        kind = INCOMPATIBLE
    else:
        kind = classify_leaf(table_type, incoming_type)
    if kind != SAME:
        out.append(SchemaChange(path, kind, table_type.simpleString(), incoming_type.simpleString()))


def _compare_nullability(path: str, table_nullable: bool, incoming_nullable: bool, out: list[SchemaChange]) -> None:
    if table_nullable == incoming_nullable:
        return
    kind = NULLABILITY_RELAXED if incoming_nullable else NULLABILITY_TIGHTENED
    out.append(SchemaChange(path, kind, "nullable" if table_nullable else "not null",
                            "nullable" if incoming_nullable else "not null"))


def _compare_structs(prefix: str, table: T.StructType, incoming: T.StructType, out: list[SchemaChange]) -> None:
    incoming_by_name = {f.name.lower(): f for f in incoming.fields}
    table_names = {f.name.lower() for f in table.fields}
    for table_field in table.fields:
        path = _join(prefix, table_field.name)
        incoming_field = incoming_by_name.get(table_field.name.lower())
        if incoming_field is None:
            out.append(SchemaChange(path, REMOVED, table_field.dataType.simpleString(), None))
            continue
        _compare_types(path, table_field.dataType, incoming_field.dataType, out)
        _compare_nullability(path, table_field.nullable, incoming_field.nullable, out)
    for incoming_field in incoming.fields:
        if incoming_field.name.lower() not in table_names:
            out.append(SchemaChange(_join(prefix, incoming_field.name), ADDED, None,
                                    incoming_field.dataType.simpleString()))


def compare_schemas(table_schema: T.StructType, incoming_schema: T.StructType) -> SchemaDiff:
    """Every difference between ``table_schema`` and ``incoming_schema``, in table order, then added fields.

    Raises:
        SchemaInputError: when either argument is not a ``StructType``.
    """
    for name, value in (("table_schema", table_schema), ("incoming_schema", incoming_schema)):
        if not isinstance(value, T.StructType):
            raise SchemaInputError(f"{name}: expected pyspark.sql.types.StructType, got {type(value).__name__}")
    changes: list[SchemaChange] = []
    _compare_structs("", table_schema, incoming_schema, changes)
    return SchemaDiff(changes)
