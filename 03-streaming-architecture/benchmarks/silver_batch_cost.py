"""Benchmark: what one silver micro-batch costs (seconds and Spark jobs), without Kafka or streaming.

Run it (about 2 minutes; take the shared lock)::

    cd 03-streaming-architecture
    flock /tmp/catalog-bench.lock ../.venv/bin/python benchmarks/silver_batch_cost.py

1. Write ``--batches`` x ``--rows`` generated sensor events (no faults) as bronze rows, as the bronze
   query would have (``to_bronze``), two Kafka partitions, one Delta table per silver batch.
2. Call the pipeline's ``write_silver_batch`` on one bronze table after the other (batch ids
   0, 1, ...; one ``CommittedWatermark`` carried along, as ``start_silver_stream`` does), each
   under its own Spark job group, and record its wall time and how many Spark jobs it ran
   (``statusTracker().getJobIdsForGroup``), Delta's own jobs included; from Spark's REST API, the
   summed task run time and CPU time of those jobs' stages, which shows how much of a batch is
   work in tasks (on 2 cores) and how much is driver time between them (planning, code generation,
   Delta's commit protocol), and every job of each batch with the driver time before it; and the
   CPU time the whole JVM used in the batch (``jvm_cpu_s``: driver threads, GC and JIT, child
   processes included), which varies less from run to run than wall time on a shared VM.
   The session has adaptive query execution and the cost-based optimizer off, as Spark's streaming
   engine sets them for the session a micro-batch runs in (``STREAMING_SESSION_CONF``).
3. Check the ledger (rows in = silver + quarantine + late + duplicates for every batch), write
   ``benchmarks/results/silver_batch_cost.json`` and print the tables.

Batch 0 is the cold batch (plans compiled, the watermark read from silver's commits); the summary is over the
others. ``--restart-at N`` gives batch N a fresh ``CommittedWatermark``, as a restarted query has: it reads
the watermark and the dedup ids from the tables on a warm JVM (``restart_batch_s``, left out of the warm mean).
Running the same script against an earlier commit's ``src/`` measures that version, e.g.::

    git archive af2c655 03-streaming-architecture/src | tar -x -C /tmp/before
    PYTHONPATH=/tmp/before/03-streaming-architecture/src ../.venv/bin/python benchmarks/silver_batch_cost.py \
        --results-dir /tmp/before-results
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from iot_pipeline_bench.measurements import load_average, markdown_table, write_json

from catalog_tools.bench import machine_facts
from catalog_tools.generators import sensor_event_messages
from catalog_tools.spark import local_spark
from iot_streaming_pipeline.bronze import to_bronze
from iot_streaming_pipeline.config import load_environment_config
from iot_streaming_pipeline.layout import PipelinePaths
from iot_streaming_pipeline.pipeline import silver_settings
from iot_streaming_pipeline.silver import write_silver_batch
from iot_streaming_pipeline.tables import KAFKA_SOURCE_SCHEMA, ensure_pipeline_tables

try:  # absent before commit 11b23f1; kept optional so that the script can measure that version too
    from iot_streaming_pipeline.silver import CommittedWatermark
except ImportError:
    CommittedWatermark = None

NAME = "silver_batch_cost"
HERE = Path(__file__).resolve().parent
COLUMNS = ("batch_id", "rows_in", "silver", "seconds", "spark_jobs", "task_run_s", "task_cpu_s", "jvm_cpu_s")
JOB_COLUMNS = ("job_id", "name", "tasks", "seconds", "gap_before_s")
# What Spark sets on the session a streaming query runs its micro-batches in (StreamExecution clones the
# session and turns these off), so that a batch here is planned as it is inside foreachBatch.
STREAMING_SESSION_CONF = {"spark.sql.adaptive.enabled": "false", "spark.sql.cbo.enabled": "false"}


def _rest(spark: Any, endpoint: str) -> Any:
    base = f"{spark.sparkContext.uiWebUrl}/api/v1/applications/{spark.sparkContext.applicationId}"
    with urllib.request.urlopen(f"{base}/{endpoint}", timeout=30) as response:
        return json.loads(response.read())


def task_seconds(spark: Any, job_group: str) -> dict[str, float]:
    """Summed task run time and task CPU time of the completed stages of ``job_group``'s jobs."""
    stage_ids = {s for job in _rest(spark, "jobs") if job.get("jobGroup") == job_group for s in job["stageIds"]}
    stages = [s for s in _rest(spark, "stages") if s["stageId"] in stage_ids and s["status"] == "COMPLETE"]
    return {"task_run_s": round(sum(s["executorRunTime"] for s in stages) / 1000, 2),
            "task_cpu_s": round(sum(s["executorCpuTime"] for s in stages) / 1e9, 2)}


