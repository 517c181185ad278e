"""Reading the figures out of a query progress, on hand-written progress dicts shaped like Spark's."""
from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from streaming_observability import ObservabilityInputError, StreamingQueryMetrics, apply_snapshot, progress_snapshot


def kafka_progress(**overrides):
    progress = {
        "id": "5f1c", "runId": "r1", "name": "bronze", "batchId": 12,
        "timestamp": "2026-01-01T00:01:40.000Z",
        "numInputRows": 300, "inputRowsPerSecond": 150.0, "processedRowsPerSecond": 600.0,
        "durationMs": {"triggerExecution": 500, "addBatch": 400},
        "eventTime": {"watermark": "2026-01-01T00:00:10.000Z"},
        "stateOperators": [{"numRowsTotal": 40}, {"numRowsTotal": 2}],
        "sources": [{
            "description": "KafkaV2[Subscribe[readings]]",
            "startOffset": {"readings": {"0": 100, "1": 50}},
            "endOffset": {"readings": {"0": 250, "1": 200}},
            "latestOffset": {"readings": {"0": 400, "1": 200}},  # partition 0 has 150 more waiting
        }],
    }
    progress.update(overrides)
    return progress


def test_snapshot_reads_rates_duration_state_and_watermark_lag():
    snapshot = progress_snapshot(kafka_progress())
    assert (snapshot.query, snapshot.batch_id, snapshot.input_rows) == ("bronze", 12, 300)
    assert (snapshot.input_rows_per_second, snapshot.processed_rows_per_second) == (150.0, 600.0)
    assert snapshot.batch_duration_seconds == 0.5
    assert snapshot.state_rows == 42
    assert snapshot.watermark_lag_seconds == 90.0  # 00:01:40 - 00:00:10


def test_offsets_behind_latest_per_topic_partition():
    assert progress_snapshot(kafka_progress()).offsets_behind_latest == {("readings", "0"): 150, ("readings", "1"): 0}


def test_offsets_given_as_json_text_are_read_too():
    """StreamingQueryProgress objects in the listener carry offsets as JSON strings."""
    source = {"endOffset": '{"readings":{"0":10}}', "latestOffset": '{"readings":{"0":25}}'}
    assert progress_snapshot(kafka_progress(sources=[source])).offsets_behind_latest == {("readings", "0"): 15}


def test_unnamed_query_is_labelled_by_id_and_epoch_watermark_gives_no_lag():
    snapshot = progress_snapshot(kafka_progress(name=None, eventTime={"watermark": "1970-01-01T00:00:00.000Z"}))
    assert snapshot.query == "5f1c" and snapshot.watermark_lag_seconds is None


def test_missing_progress_keys_are_named():
    with pytest.raises(ObservabilityInputError, match=r"missing \['batchId', 'durationMs'\]"):
        progress_snapshot({"id": "x", "timestamp": "2026-01-01T00:00:00Z", "numInputRows": 0})


def test_apply_snapshot_sets_gauges_and_advances_counters():
    registry = CollectorRegistry()
    metrics = StreamingQueryMetrics.create(registry)
    apply_snapshot(metrics, progress_snapshot(kafka_progress()))
    apply_snapshot(metrics, progress_snapshot(kafka_progress(batchId=13)))
    value = registry.get_sample_value
    assert value("spark_streaming_input_rows_total", {"query": "bronze"}) == 600
    assert value("spark_streaming_batches_total", {"query": "bronze"}) == 2
    assert value("spark_streaming_latest_batch_id", {"query": "bronze"}) == 13
    labels = {"query": "bronze", "topic": "readings", "partition": "0"}
    assert value("spark_streaming_kafka_offsets_behind_latest", labels) == 150
    # the batch started at 00:01:40 and took 0.5 s
    assert value("spark_streaming_last_progress_timestamp_seconds", {"query": "bronze"}) == 1767225700.5
