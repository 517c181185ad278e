"""``safe_merge``: compare the schemas, resolve every difference by the table's policy, quarantine the
rows a cast would lose, MERGE with schema evolution, and report what was done.

Example::

    report = safe_merge(spark, "/lake/silver/sensor_readings", incoming_df, keys=["reading_id"],
                        quarantine_path="/lake/quarantine/sensor_readings")
    assert report.rows_in == report.rows_merged + report.rows_quarantined
    report.actions   # [Action(path='rpm', kind='type_widening', action='widen', ...)]
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from delta.tables import DeltaTable
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from delta_schema_evolution.compare import ADDED, REMOVED, SchemaChange, compare_schemas
from delta_schema_evolution.compatibility import INCOMPATIBLE, LOSSY_CAST, SAFE_WIDENING, TYPE_WIDENING
from delta_schema_evolution.errors import ConflictingPath, SchemaConflictError, SchemaInputError
from delta_schema_evolution.policy import REJECT, SAFE_CAST, VERSIONED_COLUMN, WIDEN, SchemaPolicy

QUARANTINE_REASON = "_quarantine_reason"
QUARANTINE_PAYLOAD = "_quarantine_payload"
_ROUND_TRIP_TYPES = (T.ByteType, T.ShortType, T.IntegerType, T.LongType, T.FloatType, T.DoubleType, T.DecimalType,
                     T.DateType, T.TimestampType, T.TimestampNTZType)


@dataclass(frozen=True)
class Action:
    """One resolution applied to one path."""

    path: str
    kind: str
    action: str
    table_type: str | None
    incoming_type: str | None


@dataclass(frozen=True)
class MergeReport:
    """What ``safe_merge`` did; ``rows_in == rows_merged + rows_quarantined`` always holds."""

    table_path: str
    rows_in: int
    rows_merged: int
    rows_quarantined: int
    actions: list[Action] = field(default_factory=list)
    table_version: int | None = None


def _top(path: str) -> str:
    return path.split(".", 1)[0]


def _action_for(change: SchemaChange, policy: SchemaPolicy) -> str:
    if change.kind == SAFE_WIDENING:
        return "cast"
    if change.kind == TYPE_WIDENING:
        return policy.on_type_widening
    if change.kind == LOSSY_CAST:
        return policy.on_lossy_cast
    if change.kind == INCOMPATIBLE:
        return policy.on_incompatible
    if change.kind == ADDED:
        return "add_column" if policy.allow_added_columns else REJECT
    if change.kind == REMOVED:
        return "fill_null"
    return "none"


def plan_actions(table_schema: T.StructType, incoming_schema: T.StructType, policy: SchemaPolicy) -> list[Action]:
    """The action for every difference; raises :class:`SchemaConflictError` listing every rejected path."""
    actions = [Action(c.path, c.kind, _action_for(c, policy), c.table_type, c.incoming_type)
               for c in compare_schemas(table_schema, incoming_schema).changes]
    # a versioned column replaces the whole top-level column: other actions inside it are moot
    versioned = {_top(a.path) for a in actions if a.action == VERSIONED_COLUMN}
    actions = [a if _top(a.path) not in versioned or a.action in (VERSIONED_COLUMN, REJECT) else
               Action(a.path, a.kind, "inside_versioned_column", a.table_type, a.incoming_type) for a in actions]
    rejected = [ConflictingPath(a.path, a.table_type or "absent", a.incoming_type or "absent", a.kind)
                for a in actions if a.action == REJECT]
    if rejected:
        raise SchemaConflictError("incoming batch", rejected)
    return actions


def _sql_path(path: str) -> str:
    return ".".join(f"`{part}`" for part in path.split("."))


def widen_table(spark: SparkSession, table_path: str, actions: Sequence[Action]) -> None:
    """Enable type widening (and timestampNtz when needed) and ALTER each widened leaf to its new type."""
    widen = [a for a in actions if a.action == WIDEN]
    if not widen:
        return
    properties = ["'delta.enableTypeWidening' = 'true'"]
    if any(a.incoming_type == "timestamp_ntz" for a in widen):
        properties.append("'delta.feature.timestampNtz' = 'supported'")
    spark.sql(f"ALTER TABLE delta.`{table_path}` SET TBLPROPERTIES ({', '.join(properties)})")
    for action in widen:
        spark.sql(f"ALTER TABLE delta.`{table_path}` ALTER COLUMN {_sql_path(action.path)} TYPE {action.incoming_type}")


def _cast_failure(original: Column, cast: Column, incoming_type: T.DataType) -> Column:
    """True where a non-null value does not survive the cast (null after try_cast, or changed on round trip)."""
    failed = original.isNotNull() & cast.isNull()
    if isinstance(incoming_type, (T.StructType, T.ArrayType, T.MapType)):
        # try_cast of a struct nulls the failing field, not the struct: compare the whole value instead
        return failed | (original.isNotNull() & (F.to_json(cast.cast(incoming_type)) != F.to_json(original)))
    if isinstance(incoming_type, _ROUND_TRIP_TYPES):
        failed = failed | (original.isNotNull() & cast.isNotNull() & (cast.cast(incoming_type) != original))
    return failed


def prepare_incoming(incoming: DataFrame, table_schema: T.StructType, actions: Sequence[Action],
                     policy: SchemaPolicy) -> DataFrame:
    """Apply casts, versioned renames and null fills; add ``_quarantine_reason`` (null for good rows) and
    ``_quarantine_payload``: the row as it ARRIVED, as JSON, so a quarantined row loses nothing."""
    table_fields = {f.name.lower(): f for f in table_schema.fields}
    incoming_fields = {f.name.lower(): f for f in incoming.schema.fields}
    by_column: dict[str, set[str]] = {}
    for action in actions:
        by_column.setdefault(_top(action.path).lower(), set()).add(action.action)

    columns: list[Column] = []
    reasons: list[Column] = []
    for name, incoming_field in incoming_fields.items():
        original = F.col(f"`{incoming_field.name}`")
        done = by_column.get(name, set())
        if name not in table_fields or not done or done <= {"none", "add_column"}:
            columns.append(original)
            continue
        table_field = table_fields[name]
        if VERSIONED_COLUMN in done:
            columns.append(original.alias(f"{table_field.name}{policy.version_suffix}"))
            continue
        if done & {"cast", SAFE_CAST}:
            target = _target_type(table_field.dataType, incoming_field.dataType)
            cast = original.try_cast(target)
            if SAFE_CAST in done:
                reasons.append(F.when(
                    _cast_failure(original, cast, incoming_field.dataType),
                    F.concat(F.lit(f"{table_field.name}: value "), original.cast("string"),
                             F.lit(f" ({incoming_field.dataType.simpleString()}) does not fit "
                                   f"{target.simpleString()}")),
                ))
            columns.append(cast.alias(table_field.name))
            continue
        columns.append(original)
    for name, table_field in table_fields.items():
        if name not in incoming_fields:
            columns.append(F.lit(None).cast(table_field.dataType).alias(table_field.name))
    reason = F.concat_ws("; ", *reasons) if reasons else F.lit("")
    reason = F.when(reason != "", reason)
    original_row = F.to_json(F.struct(*[F.col(f"`{c}`") for c in incoming.columns]))
    return incoming.select(*columns, reason.alias(QUARANTINE_REASON),
                           F.when(reason.isNotNull(), original_row).alias(QUARANTINE_PAYLOAD))


def _target_type(table_type: T.DataType, incoming_type: T.DataType) -> T.DataType:
    """The table's type, keeping fields the incoming struct adds (so schema evolution can still add them)."""
    if isinstance(table_type, T.StructType) and isinstance(incoming_type, T.StructType):
        table_by_name = {f.name.lower(): f for f in table_type.fields}
        fields = [T.StructField(f.name, _target_type(table_by_name[f.name.lower()].dataType, f.dataType)
                                if f.name.lower() in table_by_name else f.dataType, True)
                  for f in incoming_type.fields]
        return T.StructType(fields)
    return table_type


