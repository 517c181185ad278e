"""Case study 3: the firmware incident at 03:00, from the on-call engineer's side.

The readings load of case study 2 fails in a real run and its log is captured. 10's diagnoser reads
that log and names the playbook; the playbook's fix is 02's policy MERGE (case study 2), and 09's
data-quality counters show the fixed load's rows in = merged + quarantined, by reason.
"""
from __future__ import annotations

import pytest
from helpers import firmware_2_batch, firmware_3_batch, payloads
from prometheus_client import CollectorRegistry
from pyspark.errors import AnalysisException

from plant_case_studies import (
    CaseStudyInputError,
    merge_firmware_payloads,
    payloads_as_read,
    record_merge_report,
    run_logging_failure,
)
from production_playbooks import diagnose_file, format_diagnosis
from streaming_observability import DataQualityMetrics, RowAccountingError


def failed_load(spark, tmp_path, with_jvm_trace: bool) -> dict:
    """The readings table after firmware 2.4.1, and the log of the rollout batch's failed plain append."""
    table, quarantine = str(tmp_path / "plant_readings"), str(tmp_path / "plant_readings_quarantine")
    merge_firmware_payloads(spark, payloads(spark, firmware_2_batch()), table, quarantine)
    log = tmp_path / "plant-readings-load.log"
    batch = payloads_as_read(spark, payloads(spark, firmware_3_batch()))
    with pytest.raises(AnalysisException):
        run_logging_failure(
            lambda: batch.write.format("delta").mode("append").option("mergeSchema", "true").save(table),
            log, "plant-readings-load", spark if with_jvm_trace else None)
    return {"log": log, "table": table, "quarantine": quarantine}


@pytest.fixture
def failed_load_log(spark, tmp_path):
    return failed_load(spark, tmp_path, with_jvm_trace=True)


def test_a_log_with_only_the_python_wrapper_names_no_root_cause(spark, tmp_path):
    log = failed_load(spark, tmp_path, with_jvm_trace=False)["log"]

    diagnosis = diagnose_file(log)

    assert "[DELTA_FAILED_TO_MERGE_FIELDS]" in log.read_text()
    assert "[DELTA_MERGE_INCOMPATIBLE_DATATYPE]" not in log.read_text()  # the cause never reached the log
    assert (diagnosis.incident_id, diagnosis.playbook) == (None, None)  # the wrapper alone names no playbook
    assert diagnosis.root_error.error_class.name == "DELTA_FAILED_TO_MERGE_FIELDS"


def test_the_diagnoser_names_the_playbook_from_the_failed_loads_log(failed_load_log):
    diagnosis = diagnose_file(failed_load_log["log"])

    assert diagnosis.incident_id == "delta-merge-incompatible-datatype"
    assert diagnosis.playbook.endswith("docs/playbooks/delta-merge-incompatible-datatype.md")
    causes = [e.line for e in diagnosis.evidence if e.role == "cause"]
    assert any("Failed to merge incompatible data types DoubleType and StringType" in line for line in causes)
    assert "printSchema()" in format_diagnosis(diagnosis)  # the first command the on-call engineer runs


def test_the_playbooks_fix_is_counted_by_reason_in_the_data_quality_metrics(spark, failed_load_log):
    registry = CollectorRegistry()
    metrics = DataQualityMetrics.create(registry)
    report = merge_firmware_payloads(spark, payloads(spark, firmware_3_batch()), failed_load_log["table"],
                                     failed_load_log["quarantine"])

    by_reason = record_merge_report(metrics, "plant_readings", report,
                                    spark.read.format("delta").load(failed_load_log["quarantine"]))

    reason = "vibration_mm_s: value n/a (string) does not fit double"
    assert by_reason == {reason: 1}
    assert registry.get_sample_value("data_quality_rows_in_total", {"table": "plant_readings"}) == 4
    assert registry.get_sample_value("data_quality_rows_written_total", {"table": "plant_readings"}) == 3
    assert registry.get_sample_value("data_quality_rows_quarantined_total",
                                     {"table": "plant_readings", "reason": reason}) == 1


def test_counts_that_do_not_add_up_are_refused_and_not_published(spark, failed_load_log):
    registry = CollectorRegistry()
    metrics = DataQualityMetrics.create(registry)
    report = merge_firmware_payloads(spark, payloads(spark, firmware_3_batch()), failed_load_log["table"],
                                     failed_load_log["quarantine"])
    empty_quarantine = spark.read.format("delta").load(failed_load_log["quarantine"]).limit(0)

    accounting = r"expected rows in \(4\) = rows written \(3\) \+ rows quarantined \(0\)"
    with pytest.raises(RowAccountingError, match=accounting):
        record_merge_report(metrics, "plant_readings", report, empty_quarantine)
    assert registry.get_sample_value("data_quality_rows_in_total", {"table": "plant_readings"}) is None


def test_a_job_step_without_a_name_is_refused_before_it_runs(tmp_path):
    ran = []

    with pytest.raises(CaseStudyInputError, match="expected a job name for the log, got ''"):
        run_logging_failure(lambda: ran.append(1), tmp_path / "x.log", job_name="")
    assert ran == []
