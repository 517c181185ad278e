"""End to end (read Delta -> flatten -> write Delta): naive explode + pivot, the progressive path (getItem of
registered keys, each looked up only on the machine types that carry it, plus the guard that keeps every
other entry), and the physical floor (copy the already-flat table to Delta), on the same data.

Run it (from the folder; ``make bench FOLDER=02-schema-evolution`` takes the shared benchmark lock)::

    ../.venv/bin/python benchmarks/flatten_benchmark.py                                   # 2M rows, 5 runs per path
    ../.venv/bin/python benchmarks/flatten_benchmark.py --rows 100000 --repetitions 1 --results-name quick_look

Method (what makes it fair):

* the input (``--rows`` readings from ``extension_generator``, 51 distinct keys over 8 machine types) is
  generated once and written to Delta; every run reads that table. The floor's input is the same readings
  already flat (``reading_id`` + one string column per key), written once to Delta;
* every run is a fresh Spark process with the same settings (``SPARK_SETTINGS``); it first reads its own
  measured input once (``prime_input``, untimed: Delta's snapshot and the files' pages are loaded the same
  way for every path, as the progressive path's key discovery already did for its input), runs its path
  once on a small warm-up table, then measures two variants: end to end (Delta in -> Delta out, the
  headline) and the flattening alone (Delta in -> Spark's ``noop`` sink; for the floor: the read alone);
* the order of the two variants alternates between repetitions (odd: end to end first; even: flattening
  alone first), because the first big job in a fresh JVM pays for JIT compilation and heap growth: that
  made the naive flattening alone look slower than flattening + write when it always ran first;
* the naive path gets the key list; the progressive path gets the registry's knowledge, built the way
  ``progressive_flatten`` builds it: ``discover_keys(..., group_column="machine_type")`` on the first
  10,000 rows of the input, timed separately, outside the measured runs; its output keeps
  ``_unextracted_keys`` (keys whose value no column took), so the guard is computed, not pruned away;
* runs rotate between the paths (P N F, N F P, F P N, ...), ``--repetitions`` each; before each run the
  parent waits until the previous run's JVM has exited and flushes dirty pages (``os.sync``), so one run's
  leftovers (the explode + pivot run writes about 250 MB of shuffle files) are not charged to the next; the
  summary gives the median and the worst run per path, never the best, and the ratios of the medians
  (wall and executor CPU) to the floor;
* per variant: wall time, executor CPU and JVM GC time, shuffle write bytes (Spark REST API, the variant's
  job group); per run: peak JVM heap, the JVM's peak RSS (``VmHWM``), the 1/5/15-minute load averages at
  start and end (the machine may be shared; the figures are only as quiet as those say);
* every path's output is read back and cross-checked (after the first rotation and after the last): same
  row count and the same order-independent checksum over every key column; the progressive output's
  unextracted entries are counted;
* the JSON is rewritten after every run once each path has run (``complete`` says whether all planned runs
  finished, ``repetitions_per_path`` how many did), so a run cut short still leaves what it measured.

Results: ``benchmarks/results/flatten_benchmark.json`` (summary and every run) and ``.png`` (every run's
end-to-end time per path); discussion in docs/flattening-benchmark.md.
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
from delta_schema_evolution import UNEXTRACTED_KEYS, discover_keys, extract_registered_keys

NAIVE, PROGRESSIVE, FLOOR = "naive_explode_pivot", "progressive_getitem", "floor_copy_flat"
PATHS = (PROGRESSIVE, NAIVE, FLOOR)
END_TO_END, FLATTEN_ONLY = "end_to_end", "flatten_only"
MAP_COLUMN, GROUP_COLUMN = "customExtension", "machine_type"
DISCOVERY_SAMPLE_ROWS = 10_000
# Same for every path. The JVM flag lets HotSpot JIT-compile generated methods over 8000 bytes of
# bytecode (otherwise they stay interpreted); kept from the first published run so that runs compare.
# 4g driver: explode + pivot of 2M rows peaks near 3.5 GiB of heap and failed once with the 2g default.
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


def already_flat(frame: DataFrame, keys: list[str]) -> DataFrame:
    """The floor's input: the readings already flat (``reading_id`` + one string column per key), the table
    both flattening paths produce, so copying it measures reading and writing that table and nothing else."""
    return frame.select("reading_id", *[F.col(MAP_COLUMN).getItem(key).alias(key) for key in keys])


def _get(url: str) -> object:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def stage_metrics(spark: SparkSession, job_group: str) -> dict[str, float | int | None]:
    """Executor CPU s, JVM GC s and shuffle write bytes of the job group's stages."""
    base = f"{spark.sparkContext.uiWebUrl}/api/v1/applications/{spark.sparkContext.applicationId}"
    stage_ids = {s for job in _get(f"{base}/jobs") if job.get("jobGroup") == job_group for s in job["stageIds"]}
    stages = [s for s in _get(f"{base}/stages") if s["stageId"] in stage_ids]
    return {"cpu_s": round(sum(s.get("executorCpuTime", 0) for s in stages) / 1e9, 2),
            "gc_s": round(sum(s.get("jvmGcTime", 0) for s in stages) / 1e3, 2),
            "shuffle_write_bytes": sum(s.get("shuffleWriteBytes", 0) for s in stages)}


