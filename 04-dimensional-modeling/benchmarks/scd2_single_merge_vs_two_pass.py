"""Benchmark: SCD Type 2 as one MERGE (staged union) against the two-pass approach (expire, then insert).

A dimension of N current machine versions (default 1,000,000) receives a batch in which 10% of the
machines changed firmware and 5% are new machines. Each approach starts from a byte-identical copy
of the dimension (deletion vectors on, as recommended for MERGE-heavy tables) and is timed end to
end; then the same batch is applied again (the rerun) and must change zero rows. Both results are
checked with the invariant checker (not timed).

Both approaches read the same batch (a Delta table written once) in the same SparkSession with the
same settings; the 1-minute load average is recorded at the start and before every step, because
other jobs may share the machine. Run it under the shared benchmark lock (from the folder):
``flock /tmp/catalog-bench.lock ../.venv/bin/python benchmarks/scd2_single_merge_vs_two_pass.py [rows]``
(or ``make bench FOLDER=04-dimensional-modeling``).
Writes benchmarks/results/scd2_single_merge_vs_two_pass.{json,md}.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from delta.tables import DeltaTable
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from catalog_tools.bench import write_results
from catalog_tools.spark import local_spark
from manufacturing_star_schema import (
    OPEN_END,
    Scd2Spec,
    assert_scd2_invariants,
    create_scd2_table,
    merge_scd2,
)
from manufacturing_star_schema.hashing import hash_key, row_hash
from manufacturing_star_schema.scd_type2_two_pass import merge_scd2_two_pass

SPEC = Scd2Spec(natural_key=("machine_id",))
LOADED_AT = dt.datetime(2026, 1, 1)
CHANGED_AT = dt.datetime(2026, 3, 1)
ATTRIBUTES = "machine_id string, line_id string, firmware string, max_rpm int"


def machine_attributes(ids, firmware_offset: int = 0):
    """Deterministic machine attributes from an id column."""
    return ids.select(
        F.format_string("M%08d", "id").alias("machine_id"),
        F.format_string("L%03d", F.col("id") % 200).alias("line_id"),
        F.format_string("fw-%d.%d", F.col("id") % 7, F.lit(firmware_offset)).alias("firmware"),
        (F.lit(1000) + F.col("id") % 500).cast("int").alias("max_rpm"),
    )


def write_seed_dimension(spark: SparkSession, path: str, rows: int) -> None:
    """N current versions, valid from 2026-01-01, with the hashes and keys merge_scd2 would have written."""
    create_scd2_table(spark, path, spark.createDataFrame([], ATTRIBUTES).schema, SPEC)
    spark.sql(f"ALTER TABLE delta.`{path}` SET TBLPROPERTIES ('delta.enableDeletionVectors' = 'true')")
    seed = machine_attributes(spark.range(rows)).select(
        "*",
        F.lit(False).alias("is_deleted"),
        F.lit(LOADED_AT).alias("valid_from"),
        F.lit(OPEN_END).alias("valid_to"),
        F.lit(True).alias("is_current"),
    )
    seed = seed.withColumn("row_hash", row_hash(["line_id", "firmware", "max_rpm", "is_deleted"])).withColumn(
        "machine_sk", hash_key(["machine_id", "valid_from"])
    )
    seed.write.format("delta").mode("append").save(path)


def write_change_batch(spark: SparkSession, path: str, rows: int, changed: float, new: float) -> int:
    """Changed machines (every k-th id, new firmware) plus new machines (ids above N); return batch size."""
    step = max(1, round(1 / changed))
    changed_rows = machine_attributes(spark.range(0, rows, step), firmware_offset=1)
    new_rows = machine_attributes(spark.range(rows, rows + int(rows * new)))
    batch = changed_rows.unionByName(new_rows).withColumn("change_ts", F.lit(CHANGED_AT))
    batch.write.format("delta").save(path)
    return spark.read.format("delta").load(path).count()


def load_average_1min() -> float:
    """The 1-minute load average (other jobs on the same cores inflate every figure)."""
    return round(os.getloadavg()[0], 2)


def timed(action) -> tuple[float, Any]:
    started = time.perf_counter()
    outcome = action()
    return round(time.perf_counter() - started, 2), outcome


def merge_execution_seconds(spark: SparkSession, path: str, after_version: int) -> float:
    """Delta's own ``executionTimeMs`` of the MERGE commits after ``after_version`` (the rest of a step
    is staging, the insert pass, and driver work)."""
    history = DeltaTable.forPath(spark, path).history().filter(F.col("version") > after_version)
    merges = history.filter(F.col("operation") == "MERGE").select("operationMetrics").collect()
    return round(sum(int(m[0].get("executionTimeMs", 0)) for m in merges) / 1000, 2)


def latest_version(spark: SparkSession, path: str) -> int:
    return DeltaTable.forPath(spark, path).history(1).select("version").first()[0]


def warm_up(spark: SparkSession, work_dir: Path, rows: int = 2_000) -> None:
    """Run both approaches once on a small dimension (untimed), so neither pays the JVM's warm-up alone."""
    write_seed_dimension(spark, str(work_dir / "seed"), rows)
    write_change_batch(spark, str(work_dir / "batch"), rows, 0.10, 0.05)
    batch = spark.read.format("delta").load(str(work_dir / "batch"))
    for name in ("single_merge", "two_pass"):
        shutil.copytree(work_dir / "seed", work_dir / name)
    merge_scd2(spark, str(work_dir / "single_merge"), batch, SPEC)
    merge_scd2_two_pass(spark, str(work_dir / "two_pass"), batch, SPEC)


