"""Measure how much a Delta table's reads slow down with many small files, and what OPTIMIZE gives back.

Run from the folder (one Spark session, a few minutes on a laptop):

    python benchmarks/small_files_benchmark.py                 # 200,000 rows in 2,000 files, 5 runs each
    python benchmarks/small_files_benchmark.py --rows 20000 --files 200 --repeats 3

The same rows are written three ways: a Delta table of ``--files`` tiny files (the incident), that
table after OPTIMIZE (the fix), and one plain Parquet file (the floor: no Delta log, one file).
Each is read with the same aggregation ``--repeats`` times, in rotating order. Writes
``benchmarks/results/small_files_benchmark.json`` (median and worst per layout) and a PNG of every run.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
NAME = "small_files_benchmark"
LAYOUTS = ("small_files", "optimized", "single_parquet_floor")


def readings(spark: Any, rows: int) -> Any:
    return spark.range(rows).selectExpr("id AS reading_id", "CAST(id % 500 AS INT) AS machine_id",
                                        "CAST(20 + id % 37 AS DOUBLE) AS temperature_c")


def read_once(spark: Any, layout: str, path: str) -> tuple[float, int]:
    """Seconds to read ``path`` and aggregate it, and the row count it saw."""
    fmt = "parquet" if layout == "single_parquet_floor" else "delta"
    started = time.perf_counter()
    row = spark.read.format(fmt).load(path).selectExpr("count(*) AS n", "avg(temperature_c) AS t").first()
    return time.perf_counter() - started, int(row["n"])


def run_benchmark(spark: Any, work_dir: Path, rows: int = 200_000, files: int = 2_000, repeats: int = 5) -> dict:
    """Write the three layouts under ``work_dir``, read each ``repeats`` times; return summary and rows."""
    from delta.tables import DeltaTable

    paths = {layout: str(work_dir / layout) for layout in LAYOUTS}
    readings(spark, rows).repartition(files).write.format("delta").save(paths["small_files"])
    readings(spark, rows).repartition(files).write.format("delta").save(paths["optimized"])
    started = time.perf_counter()
    DeltaTable.forPath(spark, paths["optimized"]).optimize().executeCompaction()
    optimize_s = time.perf_counter() - started
    readings(spark, rows).coalesce(1).write.parquet(paths["single_parquet_floor"])
    file_counts = {layout: len(list(Path(path).glob("*.parquet"))) for layout, path in paths.items()}
    file_counts["optimized"] = int(spark.sql(f"DESCRIBE DETAIL delta.`{paths['optimized']}`").first()["numFiles"])

    for layout in LAYOUTS:  # warm-up: JIT, file system caches
        read_once(spark, layout, paths[layout])
    runs = []
    for run in range(repeats):
        order = LAYOUTS[run % len(LAYOUTS):] + LAYOUTS[:run % len(LAYOUTS)]
        for layout in order:
            seconds, seen = read_once(spark, layout, paths[layout])
            if seen != rows:
                raise AssertionError(f"{layout}: expected {rows} rows, read {seen}")
            runs.append({"run": run + 1, "layout": layout, "files": file_counts[layout], "seconds": round(seconds, 4)})

    summary: dict[str, Any] = {"rows": rows, "small_files_count": file_counts["small_files"],
                               "optimized_files_count": file_counts["optimized"], "repeats": repeats,
                               "optimize_seconds": round(optimize_s, 3)}
    for layout in LAYOUTS:
        times = [r["seconds"] for r in runs if r["layout"] == layout]
        summary[f"{layout}_median_s"] = round(statistics.median(times), 4)
        summary[f"{layout}_worst_s"] = round(max(times), 4)
    summary["small_vs_optimized_median_ratio"] = round(
        summary["small_files_median_s"] / summary["optimized_median_s"], 2)
    return {"summary": summary, "rows": runs}


def draw(outcome: dict, png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    for index, layout in enumerate(LAYOUTS):
        times = [r["seconds"] for r in outcome["rows"] if r["layout"] == layout]
        ax.scatter([index] * len(times), times, alpha=0.7)
        ax.hlines(statistics.median(times), index - 0.25, index + 0.25)
    summary = outcome["summary"]
    ax.set_xticks(range(len(LAYOUTS)), [f"{summary['small_files_count']} small files", "after OPTIMIZE",
                                        "one Parquet file (floor)"])
    ax.set_ylabel("seconds per read (dot: run, line: median)")
    ax.set_title(f"{summary['rows']:,} rows")
    ax.set_ylim(bottom=0)
    fig.tight_layout()
    fig.savefig(png, dpi=100)
    plt.close(fig)


def main() -> None:
    from catalog_tools.bench import write_results
    from catalog_tools.spark import local_spark

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--files", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="small-files-bench-") as tmp:
        spark = local_spark(Path(tmp) / "spark", app_name=NAME)
        outcome = run_benchmark(spark, Path(tmp), args.rows, args.files, args.repeats)
        spark.stop()
    write_results(RESULTS, NAME, outcome["summary"], outcome["rows"])
    draw(outcome, RESULTS / f"{NAME}.png")
    print(outcome["summary"])


if __name__ == "__main__":
    main()
