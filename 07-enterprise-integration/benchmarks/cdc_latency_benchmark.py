"""Commit-to-Delta latency of the CDC flow under a sustained DML rate, over repeated runs.

Run it from the folder (each run starts its own PostgreSQL, broker, Connect worker and streaming job)::

    python benchmarks/cdc_latency_benchmark.py                      # 1,000 changes/s for 120 s, 3 runs
    python benchmarks/cdc_latency_benchmark.py --rate 200 --seconds 20 --runs 1

Per change, latency = the moment the micro-batch that applied it wrote its ledger row (after its Delta
commit) minus the source transaction's commit time (Debezium's ``source.ts_ms``). The batch of each
Kafka offset comes from the query's checkpoint (``offsets/<batch>``). The floor beside it is
commit-to-Kafka (the record's broker timestamp minus ``source.ts_ms``): what the Spark side adds is
the difference. Writes ``benchmarks/results/cdc_latency_benchmark.json`` and ``.png``.
"""
from __future__ import annotations

import argparse
import json
import os
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

FOLDER = Path(__file__).resolve().parents[1]
NAME = "cdc_latency_benchmark"


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def topic_events(spark: Any, bootstrap: str, topic: str) -> list[dict[str, Any]]:
    """Every change record on the topic: offset, op, source commit ms, broker timestamp ms.

    Read with Spark's Kafka batch source: a Python consumer decoding every ~3 KB record takes minutes.
    """
    from pyspark.sql import functions as F

    rows = (
        spark.read.format("kafka").option("kafka.bootstrap.servers", bootstrap).option("subscribe", topic)
        .option("startingOffsets", "earliest").load()
        .where(F.col("value").isNotNull())
        .select(
            "offset",
            F.get_json_object(F.col("value").cast("string"), "$.payload.op").alias("op"),
            F.get_json_object(F.col("value").cast("string"), "$.payload.source.ts_ms").cast("long").alias("commit_ms"),
            (F.unix_micros("timestamp") / 1000).alias("kafka_ms"),
        )
        .collect()
    )
    return [row.asDict() for row in rows]


def batch_end_offsets(checkpoint: Path, topic: str, batch_ids: set[int]) -> dict[int, int]:
    """batch id -> end offset (exclusive) of partition 0, for the batches that wrote their ledger row.

    A batch's ``offsets/<id>`` file is written before it runs; its ledger row after its Delta commit, so
    a batch with a ledger row applied exactly that range, even when the job stopped before the
    checkpoint's ``commits/<id>`` was written.
    """
    ends = {}
    for batch_id in batch_ids:
        offsets = json.loads((checkpoint / "offsets" / str(batch_id)).read_text().splitlines()[-1])
        ends[batch_id] = int(offsets[topic]["0"])
    return ends


def change_latencies(events: list[dict[str, Any]], ends: dict[int, int], written_ms: dict[int, float]) -> list[float]:
    ordered = sorted(ends.items(), key=lambda item: item[1])
    latencies, index = [], 0
    for event in sorted(events, key=lambda e: e["offset"]):
        while index < len(ordered) and ordered[index][1] <= event["offset"]:
            index += 1
        if index == len(ordered) or event["op"] == "r":
            continue
        batch_id = ordered[index][0]
        latencies.append((written_ms[batch_id] - event["commit_ms"]) / 1000)
    return latencies


