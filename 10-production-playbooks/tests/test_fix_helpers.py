"""The small helpers the playbooks' fixes use refuse bad input with expected vs actual, before any work.

Their behaviour on real Spark, Delta and Kafka is in tests/incidents/; these are the guards.
"""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from production_playbooks.file_health import FileHealth
from production_playbooks.poison_quarantine import PoisonQuarantineInputError, split_poison_records
from production_playbooks.sink_offsets import MissingOffsetColumnsError, next_offsets_in_sink
from production_playbooks.skew_report import stage_skew


def task(records: int, status: str = "SUCCESS") -> dict:
    metrics = {"executorRunTime": records, "shuffleReadMetrics": {"recordsRead": records}}
    return {"status": status, "taskMetrics": metrics}


def test_a_sink_without_the_kafka_offset_columns_is_refused_naming_what_it_has():
    sink = SimpleNamespace(columns=["reading_id", "partition"])
    with pytest.raises(MissingOffsetColumnsError, match=r"missing \['kafka_partition', 'kafka_offset'\]"):
        next_offsets_in_sink(sink)


def test_a_batch_that_is_not_a_kafka_batch_is_refused_before_parsing():
    with pytest.raises(PoisonQuarantineInputError, match=r"missing \['partition', 'offset'\]"):
        split_poison_records(SimpleNamespace(columns=["value"]), {"reading_id": "INT"})
    with pytest.raises(PoisonQuarantineInputError, match="plain identifiers"):
        split_poison_records(SimpleNamespace(columns=["value", "partition", "offset"]), {"reading id": "INT"})


def test_stage_skew_compares_the_busiest_task_with_the_median_and_ignores_failed_attempts():
    skewed = stage_skew(7, [task(1900), task(5), task(5), task(4), task(99_999, status="FAILED")])
    assert (skewed.busiest, skewed.median, skewed.skewed) == (1900, 5, True)
    balanced = stage_skew(8, [task(250), task(240), task(260)])
    assert not balanced.skewed and balanced.report_line().startswith("INFO stage 8 task balance")
    assert stage_skew(9, [task(900), task(30), task(30)], metric="run_time_ms").report_line() == (
        "WARN Detected data skew in stage 9: busiest task took 900 ms of run time, median task 30 (30.0x)")


def test_stage_skew_refuses_an_unknown_metric_and_a_stage_without_successful_tasks():
    with pytest.raises(ValueError, match="metric: expected one of"):
        stage_skew(1, [task(1)], metric="bytes")
    with pytest.raises(ValueError, match="expected at least one successful task"):
        stage_skew(1, [task(1, status="FAILED")])


def test_file_health_flags_many_small_files_and_not_a_few_or_large_ones():
    assert FileHealth("t", 24, 24 * 1203, 32 << 20, 16).has_small_files
    assert not FileHealth("t", 10, 10 * 1203, 32 << 20, 16).has_small_files  # few files: fine
    assert not FileHealth("t", 400, 400 * (64 << 20), 32 << 20, 16).has_small_files  # large files: fine
