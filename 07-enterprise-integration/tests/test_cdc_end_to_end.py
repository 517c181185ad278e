"""PostgreSQL -> Debezium (Kafka Connect) -> Kafka -> Spark -> Delta, with both processes killed mid-run.

A random workload (inserts, updates, deletes, primary-key changes, a column added mid-run) runs while
Kafka Connect is SIGKILLed and restarted and the Spark driver is SIGKILLed and restarted; afterwards
the Delta table must equal the PostgreSQL table, every row and every column.
"""
from __future__ import annotations

import pytest
from delta.tables import DeltaTable

from enterprise_integration import CdcTarget, ledger_totals

SEED_ROWS = 300
OPERATIONS_PER_PHASE = 500  # five phases: about 2,600 operations after the 300-row snapshot


@pytest.fixture
def cdc_stack(load_script):
    return load_script("examples/cdc_stack.py")


@pytest.mark.kafka
def test_delta_equals_postgres_after_a_random_workload_and_both_processes_killed(
    spark, postgres, embedded_kafka, kafka_connect_factory, cdc_stack, tmp_path
):
    run = cdc_stack.run_fault_scenario(
        spark, postgres, embedded_kafka.plaintext_bootstrap, kafka_connect_factory, tmp_path,
        seed_rows=SEED_ROWS, operations_per_phase=OPERATIONS_PER_PHASE, timeout_s=240,
    )

    assert run.source == run.delta, cdc_stack.first_difference(run.source, run.delta)
    assert run.stats.key_changes >= 1 and run.stats.deletes > 0 and run.job_starts == 2
    assert "shift" in spark.read.format("delta").load(run.table).columns
    target = CdcTarget(run.table, key_columns=("id",))
    totals = ledger_totals(spark, target)
    assert totals["events_in"] == (
        totals["applied"] + totals["stale"] + totals["tombstones"] + totals["quarantined"]
    )
    assert totals["events_in"] == run.topic_messages  # every message counted once, replays included
    assert totals["quarantined"] == 0
    assert not DeltaTable.isDeltaTable(spark, target.quarantine_path)
