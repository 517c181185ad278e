"""Benchmark: each bad job against its fix, measured by the analyzer on the live Spark REST API.

For every case it records wall time, total shuffle bytes, the reduce (join or aggregation) stage's
shuffle read bytes and task count, that stage's max/median task time (from the REST API's
``taskSummary`` quantiles) and max/median shuffle read, and the analyzer's findings. When a case
has no stage that reads shuffle data (a broadcast join, a coalesce), the widest stage is
described instead. The 1-minute load average is recorded at the start and per case.

Every case runs ``--repetitions`` times (3 by default) in one Spark process after a warm-up; odd
repetitions run the cases in the listed order, even ones in reverse (``repeated_runs.case_order``), and
each run has its own job group. The summary gives each case's median and worst wall time (never the
best) and its shuffle bytes (median; ``byte_counts_repeat_exactly`` says whether they were the same in
every run). Writes results/fix_effects.json (summary and every run). Run it from the folder:
``../.venv/bin/python benchmarks/fix_effects.py`` (``make bench FOLDER=05-performance-optimization`` runs every
benchmark and compares them with benchmarks/baseline/).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the folder root, where workloads/ lives

from repeated_runs import case_order, median_and_worst, repeated_exactly
from workloads import partition_scenarios, scenarios

from catalog_tools.bench import write_results
from catalog_tools.spark import local_spark
from spark_performance_analyzer import SparkRestClient, analyze, load_from_rest_api
from spark_performance_analyzer.analyzers import LAPTOP_THRESHOLDS
from spark_performance_analyzer.task_distribution import load_task_distribution


def measure(spark, group: str, run) -> dict:
    """Run one case under its job group ``group``; wall time, shuffle bytes, the reduce stage and the findings."""
    load_1m = os.getloadavg()[0]
    started = time.monotonic()
    run()
    wall_s = time.monotonic() - started
    app = load_from_rest_api(spark.sparkContext.uiWebUrl, spark.sparkContext.applicationId).for_job_group(group)
    reducers = [s for s in app.stages if s.total("shuffle_read_bytes") > 0]
    widest = max(reducers or app.stages, key=lambda s: s.num_tasks)
    tasks = load_task_distribution(SparkRestClient(spark.sparkContext.uiWebUrl), app.app_id, widest.stage_id,
                                   widest.attempt_id)
    return {
        "load_avg_1m": round(load_1m, 2), "wall_s": round(wall_s, 2),
        "shuffle_bytes": int(sum(s.total("shuffle_write_bytes") for s in app.stages)),
        "reduce_stage_shuffle_read_bytes": int(sum(s.total("shuffle_read_bytes") for s in reducers)),
        "reduce_stage_tasks": widest.num_tasks if reducers else 0,
        "max_median_task_time": round(tasks.max_over_median("duration"), 2),
        "max_median_shuffle_read": round(tasks.max_over_median("shuffleReadMetrics.readBytes"), 2),
        "findings": ", ".join(sorted({f.kind for f in analyze(app, LAPTOP_THRESHOLDS)})) or "none",
    }


def summary_of(rows: list[dict], join_rows: int, load_1m: float, repetitions: int) -> dict:
    """Run settings plus each case's median and worst wall time and its shuffle bytes (median over runs)."""
    summary: dict = {"rows_per_join_job": join_rows, "shuffle_partitions": 8, "local_cores": 2,
                     "repetitions": repetitions, "load_avg_1m_at_start": round(load_1m, 2)}
    for job in dict.fromkeys(row["job"] for row in rows):
        slug = job.replace("-", "_")
        summary[f"{slug}_wall_s_median"], summary[f"{slug}_wall_s_worst"] = median_and_worst(
            rows, "job", job, "wall_s")
        runs = [row for row in rows if row["job"] == job]
        summary[f"{slug}_shuffle_bytes"] = int(statistics.median(r["shuffle_bytes"] for r in runs))
        summary[f"{slug}_reduce_stage_tasks"] = int(statistics.median(r["reduce_stage_tasks"] for r in runs))
        for ratio in ("max_median_task_time", "max_median_shuffle_read"):  # per stage, median over the runs
            summary[f"{slug}_{ratio}_median"] = round(statistics.median(r[ratio] for r in runs), 2)
    summary["byte_counts_repeat_exactly"] = repeated_exactly(rows, "job", "shuffle_bytes")
    loads = [row["load_avg_1m"] for row in rows]
    summary["load_avg_1m_lowest"], summary["load_avg_1m_highest"] = min(loads), max(loads)
    return summary