def peak_jvm_heap_mib(spark: SparkSession) -> int | None:
    """The executor's peak JVM heap (``peakMemoryMetrics.JVMHeapMemory``), whole process."""
    base = f"{spark.sparkContext.uiWebUrl}/api/v1/applications/{spark.sparkContext.applicationId}"
    peaks = [e.get("peakMemoryMetrics", {}).get("JVMHeapMemory") for e in _get(f"{base}/executors")]
    peak = max((p for p in peaks if p is not None), default=None)
    return round(peak / 1024 / 1024) if peak else None


def jvm_peak_rss_mib(spark: SparkSession) -> int | None:
    """The driver JVM's peak resident set (VmHWM) from /proc; None where /proc is absent."""
    status = Path(f"/proc/{spark.sparkContext._gateway.proc.pid}/status")  # noqa: SLF001 (the JVM's pid)
    if not status.exists():
        return None
    line = next(line for line in status.read_text().splitlines() if line.startswith("VmHWM:"))
    return round(int(line.split()[1]) / 1024)


def load_averages() -> list[float]:
    """The 1, 5 and 15-minute load averages."""
    return [round(value, 2) for value in os.getloadavg()]


def prime_input(spark: SparkSession, input_path: str) -> None:
    """Read the measured input once into Spark's ``noop`` sink (untimed): every path then starts with Delta's
    snapshot of its input loaded and the input's file pages read, as the progressive path's discovery left it."""
    spark.sparkContext.setJobGroup("prime", "prime")
    spark.read.format("delta").load(input_path).write.format("noop").mode("overwrite").save()
    spark.sparkContext.setJobGroup("other", "other")


def dirty_page_kib() -> int | None:
    """Dirty page-cache memory waiting to be written back (``Dirty`` in /proc/meminfo); None without /proc."""
    meminfo = Path("/proc/meminfo")
    if not meminfo.exists():
        return None
    return int(next(line for line in meminfo.read_text().splitlines() if line.startswith("Dirty:")).split()[1])


def wait_for_exit(pid: int | None, timeout_s: float = 120.0) -> float:
    """Wait until process ``pid`` (the previous run's JVM) is gone; returns the seconds waited."""
    started = time.perf_counter()
    while pid is not None and Path(f"/proc/{pid}").exists() and time.perf_counter() - started < timeout_s:
        time.sleep(0.2)
    return round(time.perf_counter() - started, 2)


def run_path(spark: SparkSession, flatten: Callable[[DataFrame], DataFrame], input_path: str,
             output_path: str | None, job_group: str) -> float:
    """Read ``input_path``, flatten it and write it: to ``output_path`` (Delta), or to Spark's ``noop``
    sink when ``output_path`` is None (the flattening alone). Returns wall seconds."""
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


def variant_order(repetition: int) -> list[str]:
    """Odd repetitions measure end to end first, even ones the flattening alone first.

    Example::

        >>> variant_order(1), variant_order(2)
        (['end_to_end', 'flatten_only'], ['flatten_only', 'end_to_end'])
    """
    return [END_TO_END, FLATTEN_ONLY] if repetition % 2 == 1 else [FLATTEN_ONLY, END_TO_END]