def jvm_cpu_seconds(pid: int) -> float:
    """CPU time the JVM ``pid`` used so far, its threads and its finished child processes (``/proc/<pid>/stat``).

    Steadier than wall time on a shared VM, and it includes what no Spark metric shows: driver
    threads, garbage collection, JIT compilation, processes the JVM starts.
    """
    return stat_cpu_seconds(Path(f"/proc/{pid}/stat"), with_children=True)


def stat_cpu_seconds(stat_file: Path, with_children: bool = False) -> float:
    """User + system time in a ``/proc`` stat file (plus the waited-for children's, if asked)."""
    fields = stat_file.read_text().rsplit(")", 1)[1].split()  # after the name, which may hold spaces
    ticks = fields[11:15] if with_children else fields[11:13]
    return sum(int(value) for value in ticks) / os.sysconf("SC_CLK_TCK")


def jvm_thread_cpu_seconds(pid: int) -> dict[str, float]:
    """CPU time per thread kind of the JVM ``pid`` (``/proc/<pid>/task``): thread names as Linux keeps
    them (15 characters) without their numbers, so the JIT's ``C2 CompilerThre`` threads add up."""
    per_kind: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name, seconds = (task / "comm").read_text().strip().rstrip("0123456789#- "), stat_cpu_seconds(task / "stat")
        except FileNotFoundError:  # the thread ended between listing and reading
            continue
        per_kind[name] = per_kind.get(name, 0.0) + seconds
    return per_kind


def cpu_by_thread_kind(before: dict[str, float], after: dict[str, float], batches: int) -> dict[str, float]:
    """CPU seconds per batch of each thread kind between two snapshots, largest first (threads that
    ended in between are not counted)."""
    per_batch = {kind: (seconds - before.get(kind, 0.0)) / batches for kind, seconds in after.items()}
    return {kind: round(seconds, 2) for kind, seconds in sorted(per_batch.items(), key=lambda item: -item[1])
            if seconds >= 0.01}