def one_run(
    spark: Any, run: int, rate: float, seconds: float, seed_rows: int, work_dir: Path, drain_timeout_s: float
) -> dict[str, Any]:
    stack = load_script_from(FOLDER / "examples" / "cdc_stack.py")
    workload_script = load_script_from(FOLDER / "examples" / "cdc_workload.py")
    postgres = start_postgres()
    broker = start_broker(work_dir / "broker")
    database = f"bench_{uuid.uuid4().hex[:8]}"
    topic = f"{database}.public.work_orders"
    job = None
    connect = None
    try:
        postgres.create_database(database)
        conn = psycopg.connect(postgres.conninfo(database), autocommit=True)
        workload_script.create_work_orders(conn, seed_rows)
        connect = start_kafka_connect(work_dir / "connect", broker.plaintext_bootstrap,
                                      {"mes": stack.connector_config(postgres.host, postgres.port, database, database)})
        connect.wait_until_running("mes")
        table, checkpoint = str(work_dir / "lake" / "work_orders"), work_dir / "checkpoint"
        job = stack.StreamJob(broker.plaintext_bootstrap, topic, table, str(checkpoint), work_dir / "job",
                              extra_args=["--trigger-seconds", "0.5"])
        job.start()
        columns = ("id", "status", "qty", "line", "updated_at")
        stack.wait_until_equal(spark, conn, table, columns, timeout_s=600, job=job)  # snapshot applied: warm
        workload = workload_script.WorkOrderWorkload(conn, seed=run)
        started = time.monotonic()
        stats = workload.run(int(rate * seconds), per_transaction=10, rate_per_s=rate)
        elapsed = time.monotonic() - started
        caught_up_started = time.monotonic()
        source, delta = stack.wait_until_equal(spark, conn, table, columns, timeout_s=drain_timeout_s, job=job)
        drain_s = time.monotonic() - caught_up_started
        stack.wait_until_ledger_counts(spark, table, stack.topic_messages(broker.plaintext_bootstrap, topic),
                                       timeout_s=drain_timeout_s)
        job.stop()
        conn.close()
        events = topic_events(spark, broker.plaintext_bootstrap, topic)
        ledger = spark.read.format("delta").load(table + "_ledger").collect()
        written_ms = {row["batch_id"]: row["written_at"].timestamp() * 1000 for row in ledger}
        ends = batch_end_offsets(checkpoint, topic, set(written_ms))
        latencies = change_latencies(events, ends, written_ms)
        to_kafka = [(e["kafka_ms"] - e["commit_ms"]) / 1000 for e in events if e["op"] != "r"]
        return {
            "run": run + 1,
            "operations": stats.operations,
            "achieved_ops_per_s": round(stats.operations / elapsed, 1),
            "changes_measured": len(latencies),
            "changes_not_applied_in_time": sum(e["op"] != "r" for e in events) - len(latencies),
            "p50_s": rounded(percentile(latencies, 0.50)),
            "p95_s": rounded(percentile(latencies, 0.95)),
            "max_s": rounded(max(latencies, default=None)),
            "kafka_p50_s": rounded(percentile(to_kafka, 0.50)),
            "kafka_p95_s": rounded(percentile(to_kafka, 0.95)),
            "micro_batches": len(ends),
            "drain_after_load_s": round(drain_s, 1),
            "delta_equals_source": source == delta,
            "load_average_1m_end": round(os.getloadavg()[0], 2),
            "_latencies": latencies,
        }
    finally:
        if job is not None:
            job.kill()
        if connect is not None:
            connect.stop()
        broker.stop()
        postgres.stop()


def draw(rows: list[dict[str, Any]], png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(7, 4))
    for row in rows:
        values = sorted(row["_latencies"])
        axis.plot(values, [i / len(values) for i in range(len(values))], label=f"run {row['run']}")
    axis.set_xlabel("commit-to-Delta latency (s)")
    axis.set_ylabel("fraction of changes")
    axis.set_title("CDC commit-to-Delta latency, one curve per run")
    axis.legend()
    figure.tight_layout()
    figure.savefig(png, dpi=100)
    plt.close(figure)


def summarise(rows: list[dict[str, Any]], rate: float, seconds: float) -> dict[str, Any]:
    p50s = [r["p50_s"] for r in rows if r["p50_s"] is not None] or [float("nan")]
    p95s = [r["p95_s"] for r in rows if r["p95_s"] is not None] or [float("nan")]
    return {
        "target_changes_per_s": rate,
        "sustained_s": seconds,
        "runs": len(rows),
        "achieved_ops_per_s_median": statistics.median(r["achieved_ops_per_s"] for r in rows),
        "latency_p50_median_s": statistics.median(p50s),
        "latency_p50_worst_s": max(p50s),
        "latency_p95_median_s": statistics.median(p95s),
        "latency_p95_worst_s": max(p95s),
        "commit_to_kafka_p95_median_s": statistics.median(r["kafka_p95_s"] for r in rows),
        "commit_to_kafka_p95_worst_s": max(r["kafka_p95_s"] for r in rows),
        "runs_delta_equal_source": sum(r["delta_equals_source"] for r in rows),
        "achieved_ops_per_s_worst": min(r["achieved_ops_per_s"] for r in rows),
        "drain_after_load_worst_s": max(r["drain_after_load_s"] for r in rows),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=1000.0, help="changes per second")
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed-rows", type=int, default=10_000)
    parser.add_argument("--drain-timeout", type=float, default=600.0,
                        help="seconds to wait after the load for Delta to equal the source")
    parser.add_argument("--results-dir", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args(argv)
    work_dir = Path(tempfile.mkdtemp(prefix="cdc-latency-"))
    try:
        spark_log_to_file(work_dir)
        spark = local_spark(work_dir / "spark", app_name=NAME, shuffle_partitions=1)
        rows = []
        for run in range(args.runs):
            rows.append(one_run(spark, run, args.rate, args.seconds, args.seed_rows, work_dir / f"run-{run}",
                                args.drain_timeout))
            print({k: v for k, v in rows[-1].items() if not k.startswith("_")}, flush=True)
            # written after every run: an interrupted benchmark leaves the runs it finished (summary.runs says how many)
            summary = summarise(rows, args.rate, args.seconds)
            write_results(args.results_dir, NAME, summary,
                          [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows])
            draw(rows, args.results_dir / f"{NAME}.png")
        print(json.dumps(summary, indent=2))
        return summary
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
