"""Naive explode + pivot against the progressive path (getItem of registered keys, each looked up only on
the machine types that carry it, plus the guard that keeps every other entry), on the same materialized input.

Run it (from the folder; about 13 minutes at 2M rows with 3 runs per path; publish only runs under the lock)::

    flock /tmp/catalog-bench.lock ../.venv/bin/python benchmarks/flatten_benchmark.py
    ../.venv/bin/python benchmarks/flatten_benchmark.py --rows 100000 --repetitions 1   # a quick look

Method (what makes it fair):

* the input (``--rows`` readings from ``extension_generator``, 51 distinct keys over 8 machine types) is
  generated once and written to Delta; every run reads that table;
* every run is a fresh Spark process with the same settings (``SPARK_SETTINGS``); it first runs its path
  once on a small warm-up table, then the measured runs read the input and flatten it;
* the naive path gets the key list; the progressive path gets the registry's knowledge, built the way
  ``progressive_flatten`` builds it: ``discover_keys(..., group_column="machine_type")`` on the first
  10,000 rows of the input (keys and the machine types carrying each), timed separately, outside the
  measured flattening; its output keeps ``_unextracted_keys`` (keys whose value no column took), so the
  guard is computed, not pruned away;
* runs alternate between the paths (P N, N P, P N, ...), ``--repetitions`` each; medians are reported;
* per run, twice: the flattening alone into Spark's ``noop`` sink, then flattening + Delta write (the
  end-to-end figure): wall time, executor CPU time, shuffle write bytes (Spark REST API, the measured job group's
  stages), peak JVM heap (``peakMemoryMetrics.JVMHeapMemory``) and the JVM's peak RSS (``VmHWM``);
* both paths' last outputs are read back and cross-checked: same row count and the same
  order-independent checksum over every key column; the progressive output's unextracted entries are counted;
* per run, last: the flattened Delta output just written is copied to a new Delta table and read into
  ``noop``, to show how much of the end-to-end figure is writing the 52-column table (same for both paths).

Results: ``benchmarks/results/flatten_benchmark.json`` and ``.md``; discussion in docs/flattening-benchmark.md.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from functools import partial
from pathlib import Path

from extension_generator import distinct_keys, generate_readings
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from catalog_tools.bench import write_results
from catalog_tools.spark import local_spark
from delta_schema_evolution.map_flattening import UNEXTRACTED_KEYS, discover_keys, extract_registered_keys

NAIVE, PROGRESSIVE = "naive_explode_pivot", "progressive_getitem"
MAP_COLUMN, GROUP_COLUMN = "customExtension", "machine_type"
DISCOVERY_SAMPLE_ROWS = 10_000
# Same for both paths. The JVM flag lets HotSpot JIT-compile generated methods over 8000 bytes of
# bytecode (otherwise they stay interpreted); kept from the first published run so that runs compare.
# Its effect on each path has not been measured on its own.
# 4g driver: explode + pivot of 2M rows peaks near 2 GiB of heap and failed once with the 2g default.
SPARK_SETTINGS = {"spark.driver.extraJavaOptions": "-XX:-DontCompileHugeMethods", "spark.driver.memory": "4g"}
SHUFFLE_PARTITIONS = 8


def naive_flatten(frame: DataFrame, keys: list[str]) -> DataFrame:
    """explode every entry, then pivot back to one column per key (a shuffle on reading_id)."""
    exploded = frame.select("reading_id", F.explode(MAP_COLUMN).alias("key", "value"))
    return exploded.groupBy("reading_id").pivot("key", keys).agg(F.first("value")).select("reading_id", *keys)


def learned_key_groups(frame: DataFrame, sample_rows: int = DISCOVERY_SAMPLE_ROWS) -> dict[str, tuple[str, ...] | None]:
    """What the registry learns from a sample: ``{key: machine types carrying it}`` (``discover_keys``)."""
    return {k.key: k.groups for k in discover_keys(frame, MAP_COLUMN, sample_rows, group_column=GROUP_COLUMN)}


def progressive_flatten(frame: DataFrame, keys: list[str],
                        key_groups: dict[str, tuple[str, ...] | None] | None = None) -> DataFrame:
    """``extract_registered_keys``: getItem per registered key, only on the machine types that carry it
    (``key_groups``), plus ``_unextracted_keys`` (every key whose value no column took): a projection, no
    explode, no shuffle."""
    extracted = extract_registered_keys(frame, MAP_COLUMN, {key: "string" for key in keys}, prefix="",
                                        group_column=GROUP_COLUMN, key_groups=key_groups)
    return extracted.select("reading_id", *keys, UNEXTRACTED_KEYS)


def _get(url: str) -> object:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def stage_metrics(spark: SparkSession, job_group: str) -> dict[str, int | None]:
    """Executor CPU ms and shuffle write bytes of the job group's stages, and the executor's peak JVM heap."""
    base = f"{spark.sparkContext.uiWebUrl}/api/v1/applications/{spark.sparkContext.applicationId}"
    stage_ids = {s for job in _get(f"{base}/jobs") if job.get("jobGroup") == job_group for s in job["stageIds"]}
    stages = [s for s in _get(f"{base}/stages") if s["stageId"] in stage_ids]
    peaks = [e.get("peakMemoryMetrics", {}).get("JVMHeapMemory") for e in _get(f"{base}/executors")]
    peak = max((p for p in peaks if p is not None), default=None)
    return {"executor_cpu_s": round(sum(s.get("executorCpuTime", 0) for s in stages) / 1e9, 2),
            "shuffle_write_bytes": sum(s.get("shuffleWriteBytes", 0) for s in stages),
            "peak_jvm_heap_mib": round(peak / 1024 / 1024) if peak else None}


def jvm_peak_rss_mib(spark: SparkSession) -> int | None:
    """The driver JVM's peak resident set (VmHWM) from /proc; None where /proc is absent."""
    status = Path(f"/proc/{spark.sparkContext._gateway.proc.pid}/status")  # noqa: SLF001 (the JVM's pid)
    if not status.exists():
        return None
    line = next(line for line in status.read_text().splitlines() if line.startswith("VmHWM:"))
    return round(int(line.split()[1]) / 1024)


