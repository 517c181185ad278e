"""The moving parts of the CDC flow on one machine, for the demo, the end-to-end test and the benchmarks.

Run on its own, it prints the connector configuration it would submit for a database::

    python examples/cdc_stack.py --host 127.0.0.1 --port 5432 --database mes

``examples/demo.py`` runs the whole flow. This module loads the connector configuration from
``change-data-capture/postgres-connector.json`` (pointed at a local PostgreSQL), runs
``examples/cdc_stream_job.py`` as a child process that can be SIGKILLed and restarted like a crashed
driver, and compares the Delta table with the PostgreSQL table row for row.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).resolve().parents[1]
CONNECTOR_FILE = FOLDER / "change-data-capture" / "postgres-connector.json"
STREAM_JOB = FOLDER / "examples" / "cdc_stream_job.py"


def connector_config(
    host: str, port: int, database: str, prefix: str, table: str = "public.work_orders"
) -> dict[str, str]:
    """The committed connector configuration, pointed at ``host:port/database`` with its own names."""
    config = dict(json.loads(CONNECTOR_FILE.read_text())["config"])
    config.update({
        "database.hostname": host,
        "database.port": str(port),
        "database.dbname": database,
        "topic.prefix": prefix,
        "table.include.list": table,
        "slot.name": f"{prefix}_slot",
        "publication.name": f"{prefix}_publication",
    })
    return config


@dataclass
class StreamJob:
    """``cdc_stream_job.py`` in a child process of its own (its own process group, so a kill is total)."""

    bootstrap: str
    topic: str
    table: str
    checkpoint: str
    work_dir: Path
    extra_args: list[str] = field(default_factory=list)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def log_file(self) -> Path:
        return self.work_dir / "stream-job.out"

    def start(self) -> None:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, str(STREAM_JOB), "--bootstrap", self.bootstrap, "--topic", self.topic,
                   "--table", self.table, "--checkpoint", self.checkpoint, "--work-dir", str(self.work_dir),
                   *self.extra_args]
        with open(self.log_file, "ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.starts += 1

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the driver and its JVM: no clean stop, no checkpoint commit for the running batch."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=60)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_file.read_text(errors="replace") if self.log_file.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def topic_messages(bootstrap: str, topic: str) -> int:
    """How many messages the topic holds (its end offsets summed)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        return sum(consumer.end_offsets(partitions).values())
    finally:
        consumer.close()


def wait_until_ledger_counts(spark: Any, table: str, messages: int, timeout_s: float) -> None:
    """Wait until the ledger has counted ``messages`` events (the last batch also wrote its ledger row)."""
    from enterprise_integration import CdcTarget, ledger_totals

    deadline = time.monotonic() + timeout_s
    target = CdcTarget(table, key_columns=("id",))
    while ledger_totals(spark, target)["events_in"] < messages:
        if time.monotonic() > deadline:
            return
        time.sleep(1)


