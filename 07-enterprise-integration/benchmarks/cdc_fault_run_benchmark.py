"""The end-to-end fault run at scale: 100,000 random operations, Connect and the driver SIGKILLed.

Run it from the folder (tens of minutes on a laptop)::

    python benchmarks/cdc_fault_run_benchmark.py                          # 5 phases x 20,000 operations
    python benchmarks/cdc_fault_run_benchmark.py --operations-per-phase 2000

The same scenario as ``tests/test_cdc_end_to_end.py`` (``run_fault_scenario`` in
``examples/cdc_stack.py``), with more operations: inserts, updates, deletes, primary-key changes and a
column added mid-run; Kafka Connect SIGKILLed and restarted; the streaming driver SIGKILLed and
restarted. Then the Delta table is compared with the PostgreSQL table row for row, every column.
Writes ``benchmarks/results/cdc_fault_run_benchmark.json``; exits 1 if the tables differ.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from catalog_tools.bench import write_results
from catalog_tools.kafka_broker import start_broker
from catalog_tools.kafka_connect import start_kafka_connect
from catalog_tools.postgres import start_postgres
from catalog_tools.scripts import load_script_from
from catalog_tools.spark import local_spark
from catalog_tools.spark_log import spark_log_to_file
from enterprise_integration import CdcTarget, ledger_totals

FOLDER = Path(__file__).resolve().parents[1]
NAME = "cdc_fault_run_benchmark"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operations-per-phase", type=int, default=20_000)
    parser.add_argument("--seed-rows", type=int, default=10_000)
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--results-dir", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args(argv)
    stack = load_script_from(FOLDER / "examples" / "cdc_stack.py")
    work_dir = Path(tempfile.mkdtemp(prefix="cdc-fault-run-"))
    postgres = broker = None
    workers: list[Any] = []
    try:
        spark_log_to_file(work_dir)
        spark = local_spark(work_dir / "spark", app_name=NAME, shuffle_partitions=1)
        postgres = start_postgres()
        broker = start_broker(work_dir / "broker")

        def start_connect(connectors: dict[str, dict[str, str]]) -> Any:
            workers.append(start_kafka_connect(work_dir / "connect", broker.plaintext_bootstrap, connectors))
            return workers[-1]

        run = stack.run_fault_scenario(spark, postgres, broker.plaintext_bootstrap, start_connect, work_dir,
                                       args.seed_rows, args.operations_per_phase, args.timeout)
        totals = ledger_totals(spark, CdcTarget(run.table, key_columns=("id",)))
        summary = {
            "operations": run.stats.operations,
            "inserts": run.stats.inserts,
            "updates": run.stats.updates,
            "deletes": run.stats.deletes,
            "primary_key_changes": run.stats.key_changes,
            "faults": "Kafka Connect SIGKILL + restart; streaming driver SIGKILL + restart",
            "source_rows": len(run.source),
            "delta_rows": len(run.delta),
            "delta_equals_source": run.source == run.delta,
            "seconds_to_converge_after_last_operation": round(run.seconds_to_converge, 1),
            **{f"events_{name}": value for name, value in totals.items()},
            "load_average_1m_end": round(os.getloadavg()[0], 2),
        }
        write_results(args.results_dir, NAME, summary, [summary])[1].unlink()
        print(json.dumps(summary, indent=2))
        if run.source != run.delta:
            print(stack.first_difference(run.source, run.delta))
        return summary
    finally:
        for worker in workers:
            worker.stop()
        for part in (broker, postgres):
            if part is not None:
                part.stop()
        shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(0 if main()["delta_equals_source"] else 1)