def child(args: argparse.Namespace) -> int:
    """One measured run of one path in this process: warm-up on the small table, then both variants in
    ``variant_order``; prints the measurements as JSON on the last line."""
    work = Path(args.work)
    load_at_start = load_averages()
    spark = local_spark(work / f"spark-{args.path}-{args.repetition}", app_name=args.path, ui=True,
                        shuffle_partitions=SHUFFLE_PARTITIONS, extra_conf=SPARK_SETTINGS)
    keys, discovery_seconds = distinct_keys(), None
    source, warmup = str(work / "input"), str(work / "warmup")
    if args.path == NAIVE:
        flatten = partial(naive_flatten, keys=keys)
    elif args.path == FLOOR:
        flatten, source, warmup = (lambda frame: frame), str(work / "input-flat"), str(work / "warmup-flat")
    else:
        learned_key_groups(spark.read.format("delta").load(warmup))  # warms discovery up too
        started = time.perf_counter()
        key_groups = learned_key_groups(spark.read.format("delta").load(source))
        discovery_seconds = round(time.perf_counter() - started, 2)
        if sorted(key_groups) != keys:
            raise RuntimeError(f"discovery: expected the {len(keys)} generated keys, got {sorted(key_groups)}")
        flatten = partial(progressive_flatten, keys=keys, key_groups=key_groups)
    prime_input(spark, source)
    run_path(spark, flatten, warmup, str(work / f"warmup-out-{args.path}-{args.repetition}-b"), "warmup")
    result: dict[str, object] = {"path": args.path, "repetition": args.repetition,
                                 "variant_order": ",".join(variant_order(args.repetition)),
                                 "load_avg_at_start": load_at_start, "registry_discovery_seconds": discovery_seconds}
    # a fresh output table per run: overwriting an existing one would add Delta's log replay to the figures
    output = str(work / f"out-{args.path}-{args.repetition}")
    for variant in variant_order(args.repetition):
        result[f"{variant}_seconds"] = run_path(spark, flatten, source, output if variant == END_TO_END else None,
                                                variant)
        result.update({f"{variant}_{name}": value for name, value in stage_metrics(spark, variant).items()})
    result.update(peak_jvm_heap_mib=peak_jvm_heap_mib(spark), jvm_peak_rss_mib=jvm_peak_rss_mib(spark),
                  load_avg_at_end=load_averages(),
                  jvm_pid=spark.sparkContext._gateway.proc.pid)  # noqa: SLF001 (the parent waits for it to exit)
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
    """Every output has ``rows`` rows and the same checksum, and no entry was left out of the columns."""
    return (all(check["rows"] == rows for check in checks.values())
            and len({check["checksum"] for check in checks.values()}) == 1
            and all(check.get("unextracted_entries", 0) == 0 for check in checks.values()))


def schedule(repetitions: int) -> list[str]:
    """The paths rotate, so no path always runs first or last: P N F, N F P, F P N, ...

    Example::

        >>> schedule(2)[3:]
        ['naive_explode_pivot', 'floor_copy_flat', 'progressive_getitem']
    """
    order: list[str] = []
    for repetition in range(repetitions):
        shift = repetition % len(PATHS)
        order += [*PATHS[shift:], *PATHS[:shift]]
    return order


def summarize(runs: list[dict[str, object]], rows: int, checks: dict[str, dict[str, object]]) -> dict[str, object]:
    """Per path and variant the median and the worst run; the medians against the floor and each other;
    the load averages the runs saw; whether the cross-check passed. Flat: figure name -> number or string."""
    def values(path_name: str, metric: str) -> list[float]:
        return [float(r[metric]) for r in runs if r["path"] == path_name and r.get(metric) is not None]

    summary: dict[str, object] = {"rows": rows, "distinct_keys": len(distinct_keys()),
                                  "repetitions_per_path": min(sum(r["path"] == p for r in runs) for p in PATHS)}
    for path_name in PATHS:
        for metric in (f"{END_TO_END}_seconds", f"{FLATTEN_ONLY}_seconds"):
            summary[f"{path_name}_{metric.removesuffix('_seconds')}_median_seconds"] = statistics.median(
                values(path_name, metric))
            summary[f"{path_name}_{metric.removesuffix('_seconds')}_worst_seconds"] = max(values(path_name, metric))
        for metric in (f"{END_TO_END}_cpu_s", f"{END_TO_END}_gc_s", f"{FLATTEN_ONLY}_cpu_s", f"{FLATTEN_ONLY}_gc_s",
                       f"{END_TO_END}_shuffle_write_bytes", "peak_jvm_heap_mib", "jvm_peak_rss_mib"):
            summary[f"{path_name}_{metric}_median"] = statistics.median(values(path_name, metric))
    floor = summary[f"{FLOOR}_{END_TO_END}_median_seconds"]
    for path_name in (PROGRESSIVE, NAIVE):
        summary[f"{path_name}_over_floor_end_to_end_median"] = round(
            summary[f"{path_name}_{END_TO_END}_median_seconds"] / floor, 2)
    floor_cpu = summary[f"{FLOOR}_{END_TO_END}_cpu_s_median"]
    for path_name in (PROGRESSIVE, NAIVE):
        summary[f"{path_name}_over_floor_end_to_end_cpu_median"] = round(
            summary[f"{path_name}_{END_TO_END}_cpu_s_median"] / floor_cpu, 2)
    summary["naive_over_progressive_end_to_end_median"] = round(
        summary[f"{NAIVE}_{END_TO_END}_median_seconds"] / summary[f"{PROGRESSIVE}_{END_TO_END}_median_seconds"], 2)
    summary["naive_over_progressive_flatten_only_median"] = round(
        summary[f"{NAIVE}_{FLATTEN_ONLY}_median_seconds"] / summary[f"{PROGRESSIVE}_{FLATTEN_ONLY}_median_seconds"], 2)
    summary[f"{PROGRESSIVE}_registry_discovery_median_seconds"] = statistics.median(
        values(PROGRESSIVE, "registry_discovery_seconds"))
    loads = [r["load_avg_at_start"][0] for r in runs] + [r["load_avg_at_end"][0] for r in runs]
    summary["load_avg_1m_lowest"], summary["load_avg_1m_highest"] = min(loads), max(loads)
    summary["outputs_match"] = outputs_match(checks, rows)
    for path_name, check in checks.items():
        summary.update({f"cross_check_{path_name}_{name}": value for name, value in check.items()})
    return summary


