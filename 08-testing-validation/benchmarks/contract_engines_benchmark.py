"""Benchmark: the sensor contract (15 rules, 13 of them row rules) on generated readings, evaluated by
our one-pass engine, by Great Expectations and by DQX; the floor is one plain scan of the same data.
Each engine also runs the contract without its key rule (``event_id_unique``), which shows what the
uniqueness check costs each engine: the only rule that needs a shuffle of every key.

Run from the folder (one benchmark at a time on a shared machine)::

    python benchmarks/contract_engines_benchmark.py --rows 1000000 10000000 --runs 5

Writes benchmarks/results/contract_engines.json (+ .md, + .png): per size, median and worst seconds
per engine (and per engine without the key rule) over the runs, the Spark jobs each engine started,
the per-rule failing counts of each engine, and the load averages around each run. All engines read
the same parquet file in the same Spark session and compute the same output (failing rows per rule;
no writes). They run interleaved within each run, in an order that rotates from run to run, so a
load spike hits all of them alike.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from catalog_tools.bench import write_results
from catalog_tools.spark import local_spark
from plant_data_quality import evaluate_contract, load_contract
from plant_data_quality.peer_engines import dqx_engine, dqx_failing_rows, gx_failing_rows, local_spark_versions_endpoint

FOLDER = Path(__file__).resolve().parents[1]
CONTRACT_PATH = FOLDER / "contracts" / "sensor_readings.yaml"
RESULTS_DIR = FOLDER / "benchmarks" / "results"
NAME = "contract_engines"
NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
MACHINES = 500
KEY_RULE = "event_id_unique"
ENGINES = ("ours", "great_expectations", "dqx")
WITHOUT_KEY_RULE = "_without_key_rule"


def generate_readings(spark: SparkSession, rows: int) -> DataFrame:
    """Deterministic readings with a known share of bad values for every rule (about 0.1 % each)."""
    i = F.col("id")
    bad = lambda modulus, residue: (i % modulus) == residue  # noqa: E731
    event_time = F.timestamp_seconds(F.lit(int(NOW.timestamp()) - 3 * 24 * 3600) + (i % 86400))
    return spark.range(rows).select(
        F.when(bad(1009, 1), None).otherwise(F.concat(F.lit("e"), F.when(bad(1013, 2), i - 1).otherwise(i))
                                             .cast("string")).alias("event_id"),
        F.when(bad(1019, 3), F.lit("press-7")).otherwise(F.format_string("M-%04d", (i % (MACHINES + 3)).cast("int")))
        .alias("machine_id"),
        F.when(bad(1021, 4), F.timestamp_seconds(F.lit(int(NOW.timestamp()) - 9 * 24 * 3600))).otherwise(event_time)
        .alias("event_time"),
        F.when(bad(1031, 5), event_time - F.expr("INTERVAL 5 MINUTES"))
        .otherwise(event_time + F.expr("INTERVAL 1 SECOND")).alias("ingested_at"),
        F.when(bad(1033, 6), None).when(bad(1039, 7), F.lit(999.0)).otherwise((i % 1200) / 10.0 - 20.0)
        .alias("temperature_c"),
        F.when(bad(1049, 8), F.lit(-1.0)).otherwise((i % 500) / 10.0).alias("vibration_mm_s"),
        F.when(bad(1051, 9), F.lit(401.0)).otherwise((i % 300) / 1.0).alias("pressure_bar"),
        F.when(bad(1061, 10), F.lit("exploded")).otherwise(
            F.element_at(F.array(*[F.lit(s) for s in ("running", "idle", "fault", "maintenance")]),
                         (i % 4 + 1).cast("int"))).alias("status"),
        F.when(bad(1063, 11), F.lit("beta")).otherwise(F.lit("2.1.0")).alias("firmware_version"),
    )


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def label(rows: int) -> str:
    """The suffix of a size's figures: ``10m`` for 10,000,000 rows, else the number."""
    return f"{rows // 1_000_000}m" if rows % 1_000_000 == 0 else str(rows)


def run_benchmark(
    spark: SparkSession, sizes: Sequence[int], runs: int, workdir: Path, results_dir: Path
) -> dict[str, Any]:
    """Per size: write the readings once as parquet, then time each engine on that file ``runs`` times.

    Every engine computes the same thing, the failing rows per rule (ours also its samples and
    gate outcomes); nothing is written. The order of the engines rotates from run to run.
    """
    contract = load_contract(CONTRACT_PATH)
    without_key_rule = dataclasses.replace(contract, rules=tuple(r for r in contract.rules if r.name != KEY_RULE))
    dimensions = {"machines": spark.range(MACHINES).select(
        F.format_string("M-%04d", F.col("id").cast("int")).alias("machine_id"))}
    records: list[dict[str, Any]] = []
    with local_spark_versions_endpoint() as host:
        dqx = dqx_engine(spark, host)
        for rows in sizes:
            data_path = str(workdir / f"readings_{rows}.parquet")
            generate_readings(spark, rows).write.mode("overwrite").parquet(data_path)
            readings = spark.read.parquet(data_path)
            engines: dict[str, Callable[[], dict[str, int | None]]] = {
                "floor_scan": lambda readings=readings, rows=rows: {
                    "rows": readings.write.format("noop").mode("overwrite").save() or rows}}
            for suffix, checked in (("", contract), (WITHOUT_KEY_RULE, without_key_rule)):
                engines[f"ours{suffix}"] = lambda readings=readings, checked=checked: {
                    r.rule: r.failing_rows for r in evaluate_contract(
                        readings, checked, now=NOW, dimensions=dimensions).results}
                engines[f"great_expectations{suffix}"] = lambda readings=readings, checked=checked: gx_failing_rows(
                    readings, checked, now=NOW, dimensions=dimensions)
                engines[f"dqx{suffix}"] = lambda readings=readings, checked=checked: dqx_failing_rows(
                    dqx, readings, checked, now=NOW, dimensions=dimensions)
            order = list(engines)
            for run in range(1, runs + 1):
                for engine in order[run - 1:] + order[:run - 1]:
                    load_before = os.getloadavg()
                    group = f"{engine}-{rows}-{run}"
                    spark.sparkContext.setJobGroup(group, group)
                    try:
                        seconds, counts = timed(engines[engine])
                    finally:
                        spark.sparkContext.setLocalProperty("spark.jobGroup.id", None)
                    jobs = len(spark.sparkContext.statusTracker().getJobIdsForGroup(group))
                    records.append({"rows": rows, "run": run, "engine": engine, "seconds": round(seconds, 3),
                                    "spark_jobs": jobs, "load_1m_before": round(load_before[0], 2),
                                    "load_1m_after": round(os.getloadavg()[0], 2), "counts": counts})
                    print(f"{rows} rows, run {run} {engine}: {seconds:.1f} s, {jobs} jobs "
                          f"(load {load_before[0]:.1f})", flush=True)
    summary = summarise(records, sizes, len(contract.rules), len(contract.row_rules))
    json_path, _ = write_results(results_dir, NAME, summary, records)
    draw(records, json_path.with_suffix(".png"), sizes)
    return summary


