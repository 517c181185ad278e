"""Hierarchy rollups and cubes, conformance mapping with unmapped codes reported, dim_date and dim_shift."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import local_frame

from manufacturing_star_schema.calendars import ShiftDefinition, assign_shift, build_dim_date, build_dim_shift
from manufacturing_star_schema.errors import InvalidSpecError
from manufacturing_star_schema.hierarchy import conform_codes, production_cube, production_rollup

OUTPUT = "division_id string, site_id string, plant_id string, line_id string, units bigint"


def test_rollup_names_each_level_and_a_null_member_is_not_a_subtotal(spark):
    output = local_frame(
        spark,
        [
            ("EU", "DE-East", "BER1", "L1", 10),
            ("EU", "DE-East", "BER1", "L2", 5),
            ("EU", "DE-East", "BER2", None, 7),  # line not recorded: NULL member, not a subtotal
            ("NA", "US-South", "AUS1", "L1", 20),
        ],
        OUTPUT,
    )

    rolled = production_rollup(output, ["division_id", "site_id", "plant_id", "line_id"], "units")

    totals = {(r.rollup_level, r.division_id, r.plant_id, r.line_id): r.units for r in rolled.collect()}
    assert totals[("grand_total", None, None, None)] == 42
    assert totals[("division_id", "EU", None, None)] == 22
    assert totals[("plant_id", "EU", "BER2", None)] == 7
    assert totals[("line_id", "EU", "BER2", None)] == 7  # the NULL line, labelled as a line row


def test_cube_gives_every_subtotal_combination(spark):
    output = local_frame(spark, [("EU", "s", "BER1", "L1", 10), ("NA", "s", "AUS1", "L1", 20)], OUTPUT)

    cube = production_cube(output, ["division_id", "line_id"], "units")

    assert cube.count() == 2 + 1 + 2 + 1  # (division, line), line only, division only, grand total
    assert cube.filter("grouping_id = 3").first().units == 30


def test_plant_codes_are_conformed_and_unmapped_codes_reported_not_dropped(spark):
    scrap = local_frame(
        spark,
        [
            ("BER1", "AUS-01", 3),  # Berlin's own code for 'material defect'
            ("AUS1", "MD", 2),  # Austin's own code for the same reason
            ("AUS1", "XX", 1),  # not mapped yet
        ],
        "plant_id string, local_reason_code string, units int",
    )
    mapping = local_frame(
        spark,
        [("BER1", "AUS-01", 501), ("AUS1", "MD", 501)],
        "plant_id string, local_reason_code string, reason_sk bigint",
    )

    conformed, unmapped = conform_codes(scrap, mapping, "plant_id", "local_reason_code", "reason_sk")

    assert sorted((r.local_reason_code, r.reason_sk) for r in conformed.collect()) == [
        ("AUS-01", 501),
        ("MD", 501),
        ("XX", -1),
    ]
    assert [tuple(r) for r in unmapped.collect()] == [("AUS1", "XX", 1)]
    assert conformed.count() == scrap.count()


@pytest.mark.parametrize(
    ("start_month", "label", "expected"),
    [
        (1, "end", (2026, 4, 10)),  # calendar year: October is Q4, period 10
        (10, "end", (2027, 1, 1)),  # FY2027 starts October 2026 (US federal style)
        (10, "start", (2026, 1, 1)),
        (4, "end", (2027, 3, 7)),  # April-March year: October is period 7
    ],
)
def test_dim_date_fiscal_calendar_options(spark, start_month, label, expected):
    dim = build_dim_date(spark, dt.date(2026, 10, 1), dt.date(2026, 10, 1), start_month, label)

    row = dim.first()
    assert (row.fiscal_year, row.fiscal_quarter, row.fiscal_period) == expected
    assert (row.date_key, row.day_of_week, row.is_weekend) == (20261001, 4, False)  # a Thursday


def test_dim_date_rejects_an_impossible_fiscal_month(spark):
    with pytest.raises(InvalidSpecError, match="expected 1..12, got 13"):
        build_dim_date(spark, dt.date(2026, 1, 1), dt.date(2026, 1, 2), fiscal_year_start_month=13)


def test_shifts_in_two_time_zones_and_a_night_shift_crossing_midnight(spark):
    shifts = build_dim_shift(
        spark,
        [
            ShiftDefinition("BER1", "day", "Europe/Berlin", "06:00", "22:00"),
            ShiftDefinition("BER1", "night", "Europe/Berlin", "22:00", "06:00"),
            ShiftDefinition("AUS1", "day", "America/Chicago", "07:00", "19:00"),
        ],
    )
    events = local_frame(
        spark,
        [
            (
                "e1",
                "BER1",
                dt.datetime(2026, 3, 10, 1, 0),
            ),  # 02:00 in Berlin on 10 March: night shift of 9 March
            ("e2", "BER1", dt.datetime(2026, 3, 10, 21, 30)),  # 22:30 Berlin: night shift of 10 March
            ("e3", "AUS1", dt.datetime(2026, 3, 10, 14, 0)),  # 09:00 in Austin (CDT, UTC-5): day shift
            ("e4", "AUS1", dt.datetime(2026, 3, 10, 3, 0)),  # 22:00 in Austin on 9 March: no shift
        ],
        "event_id string, plant_id string, event_ts timestamp",
    )

    assigned = {
        r.event_id: (r.shift_name, r.production_date)
        for r in assign_shift(events, shifts, "event_ts").collect()
    }

    assert assigned == {
        "e1": ("night", dt.date(2026, 3, 9)),
        "e2": ("night", dt.date(2026, 3, 10)),
        "e3": ("day", dt.date(2026, 3, 10)),
        "e4": (None, dt.date(2026, 3, 9)),
    }


def test_a_misspelled_time_zone_is_refused(spark):
    with pytest.raises(InvalidSpecError, match="expected an IANA time zone, got 'Europe/Berln'"):
        build_dim_shift(spark, [ShiftDefinition("BER1", "day", "Europe/Berln", "06:00", "22:00")])
