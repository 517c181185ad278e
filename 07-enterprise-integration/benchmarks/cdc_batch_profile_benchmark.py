"""Where one CDC micro-batch spends its time: each step of ``apply_change_batch`` on real Debezium records.

Run it from the folder (it starts PostgreSQL, a broker and a Connect worker, records a workload's change
events, stops PostgreSQL and Connect, then applies the topic batch by batch)::

    python benchmarks/cdc_batch_profile_benchmark.py                  # 3,000 messages a batch, 10 batches, 3 runs
    python benchmarks/cdc_batch_profile_benchmark.py --operations 3000 --batches 2 --runs 1

Each run applies the snapshot as its first batch into fresh tables, then ``--batches`` batches of
``--batch-size`` messages, each read by Spark's Kafka batch source from its offset range (one partition,
as the stream reads it) in a session configured as ``examples/cdc_stream_job.py`` configures its own.
Every batch runs under ``cProfile``: a step's seconds are the cumulative time of the function that does
it (each step is one function of ``cdc/apply.py`` or ``cdc/table_schema.py``). Spark jobs per batch come
from the status tracker, Delta commits per batch from the four tables' logs. The floor beside them is
reading the batch's messages from Kafka and counting them. Writes
``benchmarks/results/cdc_batch_profile_benchmark.json`` and ``.png``.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg

from catalog_tools.bench import write_results
from catalog_tools.kafka_broker import start_broker
from catalog_tools.kafka_connect import start_kafka_connect
from catalog_tools.postgres import start_postgres
from catalog_tools.scripts import load_script_from
from catalog_tools.spark import local_spark
from catalog_tools.spark_log import spark_log_to_file
from enterprise_integration import CdcTarget, apply_change_batch

FOLDER = Path(__file__).resolve().parents[1]
NAME = "cdc_batch_profile_benchmark"
# step -> (file, function) whose cumulative time it is
STEPS = {
    "read_and_count": ("apply.py", "_count_events"),
    "schema_check": ("table_schema.py", "evolve_target"),
    "deletes_table_check": ("apply.py", "_ensure_deletes_table"),
    "classify": ("apply.py", "_classify_and_count"),
    "merge": ("apply.py", "_merge_into_target"),
    "deletes_append": ("apply.py", "_append_deletes"),
    "quarantine": ("apply.py", "_quarantine"),
    "ledger_append": ("apply.py", "_append_ledger"),
}


def step_seconds(stats: dict[tuple[str, int, str], tuple], steps: dict[str, tuple[str, str]]) -> dict[str, float]:
    """Cumulative seconds of each step's function in a ``pstats.Stats(...).stats`` table (0 if not called)."""
    seconds = dict.fromkeys(steps, 0.0)
    for (filename, _line, function), (_cc, _nc, _tt, cumulative, _callers) in stats.items():
        for step, (file_name, function_name) in steps.items():
            if function == function_name and Path(filename).name == file_name:
                seconds[step] += cumulative
    return seconds


def record_workload(work_dir: Path, operations: int, seed_rows: int) -> tuple[Any, str]:
    """Run the workload through PostgreSQL and Connect; return the running broker and the topic."""
    stack = load_script_from(FOLDER / "examples" / "cdc_stack.py")
    workload_script = load_script_from(FOLDER / "examples" / "cdc_workload.py")
    postgres = start_postgres()
    broker = start_broker(work_dir / "broker")
    connect = None
    try:
        database = f"profile_{uuid.uuid4().hex[:8]}"
        postgres.create_database(database)
        with psycopg.connect(postgres.conninfo(database), autocommit=True) as conn:
            workload_script.create_work_orders(conn, seed_rows)
            config = stack.connector_config(postgres.host, postgres.port, database, database)
            connect = start_kafka_connect(work_dir / "connect", broker.plaintext_bootstrap, {"mes": config})
            connect.wait_until_running("mes")
            workload_script.WorkOrderWorkload(conn, seed=1).run(operations, per_transaction=10)
        topic = f"{database}.public.work_orders"
        messages, previous, deadline = 0, -1, time.monotonic() + 600
        # settled: two equal counts 3 s apart, past the snapshot and one message per operation
        while (messages != previous or messages <= seed_rows + operations) and time.monotonic() < deadline:
            previous, messages = messages, stack.topic_messages(broker.plaintext_bootstrap, topic)
            time.sleep(3)
        return broker, topic
    except BaseException:
        broker.stop()
        raise
    finally:
        if connect is not None:
            connect.stop()
        postgres.stop()


def kafka_range(spark: Any, bootstrap: str, topic: str, start: int, end: int) -> Any:
    """The messages at offsets [start, end) of partition 0, as the stream's Kafka source delivers them."""
    return (
        spark.read.format("kafka").option("kafka.bootstrap.servers", bootstrap).option("subscribe", topic)
        .option("startingOffsets", json.dumps({topic: {"0": start}}))
        .option("endingOffsets", json.dumps({topic: {"0": end}}))
        .load()
    )


def delta_commits(target: CdcTarget) -> int:
    paths = (target.path, target.deletes_path, target.quarantine_path, target.ledger_path)
    return sum(len(list((Path(p) / "_delta_log").glob("*.json"))) for p in paths)


