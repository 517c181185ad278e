"""Manufacturing queries over the sensor star schema, as pure functions from DataFrames to a DataFrame.

The same queries serve the performance runs (``benchmarks/manufacturing_queries.py``) and any
project with a fact of readings and the two dimensions of :mod:`star_schema`:

- :func:`oee_per_line_per_shift`: availability x performance x quality per line and local shift;
- :func:`top_machines_by_alarms`: the N machines per plant with the most alarms;
- :func:`hourly_temperature_percentiles`: p50/p95/p99 temperature per plant and hour;
- :func:`readings_as_of_machine_version`: each reading joined to the SCD2 machine row valid at its
  event time, and :func:`vibration_by_firmware` on top of it.

Each function checks its inputs' columns first and raises :class:`MissingColumnsError`.

Example::

    >>> oee = oee_per_line_per_shift(readings, machines, plants, interval_seconds=10)  # doctest: +SKIP
    >>> oee.orderBy("oee").show(3)  # doctest: +SKIP
"""
from __future__ import annotations

from collections.abc import Iterable

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

READING_COLUMNS = ("machine_id", "plant_id", "line_id", "event_time")
SHIFT_START_HOURS = {"A": 6, "B": 14, "C": 22}  # local time; shift C runs past midnight


class MissingColumnsError(ValueError):
    """An input DataFrame lacks columns a query needs."""


