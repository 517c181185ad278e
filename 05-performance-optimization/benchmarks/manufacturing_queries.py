"""Benchmark: the manufacturing query set over a generated star schema, for repeatable performance runs.

Generates the sensor fact (``star_schema.sensor_fact``, ``--rows`` readings of 240 machines) into
a Delta table, the plant and SCD2 machine dimensions, then runs each query of
``manufacturing_queries`` once as a warm-up on 1 % of the rows and once measured, writing its
result to the ``noop`` sink. For each query: wall time, input bytes, shuffle bytes, result rows and
the analyzer's findings, all from the live REST API under the query's job group.
Writes results/manufacturing_queries.json and .md. Run it from the folder:
``../.venv/bin/python benchmarks/manufacturing_queries.py``
(``make bench FOLDER=05-performance-optimization`` runs them all).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the folder root, where workloads/ lives

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


def run_measured(spark, group: str, build) -> dict:
    spark.sparkContext.setJobGroup(group, group)
    started = time.monotonic()
    result = build()
    result.write.format("noop").mode("overwrite").save()
    wall_s = time.monotonic() - started
    spark.sparkContext.setJobGroup("", "")
    app = load_from_rest_api(spark.sparkContext.uiWebUrl, spark.sparkContext.applicationId).for_job_group(group)
    return {
        "query": group, "wall_s": round(wall_s, 2),
        "input_bytes": int(sum(s.total("input_bytes") for s in app.stages)),
        "shuffle_bytes": int(sum(s.total("shuffle_write_bytes") for s in app.stages)),
        "result_rows": result.count(),
        "findings": ", ".join(sorted({f.kind for f in analyze(app, LAPTOP_THRESHOLDS)})) or "none",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--results-dir", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args(argv)
    load_average = os.getloadavg()
    scratch = Path(tempfile.mkdtemp(prefix="bench-05-queries-"))
    spark = local_spark(scratch / "spark", ui=True, app_name="manufacturing-queries", shuffle_partitions=8,
                        extra_conf={"spark.sql.adaptive.enabled": "true"})
    try:
        days = args.rows / SHAPE.rows_per_day()
        plants, machines = plant_dimension(spark, SHAPE), machine_dimension_scd2(spark, SHAPE, stream_days=days)
        started = time.monotonic()
        sensor_fact(spark, args.rows, SHAPE).write.format("delta").save(str(scratch / "fact"))
        fact_write_s = time.monotonic() - started
        readings = spark.read.format("delta").load(str(scratch / "fact"))
        for name, build in query_set(readings.sample(0.01, seed=1), machines, plants).items():
            build().write.format("noop").mode("overwrite").save()  # warm-up, not measured
            print("warmed up", name)
        rows = []
        for name, build in query_set(readings, machines, plants).items():
            rows.append(run_measured(spark, name, build))
            print(rows[-1])
    finally:
        spark.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    summary: dict = {"fact_rows": args.rows, "machines": SHAPE.machines, "days_of_data": round(days, 2),
                     "shuffle_partitions": 8, "local_cores": 2, "load_avg_1m_at_start": round(load_average[0], 2),
                     "fact_write_s": round(fact_write_s, 2)}
    for row in rows:
        slug = row["query"].split(" (")[0].replace(" ", "_")
        summary[f"{slug}_wall_s"] = row["wall_s"]
        summary[f"{slug}_shuffle_bytes"] = row["shuffle_bytes"]
    json_path, md_path = write_results(args.results_dir, "manufacturing_queries", summary, rows)
    print(f"wrote {json_path} and {md_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
