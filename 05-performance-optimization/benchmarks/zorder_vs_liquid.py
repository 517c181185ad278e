"""Benchmark: the same sensor table with no layout, Z-ordered, and liquid-clustered; what selective queries read.

Writes one generated sensor fact (``star_schema.sensor_fact``, arrival order) three ways:

- ``no layout``: as it arrives, ``maxRecordsPerFile`` cuts it into many files, each holding every machine;
- ``z-order``: the same files, then ``OPTIMIZE ... ZORDER BY (machine_id, event_time)``;
- ``liquid``: a table created ``CLUSTER BY (machine_id, event_time)``, the same rows appended, then ``OPTIMIZE``.

OPTIMIZE aims at ``--max-file-mib`` per file in both layouts so they end with comparable file counts.
Each query runs under its own job group; files read, bytes read and rows scanned come from the
query's ``Scan parquet`` node in the REST API's ``/sql`` endpoint, files skipped = table files - files
read. The three tables are written and optimized ``--repetitions`` times (3 by default, fresh tables
each time), and every query runs ``--repeats`` times on each repetition's tables after one warm-up.
The summary gives the median and the worst (slowest) OPTIMIZE and query times, never the best; file
and byte counts come from the median repetition (``counts_repeat_exactly`` says whether they were the
same every time). Writes results/zorder_vs_liquid.json. Run it from the folder:
``../.venv/bin/python benchmarks/zorder_vs_liquid.py``
(``make bench FOLDER=05-performance-optimization`` runs them all).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the folder root, where workloads/ lives

from repeated_runs import median_and_worst, repeated_exactly
from workloads.star_schema import StarSchemaShape, sensor_fact

from catalog_tools.bench import write_results
from catalog_tools.spark import local_spark
from spark_performance_analyzer.delta_layout import compact, create_clustered_table, table_files, zorder_by
from spark_performance_analyzer.rest_client import SparkRestClient
from spark_performance_analyzer.scan_metrics import scan_metrics_for_job_group

LAYOUT_COLUMNS = ["machine_id", "event_time"]
QUERIES = {
    "one machine, all time": "machine_id = 'CHI1-L3-M07'",
    "one machine, one hour": "machine_id = 'CHI1-L3-M07' AND event_time >= '2026-01-05 07:00:00'"
                             " AND event_time < '2026-01-05 08:00:00'",
    "one line (id prefix)": "machine_id LIKE 'SHA1-L2-%'",
    "all machines, one hour": "event_time >= '2026-01-05 07:00:00' AND event_time < '2026-01-05 08:00:00'",
}


def write_layouts(spark, root: Path, rows: int, records_per_file: int, max_file_bytes: int) -> list[dict]:
    """Write the three tables; return one row per layout with its files and how long it took."""
    fact = sensor_fact(spark, rows, StarSchemaShape(), partitions=4)
    layouts = []
    started = time.monotonic()
    fact.write.format("delta").option("maxRecordsPerFile", records_per_file).save(str(root / "no_layout"))
    layouts.append(("no layout", root / "no_layout", time.monotonic() - started, 0.0))

    shutil.copytree(root / "no_layout", root / "zorder")
    started = time.monotonic()
    zorder_by(spark, str(root / "zorder"), LAYOUT_COLUMNS, max_file_bytes)
    layouts.append(("z-order", root / "zorder", 0.0, time.monotonic() - started))

    started = time.monotonic()
    create_clustered_table(spark, str(root / "liquid"), fact.repartition(4), LAYOUT_COLUMNS)
    written = time.monotonic() - started
    started = time.monotonic()
    compact(spark, str(root / "liquid"), max_file_bytes)
    layouts.append(("liquid", root / "liquid", written, time.monotonic() - started))
    rows_out = []
    for name, path, write_s, optimize_s in layouts:
        files = table_files(spark, str(path))
        rows_out.append({"layout": name, "path": str(path), "files": files.num_files, "table_bytes": files.size_bytes,
                         "write_s": round(write_s, 2), "optimize_s": round(optimize_s, 2)})
    return rows_out


def measure_query(spark, client: SparkRestClient, table: dict, query: str, predicate: str, repeats: int,
                  repetition: int = 1) -> dict:
    """Warm up, then count the query's rows ``repeats`` times; scan metrics of the last run, every run's time."""
    frame = spark.read.format("delta").load(table["path"]).where(predicate)
    frame.count()  # warm-up: snapshot and stats cached, JIT warm
    times, group = [], ""
    for run in range(repeats):
        group = f"{table['layout']}|{query}|{repetition}|{run}"
        spark.sparkContext.setJobGroup(group, group)
        started = time.monotonic()
        matched = frame.count()
        times.append(time.monotonic() - started)
        spark.sparkContext.setJobGroup("", "")
    scans = scan_metrics_for_job_group(client, spark.sparkContext.applicationId, group)
    files_read = sum(s.files_read for s in scans)
    return {
        "layout": table["layout"], "query": query, "repetition": repetition, "rows_matched": matched,
        "table_files": table["files"], "files_read": files_read, "files_skipped": table["files"] - files_read,
        "bytes_read": sum(s.bytes_read for s in scans), "rows_scanned": sum(s.rows_read for s in scans),
        "wall_s": round(statistics.median(times), 3), "wall_s_runs": [round(t, 3) for t in times],
    }


def slug_of(*names: str) -> str:
    """A summary key part: ``slug_of("z-order", "one line (id prefix)")`` is ``zorder_one_line_id_prefix``."""
    slug = "_".join(names).replace(" ", "_").replace(",", "").replace("-", "")
    return slug.replace("(", "").replace(")", "")


def summary_of(layouts: list[dict], results: list[dict], args, load_average: tuple[float, ...]) -> dict:
    """Settings; per layout files, bytes and OPTIMIZE time; per layout and query files, bytes and rows read and the
    query time (median and worst over every run of every repetition)."""
    keyed = [{**row, "key": row["layout"] + row["query"]} for row in results]
    summary: dict = {"rows": args.rows, "records_per_file": args.records_per_file, "max_file_mib": args.max_file_mib,
                     "load_avg_1m_at_start": round(load_average[0], 2), "local_cores": 2,
                     "repetitions": args.repetitions, "query_runs_per_repetition": args.repeats,
                     "counts_repeat_exactly": repeated_exactly(layouts, "layout", "files")
                     and repeated_exactly(keyed, "key", "files_read")}
    for layout in dict.fromkeys(row["layout"] for row in layouts):
        slug = slug_of(layout)
        runs = [row for row in layouts if row["layout"] == layout]
        middle = sorted(runs, key=lambda row: row["files"])[len(runs) // 2]
        summary[f"{slug}_files"], summary[f"{slug}_table_bytes"] = middle["files"], middle["table_bytes"]
        summary[f"{slug}_optimize_s_median"], summary[f"{slug}_optimize_s_worst"] = median_and_worst(
            layouts, "layout", layout, "optimize_s")
    for key in dict.fromkeys((row["layout"], row["query"]) for row in results):
        runs = [row for row in results if (row["layout"], row["query"]) == key]
        middle = sorted(runs, key=lambda row: row["files_read"])[len(runs) // 2]
        slug = slug_of(*key)
        summary[f"{slug}_files_read"], summary[f"{slug}_scan_bytes"] = middle["files_read"], middle["bytes_read"]
        summary[f"{slug}_rows_scanned"] = middle["rows_scanned"]
        times = [{"key": slug, "wall_s": t} for row in runs for t in row["wall_s_runs"]]
        summary[f"{slug}_wall_s_median"], summary[f"{slug}_wall_s_worst"] = median_and_worst(
            times, "key", slug, "wall_s")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--records-per-file", type=int, default=50_000)
    parser.add_argument("--max-file-mib", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--results-dir", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args(argv)
    load_average = os.getloadavg()
    scratch = Path(tempfile.mkdtemp(prefix="bench-05-layout-"))
    spark = local_spark(scratch / "spark", ui=True, app_name="zorder-vs-liquid", shuffle_partitions=8)
    layouts, results = [], []
    try:
        client = SparkRestClient(spark.sparkContext.uiWebUrl)
        for repetition in range(1, args.repetitions + 1):
            written = write_layouts(spark, scratch / f"tables_{repetition}", args.rows, args.records_per_file,
                                    int(args.max_file_mib * 1024 * 1024))
            for layout in written:
                layouts.append({"repetition": repetition, **layout})
                print({k: v for k, v in layouts[-1].items() if k != "path"}, flush=True)
            for query, predicate in QUERIES.items():
                for layout in written:
                    results.append(measure_query(spark, client, layout, query, predicate, args.repeats, repetition))
                    print(results[-1], flush=True)
            shutil.rmtree(scratch / f"tables_{repetition}", ignore_errors=True)
    finally:
        spark.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    matched = {q: {r["rows_matched"] for r in results if r["query"] == q} for q in QUERIES}
    if any(len(counts) != 1 for counts in matched.values()):
        raise SystemExit(f"expected every layout to return the same rows per query, got {matched}")
    summary = summary_of(layouts, results, args, load_average)
    layout_rows = [{k: v for k, v in layout.items() if k != "path"} for layout in layouts]
    json_path, md_path = write_results(args.results_dir, "zorder_vs_liquid", summary, results)
    md_path.unlink()  # the JSON is the one result; Markdown renders its tables from it
    document = json.loads(json_path.read_text())
    document["layouts"] = layout_rows  # every repetition's files, bytes, write and OPTIMIZE times
    json_path.write_text(json.dumps(document, indent=2) + "\n")
    print(f"wrote {json_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
