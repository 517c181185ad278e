"""The ``iot-streaming-drain`` entry point a Databricks python_wheel_task calls: argv in, the active session."""
from __future__ import annotations

import pytest
from helpers import expected_outcome, produce_with_broker_time

from iot_streaming_pipeline import MissingKafkaCredentialsError, PipelinePaths
from iot_streaming_pipeline.drain_job import main


def test_one_drain_writes_every_layer_from_the_topic_and_prints_the_counts(
        spark, kafka, unique_topic, generated_batch, tmp_path, capsys):
    produced = produce_with_broker_time(generated_batch, unique_topic, kafka.client_config())
    expected = expected_outcome(generated_batch.messages)
    root = tmp_path / "lake"

    exit_code = main(["--environment", "dev", "--bootstrap", kafka.plaintext_bootstrap, "--topic", unique_topic,
                      "--root", str(root), "--max-offsets-per-trigger", "100"])

    assert exit_code == 0
    paths = PipelinePaths.under(str(root))
    count = lambda path: spark.read.format("delta").load(path).count()  # noqa: E731
    bronze, silver, quarantine, late, duplicates = (count(paths.bronze), count(paths.silver), count(paths.quarantine),
                                                     count(paths.late_events), count(paths.duplicates))
    assert bronze == produced
    assert (silver, quarantine, late, duplicates) == (
        len(expected.on_time_ids), expected.quarantined, len(expected.late_ids), expected.duplicates)
    assert bronze == silver + quarantine + late + duplicates
    assert capsys.readouterr().out == (
        f"streaming drain (dev): bronze {bronze}, silver {silver}, quarantine {quarantine}, late_events {late}, "
        f"duplicates {duplicates}, gold_machine_minute {count(paths.gold)}\n")


def test_qa_without_the_kafka_user_in_the_environment_is_a_named_error(tmp_path, monkeypatch):
    monkeypatch.delenv("IOT_KAFKA_USERNAME", raising=False)
    monkeypatch.delenv("IOT_KAFKA_PASSWORD", raising=False)

    with pytest.raises(MissingKafkaCredentialsError, match=r"IOT_KAFKA_USERNAME', 'IOT_KAFKA_PASSWORD'\]"):
        main(["--environment", "qa", "--bootstrap", "kafka-qa:9093", "--topic", "t", "--root", str(tmp_path)])


def test_a_bad_offset_limit_is_refused_before_any_work(capsys):
    with pytest.raises(SystemExit):
        main(["--bootstrap", "b:9092", "--topic", "t", "--root", "r", "--max-offsets-per-trigger", "0"])

    assert "argument --max-offsets-per-trigger: expected a whole number >= 1, found '0'" in capsys.readouterr().err