def draw_runs(json_path: Path) -> Path:
    """Every run's end-to-end seconds per path, with the medians, as ``<name>.png`` beside the JSON."""
    import matplotlib  # only the benchmark draws; the package does not need it

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = json.loads(json_path.read_text())
    figure, axes = plt.subplots(figsize=(7, 3.2))
    for index, path_name in enumerate(PATHS):
        seconds = [r[f"{END_TO_END}_seconds"] for r in results["rows"] if r["path"] == path_name]
        axes.scatter(seconds, [index] * len(seconds), color="tab:blue", alpha=0.7, zorder=2)
        axes.scatter([statistics.median(seconds)], [index], marker="|", s=600, color="black", zorder=3)
    axes.set_yticks(range(len(PATHS)), ["progressive (getItem)", "naive (explode + pivot)", "floor (copy flat table)"])
    axes.set_xlabel("read Delta -> flatten -> write Delta, seconds (dots: runs, bar: median)")
    axes.set_xlim(left=0)
    axes.grid(axis="x", alpha=0.3)
    machine = results["machine"]
    axes.set_title(f"{results['summary']['rows']:,} rows, {machine['cores']} cores, {machine['memory_gib']} GiB",
                   fontsize=10)
    figure.tight_layout()
    png_path = json_path.with_suffix(".png")
    figure.savefig(png_path, dpi=110)
    plt.close(figure)
    return png_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--warmup-rows", type=int, default=100_000)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--results-name", default="flatten_benchmark")
    parser.add_argument("--results-dir", default=str(Path(__file__).resolve().parent / "results"))
    parser.add_argument("--path", choices=PATHS)
    parser.add_argument("--repetition", type=int, default=0)
    parser.add_argument("--work")
    args = parser.parse_args(argv)
    if args.path:
        return child(args)
    with tempfile.TemporaryDirectory(prefix="flatten-bench-") as work:
        spark = local_spark(Path(work) / "parent", app_name="flatten-bench", shuffle_partitions=SHUFFLE_PARTITIONS)
        for name, rows in (("input", args.rows), ("warmup", args.warmup_rows)):
            generate_readings(spark, rows).write.format("delta").save(str(Path(work) / name))
            already_flat(spark.read.format("delta").load(str(Path(work) / name)), distinct_keys()).write.format(
                "delta").save(str(Path(work) / f"{name}-flat"))
        runs: list[dict[str, object]] = []
        checks: dict[str, dict[str, object]] = {}
        order = schedule(args.repetitions)
        previous_jvm: int | None = None
        for index, path_name in enumerate(order):
            repetition = index // len(PATHS) + 1
            waited_s = wait_for_exit(previous_jvm)
            os.sync()  # the previous run's written pages go to disk now, not during this run
            before = {"previous_path": order[index - 1] if index else None, "waited_for_previous_jvm_s": waited_s,
                      "dirty_kib_at_start": dirty_page_kib()}
            done = subprocess.run([sys.executable, __file__, "--path", path_name, "--work", work,
                                   "--repetition", str(repetition)], capture_output=True, text=True)
            if done.returncode != 0:
                print(done.stderr[-5000:], file=sys.stderr)
                raise RuntimeError(f"run {index + 1} ({path_name}): expected exit 0, got {done.returncode}")
            runs.append({**json.loads(done.stdout.strip().splitlines()[-1]), **before})
            previous_jvm = runs[-1]["jvm_pid"]
            print(json.dumps(runs[-1]), flush=True)
            if index + 1 == len(PATHS) or index + 1 == len(order):  # after the first rotation, and at the end
                checks = cross_check(spark, {p: str(Path(work) / f"out-{p}-{repetition}") for p in PATHS})
            if index + 1 >= len(PATHS):  # every path measured: publish what is done so far, marked as such
                summary = summarize(runs, args.rows, checks)
                summary["runs_planned_per_path"] = args.repetitions
                summary["complete"] = index + 1 == len(order)
                json_path, md_path = write_results(Path(args.results_dir), args.results_name, summary, runs)
                md_path.unlink()  # the JSON is the one result; READMEs render their tables from it
                png_path = draw_runs(json_path)
        spark.stop()
    print(json.dumps(summary, indent=2))
    print(f"wrote {json_path} and {png_path}")
    return 0 if summary["outputs_match"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
