"""Data-quality counters: rows in = rows written + rows quarantined, or nothing is counted."""
from __future__ import annotations

import datetime as dt

import pytest
from prometheus_client import CollectorRegistry

from streaming_observability import (
    DataQualityMetrics,
    RowAccountingError,
    quarantine_counts,
    record_batch_outcome,
    record_plant_activity,
)


def test_a_batch_that_adds_up_is_counted_by_reason():
    registry = CollectorRegistry()
    metrics = DataQualityMetrics.create(registry)
    record_batch_outcome(metrics, "silver", rows_in=10, rows_written=7,
                         quarantined_by_reason={"bad_json": 2, "unknown_machine": 1})
    value = registry.get_sample_value
    assert value("data_quality_rows_in_total", {"table": "silver"}) == 10
    assert value("data_quality_rows_written_total", {"table": "silver"}) == 7
    assert value("data_quality_rows_quarantined_total", {"table": "silver", "reason": "bad_json"}) == 2
    assert value("data_quality_rows_quarantined_total", {"table": "silver", "reason": "unknown_machine"}) == 1


def test_a_batch_that_loses_rows_is_refused_and_not_counted():
    registry = CollectorRegistry()
    metrics = DataQualityMetrics.create(registry)
    with pytest.raises(RowAccountingError, match=r"rows in \(10\) = rows written \(7\) \+ rows quarantined \(2\), \+1"):
        record_batch_outcome(metrics, "silver", rows_in=10, rows_written=7, quarantined_by_reason={"bad_json": 2})
    assert registry.get_sample_value("data_quality_rows_in_total", {"table": "silver"}) is None


def test_counts_from_a_real_quarantine_dataframe_add_up(spark):
    readings = spark.createDataFrame(
        [("p1", "ok"), ("p1", "ok"), ("p2", None), ("p2", "bad_json"), ("p3", "unknown_machine")],
        "plant_id string, reason string",
    )
    quarantine = readings.where("reason is not null and reason != 'ok'")
    written = readings.where("reason = 'ok'").count()
    by_reason = quarantine_counts(quarantine)
    assert by_reason == {"bad_json": 1, "unknown_machine": 1}
    with pytest.raises(RowAccountingError):  # the row with a null reason fell through both lanes
        record_batch_outcome(DataQualityMetrics.create(CollectorRegistry()), "silver",
                             rows_in=readings.count(), rows_written=written, quarantined_by_reason=by_reason)


def test_plant_activity_is_the_newest_event_time_per_plant(spark):
    metrics = DataQualityMetrics.create(CollectorRegistry())
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    readings = spark.createDataFrame(
        [("plant-01", t0), ("plant-01", t0 + dt.timedelta(minutes=5)), ("plant-07", t0)],
        "plant_id string, event_time timestamp",
    )
    seen = record_plant_activity(metrics, readings)
    assert seen == {"plant-01": t0.timestamp() + 300, "plant-07": t0.timestamp()}
