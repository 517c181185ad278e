"""The on-call side of an incident: the failed job's log for 10's diagnoser, the fix's counts for 09's metrics.

:func:`run_logging_failure` runs a job step and, when it raises, writes the failure to a log file the
way a job's driver log holds it (the Python traceback with the JVM stack trace and its ``Caused by``
lines), then re-raises: that file is what ``production_playbooks.diagnose_file`` reads.
:func:`record_merge_report` publishes a fixed load's outcome with 09's data-quality counters, after
09 checked rows in = rows written + rows quarantined.

Example::

    try:
        run_logging_failure(lambda: naive_append(batch), "job-output.log", "plant-readings-load", spark)
    except AnalysisException:
        print(format_diagnosis(diagnose_file("job-output.log")))
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from pyspark.sql import DataFrame, SparkSession

from delta_schema_evolution import MergeReport
from plant_case_studies.errors import CaseStudyInputError
from streaming_observability import DataQualityMetrics, quarantine_counts, record_batch_outcome

Result = TypeVar("Result")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JVM_STACKTRACE = "spark.sql.pyspark.jvmStacktrace.enabled"


def run_logging_failure(job: Callable[[], Result], log_path: str | Path, job_name: str,
                        spark: SparkSession | None = None) -> Result:
    """Run ``job``; if it raises, append the failure with its traceback to ``log_path``, then re-raise.

    With ``spark``, the step runs with ``spark.sql.pyspark.jvmStacktrace.enabled``, so the logged
    exception carries the JVM's ``Caused by`` chain: without it a Delta schema failure logs only its
    wrapper class, which names no root cause.
    """
    if not job_name:
        raise CaseStudyInputError(f"expected a job name for the log, got {job_name!r}")
    logger = logging.getLogger(f"plant_case_studies.job.{job_name}")
    handler = logging.FileHandler(log_path, encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logger.addHandler(handler)
    before = spark.conf.get(JVM_STACKTRACE, "false") if spark is not None else None
    if spark is not None:
        spark.conf.set(JVM_STACKTRACE, "true")
    try:
        return job()
    except Exception:
        logger.exception("job %s failed", job_name)  # pyspark renders the JVM trace here, while it is enabled
        raise
    finally:
        if spark is not None:
            spark.conf.set(JVM_STACKTRACE, before)
        logger.removeHandler(handler)
        handler.close()


def record_merge_report(metrics: DataQualityMetrics, table: str, report: MergeReport,
                        quarantined: DataFrame, reason_column: str = "reason") -> dict[str, int]:
    """Count one MERGE of 02's ``safe_merge`` with 09's counters; ``quarantined`` holds that MERGE's quarantine rows.

    Returns the quarantined rows per reason. 09 raises ``RowAccountingError`` (and counts nothing)
    when the report's rows in differ from merged + the quarantined rows given.
    """
    by_reason = quarantine_counts(quarantined, reason_column)
    record_batch_outcome(metrics, table, rows_in=report.rows_in, rows_written=report.rows_merged,
                         quarantined_by_reason=by_reason)
    return by_reason
