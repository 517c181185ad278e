"""Change data capture, live: PostgreSQL -> Debezium (Kafka Connect) -> Kafka -> Spark -> Delta.

Run it from the folder::

    ../.venv/bin/python examples/demo.py                     # 1,000 seeded rows, 3,000 live operations
    ../.venv/bin/python examples/demo.py --operations 10000 --rate 500

1. start PostgreSQL (wal_level=logical), a Kafka broker and a Kafka Connect worker with the connector
   from ``change-data-capture/postgres-connector.json``, and the streaming job that applies the
   change events to a Delta table (``examples/cdc_stream_job.py``, a child process);
2. run a live workload (inserts, updates, deletes, primary-key changes) at a steady rate;
3. print the source's and the Delta table's row counts every few seconds until the two tables are
   equal row for row; exit 1 if they are not within the timeout.

Spark's, Connect's and the broker's logs go to files whose paths are printed first.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psycopg

from catalog_tools.kafka_broker import start_broker
from catalog_tools.kafka_connect import start_kafka_connect
from catalog_tools.postgres import start_postgres
from catalog_tools.scripts import load_script_from
from catalog_tools.spark import local_spark
from catalog_tools.spark_log import spark_log_to_file

FOLDER = Path(__file__).resolve().parents[1]
COLUMNS = ("id", "status", "qty", "line", "updated_at")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed-rows", type=int, default=1000)
    parser.add_argument("--operations", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=200.0, help="operations per second")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for convergence")
    args = parser.parse_args(argv)
    stack = load_script_from(FOLDER / "examples" / "cdc_stack.py")
    workload_script = load_script_from(FOLDER / "examples" / "cdc_workload.py")
    work_dir = Path(tempfile.mkdtemp(prefix="cdc-demo-"))
    postgres = broker = connect = job = None
    try:
        print(f"work directory: {work_dir} (removed at the end)")
        spark_log = spark_log_to_file(work_dir)
        postgres = start_postgres()
        broker = start_broker(work_dir / "broker")
        database = f"mes_{uuid.uuid4().hex[:6]}"
        postgres.create_database(database)
        conn = psycopg.connect(postgres.conninfo(database), autocommit=True)
        workload_script.create_work_orders(conn, args.seed_rows)
        print(f"PostgreSQL {postgres.host}:{postgres.port}/{database}: work_orders seeded with {args.seed_rows} rows")
        connect = start_kafka_connect(work_dir / "connect", broker.plaintext_bootstrap,
                                      {"mes": stack.connector_config(postgres.host, postgres.port, database, database)})
        connect.wait_until_running("mes")
        topic = f"{database}.public.work_orders"
        print(f"Kafka Connect: Debezium connector RUNNING, topic {topic}")
        table = str(work_dir / "lake" / "work_orders")
        job = stack.StreamJob(broker.plaintext_bootstrap, topic, table, str(work_dir / "checkpoint"), work_dir / "job")
        job.start()
        print(f"logs: Spark (reader) {spark_log}, streaming job {job.work_dir / 'spark.log'}, "
              f"Connect {connect.log_file}, broker {broker.log_file}")
        spark = local_spark(work_dir / "spark", app_name="cdc-demo-reader", shuffle_partitions=1)

        workload = workload_script.WorkOrderWorkload(psycopg.connect(postgres.conninfo(database), autocommit=True))
        runner = threading.Thread(target=workload.run, args=(args.operations,), kwargs={"rate_per_s": args.rate})
        runner.start()
        print(f"live workload: {args.operations} operations at {args.rate:.0f}/s")
        started = time.monotonic()

        def progress(source: list[tuple], delta: list[tuple]) -> None:
            state = "equal" if source == delta else "converging"
            print(f"  {time.monotonic() - started:6.1f}s  source rows {len(source):6d} | Delta rows "
                  f"{len(delta):6d} | operations {workload.stats.operations:6d} | {state}", flush=True)

        while runner.is_alive():
            progress(stack.pg_rows(conn, COLUMNS), stack.delta_rows(spark, table, COLUMNS))
            time.sleep(3)
        runner.join()
        source, delta = stack.wait_until_equal(spark, conn, table, COLUMNS, args.timeout, job=job, progress=progress)
        stats = workload.stats
        print(f"workload: {stats.inserts} inserts, {stats.updates} updates, {stats.deletes} deletes, "
              f"{stats.key_changes} primary-key changes")
        if source != delta:
            print(f"NOT EQUAL after {args.timeout:.0f}s: {stack.first_difference(source, delta)}")
            return 1
        print(f"Delta equals PostgreSQL: {len(source)} rows, every column")
        return 0
    finally:
        for part in (job, connect, broker, postgres):
            if part is not None:
                part.stop()
        shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
