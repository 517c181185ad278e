"""Apply one micro-batch of Debezium change events to the mirrored Delta table.

Per key, only the newest event of the batch is merged, and only if it is newer than what the table
(or, for hard deletes, the deletes table) already holds; everything else is counted as stale.
Malformed events and values that do not convert go to the quarantine table with the reason.
Every batch writes one ledger row where ``events_in = applied + stale + tombstones + quarantined``.
Re-running a batch (a restarted query replays its last batch) changes nothing: the table is a
MERGE guarded by the source position, the quarantine a MERGE keyed by the Kafka
offset; the deletes table and the ledger are appended, and read as each key's highest LSN and once
per batch id (:func:`ledger_totals`). A batch writes to a table only when it has rows for it; the
ledger row is always written.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from delta.tables import DeltaTable
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from enterprise_integration.cdc.connect_types import json_read_type_for, spark_type_for, typed_value
from enterprise_integration.cdc.envelope import KIND_COLUMN, REASON_COLUMN, read_change_events
from enterprise_integration.cdc.source_position import is_newer, is_newer_sql, rank_by_position
from enterprise_integration.cdc.table_schema import evolve_target, merged_event_fields, quoted
from enterprise_integration.cdc.target import (
    DELETED_COLUMN,
    LSN_COLUMN,
    OP_COLUMN,
    SNAPSHOT_COLUMN,
    CdcTarget,
)

QUARANTINE_SCHEMA = T.StructType(
    [
        T.StructField("topic", T.StringType()),
        T.StructField("partition", T.IntegerType()),
        T.StructField("offset", T.LongType()),
        T.StructField("key", T.StringType()),
        T.StructField("value", T.StringType()),
        T.StructField("reason", T.StringType()),
        T.StructField("batch_id", T.LongType()),
    ]
)
LEDGER_SCHEMA = T.StructType(
    [
        T.StructField("batch_id", T.LongType()),
        T.StructField("events_in", T.LongType()),
        T.StructField("applied", T.LongType()),
        T.StructField("stale", T.LongType()),
        T.StructField("tombstones", T.LongType()),
        T.StructField("quarantined", T.LongType()),
        T.StructField("columns_added", T.StringType()),
    ]
)


@dataclass(frozen=True)
class ApplyCounts:
    """What one micro-batch did. ``events_in`` always equals the sum of the other four counts."""

    batch_id: int
    events_in: int
    applied: int
    stale: int
    tombstones: int
    quarantined: int
    columns_added: tuple[str, ...] = ()

    @property
    def balanced(self) -> bool:
        return self.events_in == self.applied + self.stale + self.tombstones + self.quarantined


def _typed_changes(events: DataFrame, fields: dict[str, dict], target: CdcTarget) -> DataFrame:
    """Columns typed from the row image, key columns from the message key, and a cast error."""
    read_schema = T.StructType([T.StructField(n, json_read_type_for(f)) for n, f in fields.items()])
    key_schema = T.StructType(
        [T.StructField(n, json_read_type_for(fields[n])) for n in target.key_columns]
    )
    # a delete's values come from its before image (all columns with REPLICA IDENTITY FULL)
    after = F.from_json(F.coalesce(F.col("_cdc_after"), F.col("_cdc_before")), read_schema)
    key = F.from_json("_cdc_key", key_schema)
    values: list[Column] = []
    errors: list[Column] = []
    for name, field in fields.items():
        source = key[name] if name in target.key_columns else after[name]
        value = typed_value(source, field)
        values.append(value.cast(spark_type_for(field)).alias(name))
        errors.append(
            F.when(
                source.isNotNull() & value.isNull(),
                F.concat(F.lit(f"column {name}: '"), source.cast("string"),
                         F.lit(f"' is not {spark_type_for(field).simpleString()}")),
            )
        )
    return events.select(
        *values,
        OP_COLUMN, SNAPSHOT_COLUMN, LSN_COLUMN, "offset", "topic", "partition", "_cdc_key",
        F.coalesce(*errors, F.lit(None).cast("string")).alias("_cdc_cast_error"),
    )


def _key_condition(target: CdcTarget, left: str, right: str) -> str:
    return " AND ".join(f"{left}.{quoted(k)} = {right}.{quoted(k)}" for k in target.key_columns)


def _positions_of(spark: SparkSession, path: str, target: CdcTarget) -> DataFrame:
    return spark.read.format("delta").load(path).select(*target.key_columns, SNAPSHOT_COLUMN, LSN_COLUMN)


def _ensure_deletes_table(spark: SparkSession, target: CdcTarget, fields: dict[str, dict]) -> None:
    if DeltaTable.isDeltaTable(spark, target.deletes_path):
        return
    schema = T.StructType(
        [T.StructField(k, spark_type_for(fields[k])) for k in target.key_columns]
        + [T.StructField(SNAPSHOT_COLUMN, T.BooleanType()), T.StructField(LSN_COLUMN, T.LongType())]
    )
    spark.createDataFrame([], schema).write.format("delta").save(target.deletes_path)


def _classify(spark: SparkSession, typed: DataFrame, target: CdcTarget) -> DataFrame:
    """Add ``_cdc_status``: ``quarantined`` (a value did not convert), ``stale`` (an older or repeated
    event of a key: in this batch or against what is stored), or ``apply``."""
    ranked = rank_by_position(typed, target.key_columns)
    stored = [_positions_of(spark, target.path, target)]
    if target.delete_mode == "hard":
        deleted = _positions_of(spark, target.deletes_path, target)
        stored.append(deleted.groupBy(*target.key_columns).agg(
            F.max(LSN_COLUMN).alias(LSN_COLUMN), F.lit(False).alias(SNAPSHOT_COLUMN)))
    newer = F.lit(True)
    for index, positions in enumerate(stored):
        alias = f"stored{index}"
        renamed = positions.select(
            *target.key_columns,
            F.col(SNAPSHOT_COLUMN).alias(f"{alias}_snapshot"),
            F.col(LSN_COLUMN).alias(f"{alias}_lsn"),
        )
        ranked = ranked.join(renamed, list(target.key_columns), "left")
        newer = newer & is_newer(F.col(SNAPSHOT_COLUMN), F.col(LSN_COLUMN),
                                 F.col(f"{alias}_snapshot"), F.col(f"{alias}_lsn"))
    status = (
        F.when(F.col("_cdc_cast_error").isNotNull(), F.lit("quarantined"))
        .when((F.col("_cdc_rank") > 1) | ~newer, F.lit("stale"))
        .otherwise(F.lit("apply"))
    )
    return ranked.withColumn("_cdc_status", status)


def _merge_into_target(spark: SparkSession, rows: DataFrame, target: CdcTarget, columns: list[str]) -> None:
    newer = is_newer_sql("s", "t")
    position = {c: f"s.{c}" for c in (SNAPSHOT_COLUMN, LSN_COLUMN, OP_COLUMN)}
    everything = {quoted(c): f"s.{quoted(c)}" for c in columns} | position
    merge = DeltaTable.forPath(spark, target.path).alias("t").merge(
        rows.alias("s"), _key_condition(target, "t", "s")
    )
    if target.delete_mode == "hard":
        merge = (
            merge.whenMatchedDelete(condition=f"s.{OP_COLUMN} = 'd' AND {newer}")
            .whenMatchedUpdate(condition=f"s.{OP_COLUMN} <> 'd' AND {newer}", set=everything)
            .whenNotMatchedInsert(condition=f"s.{OP_COLUMN} <> 'd'", values=everything)
        )
    else:
        merge = (
            merge.whenMatchedUpdate(
                condition=f"s.{OP_COLUMN} = 'd' AND {newer}", set=position | {DELETED_COLUMN: "true"}
            )
            .whenMatchedUpdate(
                condition=f"s.{OP_COLUMN} <> 'd' AND {newer}", set=everything | {DELETED_COLUMN: "false"}
            )
            .whenNotMatchedInsert(values=everything | {DELETED_COLUMN: f"s.{OP_COLUMN} = 'd'"})
        )
    merge.execute()


def _append_deletes(rows: DataFrame, target: CdcTarget) -> None:
    """Keep the position of each applied hard delete (after the MERGE: a crash between them re-runs both)."""
    # an append, not a MERGE: readers take each key's highest LSN, so repeats are harmless
    deletes = rows.where(F.col(OP_COLUMN) == "d").select(*target.key_columns, SNAPSHOT_COLUMN, LSN_COLUMN)
    deletes.write.format("delta").mode("append").save(target.deletes_path)


def _upsert(spark: SparkSession, path: str, schema: T.StructType, rows: DataFrame, keys: list[str]) -> None:
    if not DeltaTable.isDeltaTable(spark, path):
        spark.createDataFrame([], schema).write.format("delta").save(path)
    condition = " AND ".join(f"t.{quoted(k)} = s.{quoted(k)}" for k in keys)
    (
        DeltaTable.forPath(spark, path).alias("t").merge(rows.alias("s"), condition)
        .whenMatchedUpdateAll().whenNotMatchedInsertAll().execute()
    )


def _quarantine(spark: SparkSession, rows: DataFrame, target: CdcTarget, batch_id: int) -> None:
    _upsert(
        spark, target.quarantine_path, QUARANTINE_SCHEMA,
        rows.select(
            "topic", F.col("partition").cast("int"), "offset", F.col("_cdc_key").alias("key"),
            F.col("_cdc_value").alias("value"), "reason", F.lit(batch_id).cast("long").alias("batch_id"),
        ),
        ["topic", "partition", "offset"],
    )


def _append_ledger(spark: SparkSession, counts: ApplyCounts, target: CdcTarget) -> None:
    values = (counts.batch_id, counts.events_in, counts.applied, counts.stale, counts.tombstones,
              counts.quarantined, ",".join(counts.columns_added))
    # built from literals, not createDataFrame([...]): a local Python list starts a Python worker per batch
    row = spark.range(1).select(
        *[F.lit(value).cast(f.dataType).alias(f.name) for value, f in zip(values, LEDGER_SCHEMA, strict=True)],
        F.current_timestamp().alias("written_at"),
    )
    row.write.format("delta").mode("append").save(target.ledger_path)


def _count_events(events: DataFrame) -> tuple[dict[str, int], list[list[dict]]]:
    """The one pass over the batch's messages: events per kind, and the distinct column lists of the changes."""
    summary = events.groupBy(
        KIND_COLUMN, F.when(F.col(KIND_COLUMN) == "change", F.col("_cdc_fields")).alias("fields"),
    ).count().collect()
    kinds: dict[str, int] = {}
    for row in summary:
        kinds[row[KIND_COLUMN]] = kinds.get(row[KIND_COLUMN], 0) + row["count"]
    return kinds, [json.loads(row["fields"]) for row in summary if row["fields"]]


