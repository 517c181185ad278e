"""Machine configuration history as SCD Type 2: load, change, replay, late change, delete.

Run it (from the folder, after `make setup`):

    ../.venv/bin/python examples/scd2_machine_config_history.py

Prints the dim_machine table after each batch and the invariant check. Uses a temporary folder.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

from pyspark.sql import functions as F

from catalog_tools.spark import local_spark
from manufacturing_star_schema import Scd2Spec, assert_scd2_invariants, create_scd2_table, merge_scd2

CHANGES = "machine_id string, line_id string, firmware string, max_rpm int, change_ts timestamp"
SHOWN = ["machine_id", "firmware", "is_deleted", "valid_from", "valid_to", "is_current"]


def show(spark, path: str, title: str, result) -> None:
    outcomes = {r["outcome"]: r["count"] for r in result.outcomes.groupBy("outcome").count().collect()}
    print(f"== {title}: {dict(sorted(outcomes.items()))}")
    spark.read.format("delta").load(path).orderBy("machine_id", "valid_from").select(*SHOWN).show(
        truncate=False
    )


def run_example(spark, work_dir: Path) -> list[tuple]:
    """Apply the five batches, print the table after each, return the final (sorted) rows."""
    path = str(work_dir / "dim_machine")
    spec = Scd2Spec(natural_key=("machine_id",))
    create_scd2_table(spark, path, spark.createDataFrame([], CHANGES).drop("change_ts").schema, spec)
    day = lambda d: dt.datetime(2026, 3, d)  # noqa: E731
    monday = spark.createDataFrame(
        [("M1", "L1", "fw-1.0", 1200, day(2)), ("M2", "L1", "fw-1.0", 900, day(2))], CHANGES
    )
    thursday = spark.createDataFrame([("M1", "L1", "fw-2.0", 1200, day(5))], CHANGES)
    late = spark.createDataFrame([("M1", "L1", "fw-1.5", 1200, day(4))], CHANGES)
    delete = spark.createDataFrame([("M2", None, None, None, day(6))], CHANGES).withColumn(
        "is_deleted", F.lit(True)
    )
    for title, batch in [
        ("monday", monday),
        ("thursday", thursday),
        ("monday replayed", monday),
        ("late change from wednesday", late),
        ("M2 decommissioned", delete),
    ]:
        show(spark, path, title, merge_scd2(spark, path, batch, spec))
    final = spark.read.format("delta").load(path)
    print("invariants:", assert_scd2_invariants(final, ["machine_id"]))
    return [tuple(r) for r in final.orderBy("machine_id", "valid_from").select(*SHOWN).collect()]


def main() -> None:
    work_dir = Path(tempfile.mkdtemp(prefix="scd2-example-"))
    try:
        spark = local_spark(work_dir / "spark", app_name="scd2-example")
        run_example(spark, work_dir)
        spark.stop()
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
