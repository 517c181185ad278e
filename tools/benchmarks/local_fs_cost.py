"""Benchmark: what Hadoop's local file system costs Delta and streaming writes, stock vs. no-fork.

Without the native libhadoop, Hadoop's local file system starts a ``chmod`` process for every file
it creates and ``readlink`` processes for every rename through ``FileContext``; ``local_spark``
installs tools/jvm/local-fs instead, which does both with java.nio. For each variant, in its own
JVM, alternating ``--runs`` times:

1. ``--appends`` idempotent Delta appends of 1,000 rows (``txnAppId``/``txnVersion``, as a silver
   batch writes), each timed;
2. a Delta -> Delta streaming query over those appends, one file per micro-batch
   (``maxFilesPerTrigger`` 1, ``availableNow``): offset log, commit log and a Delta commit per batch.

Child processes are counted exactly: the JVM records ``jdk.ProcessStart`` with Flight Recorder
around each phase. Writes results/local_fs_cost.json and .md.
Run it: ``make bench FOLDER=tools`` or ``python benchmarks/local_fs_cost.py --runs 2``.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from catalog_tools.bench import write_results
from catalog_tools.spark import NO_FORK_LOCAL_FS, local_spark

HADOOP_STOCK = {"spark.hadoop.fs.file.impl": "org.apache.hadoop.fs.LocalFileSystem",
                "spark.hadoop.fs.AbstractFileSystem.file.impl": "org.apache.hadoop.fs.local.LocalFs"}
VARIANTS = {"hadoop_stock": HADOOP_STOCK, "no_fork": NO_FORK_LOCAL_FS}
PROCESS_EVENTS_ONLY = """<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0">
  <event name="jdk.ProcessStart">
    <setting name="enabled">true</setting>
    <setting name="stackTrace">false</setting>
  </event>
</configuration>
"""


class ProcessCounter:
    """Counts the child processes a JVM starts between ``start`` and ``stop`` (Flight Recorder)."""

    def __init__(self, jvm_pid: int, work: Path) -> None:
        self.jvm_pid, self.work = jvm_pid, work
        self.settings = work / "process-events.jfc"
        self.settings.write_text(PROCESS_EVENTS_ONLY)

    def _jcmd(self, *arguments: str) -> None:
        subprocess.run(["jcmd", str(self.jvm_pid), *arguments], check=True, capture_output=True)

    def start(self, name: str) -> None:
        self._jcmd("JFR.start", f"name={name}", f"settings={self.settings}")

    def stop(self, name: str) -> int:
        recording = self.work / f"{name}.jfr"
        self._jcmd("JFR.stop", f"name={name}", f"filename={recording}")
        printed = subprocess.run(["jfr", "print", "--events", "jdk.ProcessStart", str(recording)],
                                 check=True, capture_output=True, text=True).stdout
        return printed.count("jdk.ProcessStart {")


def measure_variant(variant: str, appends: int) -> dict[str, Any]:
    """Run both phases in this process's JVM with ``variant``'s file system; figures per write."""
    work = Path(tempfile.mkdtemp(prefix=f"bench-local-fs-{variant}-"))
    spark = local_spark(work / "spark", app_name=f"bench-local-fs-{variant}", extra_conf=VARIANTS[variant])
    counter = ProcessCounter(spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid(), work)
    rows = spark.range(1000).selectExpr("id", "id % 7 AS machine")
    source, sink = str(work / "source"), str(work / "sink")
    rows.write.format("delta").save(source)  # table creation is not measured
    counter.start("appends")
    seconds = []
    for version in range(appends):
        started = time.perf_counter()
        rows.write.format("delta").mode("append").option("txnAppId", "bench").option("txnVersion", version).save(source)
        seconds.append(time.perf_counter() - started)
    append_processes = counter.stop("appends")
    counter.start("stream")
    started = time.perf_counter()
    query = (spark.readStream.format("delta").option("maxFilesPerTrigger", 1).load(source)
             .writeStream.format("delta").option("checkpointLocation", str(work / "checkpoint"))
             .trigger(availableNow=True).start(sink))
    query.awaitTermination()
    stream_s = time.perf_counter() - started
    stream_processes = counter.stop("stream")
    batches = query.lastProgress["batchId"] + 1
    landed = spark.read.format("delta").load(sink).count()
    spark.stop()
    if landed != 1000 * (appends + 1):
        raise SystemExit(f"{variant}: expected {1000 * (appends + 1)} rows streamed, got {landed}")
    return {"variant": variant, "append_median_s": round(statistics.median(seconds), 3),
            "processes_per_append": round(append_processes / appends, 1),
            "stream_batches": batches, "stream_s_per_batch": round(stream_s / batches, 3),
            "processes_per_batch": round(stream_processes / batches, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2, help="runs per variant, alternating")
    parser.add_argument("--appends", type=int, default=30)
    parser.add_argument("--results-dir", type=Path, default=Path(__file__).resolve().parent / "results")
    parser.add_argument("--variant", choices=sorted(VARIANTS), help=argparse.SUPPRESS)  # one run, in this process
    args = parser.parse_args(argv)
    if args.variant:
        print(json.dumps(measure_variant(args.variant, args.appends)))
        return 0
    rows = []
    for run in range(1, args.runs + 1):
        for variant in VARIANTS:  # each in a fresh JVM: the file system is chosen when the JVM starts
            child = subprocess.run([sys.executable, __file__, "--variant", variant, "--appends", str(args.appends)],
                                   check=True, capture_output=True, text=True)
            rows.append({"run": run, **json.loads(child.stdout.strip().splitlines()[-1])})
            print(rows[-1], flush=True)
    summary = {}
    for variant in VARIANTS:
        mine = [row for row in rows if row["variant"] == variant]
        for figure in ("append_median_s", "processes_per_append", "stream_s_per_batch", "processes_per_batch"):
            summary[f"{variant}_{figure}"] = round(statistics.median(row[figure] for row in mine), 3)
    write_results(args.results_dir, "local_fs_cost", summary, rows)
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
