"""Benchmark: which file-size settings open-source Delta 4.0 honours, measured on the same appends.

The same ``--appends`` appends of ``--rows-per-append`` generated sensor readings, each written by
``--partitions`` tasks (so each append makes that many small files), into one table per setting:

- ``plain``: nothing set;
- ``optimizeWrite``: table property ``delta.autoOptimize.optimizeWrite = true``;
- ``autoCompact``: table property ``delta.autoOptimize.autoCompact = true``;
- ``plain + OPTIMIZE``: nothing set, then one ``OPTIMIZE`` at the end;
- ``delta.targetFileSize``: the Databricks property, recorded as accepted or refused.

For each: files and bytes in the final snapshot, total write time, OPTIMIZE time, and the time of
a full scan (sum of a column over every row). Before the first setting, two appends, an OPTIMIZE
and a scan run once on a throwaway table, so JIT and class loading are not charged to ``plain``.
The settings run ``--repetitions`` times (3 by default), each time into fresh tables, in the listed
order on odd repetitions and in reverse on even ones; the summary gives the median and the worst
(slowest) time per setting, never the best, and the file counts (``counts_repeat_exactly`` says whether
they were the same in every repetition). Writes results/file_size_settings.json. Run it from the folder:
``../.venv/bin/python benchmarks/file_size_settings.py``
(``make bench FOLDER=05-performance-optimization`` runs them all).
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

from pyspark.sql.utils import AnalysisException
from repeated_runs import case_order, median_and_worst, repeated_exactly
from workloads.star_schema import StarSchemaShape, sensor_fact

from catalog_tools.bench import write_results
from catalog_tools.spark import local_spark
from spark_performance_analyzer.delta_layout import compact, table_files

SETTINGS = {
    "plain": {},
    "optimizeWrite": {"delta.autoOptimize.optimizeWrite": "true"},
    "autoCompact": {"delta.autoOptimize.autoCompact": "true"},
    "plain + OPTIMIZE": {},
}


def create_table(spark, path: Path, template, properties: dict[str, str]) -> None:
    template.limit(0).write.format("delta").save(str(path))
    if properties:
        assignments = ", ".join(f"'{key}' = '{value}'" for key, value in properties.items())
        spark.sql(f"ALTER TABLE delta.`{path}` SET TBLPROPERTIES ({assignments})")


def warm_up(spark, scratch: Path, args) -> None:
    """Append twice, OPTIMIZE and scan a throwaway table; nothing is recorded."""
    path = scratch / "warm_up"
    for append in range(2):
        (sensor_fact(spark, args.rows_per_append, StarSchemaShape(), first_row=append * args.rows_per_append)
         .repartition(args.partitions).write.format("delta").mode("append").save(str(path)))
    compact(spark, str(path))
    spark.read.format("delta").load(str(path)).selectExpr("sum(units_produced)").first()
    shutil.rmtree(path, ignore_errors=True)


def measure_setting(spark, scratch: Path, name: str, args, repetition: int = 1) -> dict:
    """The appends into a fresh table with the setting ``name``: files, bytes, write, OPTIMIZE and scan times."""
    load_1m = os.getloadavg()[0]
    path = scratch / f"{name.replace(' ', '_').replace('+', 'and')}_{repetition}"
    create_table(spark, path, sensor_fact(spark, 1, StarSchemaShape()), SETTINGS[name])
    started = time.monotonic()
    for append in range(args.appends):
        (sensor_fact(spark, args.rows_per_append, StarSchemaShape(), first_row=append * args.rows_per_append)
         .repartition(args.partitions).write.format("delta").mode("append").save(str(path)))
    write_s = time.monotonic() - started
    optimize_s = 0.0
    if name == "plain + OPTIMIZE":
        started = time.monotonic()
        compact(spark, str(path))
        optimize_s = time.monotonic() - started
    files = table_files(spark, str(path))
    started = time.monotonic()
    total = spark.read.format("delta").load(str(path)).selectExpr("sum(units_produced)").first()[0]
    scan_s = time.monotonic() - started
    rows = spark.read.format("delta").load(str(path)).count()
    if rows != args.appends * args.rows_per_append:
        raise SystemExit(f"{name}: expected {args.appends * args.rows_per_append} rows, found {rows}")
    return {"setting": name, "repetition": repetition, "load_avg_1m_at_start": round(load_1m, 2), "honoured": "",
            "files": files.num_files,
            "avg_file_kib": round(files.average_file_bytes / 1024, 1), "table_bytes": files.size_bytes,
            "write_s": round(write_s, 2), "optimize_s": round(optimize_s, 2), "full_scan_s": round(scan_s, 2),
            "units_total": total}


def target_file_size_outcome(spark, scratch: Path) -> dict:
    path = scratch / "target_file_size"
    spark.range(3).write.format("delta").save(str(path))
    try:
        spark.sql(f"ALTER TABLE delta.`{path}` SET TBLPROPERTIES ('delta.targetFileSize' = '32mb')")
        outcome = "accepted"
    except AnalysisException as error:
        outcome = "refused: " + str(error).splitlines()[0][:90]
    return {"setting": "delta.targetFileSize", "repetition": "", "load_avg_1m_at_start": "", "honoured": outcome,
            "files": "",
            "avg_file_kib": "",
            "table_bytes": "", "write_s": "", "optimize_s": "", "full_scan_s": "", "units_total": ""}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appends", type=int, default=10)
    parser.add_argument("--rows-per-append", type=int, default=100_000)
    parser.add_argument("--partitions", type=int, default=16)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--results-dir", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args(argv)
    load_average = os.getloadavg()
    scratch = Path(tempfile.mkdtemp(prefix="bench-05-files-"))
    spark = local_spark(scratch / "spark", app_name="file-size-settings", shuffle_partitions=8)
    try:
        warm_up(spark, scratch, args)
        rows = [measure_setting(spark, scratch, name, args, repetition)
                for repetition in range(1, args.repetitions + 1) for name in case_order(list(SETTINGS), repetition)]
        plain_files = {row["repetition"]: row["files"] for row in rows if row["setting"] == "plain"}
        for row in rows:  # honoured = measurably fewer files than the same appends with nothing set
            row["honoured"] = "baseline" if row["setting"] == "plain" else (
                "yes" if row["files"] < plain_files[row["repetition"]] else "no effect measured")
        refused = target_file_size_outcome(spark, scratch)
    finally:
        spark.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    for row in rows:
        print(row)
    if len({row["units_total"] for row in rows}) != 1:
        raise SystemExit(f"expected the same data in every table, got {[row['units_total'] for row in rows]}")
    summary: dict = {"appends": args.appends, "rows_per_append": args.rows_per_append,
                     "write_partitions": args.partitions, "local_cores": 2, "repetitions": args.repetitions,
                     "load_avg_1m_at_start": round(load_average[0], 2),
                     "counts_repeat_exactly": repeated_exactly(rows, "setting", "files")}
    for name in SETTINGS:
        slug = name.replace(" + ", "_").replace(" ", "_")
        for count in ("files", "table_bytes"):  # the median run's; counts_repeat_exactly says if they differed
            summary[f"{slug}_{count}"] = int(statistics.median(row[count] for row in rows if row["setting"] == name))
        for figure in ("write_s", "optimize_s", "full_scan_s"):
            if figure == "optimize_s" and name != "plain + OPTIMIZE":
                continue
            summary[f"{slug}_{figure}_median"], summary[f"{slug}_{figure}_worst"] = median_and_worst(
                rows, "setting", name, figure)
    summary["targetFileSize"] = refused["honoured"]
    rows.append(refused)
    json_path, md_path = write_results(args.results_dir, "file_size_settings", summary, rows)
    md_path.unlink()  # the JSON is the one result; Markdown renders its tables from it
    print(f"wrote {json_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
