"""Benchmark: each bad job against its fix, measured by the analyzer on the live Spark REST API.

For every pair it records total shuffle bytes, the worst stage's max/median task time and
max/median shuffle read, wall time, and the analyzer's findings. Writes results/fix_effects.json
and .md. Run it: ``make bench FOLDER=05-performance-optimization``.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from catalog_tools.bench import write_results
from catalog_tools.spark import local_spark
from spark_performance_analyzer import analyze, load_from_rest_api, scenarios
from spark_performance_analyzer.analyzers import LAPTOP_THRESHOLDS


def ratio(stage, metric: str) -> float:
    median = stage.median(metric)
    return stage.maximum(metric) / median if median else 0.0


def measure(spark, group: str, run) -> dict:
    started = time.monotonic()
    run()
    wall_s = time.monotonic() - started
    app = load_from_rest_api(spark.sparkContext.uiWebUrl, spark.sparkContext.applicationId).for_job_group(group)
    reducers = [s for s in app.stages if s.total("shuffle_read_bytes") > 0] or app.stages
    widest = max(reducers, key=lambda s: s.num_tasks)
    return {
        "job": group,
        "wall_s": round(wall_s, 2),
        "shuffle_bytes": int(sum(s.total("shuffle_write_bytes") for s in app.stages)),
        "max_median_task_time": round(ratio(widest, "duration_ms"), 2),
        "max_median_shuffle_read": round(ratio(widest, "shuffle_read_bytes"), 2),
        "findings": ", ".join(sorted({f.kind for f in analyze(app, LAPTOP_THRESHOLDS)})) or "none",
    }


def summary_of(rows: list[dict], join_rows: int) -> dict:
    """Run settings plus each case's wall time and shuffle bytes, the figures a baseline compares."""
    summary: dict = {"rows_per_join_job": join_rows, "shuffle_partitions": 8, "local_cores": 2}
    for row in rows:
        slug = row["job"].replace("-", "_")
        summary[f"{slug}_wall_s"] = row["wall_s"]
        summary[f"{slug}_shuffle_bytes"] = row["shuffle_bytes"]
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--results-dir", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args(argv)
    spark = local_spark(Path(tempfile.mkdtemp(prefix="bench-05-")), ui=True, app_name="fix-effects")
    scratch = Path(tempfile.mkdtemp(prefix="bench-05-data-"))
    scenarios.run_healthy_aggregation(spark, group="warm-up")
    pairs = [
        ("skewed join", lambda: scenarios.run_skewed_join(spark, "skewed-join", args.rows)),
        ("salted join", lambda: scenarios.run_salted_join(spark, "salted-join", args.rows)),
        ("AQE skew join", lambda: scenarios.run_aqe_skew_join(spark, "aqe-skew-join", args.rows)),
        ("sort-merge join, 100-row side", lambda: scenarios.run_shuffled_small_join(
            spark, "shuffled-small-join", args.rows)),
        ("broadcast join", lambda: scenarios.run_broadcast_small_join(spark, "broadcast-small-join", args.rows)),
        ("explode 40-key map", lambda: scenarios.run_explode_blow_up(
            spark, str(scratch / "src"), str(scratch / "exploded"), "explode")),
        ("getItem 40 keys", lambda: scenarios.run_get_item_flattening(
            spark, str(scratch / "src"), str(scratch / "flat"), "get-item")),
    ]
    groups = ["skewed-join", "salted-join", "aqe-skew-join", "shuffled-small-join", "broadcast-small-join",
              "explode", "get-item"]
    rows = []
    for (label, run), group in zip(pairs, groups, strict=True):
        row = {"case": label, **measure(spark, group, run)}
        rows.append(row)
        print(row)
    spark.stop()
    summary = summary_of(rows, args.rows)
    json_path, md_path = write_results(args.results_dir, "fix_effects", summary, rows)
    print(f"wrote {json_path} and {md_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
