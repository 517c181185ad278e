"""Benchmark: ways to find the repeated keys of a uniqueness rule exactly, on the engines benchmark's
readings; the floors are one scan of the key column and one shuffle of a 64-bit hash of every key.

Run from the folder (one benchmark at a time on a shared machine)::

    python benchmarks/key_check_benchmark.py --rows 10000000 --runs 3

Every method returns the same thing, the keys seen more than once (collected). The engine's two:
by fingerprint (``repeated_keys_by_fingerprint``, for batches up to 20,000,000 rows: every key's
``xxhash64`` collected through Arrow and sorted on the driver, the rows whose hash repeats read again
and counted by key) and by a window over the key alone (``repeated_keys_by_window``, for larger
batches). The others move every key across a shuffle once: ``groupBy(key).count()``, a window and a
``groupBy`` over ``xxhash64(key)`` (a hash can collide, so a real check confirms the repeated hashes'
keys afterwards; these two leave that step out, in their favour), and the two exact ways of using
the hash in a shuffle: a window over the hash that carries each key, its candidates' keys counted
afterwards, and the repeated hashes (found by that window) collected and confirmed by a second pass
over the key column. Methods alternate within each run, their order rotating from run to run.

Writes benchmarks/results/key_check.json (+ .md): median and worst seconds per method.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, Row, SparkSession, Window
from pyspark.sql import functions as F

from catalog_tools.bench import write_results
from catalog_tools.scripts import load_script_from
from catalog_tools.spark import local_spark
from plant_data_quality import load_contract
from plant_data_quality.duplicate_keys import repeated_keys_by_fingerprint, repeated_keys_by_window

FOLDER = Path(__file__).resolve().parents[1]
RESULTS_DIR = FOLDER / "benchmarks" / "results"
NAME = "key_check"
KEY = "event_id"
# the same readings and contract as the engines benchmark
ENGINES_BENCHMARK = load_script_from(FOLDER / "benchmarks" / "contract_engines_benchmark.py")


def key_check_methods(readings: DataFrame) -> dict[str, Callable[[], int]]:
    """Each method, as a call that returns how many repeated keys (or, for a floor, rows) it saw."""
    rule = load_contract(ENGINES_BENCHMARK.CONTRACT_PATH).rule(ENGINES_BENCHMARK.KEY_RULE)
    keys = readings.where(F.col(KEY).isNotNull())
    hashed = keys.select(F.xxhash64(KEY).alias("key_hash"))
    per_hash = F.count(F.lit(1)).over(Window.partitionBy("key_hash")).alias("n")
    noop = lambda df: df.write.format("noop").mode("overwrite").save()  # noqa: E731

    # the readings repeat about 0.1 % of keys, under the broadcast limit: neither method returns None
    def ours_by_fingerprint() -> int:
        return repeated_keys_by_fingerprint(readings, rule).table.num_rows

    def ours_window_on_key() -> int:
        return repeated_keys_by_window(readings, rule).count()  # counting the collected (local) rows is instant

    def repeated_among(candidates: DataFrame) -> int:
        """Count the keys that really repeat among rows whose hash repeats (few rows: a small shuffle)."""
        return len(candidates.groupBy(KEY).count().where("count > 1").collect())

    def window_on_hash_carrying_key() -> int:
        carried = keys.select(F.xxhash64(KEY).alias("key_hash"), KEY)
        return repeated_among(carried.select(KEY, per_hash).where("n > 1"))

    def repeated_hashes() -> list[Row]:
        return hashed.select("key_hash", per_hash).where("n > 1").select("key_hash").distinct().collect()

    def repeated_hashes_then_key_pass() -> int:
        found = readings.sparkSession.createDataFrame(repeated_hashes(), "key_hash long")
        candidates = keys.join(F.broadcast(found), F.xxhash64(KEY) == found["key_hash"], "left_semi")
        return repeated_among(candidates)

    return {
        "floor_scan_key": lambda: noop(keys.select(KEY)) or 0,
        "floor_shuffle_hash": lambda: noop(hashed.repartition("key_hash")) or 0,
        "ours_by_fingerprint": ours_by_fingerprint,
        "ours_window_on_key": ours_window_on_key,
        "group_by_key": lambda: len(keys.groupBy(KEY).count().where("count > 1").collect()),
        "group_by_hash": lambda: len(hashed.groupBy("key_hash").count().where("count > 1").collect()),
        "window_on_hash": lambda: len(repeated_hashes()),
        "window_on_hash_confirmed": window_on_hash_carrying_key,
        "window_on_hash_then_key_pass": repeated_hashes_then_key_pass,
    }


def run_benchmark(spark: SparkSession, rows: int, runs: int, workdir: Path, results_dir: Path) -> dict[str, Any]:
    """Write the readings once as parquet, then time every method ``runs`` times on that file."""
    data_path = str(workdir / f"readings_{rows}.parquet")
    ENGINES_BENCHMARK.generate_readings(spark, rows).write.mode("overwrite").parquet(data_path)
    methods = key_check_methods(spark.read.parquet(data_path))
    order = list(methods)
    records: list[dict[str, Any]] = []
    for run in range(1, runs + 1):
        for method in order[run - 1:] + order[:run - 1]:
            load_before = os.getloadavg()[0]
            start = time.perf_counter()
            found = methods[method]()
            seconds = time.perf_counter() - start
            records.append({"run": run, "method": method, "seconds": round(seconds, 3), "repeated_keys": found,
                            "load_1m_before": round(load_before, 2)})
            print(f"run {run} {method}: {seconds:.2f} s ({found} repeated keys)", flush=True)
    summary = summarise(records, rows, order)
    write_results(results_dir, NAME, summary, records)
    return summary


def summarise(records: list[dict[str, Any]], rows: int, methods: Sequence[str]) -> dict[str, Any]:
    summary: dict[str, Any] = {"rows": rows, "runs": max(r["run"] for r in records)}
    for method in methods:
        seconds = [r["seconds"] for r in records if r["method"] == method]
        summary[f"{method}_median_seconds"] = round(statistics.median(seconds), 2)
        summary[f"{method}_worst_seconds"] = round(max(seconds), 2)
    found = {r["repeated_keys"] for r in records if not r["method"].startswith("floor_")}
    summary["methods_agree_on_repeated_keys"] = len(found) == 1
    loads = [r["load_1m_before"] for r in records]
    summary["load_1m_median"] = round(statistics.median(loads), 2)
    summary["load_1m_worst"] = round(max(loads), 2)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--shuffle-partitions", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="key-check-") as workdir:
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