def require_columns(frame: DataFrame, name: str, columns: Iterable[str]) -> None:
    """Raise :class:`MissingColumnsError` naming the expected and the actual columns."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MissingColumnsError(f"{name}: expected columns {sorted(columns)}, missing {missing}; "
                                  f"has {frame.columns}")


def with_local_shift(readings: DataFrame, plants: DataFrame) -> DataFrame:
    """Add ``local_time``, ``shift_code`` (A 06-14, B 14-22, C 22-06) and ``shift_date`` per the plant's zone.

    A reading at 02:00 local on 6 January belongs to shift C of 5 January: ``shift_date`` is the
    local date six hours earlier.
    """
    require_columns(readings, "readings", READING_COLUMNS)
    require_columns(plants, "plants", ("plant_id", "time_zone"))
    local = F.from_utc_timestamp("event_time", F.col("time_zone"))
    hour = F.hour("local_time")
    return (readings.join(F.broadcast(plants.select("plant_id", "time_zone")), "plant_id")
            .withColumn("local_time", local)
            .withColumn("shift_code", F.when((hour >= 6) & (hour < 14), "A").when((hour >= 14) & (hour < 22), "B")
                        .otherwise("C"))
            .withColumn("shift_date", F.to_date(F.col("local_time") - F.expr("INTERVAL 6 HOURS")))
            .drop("time_zone"))


def current_machines(machines_scd2: DataFrame) -> DataFrame:
    """The open rows of an SCD2 machine dimension (``valid_to`` is null)."""
    require_columns(machines_scd2, "machines", ("machine_id", "valid_to"))
    return machines_scd2.where(F.col("valid_to").isNull())


def oee_per_line_per_shift(readings: DataFrame, machines_scd2: DataFrame, plants: DataFrame,
                           interval_seconds: int) -> DataFrame:
    """OEE per plant, line, shift date and shift code.

    Every reading stands for ``interval_seconds`` of planned machine time. Availability = running
    time / planned time; performance = units x ideal cycle time / running time (at most 1);
    quality = (units - scrapped) / units; OEE is their product.
    """
    require_columns(readings, "readings", (*READING_COLUMNS, "state", "units_produced", "units_scrapped"))
    require_columns(machines_scd2, "machines", ("machine_id", "ideal_cycle_s", "valid_to"))
    cycles = F.broadcast(current_machines(machines_scd2).select("machine_id", "ideal_cycle_s"))
    running = F.when(F.col("state") == "RUNNING", interval_seconds).otherwise(0)
    totals = (with_local_shift(readings, plants).join(cycles, "machine_id")
              .groupBy("plant_id", "line_id", "shift_date", "shift_code")
              .agg((F.count(F.lit(1)) * interval_seconds).alias("planned_s"),
                   F.sum(running).alias("running_s"),
                   F.sum("units_produced").alias("units"),
                   F.sum(F.col("units_produced") - F.col("units_scrapped")).alias("good_units"),
                   F.sum(F.col("units_produced") * F.col("ideal_cycle_s")).alias("ideal_s")))
    availability = F.col("running_s") / F.col("planned_s")
    performance = F.when(F.col("running_s") > 0, F.least(F.lit(1.0), F.col("ideal_s") / F.col("running_s"))) \
        .otherwise(0.0)
    quality = F.when(F.col("units") > 0, F.col("good_units") / F.col("units")).otherwise(0.0)
    return (totals.withColumn("availability", availability).withColumn("performance", performance)
            .withColumn("quality", quality)
            .withColumn("oee", F.col("availability") * F.col("performance") * F.col("quality"))
            .drop("ideal_s"))


def top_machines_by_alarms(readings: DataFrame, n: int = 5) -> DataFrame:
    """The ``n`` machines per plant with the most alarms; ties go to the smaller machine id."""
    require_columns(readings, "readings", ("machine_id", "plant_id", "alarm_code"))
    if n < 1:
        raise ValueError(f"n: expected at least 1, got {n}")
    counts = (readings.where(F.col("alarm_code").isNotNull())
              .groupBy("plant_id", "machine_id").agg(F.count(F.lit(1)).alias("alarms")))
    rank = F.row_number().over(Window.partitionBy("plant_id").orderBy(F.desc("alarms"), "machine_id"))
    return counts.withColumn("rank", rank).where(F.col("rank") <= n)


def hourly_temperature_percentiles(readings: DataFrame, percentiles: tuple[float, ...] = (0.5, 0.95, 0.99),
                                   accuracy: int = 10_000) -> DataFrame:
    """``p50``, ``p95``, ``p99`` (``percentile_approx``) of temperature per plant and UTC hour.

    ``percentile_approx`` returns a value of the column (no interpolation); its error is at most
    1 / ``accuracy`` of the group's row count in rank.
    """
    require_columns(readings, "readings", ("plant_id", "event_time", "temperature_c"))
    if not percentiles or any(not 0 <= p <= 1 for p in percentiles):
        raise ValueError(f"percentiles: expected values in [0, 1], got {percentiles}")
    quantiles = F.percentile_approx("temperature_c", list(percentiles), accuracy)
    aggregated = (readings.groupBy("plant_id", F.date_trunc("hour", "event_time").alias("hour"))
                  .agg(F.count(F.lit(1)).alias("readings"), quantiles.alias("q")))
    return aggregated.select("plant_id", "hour", "readings",
                             *[F.col("q")[i].alias(f"p{round(p * 100):02d}") for i, p in enumerate(percentiles)])


def readings_as_of_machine_version(readings: DataFrame, machines_scd2: DataFrame) -> DataFrame:
    """Each reading with the machine row valid at its event time (``valid_from <= t < valid_to``).

    A left join: a reading from before the machine's first version keeps null dimension columns
    (``machine_key`` null) instead of being dropped, so rows out = rows in. The dimension is
    broadcast: a DataFrame built from a Python list has no size estimate, and without the hint
    Spark shuffles every reading into a sort-merge join (the analyzer's "avoidable shuffle").
    """
    require_columns(readings, "readings", ("machine_id", "event_time"))
    require_columns(machines_scd2, "machines", ("machine_key", "machine_id", "firmware_version", "machine_type",
                                                "valid_from", "valid_to"))
    versions = machines_scd2.select(F.col("machine_id").alias("dim_machine_id"), "machine_key", "machine_type",
                                    "firmware_version", "valid_from", "valid_to")
    condition = ((F.col("machine_id") == F.col("dim_machine_id")) & (F.col("event_time") >= F.col("valid_from"))
                 & (F.col("valid_to").isNull() | (F.col("event_time") < F.col("valid_to"))))
    return readings.join(F.broadcast(versions), condition, "left").drop("dim_machine_id", "valid_from", "valid_to")


def vibration_by_firmware(readings: DataFrame, machines_scd2: DataFrame) -> DataFrame:
    """Readings, mean and max vibration per machine type and the firmware running at the time."""
    require_columns(readings, "readings", ("machine_id", "event_time", "vibration_mm_s"))
    return (readings_as_of_machine_version(readings, machines_scd2)
            .groupBy("machine_type", "firmware_version")
            .agg(F.count(F.lit(1)).alias("readings"), F.avg("vibration_mm_s").alias("avg_vibration_mm_s"),
                 F.max("vibration_mm_s").alias("max_vibration_mm_s")))


def hourly_machine_summary(readings: DataFrame, machines_scd2: DataFrame) -> DataFrame:
    """Per machine and hour: readings, mean temperature, max vibration, units, alarms, firmware.

    The scaling benchmark's job: an as-of join to the SCD2 dimension and an aggregation whose
    group count grows with the data (one group per machine-hour).
    """
    require_columns(readings, "readings", ("machine_id", "event_time", "temperature_c", "vibration_mm_s",
                                           "units_produced", "alarm_code"))
    return (readings_as_of_machine_version(readings, machines_scd2)
            .groupBy("machine_id", F.date_trunc("hour", "event_time").alias("hour"), "firmware_version")
            .agg(F.count(F.lit(1)).alias("readings"), F.avg("temperature_c").alias("avg_temperature_c"),
                 F.max("vibration_mm_s").alias("max_vibration_mm_s"), F.sum("units_produced").alias("units"),
                 F.count("alarm_code").alias("alarms")))
