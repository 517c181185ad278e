"""The apply step on tiny inline micro-batches: ordering, replays, deletes, schema change, quarantine."""
from __future__ import annotations

from decimal import Decimal

import pytest
from chispa import assert_df_equality
from delta.tables import DeltaTable
from helpers import SHIFT_FIELD, WORK_ORDER_FIELDS, change, kafka_rows, tombstone
from pyspark.sql import functions as F
from pyspark.sql import types as T

from enterprise_integration.cdc import (
    CdcTarget,
    ColumnTypeChangedError,
    InvalidCdcOptionsError,
    apply_change_batch,
    ledger_totals,
)

ORDER_SCHEMA = T.StructType(
    [
        T.StructField("id", T.LongType()),
        T.StructField("status", T.StringType()),
        T.StructField("qty", T.DecimalType(10, 2)),
    ]
)


def table(spark, path, columns=("id", "status", "qty")):
    return spark.read.format("delta").load(path).select(*columns).orderBy("id")


def expected(spark, rows, schema=ORDER_SCHEMA):
    return spark.createDataFrame(rows, schema).orderBy("id")


def test_creates_updates_and_deletes_of_one_batch_leave_the_source_state(spark, delta_path):
    target = CdcTarget(delta_path, key_columns=("id",))
    batch = kafka_rows(spark, [
        change("r", 1, 100, {"status": "new", "qty": "1.50"}),   # snapshot read
        change("r", 2, 100, {"status": "new", "qty": "2.00"}),   # snapshot read
        change("u", 1, 200, {"status": "started", "qty": "1.50"}),
        change("c", 3, 210, {"status": "new", "qty": "3.25"}),
        change("d", 2, 220),
        tombstone(2),
    ])

    counts = apply_change_batch(spark, batch, target, batch_id=0)

    assert_df_equality(table(spark, delta_path), expected(spark, [
        (1, "started", Decimal("1.50")),
        (3, "new", Decimal("3.25")),
    ]))
    assert (counts.events_in, counts.applied, counts.stale, counts.tombstones, counts.quarantined) == (6, 3, 2, 1, 0)
    assert counts.balanced


def test_last_message_wins_lets_a_replayed_old_update_overwrite_a_newer_one(spark, delta_path):
    """The failure: a Connect restart re-sends events already applied; a plain upsert takes them."""
    first = [change("c", 1, 100, {"status": "new", "qty": "1.00"}),
             change("u", 1, 300, {"status": "done", "qty": "1.00"})]
    replayed = [change("u", 1, 200, {"status": "started", "qty": "1.00"})]  # older, delivered later
    spark.createDataFrame([], "id long, status string").write.format("delta").save(delta_path)
    for batch in (first, replayed):
        rows = kafka_rows(spark, batch).select(
            F.from_json(F.col("value").cast("string"), "payload struct<after: struct<id long, status string>>")
            .alias("e"), "offset",
        ).select("e.payload.after.*", "offset")
        newest = rows.orderBy(F.col("offset").desc()).dropDuplicates(["id"]).drop("offset")
        (DeltaTable.forPath(spark, delta_path).alias("t").merge(newest.alias("s"), "t.id = s.id")
         .whenMatchedUpdateAll().whenNotMatchedInsertAll().execute())

    assert table(spark, delta_path, ("id", "status")).collect()[0]["status"] == "started"  # wrong


def test_a_replayed_older_event_in_a_later_batch_is_counted_stale_and_changes_nothing(spark, delta_path):
    target = CdcTarget(delta_path, key_columns=("id",))
    apply_change_batch(spark, kafka_rows(spark, [
        change("c", 1, 100, {"status": "new", "qty": "1.00"}),
        change("u", 1, 300, {"status": "done", "qty": "1.00"}),
    ]), target, batch_id=0)

    counts = apply_change_batch(spark, kafka_rows(spark, [
        change("u", 1, 200, {"status": "started", "qty": "1.00"}),  # older than lsn 300
        change("u", 1, 300, {"status": "done", "qty": "1.00"}),     # the same event again
    ], first_offset=2), target, batch_id=1)

    assert_df_equality(table(spark, delta_path), expected(spark, [(1, "done", Decimal("1.00"))]))
    assert (counts.applied, counts.stale) == (0, 2)