def run_path(spark: SparkSession, flatten: Callable[[DataFrame], DataFrame], input_path: str,
             output_path: str | None, job_group: str) -> float:
    """Read ``input_path``, flatten it and write it: to ``output_path`` (Delta, overwrite), or to Spark's
    ``noop`` sink when ``output_path`` is None (the flattening alone). Returns wall seconds."""
    spark.sparkContext.setJobGroup(job_group, job_group)
    started = time.perf_counter()
    flat = flatten(spark.read.format("delta").load(input_path))
    if output_path is None:
        flat.write.format("noop").mode("overwrite").save()
    else:
        flat.write.format("delta").mode("overwrite").save(output_path)
    seconds = time.perf_counter() - started
    spark.sparkContext.setJobGroup("other", "other")
    return round(seconds, 2)


def child(args: argparse.Namespace) -> int:
    """One measured run of one path in this process: warm-up on the small table, the flattening alone
    (noop sink), then flattening + Delta write; prints the measurements as JSON on the last line."""
    work = Path(args.work)
    load_at_start = round(os.getloadavg()[0], 2)
    spark = local_spark(work / f"spark-{args.path}-{args.repetition}", app_name=args.path, ui=True,
                        shuffle_partitions=SHUFFLE_PARTITIONS, extra_conf=SPARK_SETTINGS)
    keys, discovery_seconds = distinct_keys(), None
    if args.path == NAIVE:
        flatten = partial(naive_flatten, keys=keys)
        run_path(spark, flatten, str(work / "warmup"), str(work / f"warmup-out-{args.path}"), "warmup")
    else:
        warmup_groups = learned_key_groups(spark.read.format("delta").load(str(work / "warmup")))
        run_path(spark, partial(progressive_flatten, keys=keys, key_groups=warmup_groups), str(work / "warmup"),
                 str(work / f"warmup-out-{args.path}"), "warmup")
        started = time.perf_counter()
        key_groups = learned_key_groups(spark.read.format("delta").load(str(work / "input")))
        discovery_seconds = round(time.perf_counter() - started, 2)
        if sorted(key_groups) != keys:
            raise RuntimeError(f"discovery: expected the {len(keys)} generated keys, got {sorted(key_groups)}")
        flatten = partial(progressive_flatten, keys=keys, key_groups=key_groups)
    noop_seconds = run_path(spark, flatten, str(work / "input"), None, "noop")
    noop = stage_metrics(spark, "noop")
    # a fresh output table per run: overwriting an existing one would add Delta's log replay to the figures
    output = str(work / f"out-{args.path}-{args.repetition}")
    delta_seconds = run_path(spark, flatten, str(work / "input"), output, "delta")
    delta = stage_metrics(spark, "delta")
    # writing the flattened table alone (no flattening): read the output back into noop, then copy it
    read_seconds = run_path(spark, lambda frame: frame, output, None, "read-flat")
    copy_seconds = run_path(spark, lambda frame: frame, output, output + "-copy", "copy-flat")
    result = {"path": args.path, "repetition": args.repetition, "load_avg_1m_at_start": load_at_start,
              "registry_discovery_seconds": discovery_seconds,
              "read_flat_noop_seconds": read_seconds, "copy_flat_delta_seconds": copy_seconds,
              "flatten_noop_seconds": noop_seconds, "flatten_noop_cpu_s": noop["executor_cpu_s"],
              "seconds": delta_seconds, "executor_cpu_s": delta["executor_cpu_s"],
              "shuffle_write_bytes": delta["shuffle_write_bytes"], "peak_jvm_heap_mib": delta["peak_jvm_heap_mib"],
              "jvm_peak_rss_mib": jvm_peak_rss_mib(spark)}
    spark.stop()
    print(json.dumps(result))
    return 0


