"""Benchmark: 04's SCD Type 2 MERGE (fast and general path) against mack's ``type_2_scd_upsert``.

Run from the folder: ``python benchmarks/scd2_merge_benchmark.py [rows] [repeats]`` (``make bench
FOLDER=04-dimensional-modeling`` runs it under the shared benchmark lock). Defaults: 1,000,000 rows, 5 repeats.

The case is mack's own: a dimension of N current machine versions receives ONE batch in which 10% of
the machines changed firmware and 5% are new, one change per key, every change newer than the
current version (no late rows). Each variant starts from a byte-identical copy of the seed (mack's
table has mack's columns) and reads the same batch (a Delta table written once). Timed end to end:

* ``fast``: ``merge_scd2`` (a simple batch takes the fast path: one MERGE, no staging);
* ``general``: ``merge_scd2`` with ``Scd2Spec(fast_path=False)`` (the staged union, one MERGE);
* ``mack``: ``mack.type_2_scd_upsert`` (one MERGE over a staged union, the classic helper);
* ``two_pass``: expire then insert (two commits), the approach most codebases start with;
* ``floor_append``: appending the batch's 150,000 new versions to the seed, nothing expired. Any SCD2
  writes at least these rows: a lower bound, not a correct SCD2.

Then the same batch is applied again (the rerun) to ``fast``, ``general`` and ``mack``; the rerun's
committed versions are recorded. After the first repeat, the three tables are checked equal on the
columns they share (mack's open end is NULL, 04's is 9999-12-31). Deletion vectors are on (Delta's
advice for MERGE-heavy tables). Every variant first runs once, untimed, on 2,000 members (the JVM's
warm-up), and the variants' order reverses from one repeat to the next (``fast`` before ``mack``, then
``mack`` before ``fast``). The machine may be shared: the
1-minute load average is recorded before every step. Writes benchmarks/results/scd2_merge_benchmark.{json,png}.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from delta.tables import DeltaTable
from mack import type_2_scd_upsert
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from catalog_tools.bench import write_results
from catalog_tools.spark import local_spark
from manufacturing_star_schema import OPEN_END, Scd2Spec, assert_scd2_invariants, create_scd2_table, merge_scd2
from manufacturing_star_schema.hashing import hash_key, row_hash
from manufacturing_star_schema.scd_type2_two_pass import merge_scd2_two_pass

FAST = Scd2Spec(natural_key=("machine_id",))
GENERAL = Scd2Spec(natural_key=("machine_id",), fast_path=False)
ATTRIBUTES = ["line_id", "firmware", "max_rpm"]
SCHEMA = "machine_id string, line_id string, firmware string, max_rpm int"
LOADED_AT = "2026-01-01 00:00:00"
CHANGED_AT = "2026-03-01 00:00:00"
VARIANTS = ("fast", "general", "mack", "two_pass", "floor_append")
RERUN_VARIANTS = ("fast", "general", "mack")


def machine_attributes(ids: DataFrame, firmware_offset: int = 0) -> DataFrame:
    """Deterministic machine attributes from an id column."""
    return ids.select(
        F.format_string("M%08d", "id").alias("machine_id"),
        F.format_string("L%03d", F.col("id") % 200).alias("line_id"),
        F.format_string("fw-%d.%d", F.col("id") % 7, F.lit(firmware_offset)).alias("firmware"),
        (F.lit(1000) + F.col("id") % 500).cast("int").alias("max_rpm"),
    )


def write_seeds(spark: SparkSession, work_dir: Path, rows: int) -> dict[str, str]:
    """The same N current versions twice: with 04's columns (hashes, keys) and with mack's columns."""
    members = machine_attributes(spark.range(rows)).withColumn("valid_from", F.lit(LOADED_AT).cast("timestamp"))
    ours, theirs = str(work_dir / "seed_04"), str(work_dir / "seed_mack")
    create_scd2_table(spark, ours, spark.createDataFrame([], SCHEMA).schema, FAST)
    enable_deletion_vectors(spark, ours)
    members.select(
        *members.columns,
        F.lit(False).alias("is_deleted"),
        F.lit(OPEN_END).alias("valid_to"),
        F.lit(True).alias("is_current"),
        row_hash([*ATTRIBUTES, "is_deleted"]).alias("row_hash"),
        hash_key(["machine_id", "valid_from"]).alias("machine_sk"),
    ).write.format("delta").mode("append").save(ours)
    members.select(
        "machine_id",
        *ATTRIBUTES,
        F.lit(True).alias("is_current"),
        F.col("valid_from").alias("effective_time"),
        F.lit(None).cast("timestamp").alias("end_time"),
    ).write.format("delta").save(theirs)
    enable_deletion_vectors(spark, theirs)
    return {"04": ours, "mack": theirs}


def enable_deletion_vectors(spark: SparkSession, path: str) -> None:
    spark.sql(f"ALTER TABLE delta.`{path}` SET TBLPROPERTIES ('delta.enableDeletionVectors' = 'true')")


def write_batch(spark: SparkSession, path: str, rows: int, changed: float = 0.10, new: float = 0.05) -> int:
    """Changed machines (every k-th id, new firmware) plus new machines (ids above N); return the batch size."""
    changed_rows = machine_attributes(spark.range(0, rows, max(1, round(1 / changed))), firmware_offset=1)
    new_rows = machine_attributes(spark.range(rows, rows + int(rows * new)))
    batch = changed_rows.unionByName(new_rows).withColumn("change_ts", F.lit(CHANGED_AT).cast("timestamp"))
    batch.write.format("delta").save(path)
    return spark.read.format("delta").load(path).count()


def apply_variant(spark: SparkSession, variant: str, path: str, batch: DataFrame) -> None:
    """Apply the batch with one variant (the timed action)."""
    if variant == "fast":
        merge_scd2(spark, path, batch, FAST)
    elif variant == "general":
        merge_scd2(spark, path, batch, GENERAL)
    elif variant == "mack":
        updates = batch.withColumnRenamed("change_ts", "effective_time")
        type_2_scd_upsert(DeltaTable.forPath(spark, path), updates, "machine_id", ATTRIBUTES)
    elif variant == "two_pass":
        merge_scd2_two_pass(spark, path, batch, FAST)
    elif variant == "floor_append":
        new_versions = batch.select(
            "machine_id",
            *ATTRIBUTES,
            F.col("change_ts").alias("valid_from"),
            F.lit(False).alias("is_deleted"),
            F.lit(OPEN_END).alias("valid_to"),
            F.lit(True).alias("is_current"),
            row_hash([*ATTRIBUTES, "is_deleted"]).alias("row_hash"),
            hash_key(["machine_id", "change_ts"]).alias("machine_sk"),
        )
        new_versions.write.format("delta").mode("append").save(path)
    else:
        raise ValueError(f"variant: expected one of {VARIANTS}, got {variant!r}")


def as_shared_columns(spark: SparkSession, variant: str, path: str) -> DataFrame:
    """A variant's table on the columns all three share; the open end as NULL (mack's convention)."""
    table = spark.read.format("delta").load(path)
    if variant == "mack":
        return table.select("machine_id", *ATTRIBUTES, "is_current", "effective_time", "end_time")
    open_end_as_null = F.when(F.col("valid_to") != F.lit(OPEN_END), F.col("valid_to"))
    return table.select(
        "machine_id",
        *ATTRIBUTES,
        "is_current",
        F.col("valid_from").alias("effective_time"),
        open_end_as_null.alias("end_time"),
    )


def differing_rows(left: DataFrame, right: DataFrame) -> int:
    """Rows in one table and not the other (both directions, duplicates counted)."""
    return left.exceptAll(right).count() + right.exceptAll(left).count()


def latest_version(spark: SparkSession, path: str) -> int:
    return DeltaTable.forPath(spark, path).history(1).select("version").first()[0]


def load_average_1min() -> float:
    return round(os.getloadavg()[0], 2)


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return round(time.perf_counter() - started, 2)


def warm_up(spark: SparkSession, work_dir: Path, rows: int) -> None:
    """Run every variant once on a small dimension (untimed), so no variant pays the JVM's warm-up alone."""
    seeds = write_seeds(spark, work_dir, rows)
    write_batch(spark, str(work_dir / "batch"), rows)
    batch = spark.read.format("delta").load(str(work_dir / "batch"))
    for variant in VARIANTS:
        path = str(work_dir / variant)
        shutil.copytree(seeds["mack" if variant == "mack" else "04"], path)
        apply_variant(spark, variant, path, batch)