def last_job_id(spark: Any) -> int:
    tracker = spark.sparkContext.statusTracker()
    return max(tracker.getJobIdsForGroup(None), default=-1)


def profile_batch(spark: Any, kafka_rows: Any, target: CdcTarget, batch_id: int) -> dict[str, Any]:
    jobs_before, commits_before = last_job_id(spark), delta_commits(target)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    counts = apply_change_batch(spark, kafka_rows, target, batch_id)
    profiler.disable()
    total = time.perf_counter() - started
    steps = step_seconds(pstats.Stats(profiler).stats, STEPS)
    return {
        "batch_id": batch_id,
        "messages": counts.events_in,
        "applied": counts.applied,
        "total_s": round(total, 3),
        **{f"{step}_s": round(seconds, 3) for step, seconds in steps.items()},
        "other_s": round(total - sum(steps.values()), 3),
        "spark_jobs": last_job_id(spark) - jobs_before,
        "delta_commits": delta_commits(target) - commits_before,
        "balanced": counts.balanced,
    }


def one_run(spark: Any, run: int, bootstrap: str, topic: str, seed_rows: int, batch_size: int, batches: int,
            work_dir: Path) -> list[dict[str, Any]]:
    target = CdcTarget(str(work_dir / f"run-{run}" / "work_orders"), key_columns=("id",))
    apply_change_batch(spark, kafka_range(spark, bootstrap, topic, 0, seed_rows), target, 0)  # the snapshot
    rows = []
    for batch in range(1, batches + 1):
        start = seed_rows + (batch - 1) * batch_size
        kafka_rows = kafka_range(spark, bootstrap, topic, start, start + batch_size)
        floor_started = time.perf_counter()
        kafka_rows.count()
        floor = time.perf_counter() - floor_started
        rows.append({"run": run + 1, **profile_batch(spark, kafka_rows, target, batch),
                     "kafka_read_floor_s": round(floor, 3)})
        print(rows[-1], flush=True)
    return rows


def summarise(rows: list[dict[str, Any]], batch_size: int) -> dict[str, Any]:
    """Median and worst over every profiled batch of every run, per step and in total."""
    summary: dict[str, Any] = {"messages_per_batch": batch_size, "batches_profiled": len(rows),
                               "runs": len({r["run"] for r in rows})}
    for key in ["total_s", *[f"{step}_s" for step in STEPS], "other_s", "kafka_read_floor_s"]:
        values = [r[key] for r in rows]
        summary[key.removesuffix("_s") + "_median_s"] = round(statistics.median(values), 3)
        summary[key.removesuffix("_s") + "_worst_s"] = round(max(values), 3)
    summary["spark_jobs_per_batch_median"] = statistics.median(r["spark_jobs"] for r in rows)
    summary["delta_commits_per_batch_median"] = statistics.median(r["delta_commits"] for r in rows)
    summary["batches_balanced"] = sum(r["balanced"] for r in rows)
    return summary


def draw(summary: dict[str, Any], png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [*STEPS, "other", "kafka_read_floor"]
    medians = [summary[f"{label}_median_s"] for label in labels]
    worst = [summary[f"{label}_worst_s"] for label in labels]
    figure, axis = plt.subplots(figsize=(7, 4))
    positions = range(len(labels))
    axis.barh(positions, worst, color="#cccccc", label="worst batch")
    axis.barh(positions, medians, color="#1f77b4", label="median batch")
    axis.set_yticks(list(positions), labels)
    axis.invert_yaxis()
    axis.set_xlabel("seconds")
    axis.set_title(f"One CDC micro-batch of {summary['messages_per_batch']} messages, by step")
    axis.legend()
    figure.tight_layout()
    figure.savefig(png, dpi=100)
    plt.close(figure)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operations", type=int, default=40_000, help="workload operations to record")
    parser.add_argument("--seed-rows", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=3_000, help="messages per micro-batch")
    parser.add_argument("--batches", type=int, default=10, help="micro-batches profiled per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--results-dir", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args(argv)
    work_dir = Path(tempfile.mkdtemp(prefix="cdc-profile-"))
    broker = None
    try:
        spark_log_to_file(work_dir)
        spark = local_spark(work_dir / "spark", app_name=NAME, shuffle_partitions=1)  # as the stream job's
        broker, topic = record_workload(work_dir, args.operations, args.seed_rows)
        available = (args.operations - args.batch_size) // args.batch_size
        if args.batches > available:
            parser.error(f"expected --batches <= {available} for {args.operations} operations, got {args.batches}")
        rows = []
        for run in range(args.runs):
            rows += one_run(spark, run, broker.plaintext_bootstrap, topic, args.seed_rows, args.batch_size,
                            args.batches, work_dir)
        summary = summarise(rows, args.batch_size)
        write_results(args.results_dir, NAME, summary, rows)
        draw(summary, args.results_dir / f"{NAME}.png")
        print(json.dumps(summary, indent=2))
        return summary
    finally:
        if broker is not None:
            broker.stop()
        shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
