"""A generated manufacturing star schema for repeatable performance runs, built by Spark itself.

Small dimensions (plants, machines as an SCD Type 2 history) and a sensor fact of any size made
with ``spark.range`` and column expressions, so 50 million rows need no Python loop. The fact is
in arrival order: every machine reports once per ``interval_seconds``, machine after machine, so
a day of data is ``machines x 86,400 / interval_seconds`` rows. Every value is a function of the
row id and the seed, so the same arguments give the same rows whatever the partitioning.

Example::

    >>> shape = StarSchemaShape()
    >>> len(machine_ids(shape)), machine_ids(shape)[0]
    (240, 'BER1-L1-M01')
    >>> fact = sensor_fact(spark, rows=1_000_000, shape=shape)  # doctest: +SKIP
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import (
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

PLANTS = (("BER1", "Europe/Berlin"), ("CHI1", "America/Chicago"), ("SHA1", "Asia/Shanghai"),
          ("BRN1", "Europe/Prague"), ("MTY1", "America/Monterrey"), ("PNQ1", "Asia/Kolkata"))
# machine type and its ideal cycle time in seconds (one unit per cycle at full speed)
MACHINE_TYPES = (("cnc_mill", 30.0), ("injection_molder", 20.0), ("press", 5.0), ("test_bench", 45.0))
FIRMWARE_TRAIN = ("1.4.2", "2.1.0", "2.2.1")
ALARM_CODES = ("A101", "A102", "A103", "A104", "A105")
DEFAULT_START = dt.datetime(2026, 1, 5, 6, 0, tzinfo=dt.UTC)

PLANT_SCHEMA = StructType([StructField("plant_id", StringType(), False), StructField("time_zone", StringType(), False)])
MACHINE_SCD2_SCHEMA = StructType([
    StructField("machine_key", LongType(), False), StructField("machine_id", StringType(), False),
    StructField("plant_id", StringType(), False), StructField("line_id", StringType(), False),
    StructField("machine_type", StringType(), False), StructField("ideal_cycle_s", DoubleType(), False),
    StructField("firmware_version", StringType(), False), StructField("valid_from", TimestampType(), False),
    StructField("valid_to", TimestampType(), True),
])


class InvalidShapeError(ValueError):
    """A star schema shape or size outside the range the generator supports."""


@dataclass(frozen=True)
class StarSchemaShape:
    """How many plants, lines and machines, and when the sensor stream starts."""

    plants: int = 6
    lines_per_plant: int = 4
    machines_per_line: int = 10
    interval_seconds: int = 10
    start: dt.datetime = field(default=DEFAULT_START)

    def __post_init__(self) -> None:
        if not 1 <= self.plants <= len(PLANTS):
            raise InvalidShapeError(f"plants: expected a value in [1, {len(PLANTS)}], got {self.plants}")
        for name in ("lines_per_plant", "machines_per_line", "interval_seconds"):
            if getattr(self, name) < 1:
                raise InvalidShapeError(f"{name}: expected at least 1, got {getattr(self, name)}")
        if self.lines_per_plant > 9 or self.machines_per_line > 99:
            raise InvalidShapeError(f"lines_per_plant, machines_per_line: expected at most 9 and 99 (ids are"
                                    f" <plant>-L<n>-M<nn>), got {self.lines_per_plant} and {self.machines_per_line}")
        if self.start.tzinfo is None:
            raise InvalidShapeError(f"start: expected a timezone-aware datetime, got {self.start!r}")

    @property
    def machines(self) -> int:
        return self.plants * self.lines_per_plant * self.machines_per_line

    def rows_per_day(self) -> int:
        return self.machines * 86_400 // self.interval_seconds


def machine_ids(shape: StarSchemaShape) -> list[str]:
    """``<plant>-L<line>-M<nn>`` for every machine, plant by plant, line by line."""
    return [f"{plant}-L{line}-M{machine:02d}" for plant, _ in PLANTS[:shape.plants]
            for line in range(1, shape.lines_per_plant + 1) for machine in range(1, shape.machines_per_line + 1)]


def _machine_type_index(machine_index: int, shape: StarSchemaShape) -> int:
    line, machine = divmod(machine_index % (shape.lines_per_plant * shape.machines_per_line), shape.machines_per_line)
    return (line + machine) % len(MACHINE_TYPES)


def plant_dimension(spark: SparkSession, shape: StarSchemaShape) -> DataFrame:
    """One row per plant with its IANA time zone (shifts are local time)."""
    return spark.createDataFrame(list(PLANTS[:shape.plants]), PLANT_SCHEMA)


def machine_dimension_scd2(spark: SparkSession, shape: StarSchemaShape, history_days: int = 90,
                           stream_days: float = 30.0) -> DataFrame:
    """Three versions per machine (one per firmware), ``valid_to`` exclusive, null on the current row.

    The first version starts ``history_days`` before the stream; the upgrades fall at a
    machine-specific point in the first and second third of ``stream_days``.
    """
    rows = []
    for index, machine_id in enumerate(machine_ids(shape)):
        plant_id, line_number = machine_id.split("-")[0], machine_id.split("-")[1]
        machine_type, ideal_cycle_s = MACHINE_TYPES[_machine_type_index(index, shape)]
        offset = dt.timedelta(hours=(index * 7) % 48)
        changes = [shape.start - dt.timedelta(days=history_days),
                   shape.start + dt.timedelta(days=stream_days / 3) + offset,
                   shape.start + dt.timedelta(days=2 * stream_days / 3) + offset]
        for version, firmware in enumerate(FIRMWARE_TRAIN):
            valid_to = changes[version + 1] if version + 1 < len(changes) else None
            rows.append((index * 10 + version + 1, machine_id, plant_id, f"{plant_id}-{line_number}", machine_type,
                         ideal_cycle_s, firmware, changes[version], valid_to))
    return spark.createDataFrame(rows, MACHINE_SCD2_SCHEMA)


def _uniform(row_id: Column, seed: int, salt: int) -> Column:
    """A value in [0, 1) that depends only on the row id, the seed and the salt."""
    return (F.pmod(F.xxhash64(row_id, F.lit(seed), F.lit(salt)), F.lit(1 << 24)) / float(1 << 24))


def sensor_fact(spark: SparkSession, rows: int, shape: StarSchemaShape | None = None, seed: int = 7,
                partitions: int | None = None, first_row: int = 0) -> DataFrame:
    """``rows`` sensor readings in arrival order, starting at reading number ``first_row``.

    ``sensor_fact(spark, 100, first_row=100)`` is the second hundred of ``sensor_fact(spark, 200)``,
    which makes consecutive appends of one stream.

    Columns: ``machine_id``, ``plant_id``, ``line_id``, ``event_time``, ``temperature_c``,
    ``vibration_mm_s``, ``pressure_bar``, ``state`` (RUNNING 80 %, IDLE 10 %, DOWN 10 %),
    ``units_produced`` (about 0.9 x interval / ideal cycle while running), ``units_scrapped``
    and ``alarm_code`` (one of ``ALARM_CODES`` when DOWN, else null).
    """
    shape = shape or StarSchemaShape()
    if rows < 1 or first_row < 0:
        raise InvalidShapeError(f"rows, first_row: expected at least 1 and 0, got {rows} and {first_row}")
    ids = machine_ids(shape)
    cycle = [MACHINE_TYPES[_machine_type_index(i, shape)][1] for i in range(len(ids))]
    row_id = F.col("id")
    machine_index = F.pmod(row_id, F.lit(len(ids))).cast(IntegerType()) + 1
    machine = F.element_at(F.array(*[F.lit(m) for m in ids]), machine_index)
    ideal_cycle = F.element_at(F.array(*[F.lit(c) for c in cycle]), machine_index)
    state_draw = _uniform(row_id, seed, 1)
    state = F.when(state_draw < 0.8, "RUNNING").when(state_draw < 0.9, "IDLE").otherwise("DOWN")
    units = F.when(state == "RUNNING",
                   F.floor(_uniform(row_id, seed, 2) * 1.8 * shape.interval_seconds / ideal_cycle)).otherwise(0)
    start_s = int(shape.start.timestamp())
    end = first_row + rows
    base = spark.range(first_row, end, 1, partitions) if partitions else spark.range(first_row, end)
    return base.select(
        machine.alias("machine_id"),
        F.substring(machine, 1, 4).alias("plant_id"),
        F.substring(machine, 1, 7).alias("line_id"),
        F.timestamp_seconds(F.lit(start_s) + F.floor(row_id / len(ids)) * shape.interval_seconds).alias("event_time"),
        F.round(20 + _uniform(row_id, seed, 3) * 70, 2).alias("temperature_c"),
        F.round(0.1 + _uniform(row_id, seed, 4) * 11.9, 2).alias("vibration_mm_s"),
        F.round(1 + _uniform(row_id, seed, 5) * 249, 1).alias("pressure_bar"),
        state.alias("state"),
        units.cast(IntegerType()).alias("units_produced"),
        F.when((units > 0) & (_uniform(row_id, seed, 6) < 0.03), 1).otherwise(0).alias("units_scrapped"),
        F.when(state == "DOWN", F.element_at(F.array(*[F.lit(a) for a in ALARM_CODES]),
                                             F.floor(_uniform(row_id, seed, 7) * len(ALARM_CODES)).cast("int") + 1))
        .alias("alarm_code"),
    )