def test_a_snapshot_read_taken_after_a_streamed_change_wins_and_an_older_one_loses(spark, delta_path):
    target = CdcTarget(delta_path, key_columns=("id",))
    apply_change_batch(spark, kafka_rows(spark, [
        change("u", 1, 50, {"status": "started", "qty": "1.00"}),   # streamed at lsn 50
        change("u", 2, 150, {"status": "started", "qty": "2.00"}),  # streamed at lsn 150
    ]), target, batch_id=0)
    # a re-snapshot (Connect lost its offsets) at lsn 100: newer than key 1's change, older than key 2's
    counts = apply_change_batch(spark, kafka_rows(spark, [
        change("r", 1, 100, {"status": "done", "qty": "1.00"}),
        change("r", 2, 100, {"status": "new", "qty": "2.00"}),
    ], first_offset=2), target, batch_id=1)

    assert_df_equality(table(spark, delta_path), expected(spark, [
        (1, "done", Decimal("1.00")), (2, "started", Decimal("2.00")),
    ]))
    assert (counts.applied, counts.stale) == (1, 1)


def test_a_hard_deleted_row_stays_deleted_when_its_older_create_is_replayed(spark, delta_path):
    target = CdcTarget(delta_path, key_columns=("id",), delete_mode="hard")
    apply_change_batch(spark, kafka_rows(spark, [
        change("c", 1, 100, {"status": "new", "qty": "1.00"}),
        change("d", 1, 200),
        tombstone(1),
    ]), target, batch_id=0)

    counts = apply_change_batch(spark, kafka_rows(spark, [
        change("c", 1, 100, {"status": "new", "qty": "1.00"}),  # replayed after the delete
    ], first_offset=3), target, batch_id=1)

    assert table(spark, delta_path).count() == 0
    assert counts.stale == 1
    assert spark.read.format("delta").load(target.deletes_path).select("id", "_cdc_lsn").collect() == [(1, 200)]


def test_soft_delete_mode_keeps_the_row_flagged_and_a_later_create_revives_it(spark, delta_path):
    target = CdcTarget(delta_path, key_columns=("id",), delete_mode="soft")
    apply_change_batch(spark, kafka_rows(spark, [
        change("c", 1, 100, {"status": "new", "qty": "1.00"}),
        change("c", 2, 110, {"status": "new", "qty": "2.00"}),
        change("d", 1, 200, {"status": "new", "qty": "1.00"}),  # before image (REPLICA IDENTITY FULL)
    ]), target, batch_id=0)
    assert_df_equality(
        table(spark, delta_path, ("id", "status", "_cdc_deleted")),
        spark.createDataFrame([(1, "new", True), (2, "new", False)], "id long, status string, _cdc_deleted boolean"),
        ignore_nullable=True,
    )

    apply_change_batch(spark, kafka_rows(spark, [
        change("c", 1, 300, {"status": "reissued", "qty": "1.00"}),
    ], first_offset=3), target, batch_id=1)
    assert table(spark, delta_path, ("id", "status", "_cdc_deleted")).first() == (1, "reissued", False)


def test_a_column_added_at_the_source_is_added_to_the_table_with_its_type(spark, delta_path):
    target = CdcTarget(delta_path, key_columns=("id",))
    apply_change_batch(spark, kafka_rows(spark, [change("c", 1, 100, {"status": "new", "qty": "1.00"})]),
                       target, batch_id=0)
    with_shift = WORK_ORDER_FIELDS + [SHIFT_FIELD]

    counts = apply_change_batch(spark, kafka_rows(spark, [
        change("c", 2, 200, {"status": "new", "qty": "2.00", "shift": "B"}, fields=with_shift),
    ], first_offset=1), target, batch_id=1)

    assert counts.columns_added == ("shift",)
    schema = T.StructType(ORDER_SCHEMA.fields + [T.StructField("shift", T.StringType())])
    assert_df_equality(
        table(spark, delta_path, ("id", "status", "qty", "shift")),
        expected(spark, [(1, "new", Decimal("1.00"), None), (2, "new", Decimal("2.00"), "B")], schema),
    )