def normalised(value: Any) -> Any:
    """Timestamps as naive UTC, so PostgreSQL's aware values compare with Spark's naive UTC ones."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def delta_rows(spark: Any, path: str, columns: tuple[str, ...]) -> list[tuple]:
    # not DeltaTable.isDeltaTable: it caches a "no table" answer for a path another process creates later
    if not any((Path(path) / "_delta_log").glob("*.json")):
        return []
    table = spark.read.format("delta").load(path)
    present = [c if c in table.columns else None for c in columns]
    rows = table.select(*[c for c in present if c]).orderBy("id").collect()
    out = []
    for row in rows:
        values = iter(row)
        out.append(tuple(normalised(next(values)) if c else None for c in present))
    return out


def pg_rows(conn: Any, columns: tuple[str, ...]) -> list[tuple]:
    rows = conn.execute(f"SELECT {', '.join(columns)} FROM work_orders ORDER BY id").fetchall()
    return [tuple(normalised(v) for v in row) for row in rows]


def first_difference(source: list[tuple], delta: list[tuple]) -> str:
    """A short description of how two row lists differ (for assertion messages and progress)."""
    source_by_id = {row[0]: row for row in source}
    delta_by_id = {row[0]: row for row in delta}
    missing = sorted(set(source_by_id) - set(delta_by_id))
    extra = sorted(set(delta_by_id) - set(source_by_id))
    changed = sorted(k for k in set(source_by_id) & set(delta_by_id) if source_by_id[k] != delta_by_id[k])
    parts = [f"{len(source)} source rows, {len(delta)} Delta rows"]
    if missing:
        parts.append(f"missing in Delta: {len(missing)} (first {missing[:5]})")
    if extra:
        parts.append(f"only in Delta: {len(extra)} (first {extra[:5]})")
    if changed:
        key = changed[0]
        parts.append(f"different: {len(changed)} "
                     f"(first id {key}: source {source_by_id[key]} vs Delta {delta_by_id[key]})")
    return "; ".join(parts)


def wait_until_equal(spark: Any, conn: Any, table: str, columns: tuple[str, ...], timeout_s: float,
                     job: StreamJob | None = None, progress: Any = None) -> tuple[list[tuple], list[tuple]]:
    """Poll until the Delta table equals the source table; return both row lists (equal or not)."""
    deadline = time.monotonic() + timeout_s
    while True:
        source = pg_rows(conn, columns)
        delta = delta_rows(spark, table, columns)
        if progress is not None:
            progress(source, delta)
        if source == delta or time.monotonic() > deadline:
            return source, delta
        if job is not None and not job.is_running():
            raise RuntimeError(f"expected the stream job to keep running, it exited; its output:\n{job.log_tail()}")
        time.sleep(2)


@dataclass
class FaultRun:
    """What :func:`run_fault_scenario` did and the two tables it ended with."""

    source: list[tuple]
    delta: list[tuple]
    stats: Any
    table: str
    job_starts: int
    seconds_to_converge: float
    topic_messages: int


def run_fault_scenario(
    spark: Any,
    postgres: Any,
    bootstrap: str,
    start_connect: Any,
    work_dir: Path,
    seed_rows: int,
    operations_per_phase: int,
    timeout_s: float,
    columns: tuple[str, ...] = ("id", "status", "qty", "line", "updated_at", "shift"),
) -> FaultRun:
    """A random workload in five phases with Kafka Connect and the Spark driver each SIGKILLed once.

    0. wait until the streaming job has applied the snapshot (it is up);
    1. operations (and one primary-key change); Connect flushes its offsets; a few more operations;
    2. Connect SIGKILLed (its last events unflushed: they are sent again), operations while it is down,
       Connect restarted;
    3. a column added at the source, operations that fill it;
    4. once Delta has caught up, operations, and the streaming driver SIGKILLed with a micro-batch in
       flight; operations while it is down; the driver restarted;
    5. operations; then wait until Delta equals PostgreSQL and the ledger has counted every message on
       the topic (or ``timeout_s``).

    ``start_connect(connectors)`` starts a Connect worker (the fixture or ``start_kafka_connect``).
    """
    import psycopg

    from catalog_tools.scripts import load_script_from

    workload_script = load_script_from(FOLDER / "examples" / "cdc_workload.py")
    database = f"mes_{os.getpid()}_{int(time.time() * 1000) % 100000}"
    postgres.create_database(database)
    conn = psycopg.connect(postgres.conninfo(database), autocommit=True)
    workload_script.create_work_orders(conn, seed_rows)
    topic = f"{database}.public.work_orders"
    connect = start_connect({"mes": connector_config(postgres.host, postgres.port, database, database)})
    connect.wait_until_running("mes")
    table = str(work_dir / "lake" / "work_orders")
    job = StreamJob(bootstrap, topic, table, str(work_dir / "checkpoints" / "work_orders"), work_dir / "stream-job")
    job.start()
    workload = workload_script.WorkOrderWorkload(conn, seed=23)
    try:
        wait_until_equal(spark, conn, table, columns[:5], timeout_s=timeout_s, job=job)  # the job is up
        workload.run(operations_per_phase)
        workload.change_key()  # at least one primary-key change, whatever the dice say
        connect.wait_for_offset_flush(since=time.time())
        workload.run(max(1, operations_per_phase // 5))  # streamed, offsets not yet flushed: replayed later
        connect.kill()
        workload.run(operations_per_phase)  # the replication slot keeps these until Connect is back
        connect.restart()
        connect.wait_until_running("mes")
        workload_script.add_shift_column(conn)
        workload.with_shift = True
        workload.run(operations_per_phase)
        wait_until_equal(spark, conn, table, columns, timeout_s=timeout_s, job=job)  # caught up again
        workload.run(operations_per_phase // 2)
        time.sleep(1.5)  # a micro-batch in flight
        job.kill()
        workload.run(operations_per_phase - operations_per_phase // 2)
        job.start()
        workload.run(operations_per_phase)
        started = time.monotonic()
        source, delta = wait_until_equal(spark, conn, table, columns, timeout_s=timeout_s, job=job)
        messages = topic_messages(bootstrap, topic)
        wait_until_ledger_counts(spark, table, messages, timeout_s=timeout_s)
        converge_s = time.monotonic() - started
    finally:
        job.stop()
        conn.close()
    return FaultRun(source, delta, workload.stats, table, job.starts, converge_s, messages)


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Print the connector configuration for a database")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5432)
    parser.add_argument("--database", default="mes")
    args = parser.parse_args(argv)
    print(json.dumps(connector_config(args.host, args.port, args.database, args.database), indent=2))


if __name__ == "__main__":
    main()
