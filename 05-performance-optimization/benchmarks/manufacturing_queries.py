"""Benchmark: the manufacturing query set over a generated star schema, for repeatable performance runs.

Generates the sensor fact (``star_schema.sensor_fact``, ``--rows`` readings of 240 machines) into
a Delta table, the plant and SCD2 machine dimensions, then runs each query of
``manufacturing_queries`` once as a warm-up on 1 % of the rows, then measured ``--repetitions`` times
(3 by default; listed order on odd repetitions, reverse on even ones), writing its result to the
``noop`` sink. For each run: wall time, input bytes, shuffle bytes, result rows and the analyzer's
findings, all from the live REST API under the run's job group. The fact is written once per
repetition into a fresh table, so its write time is a distribution too. The summary gives the median
and the worst time, never the best. Writes results/manufacturing_queries.json. Run it from the folder:
``../.venv/bin/python benchmarks/manufacturing_queries.py``
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

from repeated_runs import case_order, median_and_worst, repeated_exactly
from workloads import manufacturing_queries as q
from workloads.star_schema import (
    StarSchemaShape,
    machine_dimension_scd2,
    plant_dimension,
    sensor_fact,
)

from catalog_tools.bench import write_results
from catalog_tools.spark import local_spark
from spark_performance_analyzer import analyze, load_from_rest_api
from spark_performance_analyzer.analyzers import LAPTOP_THRESHOLDS

SHAPE = StarSchemaShape()


def query_set(readings, machines, plants) -> dict:
    return {
        "oee per line per shift": lambda: q.oee_per_line_per_shift(readings, machines, plants,
                                                                    SHAPE.interval_seconds),
        "top 5 machines per plant by alarms": lambda: q.top_machines_by_alarms(readings, 5),
        "hourly temperature percentiles per plant": lambda: q.hourly_temperature_percentiles(readings),
        "vibration by firmware (SCD2 as-of join)": lambda: q.vibration_by_firmware(readings, machines),
    }


def run_measured(spark, query: str, build, repetition: int = 1) -> dict:
    """Run one query to the ``noop`` sink under its own job group; its time, bytes, rows and findings."""
    group = f"{query} #{repetition}"
    spark.sparkContext.setJobGroup(group, group)
    started = time.monotonic()
    result = build()
    result.write.format("noop").mode("overwrite").save()
    wall_s = time.monotonic() - started
    spark.sparkContext.setJobGroup("", "")
    app = load_from_rest_api(spark.sparkContext.uiWebUrl, spark.sparkContext.applicationId).for_job_group(group)
    return {
        "query": query, "repetition": repetition, "wall_s": round(wall_s, 2),
        "input_bytes": int(sum(s.total("input_bytes") for s in app.stages)),
        "shuffle_bytes": int(sum(s.total("shuffle_write_bytes") for s in app.stages)),
        "result_rows": result.count(),
        "findings": ", ".join(sorted({f.kind for f in analyze(app, LAPTOP_THRESHOLDS)})) or "none",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--results-dir", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args(argv)
    load_average = os.getloadavg()
    scratch = Path(tempfile.mkdtemp(prefix="bench-05-queries-"))
    spark = local_spark(scratch / "spark", ui=True, app_name="manufacturing-queries", shuffle_partitions=8,
                        extra_conf={"spark.sql.adaptive.enabled": "true"})
    try:
        days = args.rows / SHAPE.rows_per_day()
        plants, machines = plant_dimension(spark, SHAPE), machine_dimension_scd2(spark, SHAPE, stream_days=days)
        rows, fact_writes = [], []
        for repetition in range(1, args.repetitions + 1):
            fact_path = str(scratch / f"fact_{repetition}")
            started = time.monotonic()
            sensor_fact(spark, args.rows, SHAPE).write.format("delta").save(fact_path)
            fact_writes.append({"fact": "write", "wall_s": round(time.monotonic() - started, 2)})
            readings = spark.read.format("delta").load(fact_path)
            if repetition == 1:
                for name, build in query_set(readings.sample(0.01, seed=1), machines, plants).items():
                    build().write.format("noop").mode("overwrite").save()  # warm-up, not measured
                    print("warmed up", name)
            for name, build in case_order(list(query_set(readings, machines, plants).items()), repetition):
                rows.append({**run_measured(spark, name, build, repetition),
                             "fact_write_s_this_repetition": fact_writes[-1]["wall_s"]})
                print(rows[-1], flush=True)
    finally:
        spark.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    summary: dict = {"fact_rows": args.rows, "machines": SHAPE.machines, "days_of_data": round(days, 2),
                     "shuffle_partitions": 8, "local_cores": 2, "repetitions": args.repetitions,
                     "load_avg_1m_at_start": round(load_average[0], 2)}
    summary["fact_write_s_median"], summary["fact_write_s_worst"] = median_and_worst(fact_writes, "fact", "write",
                                                                                     "wall_s")
    for query in dict.fromkeys(row["query"] for row in rows):
        slug = query.split(" (")[0].replace(" ", "_")
        summary[f"{slug}_wall_s_median"], summary[f"{slug}_wall_s_worst"] = median_and_worst(
            rows, "query", query, "wall_s")
        summary[f"{slug}_shuffle_bytes"] = int(statistics.median(r["shuffle_bytes"] for r in rows
                                                                 if r["query"] == query))
    summary["byte_counts_repeat_exactly"] = repeated_exactly(rows, "query", "shuffle_bytes")
    json_path, md_path = write_results(args.results_dir, "manufacturing_queries", summary, rows)
    md_path.unlink()  # the JSON is the one result; Markdown renders its tables from it
    print(f"wrote {json_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
