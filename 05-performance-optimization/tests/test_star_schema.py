"""The generated star schema: deterministic, in arrival order, and every reading finds its machine version."""
from __future__ import annotations

import pytest
from chispa import assert_df_equality
from pyspark.sql import functions as F
from workloads.manufacturing_queries import readings_as_of_machine_version
from workloads.star_schema import (
    InvalidShapeError,
    StarSchemaShape,
    machine_dimension_scd2,
    machine_ids,
    sensor_fact,
)

SMALL = StarSchemaShape(plants=2, lines_per_plant=2, machines_per_line=3, interval_seconds=60)


def test_fact_rows_depend_only_on_row_id_and_seed_not_on_partitioning(spark):
    one = sensor_fact(spark, 600, SMALL, seed=3, partitions=1)
    four = sensor_fact(spark, 600, SMALL, seed=3, partitions=4)

    assert one.count() == 600
    assert_df_equality(one, four, ignore_row_order=True)
    assert sorted(sensor_fact(spark, 600, SMALL, seed=4).collect()) != sorted(one.collect())


def test_every_machine_reports_once_per_interval_in_arrival_order(spark):
    fact = sensor_fact(spark, 12 * 10, SMALL)  # 12 machines, 10 intervals

    per_machine = fact.groupBy("machine_id").agg(F.count(F.lit(1)).alias("n"),
                                                 F.countDistinct("event_time").alias("times")).collect()
    span_s = fact.agg((F.max("event_time").cast("long") - F.min("event_time").cast("long")).alias("s")).first().s

    assert sorted(r.machine_id for r in per_machine) == sorted(machine_ids(SMALL))
    assert {(r.n, r.times) for r in per_machine} == {(10, 10)}
    assert span_s == 9 * 60
    assert SMALL.rows_per_day() == 12 * 1_440


def test_alarms_only_on_down_readings_and_scrap_never_exceeds_units(spark):
    fact = sensor_fact(spark, 5_000, SMALL)

    assert fact.where("alarm_code IS NOT NULL AND state <> 'DOWN'").count() == 0
    assert fact.where("state = 'DOWN' AND alarm_code IS NULL").count() == 0
    assert fact.where("units_scrapped > units_produced OR (state <> 'RUNNING' AND units_produced > 0)").count() == 0


def test_scd2_versions_chain_without_gaps_and_every_reading_matches_one(spark):
    ten_minutes = StarSchemaShape(plants=2, lines_per_plant=2, machines_per_line=3, interval_seconds=600)
    machines = machine_dimension_scd2(spark, ten_minutes, stream_days=1)
    fact = sensor_fact(spark, 12 * 144, ten_minutes)  # one day at one reading per 10 minutes per machine

    chained = machines.alias("a").join(machines.alias("b"), (F.col("a.machine_id") == F.col("b.machine_id"))
                                       & (F.col("a.valid_to") == F.col("b.valid_from")))
    joined = readings_as_of_machine_version(fact, machines)

    assert machines.where("valid_to IS NULL").count() == 12  # one current row per machine
    assert chained.count() == 12 * 2  # versions 1->2 and 2->3 of each machine touch
    assert joined.count() == fact.count()
    assert joined.where("machine_key IS NULL").count() == 0
    assert {r.firmware_version for r in joined.select("firmware_version").distinct().collect()} == {
        "1.4.2", "2.1.0", "2.2.1"}


@pytest.mark.parametrize("kwargs, message", [
    ({"plants": 7}, r"plants: expected a value in \[1, 6\], got 7"),
    ({"lines_per_plant": 10}, "expected at most 9 and 99"),
    ({"interval_seconds": 0}, "interval_seconds: expected at least 1, got 0"),
])
def test_impossible_shapes_raise_a_named_error(kwargs, message):
    with pytest.raises(InvalidShapeError, match=message):
        StarSchemaShape(**kwargs)


def test_consecutive_slices_make_the_same_stream_as_one_call(spark):
    whole = sensor_fact(spark, 200, SMALL)
    halves = sensor_fact(spark, 100, SMALL).unionByName(sensor_fact(spark, 100, SMALL, first_row=100))

    assert_df_equality(halves, whole, ignore_row_order=True)