def cases(spark, rows: int, scratch: Path, run_suffix: str = "") -> list[tuple[str, str, object]]:
    """(label, job, run) for every bad job and its fix, in the listed order; each run's job group is
    ``job + run_suffix``. The getItem case reads the map table the explode case writes."""
    s = run_suffix
    return [
        ("skewed join", "skewed-join", lambda: scenarios.run_skewed_join(spark, "skewed-join" + s, rows)),
        ("salted join (hot key, 32 salts)", "salted-join", lambda: scenarios.run_salted_join(
            spark, "salted-join" + s, rows)),
        ("AQE skew join", "aqe-skew-join", lambda: scenarios.run_aqe_skew_join(spark, "aqe-skew-join" + s, rows)),
        ("sort-merge join, 100-row side", "shuffled-small-join", lambda: scenarios.run_shuffled_small_join(
            spark, "shuffled-small-join" + s, rows)),
        ("broadcast join (hint)", "broadcast-small-join", lambda: scenarios.run_broadcast_small_join(
            spark, "broadcast-small-join" + s, rows)),
        ("broadcast join (threshold 10 MB)", "broadcast-by-threshold", lambda: scenarios.run_broadcast_by_threshold(
            spark, "broadcast-by-threshold" + s, rows)),
        ("aggregation, 200 fixed partitions", "fixed-partitions",
         lambda: partition_scenarios.run_aggregation_with_fixed_partitions(spark, "fixed-partitions" + s, rows)),
        ("aggregation, AQE coalescing", "aqe-coalesced",
         lambda: partition_scenarios.run_aggregation_with_aqe_coalescing(spark, "aqe-coalesced" + s, rows)),
        ("repartition(4) before write", "repartition-write", lambda: partition_scenarios.run_repartition_before_write(
            spark, str(scratch / "repartitioned"), "repartition-write" + s, rows)),
        ("coalesce(4) before write", "coalesce-write", lambda: partition_scenarios.run_coalesce_before_write(
            spark, str(scratch / "coalesced"), "coalesce-write" + s, rows)),
        ("explode 40-key map", "explode", lambda: scenarios.run_explode_blow_up(
            spark, str(scratch / "src"), str(scratch / "exploded"), "explode" + s)),
        ("getItem 40 keys", "get-item", lambda: scenarios.run_get_item_flattening(
            spark, str(scratch / "src"), str(scratch / "flat"), "get-item" + s)),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--results-dir", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args(argv)
    load_1m = os.getloadavg()[0]
    scratch = Path(tempfile.mkdtemp(prefix="bench-05-fixes-"))
    spark = local_spark(scratch / "spark", ui=True, app_name="fix-effects")
    rows = []
    try:
        scenarios.run_skewed_join(spark, "warm-up", 300_000)  # JIT and class loading, not measured
        for repetition in range(1, args.repetitions + 1):
            suffix = f"-run{repetition}"
            for label, job, run in case_order(cases(spark, args.rows, scratch, suffix), repetition):
                rows.append({"case": label, "job": job, "repetition": repetition,
                             **measure(spark, job + suffix, run)})
                print(rows[-1], flush=True)
    finally:
        spark.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    json_path, md_path = write_results(args.results_dir, "fix_effects",
                                       summary_of(rows, args.rows, load_1m, args.repetitions), rows)
    md_path.unlink()  # the JSON is the one result; READMEs render their tables from it
    print(f"wrote {json_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
