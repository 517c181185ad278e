"""The driver exporter and the consumer-lag exporter on a real Kafka topic and a real streaming query."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
from helpers import metric_names, scrape, wait_for
from kafka import KafkaAdminClient
from prometheus_client import CollectorRegistry
from pyspark.sql import functions as F

from catalog_tools.kafka_io import KafkaMessage, create_topic, produce_messages
from streaming_observability import (
    AlertThresholds,
    ConsumerLagCollector,
    DataQualityMetrics,
    DeltaHealthMetrics,
    PrometheusQueryListener,
    StreamingQueryMetrics,
    alert_rules,
    batch_job_run,
    broker_end_offsets,
    checkpoint_offsets,
    delta_table_health,
    publish_delta_health,
    record_batch_outcome,
    record_plant_activity,
    serve_metrics,
)
from streaming_observability.dashboards import panel_queries

pytestmark = pytest.mark.kafka
BASE_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z


def produce(kafka, topic: str, count: int, start: int = 0) -> None:
    messages = [
        KafkaMessage(key=f"plant-{i % 3}".encode(), value=b"{}", timestamp_ms=BASE_MS + i * 1000)
        for i in range(start, start + count)
    ]
    assert produce_messages(messages, topic, kafka.client_config()) == count


def run_available_now(spark, kafka, topic: str, checkpoint: str, table: str, name: str) -> None:
    """Windowed count per key (stateful, watermarked) from Kafka into Delta, until caught up."""
    counts = (
        spark.readStream.format("kafka").options(**kafka.spark_options())
        .option("subscribe", topic).option("startingOffsets", "earliest").option("maxOffsetsPerTrigger", 30)
        .load()
        .withWatermark("timestamp", "1 minute")
        .groupBy(F.window("timestamp", "1 minute"), "key").count()
    )
    query = (
        counts.writeStream.format("delta").outputMode("append").queryName(name)
        .option("checkpointLocation", checkpoint).trigger(availableNow=True).start(table)
    )
    query.awaitTermination()


def test_listener_publishes_each_batch_of_a_live_query(spark, kafka, unique_topic, tmp_path):
    create_topic(unique_topic, kafka.client_config(), partitions=2)
    produce(kafka, unique_topic, 60)
    registry = CollectorRegistry()
    listener = PrometheusQueryListener(StreamingQueryMetrics.create(registry))
    spark.streams.addListener(listener)
    server = serve_metrics(registry, port=0)
    try:
        run_available_now(spark, kafka, unique_topic, str(tmp_path / "chk"), str(tmp_path / "table"), "bronze_counts")
        # listener events arrive on Spark's listener bus, shortly after the query returns
        samples = wait_for(
            lambda: (s := scrape(server.url)).get("spark_streaming_query_active", [({}, 1)])[0][1] == 0 and s,
            30, "the query's terminated event")
    finally:
        spark.streams.removeListener(listener)
        server.stop()

    def value(name: str, **labels: str) -> float:
        return next(v for lab, v in samples[name] if lab.items() >= {"query": "bronze_counts", **labels}.items())

    assert value("spark_streaming_input_rows_total") == 60  # every produced row, counted once
    assert value("spark_streaming_batches_total") >= 2  # at most 30 rows per batch
    assert value("spark_streaming_state_rows") > 0  # the open windows held in state
    assert value("spark_streaming_watermark_lag_seconds") > 60  # progress time vs watermark of 2026-01-01
    for partition in ("0", "1"):  # caught up: nothing left behind on either partition
        assert value("spark_streaming_kafka_offsets_behind_latest", topic=unique_topic, partition=partition) == 0
    assert value("spark_streaming_batch_duration_seconds") > 0


@pytest.fixture(scope="module")
def checkpoint_with_25_waiting(spark, kafka, tmp_path_factory):
    """A query caught up on 40 messages over 2 partitions, then 25 more produced.

    Returns (topic, checkpoint folder, Delta table path, the registry its listener fed).
    """
    topic = f"lag-{uuid.uuid4().hex[:8]}"
    base = tmp_path_factory.mktemp("lag")
    create_topic(topic, kafka.client_config(), partitions=2)
    produce(kafka, topic, 40)
    registry = CollectorRegistry()
    listener = PrometheusQueryListener(StreamingQueryMetrics.create(registry))
    spark.streams.addListener(listener)
    try:
        run_available_now(spark, kafka, topic, str(base / "chk"), str(base / "table"), "lag_check")
        wait_for(lambda: registry.get_sample_value("spark_streaming_query_active", {"query": "lag_check"}) == 0,
                 30, "the query's terminated event")
    finally:
        spark.streams.removeListener(listener)
    produce(kafka, topic, 25, start=40)
    return topic, base / "chk", str(base / "table"), registry


def test_spark_commits_no_consumer_group_so_group_lag_tools_see_nothing(kafka, checkpoint_with_25_waiting):
    """The failure: 25 messages wait, yet no consumer group holds an offset for the topic."""
    topic, *_ = checkpoint_with_25_waiting
    admin = KafkaAdminClient(**kafka.client_config())
    try:
        groups = [group for group, *_ in admin.list_consumer_groups()]
        committed = {
            tp: meta.offset
            for group in groups
            for tp, meta in admin.list_consumer_group_offsets(group).items()
            if tp.topic == topic
        }
    finally:
        admin.close()
    assert committed == {}


def test_lag_from_the_checkpoint_shows_the_waiting_messages(kafka, checkpoint_with_25_waiting, tmp_path):
    """The fix: checkpoint offsets vs broker end offsets count exactly the 25 waiting messages."""
    topic, checkpoint, *_ = checkpoint_with_25_waiting
    offsets = checkpoint_offsets(checkpoint)
    assert sum(offsets.offsets.values()) == 40 and offsets.topics == {topic}

    registry = CollectorRegistry()
    bootstrap = kafka.client_config()["bootstrap_servers"]
    registry.register(ConsumerLagCollector({"bronze": checkpoint, "missing": tmp_path / "nowhere"},
                                           lambda topics: broker_end_offsets(bootstrap, topics)))
    server = serve_metrics(registry, port=0)
    try:
        samples = scrape(server.url)
    finally:
        server.stop()
    assert sum(v for _, v in samples["streaming_consumer_lag_messages"]) == 25
    assert sum(v for _, v in samples["kafka_partition_end_offset"]) == 65
    assert samples["streaming_checkpoint_latest_batch_id"] == [({"checkpoint": "bronze"}, offsets.batch_id)]
    assert sorted(samples["streaming_consumer_lag_up"], key=str) == sorted(
        [({"checkpoint": "bronze"}, 1.0), ({"checkpoint": "missing"}, 0.0)], key=str)


def test_every_metric_a_panel_or_an_alert_names_is_published(spark, kafka, checkpoint_with_25_waiting,
                                                             prometheus_stack):
    """Scrape the live driver exporter (listener, data quality, consumer lag) and a pushgateway a batch job fed."""
    _, checkpoint, table, registry = checkpoint_with_25_waiting
    quality = DataQualityMetrics.create(registry)
    record_batch_outcome(quality, "silver", rows_in=3, rows_written=2, quarantined_by_reason={"bad_json": 1})
    record_plant_activity(quality, spark.createDataFrame([("plant-01", dt.datetime(2026, 1, 1))],
                                                         "plant_id string, event_time timestamp"))
    bootstrap = kafka.client_config()["bootstrap_servers"]
    registry.register(ConsumerLagCollector({"bronze": checkpoint},
                                           lambda topics: broker_end_offsets(bootstrap, topics)))
    gateway = prometheus_stack.pushgateway()
    with batch_job_run(gateway.url, "delta_health") as run:
        publish_delta_health(DeltaHealthMetrics.create(run.registry), "bronze_counts",
                             delta_table_health(spark, table))
    with pytest.raises(RuntimeError), batch_job_run(gateway.url, "always_fails"):
        raise RuntimeError("a failed run publishes its failure time")
    server = serve_metrics(registry, port=0)
    try:
        published = set(scrape(server.url)) | set(scrape(gateway.url))
    finally:
        server.stop()
    named = set().union(*(metric_names(expr) for expr in panel_queries().values()))
    named |= set().union(*(metric_names(rule["expr"])
                           for rule in alert_rules(AlertThresholds())["groups"][0]["rules"]))
    assert named - published == set()