def cross_check(spark: SparkSession, output_paths: dict[str, str]) -> dict[str, dict[str, object]]:
    """Row count and an order-independent checksum (sum of xxhash64 over reading_id and every key column)
    per output; for an output with ``_unextracted_keys``, also how many entries no column took."""
    checks = {}
    for path_name, output_path in output_paths.items():
        frame = spark.read.format("delta").load(output_path)
        columns = ["reading_id", *distinct_keys()]
        row = frame.select(F.count(F.lit(1)).alias("rows"),
                           F.sum(F.xxhash64(*columns).cast("decimal(38,0)")).alias("checksum")).first()
        checks[path_name] = {"rows": row["rows"], "checksum": str(row["checksum"])}
        if UNEXTRACTED_KEYS in frame.columns:
            checks[path_name]["unextracted_entries"] = frame.select(F.sum(F.size(UNEXTRACTED_KEYS))).first()[0]
    return checks


def outputs_match(checks: dict[str, dict[str, object]], rows: int) -> bool:
    """Both outputs have ``rows`` rows and the same checksum, and no entry was left out of the columns."""
    naive, progressive = checks[NAIVE], checks[PROGRESSIVE]
    return (naive["rows"] == progressive["rows"] == rows and naive["checksum"] == progressive["checksum"]
            and progressive.get("unextracted_entries", 0) == 0)


def schedule(repetitions: int) -> list[str]:
    """Alternating order: P N, N P, P N, ...

    Example::

        >>> schedule(2)
        ['progressive_getitem', 'naive_explode_pivot', 'naive_explode_pivot', 'progressive_getitem']
    """
    order: list[str] = []
    for repetition in range(repetitions):
        order += [PROGRESSIVE, NAIVE] if repetition % 2 == 0 else [NAIVE, PROGRESSIVE]
    return order


