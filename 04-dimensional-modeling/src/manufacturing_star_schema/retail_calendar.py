"""Retail fiscal calendars (4-4-5, 4-5-4, 5-4-4): weeks, periods, quarters and 53-week years.

A retail fiscal year is made of whole weeks that end on a fixed weekday, so every period holds the
same weekdays year over year. The year ends on that weekday either

* ``"last"``: the last such weekday in ``year_end_month`` (e.g. the last Saturday of December), or
* ``"nearest"``: the such weekday nearest the last day of ``year_end_month`` (it may fall in the
  first days of the next month; the NRF retail calendar ends on the Saturday nearest January 31).

A year therefore has 52 weeks (364 days) or, when its end lands 371 days after the previous end,
53 weeks. Each quarter has 13 weeks split into three periods by the pattern (4-4-5: 4, 4 and 5
weeks); the 53rd week is appended to the LAST period of the year, so in a 53-week year period 12
and quarter 4 are one week longer (the NRF convention).

The fiscal year is labelled by the calendar year of its ``year_end_month`` (``"end"``), or by the
calendar year of the month after the previous year-end month (``"start"``: NRF fiscal 2023 ran from
2023-01-29 to 2024-02-03). With ``year_end_month=12`` both labels are the same.

Example::

    >>> nrf = RetailCalendarSpec(pattern="4-5-4", year_end_month=1, week_ends_on="Saturday",
    ...                          year_end_rule="nearest", year_label="start")
    >>> [(y.fiscal_year, str(y.first_day), str(y.last_day), y.weeks)
    ...  for y in retail_fiscal_years(nrf, dt.date(2023, 6, 1), dt.date(2023, 6, 1))]
    [(2023, '2023-01-29', '2024-02-03', 53)]
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from itertools import accumulate

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from manufacturing_star_schema.errors import InvalidSpecError, MissingColumnsError

PATTERNS = {"4-4-5": (4, 4, 5), "4-5-4": (4, 5, 4), "5-4-4": (5, 4, 4)}
YEAR_END_RULES = ("last", "nearest")
YEAR_LABELS = ("end", "start")
WEEKDAYS = tuple(calendar.day_name)  # Monday .. Sunday, as date.weekday() numbers them


@dataclass(frozen=True)
class RetailCalendarSpec:
    """How a retail fiscal calendar is cut: period pattern, year-end month, week-end day, rule, label."""

    pattern: str = "4-4-5"
    year_end_month: int = 12
    week_ends_on: str = "Saturday"
    year_end_rule: str = "last"
    year_label: str = "end"

    def __post_init__(self) -> None:
        checks = [
            ("pattern", self.pattern, tuple(PATTERNS)),
            ("week_ends_on", self.week_ends_on, WEEKDAYS),
            ("year_end_rule", self.year_end_rule, YEAR_END_RULES),
            ("year_label", self.year_label, YEAR_LABELS),
        ]
        for name, value, allowed in checks:
            if value not in allowed:
                raise InvalidSpecError(f"{name}: expected one of {allowed}, got {value!r}")
        if not 1 <= self.year_end_month <= 12:
            raise InvalidSpecError(f"year_end_month: expected 1..12, got {self.year_end_month}")

    def period_weeks(self, weeks_in_year: int) -> list[int]:
        """Weeks per period 1..12; the 53rd week goes to period 12."""
        periods = list(PATTERNS[self.pattern]) * 4
        periods[-1] += weeks_in_year - 52
        return periods


@dataclass(frozen=True)
class RetailFiscalYear:
    """One fiscal year: its label, first and last day (inclusive) and number of weeks (52 or 53)."""

    fiscal_year: int
    first_day: dt.date
    last_day: dt.date
    weeks: int


def fiscal_year_end(spec: RetailCalendarSpec, anchor_year: int) -> dt.date:
    """The last day of the fiscal year anchored on ``year_end_month`` of ``anchor_year``."""
    month_end = dt.date(anchor_year, spec.year_end_month, calendar.monthrange(anchor_year, spec.year_end_month)[1])
    days_back = (month_end.weekday() - WEEKDAYS.index(spec.week_ends_on)) % 7
    last_in_month = month_end - dt.timedelta(days=days_back)
    if spec.year_end_rule == "nearest" and days_back > 3:
        return last_in_month + dt.timedelta(days=7)
    return last_in_month


def retail_fiscal_years(spec: RetailCalendarSpec, first_day: dt.date, last_day: dt.date) -> list[RetailFiscalYear]:
    """Every fiscal year that overlaps ``first_day..last_day``, in order."""
    if last_day < first_day:
        raise InvalidSpecError(f"expected first_day <= last_day, got {first_day} > {last_day}")
    years = []
    for anchor in range(first_day.year - 1, last_day.year + 2):
        end, previous_end = fiscal_year_end(spec, anchor), fiscal_year_end(spec, anchor - 1)
        start = previous_end + dt.timedelta(days=1)
        if end < first_day or start > last_day:
            continue
        label = anchor if spec.year_label == "end" or spec.year_end_month == 12 else anchor - 1
        years.append(RetailFiscalYear(label, start, end, (end - previous_end).days // 7))
    return years


def with_retail_fiscal_columns(
    days: DataFrame, spec: RetailCalendarSpec, date_column: str = "calendar_date"
) -> DataFrame:
    """Add ``retail_fiscal_year``, ``_quarter``, ``_period``, ``_week`` (1..53), ``retail_week_of_period``
    and ``retail_weeks_in_year`` (52/53) to a frame with one row per day.

    The fiscal years are computed on the driver (a handful of rows) and joined by date range.
    """
    if date_column not in days.columns:
        raise MissingColumnsError("days", [date_column], days.columns)
    bounds = days.agg(F.min(date_column), F.max(date_column)).first()
    if bounds[0] is None:
        raise InvalidSpecError(f"{date_column}: expected at least one day, got an empty frame")
    years = retail_fiscal_years(spec, bounds[0], bounds[1])
    year_rows = [(y.fiscal_year, y.first_day, y.last_day, y.weeks) for y in years]
    fiscal_years = days.sparkSession.createDataFrame(year_rows, "_fy int, _fy_first date, _fy_last date, _fy_weeks int")
    in_year = (F.col(date_column) >= F.col("_fy_first")) & (F.col(date_column) <= F.col("_fy_last"))
    week = (F.datediff(F.col(date_column), F.col("_fy_first")) / 7).cast("int") + 1

    def period_of(weeks_in_year: int) -> tuple[F.Column, F.Column]:
        ends = list(accumulate(spec.period_weeks(weeks_in_year)))
        period, period_start = F.lit(12), F.lit(ends[10] + 1)
        for number in range(11, 0, -1):  # first period whose last week >= week
            first_week = ends[number - 2] + 1 if number > 1 else 1
            period = F.when(F.col("_week") <= ends[number - 1], number).otherwise(period)
            period_start = F.when(F.col("_week") <= ends[number - 1], first_week).otherwise(period_start)
        return period, period_start

    period_52, start_52 = period_of(52)
    period_53, start_53 = period_of(53)
    long_year = F.col("_fy_weeks") == 53
    return (
        days.join(F.broadcast(fiscal_years), in_year, "left")
        .withColumn("_week", week)
        .withColumn("retail_fiscal_period", F.when(long_year, period_53).otherwise(period_52).cast("int"))
        .withColumn("_period_start", F.when(long_year, start_53).otherwise(start_52))
        .select(
            *days.columns,
            F.col("_fy").alias("retail_fiscal_year"),
            ((F.col("retail_fiscal_period") - 1) / 3 + 1).cast("int").alias("retail_fiscal_quarter"),
            "retail_fiscal_period",
            F.col("_week").alias("retail_fiscal_week"),
            (F.col("_week") - F.col("_period_start") + 1).cast("int").alias("retail_week_of_period"),
            F.col("_fy_weeks").alias("retail_weeks_in_year"),
        )
    )
