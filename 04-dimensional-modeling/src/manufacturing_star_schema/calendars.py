"""dim_date with fiscal calendar options, and dim_shift for plants in several time zones.

Shifts are defined in the plant's local wall-clock time. A shift that crosses midnight (22:00-06:00)
belongs to the production day on which it STARTED: a reading at 02:00 local on 10 March is night
shift of 9 March. Local time comes from ``from_utc_timestamp`` with the plant's IANA zone, so daylight
saving changes are handled by the zone database.

Example::

    >>> days = build_dim_date(spark, dt.date(2026, 1, 1), dt.date(2026, 12, 31), 10)  # doctest: +SKIP
    >>> night = ShiftDefinition("BER1", "night", "Europe/Berlin", "22:00", "06:00")
    >>> shifts = build_dim_shift(spark, [night])  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from manufacturing_star_schema.errors import InvalidSpecError, MissingColumnsError
from manufacturing_star_schema.hashing import hash_key
from manufacturing_star_schema.retail_calendar import RetailCalendarSpec, with_retail_fiscal_columns
from manufacturing_star_schema.surrogate_keys import UNKNOWN_MEMBER_KEY

FISCAL_YEAR_LABELS = ("end", "start")


def build_dim_date(
    spark: SparkSession,
    first_day: dt.date,
    last_day: dt.date,
    fiscal_year_start_month: int = 1,
    fiscal_year_label: str = "end",
    retail_calendar: RetailCalendarSpec | None = None,
) -> DataFrame:
    """One row per day. The fiscal year starts on day 1 of ``fiscal_year_start_month``.

    ``fiscal_year_label="end"``: a year from Oct 2026 to Sep 2027 is FY2027 (the usual US style);
    ``"start"``: it is FY2026. ``fiscal_period`` is the month number within the fiscal year (1..12).
    ``retail_calendar`` adds the ``retail_*`` columns of a 4-4-5 / 4-5-4 / 5-4-4 week-based fiscal
    calendar (see ``retail_calendar.py``).
    """
    if not 1 <= fiscal_year_start_month <= 12:
        raise InvalidSpecError(f"fiscal_year_start_month: expected 1..12, got {fiscal_year_start_month}")
    if fiscal_year_label not in FISCAL_YEAR_LABELS:
        raise InvalidSpecError(
            f"fiscal_year_label: expected one of {FISCAL_YEAR_LABELS}, got {fiscal_year_label!r}"
        )
    if last_day < first_day:
        raise InvalidSpecError(f"expected first_day <= last_day, got {first_day} > {last_day}")
    days = spark.sql(f"SELECT explode(sequence(DATE'{first_day}', DATE'{last_day}')) AS calendar_date")
    period = F.pmod(F.month("calendar_date") - fiscal_year_start_month, F.lit(12)) + 1
    starts_in_year = F.year("calendar_date") - F.when(
        F.month("calendar_date") < fiscal_year_start_month, 1
    ).otherwise(0)
    shift_label = 1 if fiscal_year_label == "end" and fiscal_year_start_month != 1 else 0
    dim_date = days.select(
        F.date_format("calendar_date", "yyyyMMdd").cast("int").alias("date_key"),
        "calendar_date",
        F.year("calendar_date").alias("year"),
        F.quarter("calendar_date").alias("quarter"),
        F.month("calendar_date").alias("month"),
        F.dayofmonth("calendar_date").alias("day_of_month"),
        ((F.dayofweek("calendar_date") + 5) % 7 + 1).alias("day_of_week"),
        F.weekofyear("calendar_date").alias("iso_week"),
        F.dayofweek("calendar_date").isin(1, 7).alias("is_weekend"),
        (starts_in_year + shift_label).cast("int").alias("fiscal_year"),
        ((period - 1) / 3 + 1).cast("int").alias("fiscal_quarter"),
        period.cast("int").alias("fiscal_period"),
    )
    if retail_calendar is None:
        return dim_date
    return with_retail_fiscal_columns(dim_date, retail_calendar)


@dataclass(frozen=True)
class ShiftDefinition:
    """One shift of one plant, in local wall-clock time ``HH:MM``; end before start crosses midnight."""

    plant_id: str
    shift_name: str
    time_zone: str
    start: str
    end: str

    def minutes(self, value: str) -> int:
        try:
            hours, minutes = (int(part) for part in value.split(":"))
        except ValueError as error:
            raise InvalidSpecError(
                f"{self.plant_id}/{self.shift_name}: expected HH:MM, got {value!r}"
            ) from error
        if not (0 <= hours < 24 and 0 <= minutes < 60):
            raise InvalidSpecError(
                f"{self.plant_id}/{self.shift_name}: expected HH:MM within a day, got {value!r}"
            )
        return hours * 60 + minutes


def build_dim_shift(spark: SparkSession, shifts: Sequence[ShiftDefinition]) -> DataFrame:
    """dim_shift rows; every time zone is checked against the zone database first."""
    rows = []
    for shift in shifts:
        try:
            ZoneInfo(shift.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise InvalidSpecError(
                f"{shift.plant_id}/{shift.shift_name}: expected an IANA time zone, got {shift.time_zone!r}"
            ) from error
        start, end = shift.minutes(shift.start), shift.minutes(shift.end)
        if start == end:
            raise InvalidSpecError(
                f"{shift.plant_id}/{shift.shift_name}: expected start != end, got {shift.start}"
            )
        rows.append((shift.plant_id, shift.shift_name, shift.time_zone, start, end, end < start))
    frame = spark.createDataFrame(
        rows,
        "plant_id string, shift_name string, time_zone string, start_minute int, end_minute int, "
        "crosses_midnight boolean",
    )
    return frame.select(hash_key(["plant_id", "shift_name"]).alias("shift_key"), *frame.columns)


def assign_shift(
    events: DataFrame, dim_shift: DataFrame, event_ts: str, plant_column: str = "plant_id"
) -> DataFrame:
    """Add ``shift_key``, ``shift_name`` and ``production_date`` (the local day the shift started).

    An event outside every shift of its plant gets ``shift_key = -1`` and a NULL shift name.
    """
    if not {event_ts, plant_column} <= set(events.columns):
        raise MissingColumnsError("events", [event_ts, plant_column], events.columns)
    zones = dim_shift.select(F.col("plant_id").alias("_plant"), F.col("time_zone").alias("_zone")).distinct()
    local = (
        events.join(zones, F.col(plant_column) == F.col("_plant"), "left")
        .withColumn("_local", F.from_utc_timestamp(F.col(event_ts), F.col("_zone")))
        .withColumn("_minute", F.hour("_local") * 60 + F.minute("_local"))
    )
    shifts = dim_shift.select(
        F.col("plant_id").alias("_s_plant"),
        "shift_key",
        "shift_name",
        "start_minute",
        "end_minute",
        "crosses_midnight",
    )
    in_shift = F.when(
        F.col("crosses_midnight"),
        (F.col("_minute") >= F.col("start_minute")) | (F.col("_minute") < F.col("end_minute")),
    ).otherwise((F.col("_minute") >= F.col("start_minute")) & (F.col("_minute") < F.col("end_minute")))
    joined = local.join(shifts, (F.col("_plant") == F.col("_s_plant")) & in_shift, "left")
    started_yesterday = F.col("crosses_midnight") & (F.col("_minute") < F.col("end_minute"))
    return joined.select(
        *events.columns,
        F.coalesce("shift_key", F.lit(UNKNOWN_MEMBER_KEY).cast("bigint")).alias("shift_key"),
        "shift_name",
        F.when(started_yesterday, F.date_sub(F.to_date("_local"), 1))
        .otherwise(F.to_date("_local"))
        .alias("production_date"),
    )