def summarize(runs: list[dict[str, object]], rows: int, checks: dict[str, dict[str, object]],
              load_at_start: float) -> dict[str, object]:
    """Medians per path, the speed-ups, and whether the cross-check passed."""
    def median(path_name: str, metric: str) -> float:
        return statistics.median(float(r[metric]) for r in runs if r["path"] == path_name)

    summary: dict[str, object] = {"rows": rows, "distinct_keys": len(distinct_keys()),
                                  "repetitions_per_path": sum(r["path"] == NAIVE for r in runs),
                                  "load_avg_1m_at_start": load_at_start}
    for path_name in (PROGRESSIVE, NAIVE):
        for metric in ("seconds", "executor_cpu_s", "flatten_noop_seconds", "flatten_noop_cpu_s",
                       "shuffle_write_bytes", "peak_jvm_heap_mib", "jvm_peak_rss_mib", "read_flat_noop_seconds",
                       "copy_flat_delta_seconds"):
            summary[f"{path_name}_median_{metric}"] = median(path_name, metric)
    summary["speedup_wall_median"] = round(summary[f"{NAIVE}_median_seconds"]
                                           / summary[f"{PROGRESSIVE}_median_seconds"], 2)
    summary["speedup_cpu_median"] = round(summary[f"{NAIVE}_median_executor_cpu_s"]
                                          / summary[f"{PROGRESSIVE}_median_executor_cpu_s"], 2)
    summary["speedup_flatten_noop_wall_median"] = round(summary[f"{NAIVE}_median_flatten_noop_seconds"]
                                                        / summary[f"{PROGRESSIVE}_median_flatten_noop_seconds"], 2)
    summary["speedup_flatten_noop_cpu_median"] = round(summary[f"{NAIVE}_median_flatten_noop_cpu_s"]
                                                       / summary[f"{PROGRESSIVE}_median_flatten_noop_cpu_s"], 2)
    summary[f"{PROGRESSIVE}_median_registry_discovery_seconds"] = statistics.median(
        float(r["registry_discovery_seconds"]) for r in runs if r["path"] == PROGRESSIVE)
    summary["outputs_match"] = outputs_match(checks, rows)
    summary["cross_check"] = checks
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--warmup-rows", type=int, default=100_000)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--results-name", default="flatten_benchmark")
    parser.add_argument("--path", choices=[NAIVE, PROGRESSIVE])
    parser.add_argument("--repetition", type=int, default=0)
    parser.add_argument("--work")
    args = parser.parse_args(argv)
    if args.path:
        return child(args)
    load_at_start = round(os.getloadavg()[0], 2)
    with tempfile.TemporaryDirectory(prefix="flatten-bench-") as work:
        spark = local_spark(Path(work) / "parent", app_name="flatten-bench", shuffle_partitions=SHUFFLE_PARTITIONS)
        generate_readings(spark, args.rows).write.format("delta").save(str(Path(work) / "input"))
        generate_readings(spark, args.warmup_rows).write.format("delta").save(str(Path(work) / "warmup"))
        runs = []
        for index, path_name in enumerate(schedule(args.repetitions)):
            done = subprocess.run([sys.executable, __file__, "--path", path_name, "--work", work,
                                   "--repetition", str(index // 2 + 1)], capture_output=True, text=True)
            if done.returncode != 0:
                print(done.stderr[-5000:], file=sys.stderr)
                raise RuntimeError(f"run {index + 1} ({path_name}): expected exit 0, got {done.returncode}")
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(json.dumps(runs[-1]), flush=True)
        checks = cross_check(spark, {p: str(Path(work) / f"out-{p}-{args.repetitions}") for p in (PROGRESSIVE, NAIVE)})
        spark.stop()
    summary = summarize(runs, args.rows, checks, load_at_start)
    json_path, md_path = write_results(Path(__file__).resolve().parent / "results", args.results_name, summary, runs)
    print(json.dumps(summary, indent=2))
    print(f"wrote {json_path} and {md_path}")
    return 0 if summary["outputs_match"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
