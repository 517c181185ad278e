"""Planned cycle time per program version, and machine cycles joined to the version that ran.

Example::

    planned = planned_cycle_times(spark.read.format("delta").load(history_path))
    cycles_with_plan = join_cycles_to_plan(cycles, planned)   # actual vs planned, per cycle
"""
from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F


class CycleInputError(ValueError):
    """A cycle DataFrame lacks the columns the join needs."""


def planned_cycle_times(history: DataFrame) -> DataFrame:
    """program_id, version, robot_id, cell_id, planned_cycle_time_s, valid_from, valid_to."""
    return history.select(
        "program_id", "version", "robot_id", "cell_id",
        F.col("target_cycle_time_s").alias("planned_cycle_time_s"), "valid_from", "valid_to",
    )


def join_cycles_to_plan(cycles: DataFrame, planned: DataFrame) -> DataFrame:
    """Each cycle (program_id, cycle_start, actual_cycle_time_s, ...) with the version valid at its
    start, its planned cycle time and the deviation; cycles before any release keep NULLs."""
    missing = {"program_id", "cycle_start", "actual_cycle_time_s"} - set(cycles.columns)
    if missing:
        raise CycleInputError(
            "expected columns program_id, cycle_start, actual_cycle_time_s, "
            f"got {cycles.columns} (missing {sorted(missing)})"
        )
    plan = planned.select(
        F.col("program_id").alias("_program_id"), "version", "planned_cycle_time_s", "valid_from", "valid_to"
    )
    during = (
        (cycles["program_id"] == plan["_program_id"])
        & (cycles["cycle_start"] >= plan["valid_from"])
        & (plan["valid_to"].isNull() | (cycles["cycle_start"] < plan["valid_to"]))
    )
    return (
        cycles.join(plan, during, "left")
        .drop("_program_id", "valid_from", "valid_to")
        .withColumn("deviation_s", F.col("actual_cycle_time_s") - F.col("planned_cycle_time_s"))
    )
