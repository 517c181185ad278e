"""Benchmark: the measured scaling curve of one representative job at 1M, 10M and 50M generated rows.

For each size: generate the sensor fact with Spark (``star_schema.sensor_fact``: ``spark.range`` and
column expressions, no Python rows) and write it to Delta (time, files, bytes), then run the
representative job: read the fact, as-of join every reading to the SCD2 machine dimension,
aggregate per machine and hour (``manufacturing_queries.hourly_machine_summary``), write the
result to Delta. The job's wall time, input, shuffle and spill bytes come from the REST API under
its job group; output files from the Delta log. Before the first measured size the whole
pipeline (write and job) runs once at ``--warm-up-rows`` and is discarded, so class loading and
JIT compilation are not charged to the smallest size. The sizes are measured ``--repetitions`` times
(3 by default; ascending on odd repetitions, descending on even ones); the summary gives each size's
median and worst (slowest) time, never the best, and the fits run through the medians. Results are
written after every repetition, so a long run that is stopped keeps the repetitions it finished.
The extrapolation to 1 billion rows (method, fit, r^2, assumed parallel efficiency, all labelled
EXTRAPOLATION) is stored under ``extrapolation`` in the JSON and printed as a table. Run it from the
folder (minutes at 50M on 2 cores):
``../.venv/bin/python benchmarks/scaling_curve.py``.
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

from repeated_runs import case_order, median_and_worst, repeated_exactly
from workloads.manufacturing_queries import hourly_machine_summary
from workloads.star_schema import StarSchemaShape, machine_dimension_scd2, sensor_fact

from catalog_tools.bench import write_results
from catalog_tools.spark import local_spark
from spark_performance_analyzer import load_from_rest_api
from spark_performance_analyzer.delta_layout import table_files
from spark_performance_analyzer.scaling import InsufficientMeasurementsError, extrapolate, fit_linear

SHAPE = StarSchemaShape()
SHUFFLE_PARTITIONS = 16


def measure_size(spark, scratch: Path, rows: int, run: str = "measured") -> dict:
    """Write ``rows`` generated readings, run the representative job on them; job groups are per ``run``."""
    fact_path, out_path = scratch / f"fact_{run}_{rows}", scratch / f"summary_{run}_{rows}"
    load_1m = os.getloadavg()[0]
    group = f"{run}-write-{rows}"
    spark.sparkContext.setJobGroup(group, group)
    started = time.monotonic()
    sensor_fact(spark, rows, SHAPE).write.format("delta").save(str(fact_path))
    write_s = time.monotonic() - started
    group = f"{run}-job-{rows}"
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


TARGET_ROWS = 1e9
MEASURED_CORES, TARGET_CORES, ASSUMED_EFFICIENCY = 2, 64, 0.7


def median_rows(rows: list[dict]) -> list[dict]:
    """One row per size with the median of every figure over its repetitions, smallest size first."""
    sizes = sorted({row["rows"] for row in rows})
    figures = ("fact_write_s", "job_s", "job_shuffle_bytes")
    return [{"rows": size, **{figure: statistics.median(r[figure] for r in rows if r["rows"] == size)
                              for figure in figures}} for size in sizes]


def summary_of(rows: list[dict], args, load_1m: float) -> dict:
    """Settings, then per size the median and worst fact write and job times, the median fact, input and shuffle
    bytes, the largest spill and output file count."""
    summary: dict = {"warm_up_rows": args.warm_up_rows, "machines": SHAPE.machines,
                     "interval_seconds": SHAPE.interval_seconds, "shuffle_partitions": SHUFFLE_PARTITIONS,
                     "local_cores": 2, "repetitions": max(row["repetition"] for row in rows),
                     "load_avg_1m_at_start": round(load_1m, 2),
                     "counts_repeat_exactly": repeated_exactly(rows, "rows", "output_files")}
    for size in sorted({row["rows"] for row in rows}):
        millions = f"rows_{size // 1_000_000}m"
        for figure in ("fact_write_s", "job_s"):
            summary[f"{millions}_{figure}_median"], summary[f"{millions}_{figure}_worst"] = median_and_worst(
                rows, "rows", size, figure)
        for figure in ("fact_bytes", "job_input_bytes", "job_shuffle_bytes"):
            summary[f"{millions}_{figure}"] = int(statistics.median(r[figure] for r in rows if r["rows"] == size))
        summary[f"{millions}_job_spill_bytes"] = max(r["job_spill_bytes"] for r in rows if r["rows"] == size)
        summary[f"{millions}_output_files"] = max(r["output_files"] for r in rows if r["rows"] == size)
    return summary


def extrapolations(rows: list[dict]) -> list[dict]:
    """One EXTRAPOLATION per timed quantity (fit, r^2, 2 and 64 cores), plus shuffle bytes per row; ``rows``
    holds one row per size (the medians, see ``median_rows``)."""
    if len(rows) < 2:
        return []
    results = []
    for label, key in (("fact write (generate + Delta write)", "fact_write_s"),
                       ("representative job (as-of join + hourly aggregate + Delta write)", "job_s")):
        fit = fit_linear([(r["rows"], r[key]) for r in rows], non_negative_fixed=True)
        try:
            estimate = extrapolate(fit, TARGET_ROWS, MEASURED_CORES, TARGET_CORES, ASSUMED_EFFICIENCY)
        except InsufficientMeasurementsError as error:
            results.append({"quantity": label, "method": fit.method, "refused": str(error)})
            continue
        results.append({
            "quantity": label, "method": fit.method, "fixed_s": round(fit.fixed_s, 2),
            "s_per_million_rows": round(fit.per_row_s * 1e6, 4), "r_squared": round(fit.r_squared, 4),
            "seconds_2_cores": round(estimate.seconds_on_measured_cores),
            "assumed_parallel_efficiency": ASSUMED_EFFICIENCY,
            "speedup_on_per_row_part": round(estimate.speedup_on_per_row_part, 1),
            "seconds_64_cores": round(estimate.seconds_on_target_cores), "steps": list(estimate.steps)})
    shuffle = fit_linear([(r["rows"], r["job_shuffle_bytes"]) for r in rows], non_negative_fixed=True)
    results.append({"quantity": "job shuffle bytes", "method": shuffle.method,
                    "bytes_per_row": round(shuffle.per_row_s, 4), "r_squared": round(shuffle.r_squared, 4),
                    "bytes_at_1e9_rows": round(shuffle.fixed_s + shuffle.per_row_s * TARGET_ROWS)})
    return results


EXTRAPOLATION_KEYS = {"fact write": "fact_write", "representative job": "job"}


def extrapolation_summary(results: list[dict]) -> dict:
    """The extrapolations as flat summary figures (``extrapolated_job_s_64_cores`` ...), so Markdown can render
    them; r^2 as text with four decimals (a rendered number keeps three digits); refused quantities are left out."""
    summary: dict = {}
    for result in results:
        if "seconds_2_cores" in result:
            prefix = "extrapolated_" + next(key for label, key in EXTRAPOLATION_KEYS.items()
                                            if result["quantity"].startswith(label))
            summary.update({f"{prefix}_fit": result["method"], f"{prefix}_fixed_s": result["fixed_s"],
                            f"{prefix}_s_per_million_rows": result["s_per_million_rows"],
                            f"{prefix}_r_squared": f"{result['r_squared']:.4f}",  # text: 0.9997 stays 0.9997
                            f"{prefix}_s_2_cores": result["seconds_2_cores"],
                            f"{prefix}_s_64_cores": result["seconds_64_cores"]})
        elif "bytes_per_row" in result:
            summary.update({"extrapolated_job_shuffle_bytes_per_row": result["bytes_per_row"],
                            "extrapolated_job_shuffle_bytes_r_squared": f"{result['r_squared']:.4f}",
                            "extrapolated_job_shuffle_bytes_at_1e9_rows": result["bytes_at_1e9_rows"]})
    if summary:
        summary.update({"extrapolated_target_rows": int(TARGET_ROWS), "extrapolated_target_cores": TARGET_CORES,
                        "extrapolated_assumed_parallel_efficiency": ASSUMED_EFFICIENCY})
    return summary


def extrapolation_markdown(results: list[dict]) -> str:
    if not results:
        return ""
    lines = [
        "", "## EXTRAPOLATION to 1,000,000,000 rows (not a measurement)", "",
        "Method: a least-squares line `seconds = fixed + per_row x rows` through the measured sizes above"
        " (`spark_performance_analyzer.scaling`). A negative fixed cost has no physical meaning, so such a"
        " fit is redone through the origin (fixed = 0) and the table says so. On this machine"
        f" ({MEASURED_CORES} cores) the estimate is `fixed + per_row x 1e9`. For {TARGET_CORES} cores only the"
        f" per-row part is divided, by {TARGET_CORES} / {MEASURED_CORES} cores x {ASSUMED_EFFICIENCY} parallel"
        f" efficiency = {TARGET_CORES / MEASURED_CORES * ASSUMED_EFFICIENCY:.1f}x. The efficiency is an"
        " ASSUMPTION, not measured here; a real cluster also adds network shuffle and object-store latency"
        " that a single machine does not have.", "",
        "| quantity | fit | r^2 | EXTRAPOLATED s, 2 cores | EXTRAPOLATED s, 64 cores (efficiency 0.7 assumed) |",
        "|---|---|---|---|---|",
    ]
    for result in results:
        if "refused" in result:
            lines.append(f"| {result['quantity']} | {result['method']} | | not extrapolated: {result['refused']} | |")
        elif "seconds_2_cores" in result:
            fit = f"{result['fixed_s']} s + {result['s_per_million_rows']} s per million rows ({result['method']})"
            lines.append(f"| {result['quantity']} | {fit} | {result['r_squared']} | {result['seconds_2_cores']:,}"
                         f" | {result['seconds_64_cores']:,} |")
    shuffle = results[-1]
    lines += ["", f"Job shuffle bytes: {shuffle['bytes_per_row']} bytes per row ({shuffle['method']},"
              f" r^2 = {shuffle['r_squared']}) x 1e9 rows = {shuffle['bytes_at_1e9_rows']:,} bytes"
              " (EXTRAPOLATION; bytes do not depend on the number of cores)."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000, 50_000_000])
    parser.add_argument("--warm-up-rows", type=int, default=1_000_000)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--results-dir", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args(argv)
    load_average = os.getloadavg()
    scratch = Path(tempfile.mkdtemp(prefix="bench-05-scaling-"))
    spark = local_spark(scratch / "spark", ui=True, app_name="scaling-curve", shuffle_partitions=SHUFFLE_PARTITIONS,
                        extra_conf={"spark.sql.adaptive.enabled": "true"})
    rows: list[dict] = []
    try:
        warm_up = measure_size(spark, scratch, args.warm_up_rows, run="warm-up")  # discarded: JIT and class loading
        print("warm-up (not recorded)", warm_up, flush=True)
        for repetition in range(1, args.repetitions + 1):
            for size in case_order(sorted(args.sizes), repetition):
                rows.append({"repetition": repetition, **measure_size(spark, scratch, size, run=f"run{repetition}")})
                print(rows[-1], flush=True)
            json_path, md_path = write_results(args.results_dir, "scaling_curve",
                                               summary_of(rows, args, load_average[0]), rows)
            md_path.unlink()  # the JSON is the one result; Markdown renders its tables from it
            document = json.loads(json_path.read_text())
            document["extrapolation"] = extrapolations(median_rows(rows))
            document["summary"].update(extrapolation_summary(document["extrapolation"]))
            json_path.write_text(json.dumps(document, indent=2) + "\n")
    finally:
        spark.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"wrote {json_path}")
    print(extrapolation_markdown(document["extrapolation"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