def run_benchmark(
    spark: SparkSession,
    work_dir: Path,
    rows: int,
    changed: float = 0.10,
    new: float = 0.05,
    warm_up_rows: int = 2_000,
) -> dict[str, Any]:
    """Run both approaches and the reruns; return the summary and one row per measured step.

    ``warm_up_rows=0`` skips the warm-up (the smoke test does, to stay fast).
    """
    load_at_start = load_average_1min()
    if warm_up_rows:
        warm_up(spark, work_dir / "warm_up", warm_up_rows)
    seed, batch_path = str(work_dir / "seed"), str(work_dir / "batch")
    write_seed_dimension(spark, seed, rows)
    batch_rows = write_change_batch(spark, batch_path, rows, changed, new)
    batch = spark.read.format("delta").load(batch_path)
    approaches = {
        "single_merge": lambda path: merge_scd2(spark, path, batch, SPEC).metrics,
        "two_pass": lambda path: merge_scd2_two_pass(spark, path, batch, SPEC),
    }
    results: list[dict[str, Any]] = []
    for name, apply in approaches.items():
        path = str(work_dir / name)
        shutil.copytree(seed, path)
        for step in ("first_run", "rerun_identical_input"):
            load_before, version_before = load_average_1min(), latest_version(spark, path)
            seconds, metrics = timed(lambda path=path, apply=apply: apply(path))
            results.append(
                {
                    "approach": name,
                    "step": step,
                    "load_avg_1min_before": load_before,
                    "seconds": seconds,
                    "delta_merge_execution_s": merge_execution_seconds(spark, path, version_before),
                    "rows_updated": metrics.get("num_updated_rows", 0),
                    "rows_inserted": metrics.get("num_inserted_rows", 0),
                }
            )
        assert_scd2_invariants(spark.read.format("delta").load(path), ["machine_id"])
    seconds = {(r["approach"], r["step"]): r for r in results}
    single, two_pass = seconds[("single_merge", "first_run")], seconds[("two_pass", "first_run")]
    rerun = seconds[("single_merge", "rerun_identical_input")]
    summary = {
        "load_avg_1min_at_start": load_at_start,
        "shuffle_partitions": int(spark.conf.get("spark.sql.shuffle.partitions")),
        "dimension_rows": rows,
        "batch_rows": batch_rows,
        "changed_fraction": changed,
        "new_fraction": new,
        "single_merge_s": single["seconds"],
        "two_pass_s": two_pass["seconds"],
        "single_to_two_pass_ratio": round(single["seconds"] / two_pass["seconds"], 3),
        "rerun_s": rerun["seconds"],
        "rerun_rows_changed": rerun["rows_updated"] + rerun["rows_inserted"],
    }
    return {"summary": summary, "rows": results}


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    rows = int(args[0]) if args else 1_000_000
    work_dir = Path(tempfile.mkdtemp(prefix="scd2-bench-"))
    try:
        spark = local_spark(
            work_dir / "spark",
            app_name="scd2-benchmark",
            shuffle_partitions=8,
            extra_conf={"spark.driver.memory": "8g"},
        )
        outcome = run_benchmark(spark, work_dir, rows)
        json_path, _ = write_results(
            Path("benchmarks/results"), "scd2_single_merge_vs_two_pass", outcome["summary"], outcome["rows"]
        )
        print(json_path.read_text())
        spark.stop()
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