def run_benchmark(
    spark: SparkSession, work_dir: Path, rows: int, repeats: int = 5, warm_up_rows: int = 2_000
) -> dict[str, Any]:
    """Every variant ``repeats`` times from fresh copies of the seeds; return the summary and raw runs.

    The variants' order reverses from one repeat to the next, so of any two variants each runs first
    in half of the repeats, and none is always first after the warm-up (``warm_up_rows=0`` skips it).
    """
    if warm_up_rows:
        warm_up(spark, work_dir / "warm_up", warm_up_rows)
    seeds = write_seeds(spark, work_dir, rows)
    batch_path = str(work_dir / "batch")
    batch_rows = write_batch(spark, batch_path, rows)
    batch = spark.read.format("delta").load(batch_path)
    runs: list[dict[str, Any]] = []
    same_table: dict[str, int] = {}
    for repeat in range(1, repeats + 1):
        paths = {}
        order = VARIANTS if repeat % 2 == 1 else VARIANTS[::-1]
        for variant in order:
            path = paths[variant] = str(work_dir / f"{variant}_{repeat}")
            shutil.copytree(seeds["mack" if variant == "mack" else "04"], path)
            load = load_average_1min()
            seconds = timed(lambda variant=variant, path=path: apply_variant(spark, variant, path, batch))
            runs.append(
                {"repeat": repeat, "variant": variant, "step": "first_run", "seconds": seconds, "load_1min": load}
            )
        for variant in [v for v in order if v in RERUN_VARIANTS]:
            before, load = latest_version(spark, paths[variant]), load_average_1min()
            seconds = timed(lambda variant=variant, path=paths[variant]: apply_variant(spark, variant, path, batch))
            committed = latest_version(spark, paths[variant]) - before
            runs.append(
                {
                    "repeat": repeat,
                    "variant": variant,
                    "step": "rerun",
                    "seconds": seconds,
                    "load_1min": load,
                    "versions_committed": committed,
                }
            )
        if repeat == 1:
            for variant in ("fast", "general"):
                assert_scd2_invariants(spark.read.format("delta").load(paths[variant]), ["machine_id"])
            shared = {v: as_shared_columns(spark, v, paths[v]) for v in RERUN_VARIANTS}
            same_table = {
                "fast_vs_mack_differing_rows": differing_rows(shared["fast"], shared["mack"]),
                "general_vs_mack_differing_rows": differing_rows(shared["general"], shared["mack"]),
            }
        for path in paths.values():
            shutil.rmtree(path, ignore_errors=True)
    return {"summary": summarise(runs, rows, batch_rows, same_table, spark), "rows": runs}


