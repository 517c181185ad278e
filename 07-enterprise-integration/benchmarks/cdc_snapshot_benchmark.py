"""Initial snapshot of a large table through the CDC flow, in rows per second, over repeated runs.

Run it from the folder (each run starts its own PostgreSQL, broker, Connect worker and streaming job)::

    python benchmarks/cdc_snapshot_benchmark.py                    # 1,000,000 rows, 3 runs
    python benchmarks/cdc_snapshot_benchmark.py --rows 20000 --runs 1

Per run: the clock starts when the connector is created and stops when the Delta table holds every
row. Beside it: when the last snapshot record reached Kafka (Debezium's part, the floor the Spark side
cannot beat), and the obvious alternative for a first load, one Spark JDBC read of the table written
to Delta (``enterprise_integration.incremental``, no change stream). Writes
``benchmarks/results/cdc_snapshot_benchmark.json`` and ``.png``.
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
from kafka import KafkaConsumer, TopicPartition

from catalog_tools.bench import write_results
from catalog_tools.kafka_broker import start_broker
from catalog_tools.kafka_connect import start_kafka_connect
from catalog_tools.kafka_io import create_topic
from catalog_tools.postgres import start_postgres
from catalog_tools.scripts import load_script_from
from catalog_tools.spark import local_spark
from catalog_tools.spark_log import spark_log_to_file
from enterprise_integration.incremental import JdbcIncrementalSource, run_incremental_extraction

FOLDER = Path(__file__).resolve().parents[1]
NAME = "cdc_snapshot_benchmark"


def topic_size(bootstrap: str, topic: str) -> int:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            return 0
        ends = consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
        return sum(ends.values())
    finally:
        consumer.close()


def delta_count(spark: Any, path: str) -> int:
    if not any((Path(path) / "_delta_log").glob("*.json")):
        return 0
    return spark.read.format("delta").load(path).count()


def one_run(spark: Any, run: int, rows: int, work_dir: Path, timeout_s: float) -> dict[str, Any]:
    stack = load_script_from(FOLDER / "examples" / "cdc_stack.py")
    workload_script = load_script_from(FOLDER / "examples" / "cdc_workload.py")
    postgres = start_postgres()
    broker = start_broker(work_dir / "broker")
    database = f"snap_{uuid.uuid4().hex[:8]}"
    topic = f"{database}.public.work_orders"
    connect = job = None
    try:
        postgres.create_database(database)
        with psycopg.connect(postgres.conninfo(database), autocommit=True) as conn:
            workload_script.create_work_orders(conn, rows)
            conn.execute("VACUUM ANALYZE work_orders")
        table = str(work_dir / "lake" / "work_orders")
        # Debezium creates the topic when its first record arrives; a stream subscribed before that fails
        # with UnknownTopicOrPartitionException, so the topic is created first, as Connect would create it.
        create_topic(topic, {"bootstrap_servers": broker.plaintext_bootstrap})
        job = stack.StreamJob(broker.plaintext_bootstrap, topic, table, str(work_dir / "checkpoint"),
                              work_dir / "job", extra_args=["--max-offsets-per-trigger", "200000"])
        job.start()
        time.sleep(20)  # the job's JVM is up and subscribed before the clock starts
        started = time.monotonic()
        connect = start_kafka_connect(work_dir / "connect", broker.plaintext_bootstrap,
                                      {"mes": stack.connector_config(postgres.host, postgres.port, database, database)})
        kafka_s = delta_s = None
        deadline = started + timeout_s
        while time.monotonic() < deadline and delta_s is None:
            if kafka_s is None and topic_size(broker.plaintext_bootstrap, topic) >= rows:
                kafka_s = time.monotonic() - started
            if delta_count(spark, table) >= rows:
                delta_s = time.monotonic() - started
            if not job.is_running():
                raise RuntimeError(f"the stream job exited:\n{job.log_tail()}")
            time.sleep(1)
        job.stop()
        jdbc_target, marks = str(work_dir / "jdbc" / "work_orders"), str(work_dir / "jdbc" / "marks")
        source = JdbcIncrementalSource(postgres.jdbc_url(database) + "?user=postgres", "public.work_orders",
                                       ("id",), "updated_at", fetch_size=20000)
        jdbc_started = time.monotonic()
        run_incremental_extraction(spark, source, jdbc_target, marks)
        jdbc_s = time.monotonic() - jdbc_started
        return {
            "run": run + 1,
            "rows": rows,
            "cdc_to_delta_s": round(delta_s, 1) if delta_s else None,
            "cdc_rows_per_s": round(rows / delta_s) if delta_s else 0,
            "debezium_to_kafka_s": round(kafka_s, 1) if kafka_s else None,
            "debezium_rows_per_s": round(rows / kafka_s) if kafka_s else 0,
            "jdbc_copy_s": round(jdbc_s, 1),
            "jdbc_rows_per_s": round(rows / jdbc_s),
            "load_average_1m_end": round(os.getloadavg()[0], 2),
        }
    finally:
        for part in (job, connect, broker, postgres):
            if part is not None:
                part.stop()


def draw(rows: list[dict[str, Any]], png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = ["CDC to Delta", "Debezium to Kafka (floor)", "Spark JDBC copy"]
    keys = ["cdc_rows_per_s", "debezium_rows_per_s", "jdbc_rows_per_s"]
    figure, axis = plt.subplots(figsize=(7, 4))
    for index, key in enumerate(keys):
        values = [r[key] for r in rows]
        axis.scatter([index] * len(values), values, label=labels[index])
    axis.set_xticks(range(len(keys)), labels)
    axis.set_ylabel("rows per second (one dot per run)")
    axis.set_title(f"Initial load of {rows[0]['rows']:,} rows")
    figure.tight_layout()
    figure.savefig(png, dpi=100)
    plt.close(figure)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--results-dir", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args(argv)
    work_dir = Path(tempfile.mkdtemp(prefix="cdc-snapshot-"))
    try:
        spark_log_to_file(work_dir)
        spark = local_spark(work_dir / "spark", app_name=NAME, shuffle_partitions=2)
        rows = []
        for run in range(args.runs):
            rows.append(one_run(spark, run, args.rows, work_dir / f"run-{run}", args.timeout))
            print(rows[-1], flush=True)
        measured = [r["cdc_rows_per_s"] for r in rows]
        summary = {
            "rows": args.rows,
            "runs": len(rows),
            "cdc_rows_per_s_median": statistics.median(measured),
            "cdc_rows_per_s_worst": min(measured),
            "debezium_rows_per_s_median": statistics.median(r["debezium_rows_per_s"] for r in rows),
            "debezium_rows_per_s_worst": min(r["debezium_rows_per_s"] for r in rows),
            "jdbc_rows_per_s_median": statistics.median(r["jdbc_rows_per_s"] for r in rows),
            "jdbc_rows_per_s_worst": min(r["jdbc_rows_per_s"] for r in rows),
        }
        write_results(args.results_dir, NAME, summary, rows)
        draw(rows, args.results_dir / f"{NAME}.png")
        print(json.dumps(summary, indent=2))
        return summary
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