def write_quarantine(rows: DataFrame, quarantine_path: str, table_path: str) -> None:
    """Append failed rows as the original JSON payload + reason: a schema that never changes."""
    (rows.select(
        F.lit(table_path).alias("target_table"),
        F.col(QUARANTINE_PAYLOAD).alias("payload"),
        F.col(QUARANTINE_REASON).alias("reason"),
        F.current_timestamp().alias("quarantined_at"),
    ).write.format("delta").mode("append").save(quarantine_path))


def _check_inputs(spark: SparkSession, table_path: str, incoming: DataFrame, keys: Sequence[str]) -> DeltaTable:
    if not isinstance(incoming, DataFrame):
        raise SchemaInputError(f"incoming: expected a pyspark DataFrame, got {type(incoming).__name__}")
    if not keys:
        raise SchemaInputError("keys: expected at least one merge key column, got none")
    if not DeltaTable.isDeltaTable(spark, table_path):
        raise SchemaInputError(f"table_path: expected an existing Delta table, got {table_path!r}")
    table = DeltaTable.forPath(spark, table_path)
    table_columns = {c.lower() for c in table.toDF().columns}
    incoming_columns = {c.lower() for c in incoming.columns}
    missing = [k for k in keys if k.lower() not in table_columns or k.lower() not in incoming_columns]
    if missing:
        raise SchemaInputError(f"keys: expected {missing} in both the table and the incoming batch, "
                               f"got table={sorted(table_columns)} incoming={sorted(incoming_columns)}")
    return table


def safe_merge(spark: SparkSession, table_path: str, incoming: DataFrame, keys: Sequence[str],
               quarantine_path: str, policy: SchemaPolicy | None = None) -> MergeReport:
    """Compare, resolve by ``policy``, quarantine rows a cast would lose, MERGE with schema evolution.

    Raises:
        SchemaInputError: bad arguments (checked before any work).
        SchemaConflictError: the policy rejects a difference; lists every conflicting path and both types.
    """
    policy = policy or SchemaPolicy()
    table = _check_inputs(spark, table_path, incoming, keys)
    table_schema = table.toDF().schema
    actions = plan_actions(table_schema, incoming.schema, policy)
    widen_table(spark, table_path, actions)
    widened_schema = DeltaTable.forPath(spark, table_path).toDF().schema
    prepared = prepare_incoming(incoming, widened_schema, actions, policy).cache()
    try:
        good = prepared.where(F.col(QUARANTINE_REASON).isNull()).drop(QUARANTINE_REASON, QUARANTINE_PAYLOAD)
        bad = prepared.where(F.col(QUARANTINE_REASON).isNotNull())
        rows_in, rows_merged, rows_quarantined = prepared.count(), good.count(), bad.count()
        if rows_quarantined:
            write_quarantine(bad, quarantine_path, table_path)
        condition = " AND ".join(f"t.`{k}` = s.`{k}`" for k in keys)
        (DeltaTable.forPath(spark, table_path).alias("t").merge(good.alias("s"), condition)
         .whenMatchedUpdateAll().whenNotMatchedInsertAll().withSchemaEvolution().execute())
    finally:
        prepared.unpersist()
    version = DeltaTable.forPath(spark, table_path).history(1).select("version").first()[0]
    return MergeReport(table_path, rows_in, rows_merged, rows_quarantined, actions, version)
