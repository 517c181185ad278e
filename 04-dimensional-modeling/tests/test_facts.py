"""Fact loads: transaction facts with quarantine, watermark appends, CDC MERGE, snapshot, aggregate."""

from __future__ import annotations

import datetime as dt

from helpers import local_frame, ts
from pyspark.sql import functions as F

from manufacturing_star_schema import OPEN_END
from manufacturing_star_schema.facts import (
    append_by_watermark,
    build_sensor_reading_facts,
    daily_production_snapshot,
    hourly_sensor_aggregate,
    merge_fact_cdc,
    write_snapshot_days,
)

READINGS = (
    "reading_id string, machine_id string, sensor_type string, event_ts timestamp, "
    "reading_value double, ingested_at timestamp"
)


def dim_machine(spark):
    return local_frame(
        spark,
        [(11, "M1", ts(1), OPEN_END)],
        "machine_sk bigint, machine_id string, valid_from timestamp, valid_to timestamp",
    )


def test_sensor_facts_are_keyed_and_bad_readings_quarantined_with_every_row_accounted_for(spark):
    readings = local_frame(
        spark,
        [
            ("r1", "M1", "temp", ts(2, 8), 71.5, ts(2, 9)),  # good
            ("r2", "M2", "temp", ts(2, 8), 70.0, ts(2, 9)),  # unknown machine: kept with key -1
            ("r3", None, "temp", ts(2, 8), 70.0, ts(2, 9)),  # no machine: quarantined
            ("r4", "M1", "temp", None, 70.0, ts(2, 9)),  # no event time: quarantined
            ("r5", "M1", "temp", ts(2, 8), float("nan"), ts(2, 9)),  # NaN: quarantined
        ],
        READINGS,
    )

    facts, quarantine = build_sensor_reading_facts(readings, dim_machine(spark))

    assert {r.reading_id: (r.machine_sk, r.date_key) for r in facts.collect()} == {
        "r1": (11, 20260302),
        "r2": (-1, 20260302),
    }
    assert sorted(r.quarantine_reason for r in quarantine.collect()) == [
        "null event_ts",
        "null machine_id",
        "reading_value is NaN",
    ]
    assert facts.count() + quarantine.count() == readings.count()


def test_watermark_append_skips_what_is_loaded_and_reruns_append_nothing(spark, delta_path):
    batch_1 = local_frame(
        spark,
        [("r1", ts(1)), ("r2", ts(2))], "reading_id string, ingested_at timestamp"
    )
    batch_2 = local_frame(
        spark,
        [("r2", ts(2)), ("r3", ts(3))], "reading_id string, ingested_at timestamp"
    )
    batch_1.limit(0).write.format("delta").save(delta_path)

    appended = [append_by_watermark(spark, b, delta_path, "ingested_at") for b in (batch_1, batch_2, batch_2)]

    assert appended == [2, 1, 0]
    assert sorted(r.reading_id for r in spark.read.format("delta").load(delta_path).collect()) == [
        "r1",
        "r2",
        "r3",
    ]


def test_cdc_merge_applies_the_latest_change_per_key_and_ignores_replays(spark, delta_path):
    local_frame(
        spark,
        [("t1", 1, 9.5), ("t2", 1, 7.0)], "test_id string, seq long, measured_value double"
    ).write.format("delta").save(delta_path)
    changes = local_frame(
        spark,
        [
            ("t1", 3, 9.9, "U"),  # correction
            ("t1", 2, 9.7, "U"),  # older correction in the same feed: superseded
            ("t2", 2, None, "D"),  # test record withdrawn
            ("t3", 1, 5.0, "I"),  # new test
        ],
        "test_id string, seq long, measured_value double, op string",
    )

    first = merge_fact_cdc(spark, changes, delta_path, ["test_id"], "seq")
    replay = merge_fact_cdc(spark, changes, delta_path, ["test_id"], "seq")

    rows = spark.read.format("delta").load(delta_path).orderBy("test_id").collect()
    assert [tuple(r) for r in rows] == [("t1", 3, 9.9), ("t3", 1, 5.0)]
    assert (first["num_updated_rows"], first["num_deleted_rows"], first["num_inserted_rows"]) == (1, 1, 1)
    assert replay["num_affected_rows"] == 0


def test_daily_snapshot_has_a_row_per_machine_day_including_idle_days_and_reloads_idempotently(
    spark, delta_path
):
    events = local_frame(
        spark,
        [
            (11, dt.date(2026, 3, 2), 100, 3),
            (11, dt.date(2026, 3, 2), 50, 0),
            (12, dt.date(2026, 3, 3), 80, 1),
        ],
        "machine_sk bigint, production_date date, units_produced int, units_scrapped int",
    )
    machines = local_frame(spark, [(11, 1), (12, 1)], "machine_sk bigint, plant_sk bigint")
    first, last = dt.date(2026, 3, 2), dt.date(2026, 3, 3)

    snapshot = daily_production_snapshot(events, machines, first, last)
    write_snapshot_days(snapshot, delta_path, first, last)
    write_snapshot_days(snapshot, delta_path, first, last)  # reload the same days

    rows = spark.read.format("delta").load(delta_path).orderBy("machine_sk", "snapshot_date")
    assert [
        tuple(r) for r in rows.select("machine_sk", "date_key", "units_produced", "units_scrapped").collect()
    ] == [
        (11, 20260302, 150, 3),
        (11, 20260303, 0, 0),  # idle day: an explicit zero row
        (12, 20260302, 0, 0),
        (12, 20260303, 80, 1),
    ]


def test_hourly_aggregate_fact(spark):
    facts = local_frame(
        spark,
        [
            (11, "temp", ts(2, 8), 70.0),
            (11, "temp", ts(2, 8).replace(minute=30), 74.0),
            (11, "temp", ts(2, 9), 80.0),
        ],
        "machine_sk bigint, sensor_type string, event_ts timestamp, reading_value double",
    )

    hourly = hourly_sensor_aggregate(facts).orderBy("event_hour")

    assert [
        tuple(r)
        for r in hourly.select("event_hour", "readings", "min_value", "max_value", "avg_value").collect()
    ] == [
        (ts(2, 8), 2, 70.0, 74.0, 72.0),
        (ts(2, 9), 1, 80.0, 80.0, 80.0),
    ]
    assert hourly.agg(F.sum("readings")).first()[0] == facts.count()
