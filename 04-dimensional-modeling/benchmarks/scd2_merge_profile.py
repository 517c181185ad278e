"""Profile: where ``merge_scd2``'s fast path and mack's ``type_2_scd_upsert`` spend their time.

Run from the folder: ``python benchmarks/scd2_merge_profile.py [rows] [repeats]`` (defaults: 1,000,000
rows, 3 repeats). It uses the benchmark's data (``scd2_merge_benchmark.py``: the same seeds, the same
batch of one change per key, none late) and one Spark session with its UI on, and runs ``fast`` and
``mack`` alternately (``fast`` first, then ``mack`` first). For each run it records, from Spark's UI
REST API and Delta's history:

* the SQL executions grouped by phase, with their seconds: ``merge_command`` is Delta's whole MERGE,
  and its parts are ``merge_materialize_source``, ``merge_find_touched_files``,
  ``merge_write_changed_rows`` and ``merge_write_deletion_vectors``; ``before_merge`` is everything
  else (checks, snapshots, reads, classification); plus the join strategies, shuffles and broadcasts
  in their executed plans;
* how many Spark jobs, stages and tasks ran, and how many scans read the target and the batch;
* Delta's MERGE ``operationMetrics`` (scan, rewrite and source-materialization times, files added);
* the target's data files and bytes before and after.

Writes ``benchmarks/results/scd2_merge_profile.json`` (medians per phase in ``summary``, every run in
``rows``). The figures are a profile on a possibly shared machine: the benchmark's JSON holds the
timings the README quotes.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import scd2_merge_benchmark as bench  # the script beside this one (run from the folder, as above)
from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession

from catalog_tools.bench import write_results
from catalog_tools.spark import local_spark

VARIANTS = ("fast", "mack")
PHASES = {
    "DeltaMergeBuilder": "merge_command",
    "MERGE operation - materialize source": "merge_materialize_source",
    "MERGE operation - scanning files for matches": "merge_find_touched_files",
    "Writing modified data": "merge_write_changed_rows",
    "Writing Deletion Vectors": "merge_write_deletion_vectors",
}
MERGE_METRICS = ("executionTimeMs", "materializeSourceTimeMs", "scanTimeMs", "rewriteTimeMs", "numTargetFilesAdded")


def ui_rest(spark: SparkSession, endpoint: str) -> Any:
    """One call to the Spark UI's REST API for this application."""
    context = spark.sparkContext
    url = f"{context.uiWebUrl}/api/v1/applications/{context.applicationId}/{endpoint}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def phase_of(description: str) -> str:
    """The MERGE phase an SQL execution belongs to, from Delta's description of it."""
    for marker, phase in PHASES.items():
        if marker in description:
            return phase
    return "before_merge"


def plan_tree(plan: str) -> str:
    """The executed operator tree of a formatted plan (AQE's final plan when there is one)."""
    tree = plan.split("\n\n(")[0]
    if "== Final Plan ==" in tree:
        tree = tree.split("== Final Plan ==")[1].split("== Initial Plan ==")[0]
    return tree


def plan_features(plan: str) -> dict[str, int]:
    """Join strategies and shuffles in one executed plan."""
    tree = plan_tree(plan)
    return {
        "broadcast_hash_joins": tree.count("BroadcastHashJoin"),
        "shuffled_hash_joins": tree.count("ShuffledHashJoin"),
        "sort_merge_joins": tree.count("SortMergeJoin"),
        "shuffles": tree.count("Exchange (") - tree.count("BroadcastExchange ("),
        "broadcasts": tree.count("BroadcastExchange ("),
    }


def data_files(spark: SparkSession, path: str) -> dict[str, int]:
    """The data files a table's latest version holds, and their bytes."""
    detail = DeltaTable.forPath(spark, path).detail().select("numFiles", "sizeInBytes").first()
    return {"files": int(detail["numFiles"]), "bytes": int(detail["sizeInBytes"])}


def scanned_tables(plan: str, target_name: str) -> dict[str, int]:
    """How many Parquet scans in one executed plan read the target and how many read the batch."""
    locations = [line for line in plan.splitlines() if line.startswith("Location:")]
    return {
        "target": sum(target_name in line for line in locations),
        "batch": sum("/batch]" in line for line in locations),
    }


