"""OpenLineage run events from Spark (the openlineage-spark listener) to a local HTTP receiver."""
from __future__ import annotations

import pytest
from helpers import wait_for
from webhook_receiver import WebhookReceiver

from streaming_observability import (
    LineageSetupError,
    attach_openlineage_listener,
    detach_openlineage_listener,
    lineage_summary,
    openlineage_conf,
)


@pytest.fixture
def lineage_events(spark):
    """Lineage of the test's Spark work, as posted to a local receiver: a list filled as events arrive."""
    with WebhookReceiver() as receiver:
        try:
            listener = attach_openlineage_listener(spark, receiver.url, namespace="iot-test")
        except LineageSetupError as exc:
            pytest.skip(f"openlineage-spark not on the classpath (make setup resolves it): {exc}")
        try:
            yield receiver
        finally:
            detach_openlineage_listener(spark, listener)


def runs_writing(receiver: WebhookReceiver, table: str) -> list[tuple[str, str, list[str], list[str]]]:
    events = [body for _, path, body in list(receiver.received) if path == "/api/v1/lineage"]
    return [run for run in lineage_summary(events) if table in run[3]]


def test_a_bronze_to_silver_batch_job_emits_start_and_complete_with_both_datasets(spark, lineage_events, tmp_path):
    bronze, silver = str(tmp_path / "bronze"), str(tmp_path / "silver")
    spark.range(10).selectExpr("id AS reading_id", "id % 3 AS machine_id").write.format("delta").save(bronze)
    spark.read.format("delta").load(bronze).where("machine_id = 1").write.format("delta").save(silver)

    runs = wait_for(lambda: (r := runs_writing(lineage_events, silver)) and
                    {"START", "COMPLETE"} <= {t for t, *_ in r} and r, 60, "START and COMPLETE for silver")
    for event_type in ("START", "COMPLETE"):
        _, job, inputs, outputs = next(run for run in runs if run[0] == event_type)
        assert (inputs, outputs) == ([bronze], [silver]), job


def test_a_streaming_micro_batch_emits_start_and_complete_for_its_delta_sink(spark, lineage_events, tmp_path):
    """For a micro-batch the START names the input only; the COMPLETE names input and output."""
    bronze, silver = str(tmp_path / "bronze"), str(tmp_path / "silver")
    spark.range(10).selectExpr("id AS reading_id").write.format("delta").save(bronze)
    query = (
        spark.readStream.format("delta").load(bronze).writeStream.format("delta")
        .option("checkpointLocation", str(tmp_path / "chk")).trigger(availableNow=True).start(silver)
    )
    query.awaitTermination()
    complete = wait_for(lambda: [r for r in runs_writing(lineage_events, silver) if r[0] == "COMPLETE"], 60,
                        "COMPLETE for the micro-batch into silver")
    _, job, inputs, outputs = complete[0]
    assert (inputs, outputs) == ([bronze], [silver])
    events = [body for _, path, body in list(lineage_events.received) if path == "/api/v1/lineage"]
    starts = [run for run in lineage_summary(events) if run[0] == "START" and run[1] == job]
    assert starts and starts[0][2] == [bronze]


def test_session_settings_name_the_listener_and_the_http_transport():
    assert openlineage_conf("http://marquez:5000", "iot-plant-07") == {
        "spark.extraListeners": "io.openlineage.spark.agent.OpenLineageSparkListener",
        "spark.openlineage.transport.type": "http",
        "spark.openlineage.transport.url": "http://marquez:5000",
        "spark.openlineage.namespace": "iot-plant-07",
    }