def _rest_time(text: str) -> dt.datetime:
    """A REST API timestamp such as ``2026-11-23T14:02:43.123GMT``."""
    return dt.datetime.strptime(text.replace("GMT", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z")


def _seconds_between(started: str, ended: str) -> float:
    return (_rest_time(ended) - _rest_time(started)).total_seconds()


def job_breakdown(spark: Any, job_group: str) -> list[dict[str, Any]]:
    """Every job of ``job_group``, in order: what ran it (Delta's job description, else Spark's call
    site), its tasks and seconds.

    The gaps between one job's end and the next one's start are driver time (planning, Delta's log
    and commit work); ``gap_before_s`` makes them visible.
    """
    jobs = sorted((j for j in _rest(spark, "jobs") if j.get("jobGroup") == job_group), key=lambda j: j["jobId"])
    rows, previous_end = [], None
    for job in jobs:
        description = job.get("description") or ""
        label = description if description and description != job_group else job["name"]
        rows.append({"job_id": job["jobId"], "name": " ".join(label.split())[:100], "tasks": job["numTasks"],
                     "seconds": round(_seconds_between(job["submissionTime"], job["completionTime"]), 2),
                     "gap_before_s": (round(_seconds_between(previous_end, job["submissionTime"]), 2)
                                      if previous_end else None)})
        previous_end = job["completionTime"]
    return rows


def bronze_slice_path(paths: PipelinePaths, batch_id: int) -> str:
    """Where the bronze rows of silver batch ``batch_id`` are: one Delta table per batch, so that a
    batch is read without a per-batch filter literal (which would compile new code every batch)."""
    return f"{paths.bronze}-slice-{batch_id:04d}"


def fill_bronze(spark: Any, paths: PipelinePaths, rows: int, batches: int, seed: int, interval_ms: int) -> None:
    """``rows`` x ``batches`` generated events ``interval_ms`` apart as bronze rows (offsets 0.., partitions
    0 and 1 in turn), batch by batch into :func:`bronze_slice_path`."""
    now = dt.datetime.now()
    messages = sensor_event_messages(rows * batches, seed=seed, plants=6, interval_ms=interval_ms).messages
    for batch_id in range(batches):
        offsets = range(batch_id * rows, (batch_id + 1) * rows)
        raw = spark.createDataFrame([(messages[i].key, messages[i].value, "bench.silver", i % 2, i, now, 0)
                                     for i in offsets], KAFKA_SOURCE_SCHEMA)
        to_bronze(raw, "bench").write.format("delta").save(bronze_slice_path(paths, batch_id))


def measure_batches(spark: Any, paths: PipelinePaths, settings: Any, rows: int, batches: int,
                    restart_at: int | None = None) -> list[dict]:
    """Run ``write_silver_batch`` per bronze slice; seconds and Spark jobs of each call.

    Batch ``restart_at`` starts from an empty ``CommittedWatermark``, as the first batch of a restarted query.
    """
    tracker, measured = spark.sparkContext.statusTracker(), []
    jvm_pid = spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()
    memory_argument = (CommittedWatermark(),) if CommittedWatermark is not None else ()
    for batch_id in range(batches):
        if batch_id == 1:
            threads_after_cold_batch = jvm_thread_cpu_seconds(jvm_pid)
        if batch_id == restart_at and CommittedWatermark is not None:
            memory_argument = (CommittedWatermark(),)
        group = f"silver-batch-{batch_id}"
        spark.sparkContext.setJobGroup(group, group)
        batch = spark.read.format("delta").load(bronze_slice_path(paths, batch_id))
        started, cpu_started = time.monotonic(), jvm_cpu_seconds(jvm_pid)
        counts = write_silver_batch(spark, batch, batch_id, paths, settings, *memory_argument)
        seconds, jvm_cpu_s = time.monotonic() - started, jvm_cpu_seconds(jvm_pid) - cpu_started
        accounted = sum(counts[k] for k in ("silver", "quarantine", "late", "duplicate_in_batch",
                                            "duplicate_of_earlier"))
        if counts["rows_in"] != rows or accounted != rows:
            raise SystemExit(f"batch {batch_id}: expected {rows} rows in and accounted for, got {counts}")
        measured.append({"batch_id": batch_id, "rows_in": counts["rows_in"], "silver": counts["silver"],
                         "seconds": round(seconds, 2), "spark_jobs": len(tracker.getJobIdsForGroup(group)),
                         **task_seconds(spark, group), "jvm_cpu_s": round(jvm_cpu_s, 2)})
        print(measured[-1], flush=True)
    measured[-1]["jobs"] = job_breakdown(spark, group)
    if batches > 1:  # the warm batches' CPU by thread kind (with a restart batch among them, if any)
        measured[-1]["cpu_s_per_warm_batch_by_thread"] = cpu_by_thread_kind(
            threads_after_cold_batch, jvm_thread_cpu_seconds(jvm_pid), batches - 1)
    return measured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="bronze rows per silver batch")
    parser.add_argument("--batches", type=int, default=8, help="silver batches (the first is the cold one)")
    parser.add_argument("--event-interval-ms", type=int, default=200,
                        help="event time between generated events; 1 keeps every id of a run within the dedup horizon, "
                             "as at the streaming benchmark's 5,000 events/s")
    parser.add_argument("--restart-at", type=int, metavar="N",
                        help="batch N starts with nothing remembered, as after a restart (not in the warm mean)")
    parser.add_argument("--results-dir", type=Path, default=HERE / "results")
    parser.add_argument("--spark-conf", action="append", default=[], metavar="KEY=VALUE",
                        help="an extra Spark setting (repeatable), applied after STREAMING_SESSION_CONF")
    args = parser.parse_args(argv)
    session_conf = {**STREAMING_SESSION_CONF, **dict(setting.split("=", 1) for setting in args.spark_conf)}
    work = Path(tempfile.mkdtemp(prefix="bench-03-silver-"))
    load_start, measured_at = load_average(), dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    spark = local_spark(work / "spark", app_name="bench-03-silver-batch", ui=True, extra_conf=session_conf)
    config = load_environment_config("dev", overrides={"storage": {"root": str(work / "lake")}})
    paths = PipelinePaths.under(config.storage_root)
    ensure_pipeline_tables(spark, paths, config.extension_fields)
    fill_bronze(spark, paths, args.rows, args.batches, seed=5, interval_ms=args.event_interval_ms)
    batches = measure_batches(spark, paths, silver_settings(config), args.rows, args.batches, args.restart_at)
    spark.stop()
    warm = [b for b in batches[1:] if b["batch_id"] != args.restart_at] or batches
    summary = {"rows_per_batch": args.rows,
               "warm_mean_batch_s": round(sum(b["seconds"] for b in warm) / len(warm), 2),
               "warm_spark_jobs_per_batch": max(b["spark_jobs"] for b in warm),
               "warm_mean_task_run_s": round(sum(b["task_run_s"] for b in warm) / len(warm), 2),
               "warm_mean_task_cpu_s": round(sum(b["task_cpu_s"] for b in warm) / len(warm), 2),
               "warm_median_batch_s": round(statistics.median(b["seconds"] for b in warm), 2),
               "warm_median_jvm_cpu_s": round(statistics.median(b["jvm_cpu_s"] for b in warm), 2),
               "warm_worst_batch_s": max(b["seconds"] for b in warm), "warm_batches": len(warm),
               "cold_batch_s": batches[0]["seconds"], "cold_spark_jobs": batches[0]["spark_jobs"]}
    if args.restart_at is not None:
        summary["restart_batch_s"] = batches[args.restart_at]["seconds"]
    if "cpu_s_per_warm_batch_by_thread" in batches[-1]:
        summary["cpu_s_per_warm_batch_by_thread"] = batches[-1]["cpu_s_per_warm_batch_by_thread"]
    document = {"benchmark": NAME, "measured_at": measured_at, "machine": machine_facts(),
                "load_average_start": load_start, "load_average_end": load_average(),
                "settings": {"rows": args.rows, "batches": args.batches, "event_interval_ms": args.event_interval_ms,
                             "restart_at": args.restart_at,
                             "spark": "local[2], 2 shuffle partitions",
                             "spark_conf": session_conf},
                "summary": summary, "batches": batches}
    machine = document["machine"]
    markdown = (f"Measured {measured_at} on {machine['cores']} cores, {machine['memory_gib']} GiB, {machine['cpu']}; "
                f"load average (1/5/15 min) {load_start} at the start, {document['load_average_end']} at the end.\n\n"
                + markdown_table(batches, COLUMNS) + "\nSummary:\n\n"
                + "".join(f"- {key}: {value}\n" for key, value in summary.items())
                + f"\nJobs of the last batch (id {batches[-1]['batch_id']}), in order; `gap_before_s` is driver "
                  "time since the previous job ended:\n\n"
                + markdown_table(batches[-1]["jobs"], JOB_COLUMNS))
    write_json(args.results_dir / f"{NAME}.json", document)
    print(f"\n{markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
