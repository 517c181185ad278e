"""Naive explode + pivot against getItem extraction of registered keys, on generated customExtension maps.

Run it (from the folder; takes minutes, runs three Spark processes one after another)::

    ../.venv/bin/python benchmarks/flatten_benchmark.py                 # 2,000,000 rows, 40 keys
    ../.venv/bin/python benchmarks/flatten_benchmark.py --rows 100000   # a quick look

Each path runs in its own Spark process (UI on) over the same Parquet input, so wall time, shuffle bytes
(sum of ``shuffleWriteBytes`` of the path's stages from Spark's REST API) and the executor's peak JVM
heap (``peakMemoryMetrics.JVMHeapMemory``) belong to that path alone. Results go to
``benchmarks/results/flatten_benchmark.json`` and ``.md``.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from catalog_tools.bench import write_results
from catalog_tools.spark import local_spark
from delta_schema_evolution.map_flattening import discover_keys, extract_registered_keys

NAIVE, PROGRESSIVE = "naive_explode_pivot", "progressive_getitem"


def key_names(keys: int) -> list[str]:
    return [f"k{index:02d}" for index in range(keys)]


def generate_input(spark: SparkSession, rows: int, keys: int, keys_per_row: int) -> DataFrame:
    """``rows`` readings, each with ``keys_per_row`` of ``keys`` map keys; values are numbers as strings."""
    names = F.array(*[F.lit(name) for name in key_names(keys)])
    chosen = F.array(*[F.element_at(names, ((F.col("id") * 7 + j * 5) % keys + 1).cast("int"))
                       for j in range(keys_per_row)])
    values = F.array(*[((F.col("id") * 31 + j) % 1000).cast("string") for j in range(keys_per_row)])
    return spark.range(rows).select(
        F.col("id").alias("reading_id"),
        F.map_from_arrays(F.array_distinct(chosen), F.slice(values, 1, F.size(F.array_distinct(chosen))))
        .alias("customExtension"))


def naive_flatten(frame: DataFrame, keys: list[str]) -> DataFrame:
    """explode every entry, then pivot back to one column per key (a shuffle on reading_id)."""
    exploded = frame.select("reading_id", F.explode("customExtension").alias("key", "value"))
    return exploded.groupBy("reading_id").pivot("key", keys).agg(F.first("value"))


def progressive_flatten(frame: DataFrame, keys: list[str]) -> DataFrame:
    """getItem per registered key: a projection, no explode, no shuffle."""
    return extract_registered_keys(frame, "customExtension", {key: "string" for key in keys}, prefix="")


def _get(url: str) -> object:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def shuffle_bytes_and_peak_heap(spark: SparkSession, job_group: str) -> tuple[int, int | None]:
    """Shuffle write bytes of the job group's stages, and the executor's peak JVM heap, from the REST API."""
    base = f"{spark.sparkContext.uiWebUrl}/api/v1/applications/{spark.sparkContext.applicationId}"
    stage_ids = {s for job in _get(f"{base}/jobs") if job.get("jobGroup") == job_group for s in job["stageIds"]}
    shuffle = sum(stage.get("shuffleWriteBytes", 0) for stage in _get(f"{base}/stages")
                  if stage["stageId"] in stage_ids)
    peaks = [e.get("peakMemoryMetrics", {}).get("JVMHeapMemory") for e in _get(f"{base}/executors")]
    return shuffle, max((p for p in peaks if p is not None), default=None)


def run_path(spark: SparkSession, input_path: str, path_name: str, keys: list[str]) -> dict[str, object]:
    """Flatten the input one way and write it to the ``noop`` sink; returns wall time and row count."""
    frame = spark.read.parquet(input_path)
    flatten = naive_flatten if path_name == NAIVE else progressive_flatten
    spark.sparkContext.setJobGroup(path_name, path_name)
    started = time.perf_counter()
    flat = flatten(frame, keys)
    flat.write.format("noop").mode("overwrite").save()
    seconds = time.perf_counter() - started
    return {"path": path_name, "seconds": round(seconds, 2), "columns": len(flat.columns)}


def child(args: argparse.Namespace) -> int:
    """One path in this process; prints its measurements as JSON on the last line."""
    spark = local_spark(Path(args.work) / args.path, app_name=args.path, ui=True, shuffle_partitions=8)
    keys = [k.key for k in discover_keys(spark.read.parquet(args.input), "customExtension", sample_rows=10_000)]
    result = run_path(spark, args.input, args.path, keys)
    shuffle, peak = shuffle_bytes_and_peak_heap(spark, args.path)
    result |= {"keys": len(keys), "shuffle_write_bytes": shuffle, "peak_jvm_heap_mib":
               round(peak / 1024 / 1024) if peak else None}
    spark.stop()
    print(json.dumps(result))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--keys", type=int, default=40)
    parser.add_argument("--keys-per-row", type=int, default=8)
    parser.add_argument("--path", choices=[NAIVE, PROGRESSIVE])
    parser.add_argument("--input")
    parser.add_argument("--work")
    args = parser.parse_args(argv)
    if args.path:
        return child(args)
    with tempfile.TemporaryDirectory(prefix="flatten-bench-") as work:
        input_path = str(Path(work) / "input")
        spark = local_spark(Path(work) / "generate", app_name="flatten-bench-generate", shuffle_partitions=8)
        generate_input(spark, args.rows, args.keys, args.keys_per_row).write.parquet(input_path)
        spark.stop()
        rows = []
        for path_name in (PROGRESSIVE, NAIVE):
            done = subprocess.run([sys.executable, __file__, "--path", path_name, "--input", input_path,
                                   "--work", work], capture_output=True, text=True, check=True)
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    by_path = {row["path"]: row for row in rows}
    summary = {
        "rows": args.rows, "distinct_keys": args.keys, "keys_per_row": args.keys_per_row,
        "speedup_progressive_vs_naive": round(by_path[NAIVE]["seconds"] / by_path[PROGRESSIVE]["seconds"], 1),
        "progressive_shuffle_write_bytes": by_path[PROGRESSIVE]["shuffle_write_bytes"],
        "naive_shuffle_write_bytes": by_path[NAIVE]["shuffle_write_bytes"],
    }
    json_path, md_path = write_results(Path(__file__).resolve().parent / "results", "flatten_benchmark", summary, rows)
    print(json.dumps(summary, indent=2))
    print(f"wrote {json_path} and {md_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
