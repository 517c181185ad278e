"""Retail fiscal calendars (4-4-5, 4-5-4, 5-4-4) checked on known dates, incl. 53-week years.

Reference points: the NRF retail calendar (4-5-4, the year ends on the Saturday nearest January 31,
labelled by the year it starts in) had fiscal 2022 = 2022-01-30..2023-01-28, fiscal 2023 =
2023-01-29..2024-02-03 (53 weeks) and fiscal 2024 = 2024-02-04..2025-02-01.
"""

from __future__ import annotations

import datetime as dt

import pytest

from manufacturing_star_schema.calendars import build_dim_date
from manufacturing_star_schema.errors import InvalidSpecError
from manufacturing_star_schema.retail_calendar import RetailCalendarSpec, retail_fiscal_years

NRF = RetailCalendarSpec(
    pattern="4-5-4", year_end_month=1, week_ends_on="Saturday", year_end_rule="nearest", year_label="start"
)
LAST_SATURDAY_OF_DECEMBER = RetailCalendarSpec(pattern="4-4-5", year_end_month=12, year_end_rule="last")
D = dt.date


def test_nrf_years_have_the_published_boundaries_and_2023_has_53_weeks():
    years = retail_fiscal_years(NRF, D(2022, 6, 1), D(2024, 6, 1))

    assert [(y.fiscal_year, y.first_day, y.last_day, y.weeks) for y in years] == [
        (2022, D(2022, 1, 30), D(2023, 1, 28), 52),
        (2023, D(2023, 1, 29), D(2024, 2, 3), 53),  # Jan 31 2024 is a Wednesday: the nearest Saturday is Feb 3
        (2024, D(2024, 2, 4), D(2025, 2, 1), 52),
    ]


def test_the_last_rule_gives_a_53_week_year_when_december_31_is_the_week_end_day():
    years = retail_fiscal_years(LAST_SATURDAY_OF_DECEMBER, D(2022, 6, 1), D(2023, 6, 1))

    assert [(y.fiscal_year, y.first_day, y.last_day, y.weeks) for y in years] == [
        (2022, D(2021, 12, 26), D(2022, 12, 31), 53),  # 2022-12-31 is a Saturday
        (2023, D(2023, 1, 1), D(2023, 12, 30), 52),
    ]


def test_years_tile_the_calendar_without_gaps_or_overlaps():
    years = retail_fiscal_years(NRF, D(2000, 1, 1), D(2040, 12, 31))

    assert all(b.first_day == a.last_day + dt.timedelta(days=1) for a, b in zip(years, years[1:], strict=False))
    assert all((y.last_day - y.first_day).days + 1 == 7 * y.weeks for y in years)
    assert {y.weeks for y in years} == {52, 53}
    assert all(y.last_day.weekday() == 5 for y in years)  # every year ends on a Saturday


# (date, (fiscal_year, quarter, period, week, week_of_period, weeks_in_year))
NRF_DAYS = [
    (D(2023, 1, 29), (2023, 1, 1, 1, 1, 53)),  # first day of fiscal 2023
    (D(2023, 2, 26), (2023, 1, 2, 5, 1, 53)),  # 4-5-4: period 2 starts in week 5
    (D(2023, 4, 29), (2023, 1, 3, 13, 4, 53)),  # last day of quarter 1
    (D(2023, 4, 30), (2023, 2, 4, 14, 1, 53)),
    (D(2024, 1, 28), (2023, 4, 12, 53, 5, 53)),  # the 53rd week is appended to period 12
    (D(2024, 2, 3), (2023, 4, 12, 53, 5, 53)),
    (D(2024, 2, 4), (2024, 1, 1, 1, 1, 52)),
]
FOUR_FOUR_FIVE_DAYS = [
    (D(2023, 1, 1), (2023, 1, 1, 1, 1, 52)),
    (D(2023, 2, 26), (2023, 1, 3, 9, 1, 52)),  # 4-4-5: period 3 = weeks 9..13
    (D(2023, 12, 30), (2023, 4, 12, 52, 5, 52)),
    (D(2022, 12, 31), (2022, 4, 12, 53, 6, 53)),  # 53-week 2022: period 12 has 6 weeks
]
FIVE_FOUR_FOUR_DAYS = [
    (D(2023, 1, 29), (2023, 1, 1, 5, 5, 52)),  # 5-4-4: week 5 is still period 1
    (D(2023, 2, 5), (2023, 1, 2, 6, 1, 52)),
]


@pytest.mark.parametrize(
    ("spec", "days"),
    [
        (NRF, NRF_DAYS),
        (LAST_SATURDAY_OF_DECEMBER, FOUR_FOUR_FIVE_DAYS),
        (RetailCalendarSpec(pattern="5-4-4", year_end_month=12), FIVE_FOUR_FOUR_DAYS),
    ],
    ids=["4-5-4 NRF", "4-4-5 last Saturday", "5-4-4"],
)
def test_dim_date_retail_columns_on_known_dates(spark, spec, days):
    first, last = min(d for d, _ in days), max(d for d, _ in days)

    dim = build_dim_date(spark, first, last, retail_calendar=spec)

    columns = [
        "retail_fiscal_year",
        "retail_fiscal_quarter",
        "retail_fiscal_period",
        "retail_fiscal_week",
        "retail_week_of_period",
        "retail_weeks_in_year",
    ]
    rows = dim.collect()  # one Spark job: a few hundred days

    found = {r.calendar_date: tuple(r[c] for c in columns) for r in rows}
    assert {day: found[day] for day, _ in days} == dict(days)
    assert len(rows) == len(found) == (last - first).days + 1  # one row per day, none lost or doubled


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"pattern": "4-4-4"}, "pattern: expected one of"),
        ({"week_ends_on": "Caturday"}, "week_ends_on: expected one of"),
        ({"year_end_rule": "closest"}, "year_end_rule: expected one of"),
        ({"year_end_month": 0}, "year_end_month: expected 1..12, got 0"),
    ],
)
def test_an_impossible_retail_calendar_is_a_named_error(options, message):
    with pytest.raises(InvalidSpecError, match=message):
        RetailCalendarSpec(**options)