def summarise(
    runs: list[dict[str, Any]], rows: int, batch_rows: int, same_table: dict[str, int], spark: SparkSession
) -> dict[str, Any]:
    """Median and worst per variant and step, the ratios to mack, and the load range."""
    summary: dict[str, Any] = {"dimension_rows": rows, "batch_rows": batch_rows, **same_table}
    for step, variants in (("first_run", VARIANTS), ("rerun", RERUN_VARIANTS)):
        prefix = "" if step == "first_run" else "rerun_"
        for variant in variants:
            seconds = [r["seconds"] for r in runs if r["variant"] == variant and r["step"] == step]
            summary[f"{prefix}{variant}_median_seconds"] = round(statistics.median(seconds), 2)
            summary[f"{prefix}{variant}_worst_seconds"] = max(seconds)
    for variant in RERUN_VARIANTS:
        committed = [r["versions_committed"] for r in runs if r["variant"] == variant and r["step"] == "rerun"]
        summary[f"rerun_{variant}_versions_committed_max"] = max(committed)
    for variant in ("fast", "general"):
        summary[f"{variant}_to_mack_median_ratio"] = round(
            summary[f"{variant}_median_seconds"] / summary["mack_median_seconds"], 3
        )
    summary["floor_to_fast_median_ratio"] = round(
        summary["floor_append_median_seconds"] / summary["fast_median_seconds"], 3
    )
    loads = [r["load_1min"] for r in runs]
    summary |= {
        "repeats": max(r["repeat"] for r in runs),
        "load_1min_min": min(loads),
        "load_1min_max": max(loads),
        "shuffle_partitions": int(spark.conf.get("spark.sql.shuffle.partitions")),
    }
    return summary


def draw(runs: list[dict[str, Any]], png_path: Path) -> None:
    """Every run's seconds per variant (first run and rerun), median marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(8, 4))
    labels = [*VARIANTS, *[f"{v} rerun" for v in RERUN_VARIANTS]]
    groups = [(v, "first_run") for v in VARIANTS] + [(v, "rerun") for v in RERUN_VARIANTS]
    for index, (variant, step) in enumerate(groups):
        seconds = [r["seconds"] for r in runs if r["variant"] == variant and r["step"] == step]
        axis.scatter([index] * len(seconds), seconds, color="tab:blue", alpha=0.7)
        axis.hlines(statistics.median(seconds), index - 0.3, index + 0.3, color="tab:red")
    axis.set_xticks(range(len(labels)), labels, rotation=30, ha="right")
    axis.set_ylabel("seconds (dots: runs, line: median)")
    axis.set_title("SCD2 batch of 150,000 changes into 1,000,000 members")
    figure.tight_layout()
    figure.savefig(png_path, dpi=100)
    plt.close(figure)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    rows = int(args[0]) if args else 1_000_000
    repeats = int(args[1]) if len(args) > 1 else 5
    work_dir = Path(tempfile.mkdtemp(prefix="scd2-bench-"))
    try:
        settings = {"spark.driver.memory": "8g"}
        spark = local_spark(work_dir / "spark", app_name="scd2-benchmark", shuffle_partitions=8, extra_conf=settings)
        outcome = run_benchmark(spark, work_dir, rows, repeats)
        results_dir = Path(__file__).resolve().parent / "results"
        summary, rows_measured = outcome["summary"], outcome["rows"]
        json_path, markdown_path = write_results(results_dir, "scd2_merge_benchmark", summary, rows_measured)
        markdown_path.unlink()  # the JSON is the record; the README's Measured table is rendered from it
        draw(outcome["rows"], results_dir / "scd2_merge_benchmark.png")
        print(json_path.read_text())
        spark.stop()
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
