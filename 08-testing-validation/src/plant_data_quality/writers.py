"""Write a gated run: results for trending first, then passed rows and quarantined rows (or nothing).

The results table gets one row per rule per run, also for blocked runs, so a dashboard can trend
every rule's failing fraction. A blocked run raises GateBlockedError after its results are
written and before any data row is. ``txn_app_id``/``txn_version`` make the three appends
idempotent (Delta's ``txnAppId``/``txnVersion``), which is what ``foreachBatch`` needs on replay.

Example::

    summary = write_gated_run(run, target_path, quarantine_path, results_path)
    assert summary.rows_in == summary.rows_written + summary.rows_quarantined
"""
from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    BooleanType,
    DoubleType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from plant_data_quality.evaluation import ContractRun

RESULTS_SCHEMA = StructType([
    StructField("run_id", StringType(), False),
    StructField("evaluated_at", TimestampType(), False),
    StructField("contract", StringType(), False),
    StructField("contract_version", IntegerType(), False),
    StructField("rule", StringType(), False),
    StructField("kind", StringType(), False),
    StructField("on_fail", StringType(), False),
    StructField("rows_checked", LongType(), False),
    StructField("failing_rows", LongType(), False),
    StructField("failing_fraction", DoubleType(), False),
    StructField("max_failing_fraction", DoubleType(), False),
    StructField("passed", BooleanType(), False),
    StructField("outcome", StringType(), False),
    StructField("sample_values", ArrayType(StringType()), False),
    StructField("measure", DoubleType(), True),
])


@dataclass(frozen=True)
class WriteSummary:
    rows_in: int
    rows_written: int
    rows_quarantined: int


def results_frame(spark: SparkSession, run: ContractRun) -> DataFrame:
    """The run's results as rows of RESULTS_SCHEMA."""
    rows = [(run.run_id, run.evaluated_at, run.contract.name, run.contract.version, r.rule, r.kind, r.on_fail,
             r.rows_checked, r.failing_rows, float(r.failing_fraction), float(r.max_failing_fraction), r.passed,
             r.outcome, list(r.sample_values), r.measure) for r in run.results]
    return spark.createDataFrame(rows, RESULTS_SCHEMA)


def _append(df: DataFrame, path: str, txn_app_id: str | None, txn_version: int | None) -> None:
    writer = df.write.format("delta").mode("append").option("mergeSchema", "false")
    if txn_app_id is not None:
        writer = writer.option("txnAppId", txn_app_id).option("txnVersion", txn_version)
    writer.save(path)


def write_gated_run(
    run: ContractRun,
    target_path: str,
    quarantine_path: str,
    results_path: str | None = None,
    *,
    txn_app_id: str | None = None,
    txn_version: int | None = None,
) -> WriteSummary:
    """Append results, then raise if blocked, else append passed and quarantined rows."""
    if (txn_app_id is None) != (txn_version is None):
        raise ValueError(f"expected txn_app_id and txn_version together, got {txn_app_id!r} and {txn_version!r}")
    spark = run.passed_rows.sparkSession
    if results_path is not None:
        _append(results_frame(spark, run), results_path, txn_app_id, txn_version)
    run.raise_if_blocked()
    quarantined = run.quarantined_rows.select(
        "*", F.lit(run.contract.name).alias("contract"), F.lit(run.contract.version).alias("contract_version"),
        F.lit(run.run_id).alias("run_id"), F.lit(run.evaluated_at).alias("quarantined_at"))
    _append(run.passed_rows, target_path, txn_app_id, txn_version)
    _append(quarantined, quarantine_path, txn_app_id, txn_version)
    return WriteSummary(run.rows_in, run.rows_passed, run.rows_quarantined)
