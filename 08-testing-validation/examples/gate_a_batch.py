"""Gate one batch of sensor readings with the sensor contract: results per rule, quarantine, counts.

Run from the folder (after `make setup` at the repo root)::

    python examples/gate_a_batch.py

Prints the batch, each rule's outcome, the quarantined rows with the rules they failed, and the
counts (rows in = rows written + rows quarantined). Tables go to a temporary folder.
"""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from pyspark.sql import SparkSession

from catalog_tools.spark import local_spark
from plant_data_quality import evaluate_contract, load_contract, write_gated_run

FOLDER = Path(__file__).resolve().parents[1]
NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
COLUMNS = ("event_id string, machine_id string, event_time timestamp, ingested_at timestamp, temperature_c double, "
           "vibration_mm_s double, pressure_bar double, status string, firmware_version string")


def batch(spark: SparkSession):
    later = T0 + dt.timedelta(seconds=5)
    return spark.createDataFrame([
        ("e1", "M-0001", T0, later, 61.5, 1.2, 5.5, "running", "2.1.0"),
        ("e2", "M-0001", T0, later, 999.0, 1.2, 5.5, "running", "2.1.0"),    # sensor glitch
        ("e3", "M-0002", T0, later, 58.0, 1.1, 5.4, "exploded", "2.1.0"),    # unknown status
        ("e4", "M-0042", T0, later, 57.0, 1.0, 5.6, "idle", "2.1.0"),        # machine not in dim_machine
        ("e4", "M-0042", T0, later, 57.0, 1.0, 5.6, "idle", "2.1.0"),        # and sent twice
        ("e5", "M-0003", T0, later, 60.0, 1.3, 5.5, "running", "beta"),      # odd firmware: warn only
    ], COLUMNS)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="gate-a-batch-") as workdir:
        spark = local_spark(Path(workdir) / "spark", app_name="gate-a-batch", shuffle_partitions=1)
        contract = load_contract(FOLDER / "contracts" / "sensor_readings.yaml")
        machines = spark.createDataFrame([("M-0001",), ("M-0002",), ("M-0003",)], "machine_id string")
        readings = batch(spark)
        readings.select("event_id", "machine_id", "temperature_c", "status", "firmware_version").show()

        run = evaluate_contract(readings, contract, now=NOW, dimensions={"machines": machines})
        for result in run.results:
            if result.measure is not None and result.outcome != "passed":
                print(f"{result.rule:<26} {result.outcome:<12} measure {result.measure:.2f} ({result.kind})")
            elif result.failing_rows:
                print(f"{result.rule:<26} {result.outcome:<12} {result.failing_rows} failing  "
                      f"sample {list(result.sample_values)}")
        root = Path(workdir)
        summary = write_gated_run(run, str(root / "silver"), str(root / "quarantine"), str(root / "results"))
        spark.read.format("delta").load(str(root / "quarantine")).select("event_id", "failed_rules").show(
            truncate=False)
        print(f"rows in {summary.rows_in} = written {summary.rows_written} + quarantined {summary.rows_quarantined}")


if __name__ == "__main__":
    main()