def profile_run(spark: SparkSession, variant: str, path: str, batch: DataFrame, target_name: str) -> dict[str, Any]:
    """Run one variant once and return its phases, jobs, scans, plans and Delta metrics."""
    context = spark.sparkContext
    before = data_files(spark, path)
    seen = {e["id"] for e in ui_rest(spark, "sql?length=100000")}
    group = f"profile-{variant}-{time.monotonic_ns()}"
    context.setLocalProperty("spark.jobGroup.id", group)  # a group without a description: plans keep their own
    started = time.perf_counter()
    bench.apply_variant(spark, variant, path, batch)
    seconds = round(time.perf_counter() - started, 2)
    context.setLocalProperty("spark.jobGroup.id", None)
    time.sleep(2)  # the UI's listener catches up with the last executions
    tracker = context.statusTracker()
    jobs = [tracker.getJobInfo(j) for j in tracker.getJobIdsForGroup(group)]
    stages = [tracker.getStageInfo(s) for job in jobs if job for s in job.stageIds]
    executions = [
        e for e in ui_rest(spark, "sql?length=100000&details=true&planDescription=true") if e["id"] not in seen
    ]
    phases: dict[str, float] = {}
    features: dict[str, int] = {}
    scans = {"target": 0, "batch": 0}
    for execution in executions:
        phase = phase_of(execution["description"])
        phases[phase] = round(phases.get(phase, 0.0) + execution["duration"] / 1000, 2)
        plan = execution.get("planDescription", "")
        for name, count in plan_features(plan).items():
            features[name] = features.get(name, 0) + count
        for table, count in scanned_tables(plan, target_name).items():
            scans[table] += count
    history = DeltaTable.forPath(spark, path).history(1).select("operation", "operationMetrics").first()
    metrics = history["operationMetrics"] or {}
    return {
        "variant": variant,
        "seconds": seconds,
        "phases_seconds": phases,
        "jobs": len(jobs),
        "stages": len(stages),
        "tasks": sum(s.numTasks for s in stages if s),
        "scans_of_parquet_files": scans,
        "plans": features,
        "operation": history["operation"],
        "merge_metrics": {k: int(metrics[k]) for k in MERGE_METRICS if k in metrics},
        "target_before": before,
        "target_after": data_files(spark, path),
    }


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians per variant: wall time, each phase, jobs and tasks, Delta's MERGE timings; files and bytes."""
    summary: dict[str, Any] = {}
    for variant in VARIANTS:
        mine = [r for r in runs if r["variant"] == variant]
        summary[f"{variant}_median_seconds"] = round(statistics.median(r["seconds"] for r in mine), 2)
        for phase in ("before_merge", *PHASES.values()):
            values = [r["phases_seconds"].get(phase, 0.0) for r in mine]
            summary[f"{variant}_{phase}_median_seconds"] = round(statistics.median(values), 2)
        for name in MERGE_METRICS:
            values = [r["merge_metrics"].get(name, 0) for r in mine]
            summary[f"{variant}_{name}_median"] = statistics.median(values)
        for name in ("jobs", "tasks"):
            summary[f"{variant}_{name}_median"] = statistics.median(r[name] for r in mine)
        first = mine[0]
        summary[f"{variant}_target_files_before"] = first["target_before"]["files"]
        summary[f"{variant}_target_bytes_before"] = first["target_before"]["bytes"]
        summary[f"{variant}_target_files_after"] = first["target_after"]["files"]
        for name, count in first["plans"].items():
            summary[f"{variant}_{name}"] = count
        for name, count in first["scans_of_parquet_files"].items():
            summary[f"{variant}_scans_of_{name}"] = count
    return summary


def run_profile(spark: SparkSession, work_dir: Path, rows: int, repeats: int = 3) -> dict[str, Any]:
    """Profile ``fast`` and ``mack`` ``repeats`` times each, alternating which goes first."""
    bench.warm_up(spark, work_dir / "warm_up", 2_000)
    seeds = bench.write_seeds(spark, work_dir, rows)
    batch_path = str(work_dir / "batch")
    bench.write_batch(spark, batch_path, rows)
    batch = spark.read.format("delta").load(batch_path)
    runs = []
    for repeat in range(repeats):
        order = VARIANTS if repeat % 2 == 0 else VARIANTS[::-1]
        for variant in order:
            name = f"{variant}_{repeat}"
            path = str(work_dir / name)
            shutil.copytree(seeds["mack" if variant == "mack" else "04"], path)
            runs.append({"repeat": repeat + 1, **profile_run(spark, variant, path, batch, f"/{name}]")})
            shutil.rmtree(path, ignore_errors=True)
    return {"summary": {"dimension_rows": rows, "repeats": repeats, **summarise(runs)}, "rows": runs}


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    rows = int(args[0]) if args else 1_000_000
    repeats = int(args[1]) if len(args) > 1 else 3
    work_dir = Path(tempfile.mkdtemp(prefix="scd2-profile-"))
    try:
        settings = {"spark.driver.memory": "8g"}
        spark = local_spark(
            work_dir / "spark", app_name="scd2-profile", ui=True, shuffle_partitions=8, extra_conf=settings
        )
        outcome = run_profile(spark, work_dir, rows, repeats)
        results_dir = Path(__file__).resolve().parent / "results"
        json_path, markdown_path = write_results(results_dir, "scd2_merge_profile", outcome["summary"], outcome["rows"])
        markdown_path.unlink()
        print(json_path.read_text())
        spark.stop()
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
