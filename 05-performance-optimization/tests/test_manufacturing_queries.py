"""The manufacturing query set gives the right answers on tiny, hand-checked data."""
from __future__ import annotations

import datetime as dt

import pytest
from chispa import assert_df_equality
from workloads.manufacturing_queries import (
    MissingColumnsError,
    hourly_temperature_percentiles,
    oee_per_line_per_shift,
    readings_as_of_machine_version,
    top_machines_by_alarms,
    vibration_by_firmware,
)
from workloads.star_schema import MACHINE_SCD2_SCHEMA, PLANT_SCHEMA

READING_SCHEMA = ("machine_id string, plant_id string, line_id string, event_time timestamp, temperature_c double,"
                  " vibration_mm_s double, state string, units_produced int, units_scrapped int, alarm_code string")


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


@pytest.fixture
def plants(spark):
    return spark.createDataFrame([("BER1", "Europe/Berlin"), ("CHI1", "America/Chicago")], PLANT_SCHEMA)


@pytest.fixture
def machines(spark):
    return spark.createDataFrame([
        # key, machine, plant, line, type, ideal cycle s, firmware, valid_from, valid_to
        (11, "BER1-L1-M01", "BER1", "BER1-L1", "cnc_mill", 30.0, "1.4.2", utc(2025, 12, 1), utc(2026, 1, 5, 12)),
        (12, "BER1-L1-M01", "BER1", "BER1-L1", "cnc_mill", 30.0, "2.1.0", utc(2026, 1, 5, 12), None),
        (21, "CHI1-L1-M01", "CHI1", "CHI1-L1", "press", 5.0, "1.4.2", utc(2025, 12, 1), None),
    ], MACHINE_SCD2_SCHEMA)


def reading(machine: str, at: dt.datetime, state: str = "RUNNING", units: int = 0, scrapped: int = 0,
            alarm: str | None = None, temperature: float = 50.0, vibration: float = 1.0) -> tuple:
    plant, line = machine[:4], machine[:7]
    return (machine, plant, line, at, temperature, vibration, state, units, scrapped, alarm)


def test_oee_multiplies_availability_performance_and_quality_per_local_shift(spark, machines, plants):
    readings = spark.createDataFrame([
        reading("BER1-L1-M01", utc(2026, 1, 5, 5, 30), units=2),  # 06:30 Berlin: shift A
        reading("BER1-L1-M01", utc(2026, 1, 5, 5, 31), units=1, scrapped=1),
        reading("BER1-L1-M01", utc(2026, 1, 5, 5, 32), state="DOWN", alarm="A101"),
        reading("BER1-L1-M01", utc(2026, 1, 5, 5, 33), state="IDLE"),
        reading("BER1-L1-M01", utc(2026, 1, 6, 1, 0), units=4),  # 02:00 Berlin on the 6th: shift C of the 5th
        reading("CHI1-L1-M01", utc(2026, 1, 5, 20, 0), units=6),  # 14:00 Chicago: shift B
    ], READING_SCHEMA)

    rows = {(r.line_id, str(r.shift_date), r.shift_code): r
            for r in oee_per_line_per_shift(readings, machines, plants, interval_seconds=60).collect()}

    assert set(rows) == {("BER1-L1", "2026-01-05", "A"), ("BER1-L1", "2026-01-05", "C"), ("CHI1-L1", "2026-01-05", "B")}
    shift_a = rows[("BER1-L1", "2026-01-05", "A")]
    assert (shift_a.planned_s, shift_a.running_s, shift_a.units, shift_a.good_units) == (240, 120, 3, 2)
    assert shift_a.availability == 0.5          # 120 s running of 240 s planned
    assert shift_a.performance == 0.75          # 3 units x 30 s ideal / 120 s running
    assert shift_a.quality == pytest.approx(2 / 3)
    assert shift_a.oee == pytest.approx(0.25)
    shift_c = rows[("BER1-L1", "2026-01-05", "C")]
    assert shift_c.performance == 1.0           # 4 x 30 s = 120 s ideal in 60 s running: capped at 1
    assert shift_c.oee == 1.0
    assert rows[("CHI1-L1", "2026-01-05", "B")].performance == 0.5  # 6 x 5 s / 60 s


