"""The same gate inside Structured Streaming: a ``foreachBatch`` function per contract.

Each micro-batch is persisted once, evaluated in one pass, and written with the batch id as
Delta's ``txnVersion``, so a replayed batch after a restart writes nothing twice. A blocking rule
raises GateBlockedError, which stops the query with that batch unwritten (its results are kept).

Example::

    gate = contract_gate_for_each_batch(contract, silver_path, quarantine_path, results_path,
                                        app_id="silver-readings")
    stream_df.writeStream.foreachBatch(gate).option("checkpointLocation", checkpoint).start()
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from pyspark import StorageLevel
from pyspark.sql import DataFrame

from plant_data_quality.contract import Contract
from plant_data_quality.evaluation import evaluate_contract
from plant_data_quality.writers import WriteSummary, write_gated_run


def contract_gate_for_each_batch(
    contract: Contract,
    target_path: str,
    quarantine_path: str,
    results_path: str | None = None,
    *,
    app_id: str,
    dimensions: Mapping[str, DataFrame] | None = None,
    clock: Callable[[], dt.datetime] | None = None,
    on_batch: Callable[[int, WriteSummary], None] | None = None,
) -> Callable[[DataFrame, int], None]:
    """A function for ``writeStream.foreachBatch`` that gates every micro-batch with ``contract``.

    ``clock`` gives the freshness reference time per batch (default: UTC now); ``on_batch`` receives
    each batch's counts (for metrics or tests).
    """
    if not app_id:
        raise ValueError(f"expected a non-empty app_id for idempotent writes, got {app_id!r}")

    def gate_batch(batch_df: DataFrame, batch_id: int) -> None:
        batch_df.persist(StorageLevel.MEMORY_AND_DISK)
        try:
            now = clock() if clock else dt.datetime.now(dt.UTC)
            run = evaluate_contract(batch_df, contract, now=now, dimensions=dimensions)
            summary = write_gated_run(run, target_path, quarantine_path, results_path,
                                      txn_app_id=app_id, txn_version=batch_id)
            if on_batch is not None:
                on_batch(batch_id, summary)
        finally:
            batch_df.unpersist()

    return gate_batch