def _classify_and_count(
    spark: SparkSession, changes: DataFrame, target: CdcTarget
) -> tuple[DataFrame, dict[str, int]]:
    """Classify the typed changes, fixed before any write, and count them per status (and applied deletes)."""
    # a local checkpoint, not a cache: Delta re-caches what reads a table it writes, so a cached result
    # would be recomputed after the MERGE, against the table the MERGE had just changed. Its plan is
    # fixed here; the count below computes it once, and every later use reads the checkpointed rows.
    classified = _classify(spark, changes, target).localCheckpoint(eager=False)
    statuses: dict[str, int] = {}
    by_status = classified.groupBy("_cdc_status", (F.col(OP_COLUMN) == "d").alias("is_delete"))
    for row in by_status.count().collect():
        statuses[row["_cdc_status"]] = statuses.get(row["_cdc_status"], 0) + row["count"]
        if row["_cdc_status"] == "apply" and row["is_delete"]:
            statuses["apply_deletes"] = row["count"]
    return classified, statuses


def apply_change_batch(spark: SparkSession, kafka_rows: DataFrame, target: CdcTarget, batch_id: int) -> ApplyCounts:
    """Apply one micro-batch read from a Debezium topic by Spark's Kafka source; return its counts.

    Use it as the ``foreachBatch`` function of a stream (see :func:`start_cdc_stream`), or call it on
    any DataFrame with the Kafka source's ``key``, ``value``, ``topic``, ``partition``, ``offset``.

    Example::

        >>> target = CdcTarget("/lake/mes/work_orders", key_columns=("id",))
        >>> counts = apply_change_batch(spark, kafka_rows, target, batch_id=0)  # doctest: +SKIP
        >>> counts.balanced  # doctest: +SKIP
        True
    """
    events = read_change_events(kafka_rows, target.key_columns).persist()
    try:
        kinds, schemas = _count_events(events)
        statuses: dict[str, int] = {}
        rejected: list[DataFrame] = []
        if kinds.get("malformed", 0):
            rejected.append(events.where(F.col(KIND_COLUMN) == "malformed").select(
                "topic", "partition", "offset", "_cdc_key", "_cdc_value", F.col(REASON_COLUMN).alias("reason")))
        added: list[str] = []
        if kinds.get("change", 0):
            fields = merged_event_fields(schemas)
            added = evolve_target(spark, target, fields)
            if target.delete_mode == "hard":
                _ensure_deletes_table(spark, target, fields)
            changes = _typed_changes(events.where(F.col(KIND_COLUMN) == "change"), fields, target)
            classified, statuses = _classify_and_count(spark, changes, target)
            if statuses.get("apply", 0):
                to_apply = classified.where(F.col("_cdc_status") == "apply").select(
                    *[F.col(quoted(name)) for name in fields], OP_COLUMN, SNAPSHOT_COLUMN, LSN_COLUMN)
                _merge_into_target(spark, to_apply, target, list(fields))
                if target.delete_mode == "hard" and statuses.get("apply_deletes", 0):
                    _append_deletes(to_apply, target)
            if statuses.get("quarantined", 0):
                # their message text from the batch itself (read again: only when a value did not convert)
                origin = ["topic", "partition", "offset"]
                texts = kafka_rows.select(*origin, F.col("value").cast("string").alias("_cdc_value"))
                rejected.append(
                    classified.where(F.col("_cdc_status") == "quarantined")
                    .select(*origin, "_cdc_key", F.col("_cdc_cast_error").alias("reason"))
                    .join(texts, origin)
                    .select(*origin, "_cdc_key", "_cdc_value", "reason"))
        if rejected:
            quarantine = rejected[0]
            for more in rejected[1:]:
                quarantine = quarantine.unionByName(more)
            _quarantine(spark, quarantine, target, batch_id)
        counts = ApplyCounts(
            batch_id=batch_id,
            events_in=sum(kinds.values()),
            applied=statuses.get("apply", 0),
            stale=statuses.get("stale", 0),
            tombstones=kinds.get("tombstone", 0),
            quarantined=kinds.get("malformed", 0) + statuses.get("quarantined", 0),
            columns_added=tuple(added),
        )
        _append_ledger(spark, counts, target)
        return counts
    finally:
        events.unpersist()