def test_top_machines_by_alarms_ranks_per_plant_and_breaks_ties_by_machine_id(spark):
    at = utc(2026, 1, 5, 8)
    readings = spark.createDataFrame(
        [reading("BER1-L1-M02", at, "DOWN", alarm="A101")] * 3     # 3 alarms
        + [reading("BER1-L1-M01", at, "DOWN", alarm="A102")] * 3   # 3 alarms: ties with M02, smaller id wins
        + [reading("BER1-L1-M03", at, "DOWN", alarm="A103")]       # 1 alarm: third, cut by n=2
        + [reading("BER1-L1-M04", at)] * 5                          # no alarms at all
        + [reading("CHI1-L1-M01", at, "DOWN", alarm="A105")],      # the only machine of its plant
        READING_SCHEMA)

    top = top_machines_by_alarms(readings, n=2).select("plant_id", "rank", "machine_id", "alarms")

    expected = spark.createDataFrame(
        [("BER1", 1, "BER1-L1-M01", 3), ("BER1", 2, "BER1-L1-M02", 3), ("CHI1", 1, "CHI1-L1-M01", 1)],
        top.schema)
    assert_df_equality(top, expected, ignore_row_order=True)


def test_hourly_percentiles_are_values_of_the_hour_per_plant(spark):
    readings = spark.createDataFrame(
        [reading("BER1-L1-M01", utc(2026, 1, 5, 5, 0, t % 60), temperature=float(t)) for t in range(1, 101)]
        + [reading("BER1-L1-M01", utc(2026, 1, 5, 6, 15), temperature=42.0)],  # a lone reading next hour
        READING_SCHEMA)

    rows = {r.hour: r for r in hourly_temperature_percentiles(readings).collect()}

    five, six = rows[dt.datetime(2026, 1, 5, 5)], rows[dt.datetime(2026, 1, 5, 6)]
    assert (five.readings, five.p50, five.p95, five.p99) == (100, 50.0, 95.0, 99.0)
    assert (six.readings, six.p50, six.p95, six.p99) == (1, 42.0, 42.0, 42.0)


def test_as_of_join_picks_the_version_valid_at_event_time_and_keeps_every_reading(spark, machines):
    readings = spark.createDataFrame([
        reading("BER1-L1-M01", utc(2025, 11, 30), vibration=9.0),            # before the first version
        reading("BER1-L1-M01", utc(2026, 1, 5, 11, 59, 59), vibration=1.0),  # last second of 1.4.2
        reading("BER1-L1-M01", utc(2026, 1, 5, 12), vibration=3.0),          # valid_to is exclusive: 2.1.0
        reading("BER1-L1-M01", utc(2026, 2, 1), vibration=5.0),              # open version
    ], READING_SCHEMA)

    joined = readings_as_of_machine_version(readings, machines)
    keys = [r.machine_key for r in joined.orderBy("event_time").collect()]
    by_firmware = {r.firmware_version: (r.readings, r.avg_vibration_mm_s)
                   for r in vibration_by_firmware(readings, machines).collect()}

    assert joined.count() == readings.count()
    assert keys == [None, 11, 12, 12]
    assert by_firmware == {None: (1, 9.0), "1.4.2": (1, 1.0), "2.1.0": (2, 4.0)}


def test_a_frame_without_the_needed_columns_is_refused_by_name(spark, machines, plants):
    readings = spark.createDataFrame([("BER1-L1-M01", 1.0)], "machine_id string, temperature_c double")

    with pytest.raises(MissingColumnsError, match=r"readings: expected columns .* missing \['plant_id'"):
        oee_per_line_per_shift(readings, machines, plants, interval_seconds=60)
