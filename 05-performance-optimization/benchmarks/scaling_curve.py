"""Benchmark: the measured scaling curve of one representative job at 1M, 10M and 50M generated rows.

For each size: generate the sensor fact with Spark (``star_schema.sensor_fact``: ``spark.range`` and
column expressions, no Python rows) and write it to Delta (time, files, bytes), then run the
representative job: read the fact, as-of join every reading to the SCD2 machine dimension,
aggregate per machine and hour (``manufacturing_queries.hourly_machine_summary``), write the
result to Delta. The job's wall time, input, shuffle and spill bytes come from the REST API under
its job group; output files from the Delta log. Results are written after every size, so a long
run that is stopped keeps the sizes it finished. The extrapolation to 1 billion rows (a linear
fit, labelled EXTRAPOLATION) is appended to the markdown. Run it (minutes at 50M on 2 cores):
``flock /tmp/catalog-bench.lock .venv/bin/python 05-performance-optimization/benchmarks/scaling_curve.py``.
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from catalog_tools.bench import write_results
from catalog_tools.spark import local_spark
from spark_performance_analyzer import load_from_rest_api
from spark_performance_analyzer.delta_layout import table_files
from spark_performance_analyzer.manufacturing_queries import hourly_machine_summary
from spark_performance_analyzer.scaling import InsufficientMeasurementsError, extrapolate, fit_linear
from spark_performance_analyzer.star_schema import StarSchemaShape, machine_dimension_scd2, sensor_fact

SHAPE = StarSchemaShape()
SHUFFLE_PARTITIONS = 16


def measure_size(spark, scratch: Path, rows: int) -> dict:
    fact_path, out_path = scratch / f"fact_{rows}", scratch / f"summary_{rows}"
    load_1m = os.getloadavg()[0]
    group = f"write-{rows}"
    spark.sparkContext.setJobGroup(group, group)
    started = time.monotonic()
    sensor_fact(spark, rows, SHAPE).write.format("delta").save(str(fact_path))
    write_s = time.monotonic() - started
    group = f"job-{rows}"
    spark.sparkContext.setJobGroup(group, group)
    machines = machine_dimension_scd2(spark, SHAPE, stream_days=rows / SHAPE.rows_per_day())
    started = time.monotonic()
    hourly_machine_summary(spark.read.format("delta").load(str(fact_path)), machines) \
        .write.format("delta").save(str(out_path))
    job_s = time.monotonic() - started
    spark.sparkContext.setJobGroup("", "")
    app = load_from_rest_api(spark.sparkContext.uiWebUrl, spark.sparkContext.applicationId).for_job_group(group)
    fact_files, out_files = table_files(spark, str(fact_path)), table_files(spark, str(out_path))
    row = {
        "rows": rows, "load_avg_1m_at_start": round(load_1m, 2),
        "fact_write_s": round(write_s, 2), "fact_files": fact_files.num_files, "fact_bytes": fact_files.size_bytes,
        "job_s": round(job_s, 2), "job_input_bytes": int(sum(s.total("input_bytes") for s in app.stages)),
        "job_shuffle_bytes": int(sum(s.total("shuffle_write_bytes") for s in app.stages)),
        "job_spill_bytes": int(sum(s.total("disk_spilled_bytes") for s in app.stages)),
        "job_tasks": sum(s.num_tasks for s in app.stages),
        "output_files": out_files.num_files, "output_bytes": out_files.size_bytes,
    }
    shutil.rmtree(fact_path, ignore_errors=True)
    shutil.rmtree(out_path, ignore_errors=True)
    return row


def extrapolation_lines(rows: list[dict]) -> list[str]:
    if len(rows) < 2:
        return []
    lines = ["", "## EXTRAPOLATION to 1 billion rows (not a measurement)", ""]
    for label, key in (("fact write", "fact_write_s"), ("representative job", "job_s")):
        fit = fit_linear([(r["rows"], r[key]) for r in rows])
        for cores in (2, 64):
            try:
                estimate = extrapolate(fit, 1e9, measured_cores=2, target_cores=cores, efficiency=0.7)
            except InsufficientMeasurementsError as error:
                lines.append(f"- {label}: no extrapolation, {error}")
                break
            lines.append(f"- {label}, {cores} cores: " + "; ".join(estimate.steps))
    shuffle = fit_linear([(r["rows"], r["job_shuffle_bytes"]) for r in rows])
    lines.append(f"- shuffle bytes: {shuffle.per_row_s:.2f} bytes per row (r^2 = {shuffle.r_squared:.4f}) x 1e9 rows"
                 f" = {shuffle.fixed_s + shuffle.per_row_s * 1e9:,.0f} bytes (EXTRAPOLATION)")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000, 50_000_000])
    parser.add_argument("--results-dir", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args(argv)
    load_average = os.getloadavg()
    scratch = Path(tempfile.mkdtemp(prefix="bench-05-scaling-"))
    spark = local_spark(scratch / "spark", ui=True, app_name="scaling-curve", shuffle_partitions=SHUFFLE_PARTITIONS,
                        extra_conf={"spark.sql.adaptive.enabled": "true"})
    rows: list[dict] = []
    try:
        sensor_fact(spark, 10_000, SHAPE).write.format("noop").mode("overwrite").save()  # warm-up
        for size in args.sizes:
            rows.append(measure_size(spark, scratch, size))
            print(rows[-1], flush=True)
            summary: dict = {"machines": SHAPE.machines, "interval_seconds": SHAPE.interval_seconds,
                             "shuffle_partitions": SHUFFLE_PARTITIONS, "local_cores": 2,
                             "load_avg_1m_at_start": round(load_average[0], 2)}
            for row in rows:
                millions = f"{row['rows'] // 1_000_000}m"
                summary[f"rows_{millions}_fact_write_s"] = row["fact_write_s"]
                summary[f"rows_{millions}_job_s"] = row["job_s"]
                summary[f"rows_{millions}_job_shuffle_bytes"] = row["job_shuffle_bytes"]
                summary[f"rows_{millions}_output_files"] = row["output_files"]
            json_path, md_path = write_results(args.results_dir, "scaling_curve", summary, rows)
            with md_path.open("a") as markdown:
                markdown.write("\n".join(extrapolation_lines(rows)) + "\n")
    finally:
        spark.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"wrote {json_path} and {md_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
