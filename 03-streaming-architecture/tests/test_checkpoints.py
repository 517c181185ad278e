"""Checkpoint inspection: committed offsets read from the files, and a clear error when the topic changed."""
from __future__ import annotations

import time

import pytest
from helpers import topic_offsets
from kafka import KafkaAdminClient

from catalog_tools.kafka_io import KafkaMessage, create_topic, produce_messages
from iot_streaming_pipeline.checkpoints import consumer_lag, read_committed_offsets, restart_source_options
from iot_streaming_pipeline.errors import CheckpointNotFoundError, CheckpointTopicMismatchError, InvalidInputError


def write_checkpoint(root, batches: dict[int, str], committed: set[int]) -> None:
    (root / "offsets").mkdir(parents=True)
    (root / "commits").mkdir()
    for batch_id, source_line in batches.items():
        (root / "offsets" / str(batch_id)).write_text(f'v1\n{{"batchWatermarkMs":0}}\n{source_line}\n')
    for batch_id in committed:
        (root / "commits" / str(batch_id)).write_text('v1\n{"nextBatchWatermarkMs":0}\n')


def test_committed_offsets_are_those_of_the_newest_batch_with_a_commit_file(tmp_path):
    write_checkpoint(tmp_path / "cp", {
        0: '{"sensors":{"0":10,"1":7}}',
        1: '{"sensors":{"0":25,"1":19}}',   # committed
        2: '{"sensors":{"0":40,"1":31}}',   # planned, then the driver died: no commit file
    }, committed={0, 1})

    committed = read_committed_offsets(tmp_path / "cp")

    assert committed.batch_id == 1
    assert committed.kafka_offsets() == {"sensors": {0: 25, 1: 19}}


def test_a_checkpoint_without_a_committed_batch_is_a_named_error(tmp_path):
    write_checkpoint(tmp_path / "cp", {0: '{"sensors":{"0":10}}'}, committed=set())

    with pytest.raises(CheckpointNotFoundError, match=r"found offsets \[0\] and commits \[\]"):
        read_committed_offsets(tmp_path / "cp")


def test_a_recreated_topic_no_longer_matches_the_checkpoint(kafka, unique_topic):
    config = kafka.client_config()
    produce_messages([KafkaMessage(b"m", b"v%d" % i) for i in range(5)], unique_topic, config)
    committed = {unique_topic: {0: 5}}  # a query read all five records
    assert consumer_lag(committed, *topic_offsets(unique_topic, config)) == {unique_topic: {0: 0}}

    admin = KafkaAdminClient(**config)
    admin.delete_topics([unique_topic])
    admin.close()
    for _ in range(50):  # deletion is asynchronous
        try:
            create_topic(unique_topic, config)
            break
        except Exception:  # noqa: BLE001 - TopicDeletionInProgress surfaces as several kafka-python errors
            time.sleep(0.2)
    produce_messages([KafkaMessage(b"m", b"new")], unique_topic, config)

    recreated = "checkpoint offset 5 <= end offset 1; the topic was recreated"
    with pytest.raises(CheckpointTopicMismatchError, match=recreated):
        consumer_lag(committed, *topic_offsets(unique_topic, config))


def test_records_deleted_before_they_were_read_are_named():
    with pytest.raises(CheckpointTopicMismatchError, match="120 records were deleted before they were read"):
        consumer_lag({"t": {0: 30}}, {"t": {0: 150}}, {"t": {0: 400}})


def test_restart_positions_for_a_new_checkpoint():
    assert restart_source_options("earliest") == {"startingOffsets": "earliest"}
    assert restart_source_options("timestamp", 1767592800000)["startingTimestamp"] == "1767592800000"
    with pytest.raises(InvalidInputError, match="expected timestamp_ms >= 0"):
        restart_source_options("timestamp")