def summarise(records: list[dict[str, Any]], sizes: Sequence[int], rules: int, row_rules: int) -> dict[str, Any]:
    summary: dict[str, Any] = {"rules": rules, "row_rules": row_rules, "runs": max(r["run"] for r in records)}
    variants = ("", WITHOUT_KEY_RULE)
    for rows in sizes:
        size = label(rows)
        mine = [r for r in records if r["rows"] == rows]
        summary[f"rows_{size}"] = rows
        for engine in ["floor_scan"] + [f"{name}{suffix}" for suffix in variants for name in ENGINES]:
            seconds = [r["seconds"] for r in mine if r["engine"] == engine]
            summary[f"{engine}_median_seconds_{size}"] = round(statistics.median(seconds), 2)
            summary[f"{engine}_worst_seconds_{size}"] = round(max(seconds), 2)
            summary[f"{engine}_spark_jobs_{size}"] = max(r["spark_jobs"] for r in mine if r["engine"] == engine)
        for suffix in variants:
            for peer in ENGINES[1:]:
                ours, theirs = (summary[f"{name}{suffix}_median_seconds_{size}"] for name in ("ours", peer))
                summary[f"ours_over_{peer}{suffix}_median_{size}"] = round(ours / theirs, 2)
        for engine in ENGINES:  # what the key rule adds to each engine's median
            with_rule, without = (summary[f"{engine}{suffix}_median_seconds_{size}"] for suffix in variants)
            summary[f"{engine}_key_rule_median_seconds_{size}"] = round(with_rule - without, 2)
        differing: set[str] = set()
        for suffix in variants:
            our_counts = next(r["counts"] for r in mine if r["engine"] == f"ours{suffix}")
            for record in mine:
                if record["engine"] in (f"great_expectations{suffix}", f"dqx{suffix}"):
                    differing |= {rule for rule, count in record["counts"].items()
                                  if count is not None and count != our_counts[rule]}
        summary[f"rules_with_differing_counts_{size}"] = ", ".join(sorted(differing)) or "none"
    headline = label(max(sizes))  # the largest size also under unsuffixed names, for the catalog's front page
    summary["rows"] = max(sizes)
    for key in [f"{engine}_{figure}_seconds" for engine in ("floor_scan", *ENGINES)
                for figure in ("median", "worst")] + ["rules_with_differing_counts"]:
        summary[key] = summary[f"{key}_{headline}"]
    loads = [r["load_1m_before"] for r in records]
    summary["load_1m_median"] = round(statistics.median(loads), 2)
    summary["load_1m_worst"] = round(max(loads), 2)
    return summary


def draw(records: list[dict[str, Any]], png_path: Path, sizes: Sequence[int]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    engines = ["floor_scan", "ours", "dqx", "great_expectations"]
    labels = ["plain scan (floor)", "ours (one pass)", "DQX", "Great Expectations"]
    engines += [f"{engine}{WITHOUT_KEY_RULE}" for engine in engines[1:]]
    labels += [f"{name}, no key rule" for name in labels[1:]]
    figure, axes = plt.subplots(len(sizes), 1, figsize=(7, 3.4 * len(sizes)), squeeze=False)
    for axis, rows in zip(axes[:, 0], sizes, strict=True):
        for position, engine in enumerate(engines):
            seconds = [r["seconds"] for r in records if r["engine"] == engine and r["rows"] == rows]
            axis.scatter(seconds, [position] * len(seconds), color="tab:blue", alpha=0.6,
                         label="runs" if not position else None)
            axis.scatter([statistics.median(seconds)], [position], color="black", marker="|", s=400,
                         label="median" if not position else None)
        axis.set_yticks(range(len(engines)), labels)
        axis.set_xlabel(f"seconds to count every rule's failing rows, {rows:,} rows")
        axis.set_xlim(left=0)
        axis.legend(loc="lower right")
    figure.tight_layout()
    figure.savefig(png_path, dpi=110)
    plt.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--shuffle-partitions", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="contract-engines-") as workdir:
        spark = local_spark(Path(workdir) / "spark", app_name=NAME, shuffle_partitions=args.shuffle_partitions,
                            extra_conf={"spark.driver.memory": "3g"})
        try:
            summary = run_benchmark(spark, args.rows, args.runs, Path(workdir), RESULTS_DIR)
        finally:
            spark.stop()
    for key, value in summary.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