def test_a_primary_key_change_moves_the_row_to_its_new_key(spark, delta_path):
    target = CdcTarget(delta_path, key_columns=("id",))
    apply_change_batch(spark, kafka_rows(spark, [change("c", 3, 100, {"status": "new", "qty": "4.50"})]),
                       target, batch_id=0)

    # UPDATE ... SET id = 30: Debezium sends a delete of the old key, its tombstone, a create of the new
    apply_change_batch(spark, kafka_rows(spark, [
        change("d", 3, 200), tombstone(3), change("c", 30, 200, {"status": "new", "qty": "4.50"}),
    ], first_offset=1), target, batch_id=1)

    assert_df_equality(table(spark, delta_path), expected(spark, [(30, "new", Decimal("4.50"))]))


def test_malformed_events_go_to_quarantine_with_the_reason_and_the_counts_add_up(spark, delta_path):
    target = CdcTarget(delta_path, key_columns=("id",))
    good_key, good_value = change("c", 1, 100, {"status": "new", "qty": "1.00"})
    messages = [
        (good_key, good_value),
        (good_key, "{not json"),                                           # broken JSON
        (good_key, good_value.replace('"op": "c"', '"op": "x"')),          # unknown op
        ('{"other": 1}', good_value),                                       # key without the id
        change("c", 2, 110, {"status": "new", "qty": "lots"}),             # qty is not a number
        (good_key, good_value.replace('{"schema": ', '{"schemaless": ')),  # converter without schemas
    ]

    counts = apply_change_batch(spark, kafka_rows(spark, messages), target, batch_id=0)

    quarantined = spark.read.format("delta").load(target.quarantine_path).collect()
    reasons = sorted(r["reason"] for r in quarantined)
    assert reasons == [
        "column qty: 'lots' is not decimal(10,2)",
        "envelope has no schema: expected value.converter.schemas.enable=true",
        "key lacks column(s) id",
        "unknown op 'x', expected one of ['c', 'u', 'd', 'r']",
        "value is not a Debezium JSON envelope (no payload.op)",
    ]
    # each keeps its message as it came, to be fixed and replayed
    assert {r["offset"]: (r["key"], r["value"]) for r in quarantined} == dict(enumerate(messages[1:], start=1))
    assert (counts.events_in, counts.applied, counts.quarantined) == (6, 1, 5)
    assert ledger_totals(spark, target) == {
        "events_in": 6, "applied": 1, "stale": 0, "tombstones": 0, "quarantined": 5,
    }


def test_re_running_a_batch_after_a_crash_changes_nothing(spark, delta_path):
    target = CdcTarget(delta_path, key_columns=("id",))
    batch = kafka_rows(spark, [change("c", 1, 100, {"status": "new", "qty": "1.00"}),
                               change("d", 1, 150), tombstone(1),
                               change("c", 2, 160, {"status": "new", "qty": "x"})])
    apply_change_batch(spark, batch, target, batch_id=7)
    again = apply_change_batch(spark, batch, target, batch_id=7)

    assert table(spark, delta_path).count() == 0
    assert spark.read.format("delta").load(target.quarantine_path).count() == 1
    assert again.balanced and again.applied == 0
    assert ledger_totals(spark, target)["events_in"] == 4  # one ledger row per batch id


def test_a_column_whose_type_changed_at_the_source_is_refused_by_name(spark, delta_path):
    target = CdcTarget(delta_path, key_columns=("id",))
    apply_change_batch(spark, kafka_rows(spark, [change("c", 1, 100, {"status": "new", "qty": "1.00"})]),
                       target, batch_id=0)
    retyped = [WORK_ORDER_FIELDS[0], {"type": "int32", "optional": False, "field": "status"}, WORK_ORDER_FIELDS[2]]

    batch = kafka_rows(spark, [change("c", 2, 200, {"status": 5, "qty": "1.00"}, fields=retyped)])

    with pytest.raises(ColumnTypeChangedError, match="'status': the Delta table has string, the source now sends int"):
        apply_change_batch(spark, batch, target, batch_id=1)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"key_columns": ()}, "expected key_columns as a non-empty tuple"),
        ({"key_columns": "id"}, "expected key_columns as a non-empty tuple"),
        ({"key_columns": ("id",), "delete_mode": "purge"}, "expected delete_mode in"),
        ({"key_columns": ("_cdc_lsn",)}, "reserved '_cdc_' prefix"),
    ],
)
def test_target_options_are_checked_before_any_work(options, message):
    with pytest.raises(InvalidCdcOptionsError, match=message):
        CdcTarget("/lake/t", **options)
