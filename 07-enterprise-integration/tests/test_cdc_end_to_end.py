"""PostgreSQL -> Debezium (Kafka Connect) -> Kafka -> Spark -> Delta, with both processes killed mid-run.

A random workload (inserts, updates, deletes, primary-key changes, a column added mid-run) runs while
Kafka Connect is SIGKILLed and restarted and the Spark driver is SIGKILLed and restarted; afterwards
the Delta table must equal the PostgreSQL table, every row and every column.
"""
from __future__ import annotations

import time
import uuid

import psycopg
import pytest
from delta.tables import DeltaTable

from enterprise_integration import CdcTarget, ledger_totals

COLUMNS = ("id", "status", "qty", "line", "updated_at", "shift")
SEED_ROWS = 300
OPERATIONS_PER_PHASE = 500  # five phases: 2,500 operations after the 300-row snapshot


@pytest.fixture
def cdc_stack(load_script):
    return load_script("examples/cdc_stack.py")


@pytest.fixture
def workload_script(load_script):
    return load_script("examples/cdc_workload.py")


@pytest.mark.kafka
def test_delta_equals_postgres_after_a_random_workload_and_both_processes_killed(
    spark, postgres, embedded_kafka, kafka_connect_factory, cdc_stack, workload_script, tmp_path
):
    database = f"mes_{uuid.uuid4().hex[:8]}"
    postgres.create_database(database)
    conn = psycopg.connect(postgres.conninfo(database), autocommit=True)
    workload_script.create_work_orders(conn, SEED_ROWS)
    prefix = database
    topic = f"{prefix}.public.work_orders"
    connect = kafka_connect_factory(
        {"mes": cdc_stack.connector_config(postgres.host, postgres.port, database, prefix)}
    )
    connect.wait_until_running("mes")
    table = str(tmp_path / "lake" / "work_orders")
    job = cdc_stack.StreamJob(embedded_kafka.plaintext_bootstrap, topic, table,
                              str(tmp_path / "checkpoints" / "work_orders"), tmp_path / "stream-job")
    job.start()
    workload = workload_script.WorkOrderWorkload(conn, seed=23)
    try:
        workload.run(OPERATIONS_PER_PHASE)
        workload.change_key()                       # at least one primary-key change, whatever the dice say
        cdc_stack.wait_for_offset_flush(connect.offsets_file, since=time.time())
        workload.run(OPERATIONS_PER_PHASE // 5)     # streamed, offsets not yet flushed: replayed later
        connect.kill()                              # fault 1: Connect dies without flushing offsets
        workload.run(OPERATIONS_PER_PHASE)          # the slot holds these until Connect is back
        connect.restart()
        connect.wait_until_running("mes")

        workload_script.add_shift_column(conn)      # the source gains a column mid-run
        workload.with_shift = True
        workload.run(OPERATIONS_PER_PHASE)

        job.kill()                                  # fault 2: the Spark driver dies mid-batch
        workload.run(OPERATIONS_PER_PHASE)
        job.start()
        workload.run(OPERATIONS_PER_PHASE)

        source, delta = cdc_stack.wait_until_equal(spark, conn, table, COLUMNS, timeout_s=240, job=job)
    finally:
        job.stop()
        conn.close()

    assert source == delta, cdc_stack.first_difference(source, delta)
    assert workload.stats.key_changes >= 1 and workload.stats.deletes > 0 and job.starts == 2
    assert "shift" in spark.read.format("delta").load(table).columns
    target = CdcTarget(table, key_columns=("id",))
    totals = ledger_totals(spark, target)
    assert totals["events_in"] == (
        totals["applied"] + totals["stale"] + totals["tombstones"] + totals["quarantined"]
    )
    assert totals["quarantined"] == 0
    assert not DeltaTable.isDeltaTable(spark, target.quarantine_path)
