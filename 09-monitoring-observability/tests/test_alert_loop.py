"""The whole loop, for real: a stalled stream pages through Prometheus and Alertmanager, recovery resolves.

Embedded Kafka broker -> streaming query with the listener -> driver exporter -> Prometheus
(scraping and evaluating every second, the committed rules rendered with second-scale thresholds)
-> Alertmanager -> a local webhook receiver.
"""
from __future__ import annotations

import threading
import time

import pytest
from helpers import prometheus_query, wait_for
from kafka import KafkaProducer
from prometheus_client import CollectorRegistry
from webhook_receiver import WebhookReceiver

from catalog_tools.kafka_io import create_topic
from streaming_observability import (
    AlertThresholds,
    PrometheusQueryListener,
    StreamingQueryMetrics,
    alert_rules_yaml,
    serve_metrics,
)

pytestmark = pytest.mark.kafka
EVALUATION_INTERVAL_S = 1
THRESHOLDS = AlertThresholds(stall_after_s=15, stall_for_s=3)
QUERY = "loop_bronze"
ALERT = "StreamingQueryStalled"


def alertmanager_config(webhook_url: str) -> str:
    return f"""
route:
  receiver: hook
  group_by: [alertname, query]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs:
      - url: {webhook_url}/alerts
        send_resolved: true
"""


def prometheus_config(alertmanager_target: str, exporter_target: str) -> str:
    return f"""
global:
  scrape_interval: 1s
  evaluation_interval: {EVALUATION_INTERVAL_S}s
rule_files: [alert_rules.yml]
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["{alertmanager_target}"]
scrape_configs:
  - job_name: spark_driver
    static_configs:
      - targets: ["{exporter_target}"]
"""


def keep_producing(bootstrap: str, topic: str, stop: threading.Event) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    try:
        while not stop.is_set():
            producer.send(topic, b'{"plant_id": "plant-01"}')
            stop.wait(0.2)
    finally:
        producer.close()


def test_a_stalled_stream_fires_within_for_plus_two_evaluations_and_resolves_after_recovery(
    spark, kafka, unique_topic, tmp_path, prometheus_stack, record_property
):
    bootstrap = kafka.client_config()["bootstrap_servers"]
    create_topic(unique_topic, kafka.client_config())
    stop_producing, stall_requested, release = threading.Event(), threading.Event(), threading.Event()
    blocked_at: list[float] = []

    def handle_batch(batch_df, batch_id) -> None:
        if stall_requested.is_set() and not release.is_set():
            blocked_at.append(time.time())
            release.wait(180)  # the stall: this micro-batch does not finish until released

    producer = threading.Thread(target=keep_producing, args=(bootstrap, unique_topic, stop_producing), daemon=True)
    producer.start()
    registry = CollectorRegistry()
    listener = PrometheusQueryListener(StreamingQueryMetrics.create(registry))
    spark.streams.addListener(listener)
    exporter = serve_metrics(registry, port=0)
    query = (
        spark.readStream.format("kafka").options(**kafka.spark_options()).option("subscribe", unique_topic)
        .load().writeStream.foreachBatch(handle_batch).queryName(QUERY)
        .option("checkpointLocation", str(tmp_path / "chk")).trigger(processingTime="1 second").start()
    )
    try:
        with WebhookReceiver() as hook:
            alertmanager = prometheus_stack.alertmanager(alertmanager_config(hook.url))
            prometheus = prometheus_stack.prometheus(
                prometheus_config(alertmanager.url.removeprefix("http://"), exporter.target),
                files={"alert_rules.yml": alert_rules_yaml(THRESHOLDS)},
            )
            # healthy: Prometheus has scraped several finished batches, and nothing has fired
            wait_for(lambda: prometheus_query(prometheus.url, f'spark_streaming_batches_total{{query="{QUERY}"}} >= 3'),
                     120, "Prometheus to scrape three finished micro-batches")
            assert hook.notifications(ALERT, "firing") == []

            stall_requested.set()
            wait_for(lambda: blocked_at, 60, "a micro-batch to block")
            firing = wait_for(lambda: hook.notifications(ALERT, "firing"), 90, "the firing notification")
            last_progress = registry.get_sample_value("spark_streaming_last_progress_timestamp_seconds",
                                                      {"query": QUERY})
            # the rule's condition holds from last progress + stall_after_s; from then, the page
            # arrives within `for` plus two evaluation intervals
            condition_true_at = last_progress + THRESHOLDS.stall_after_s
            record_property("firing_after_condition_s", round(firing[0][0] - condition_true_at, 2))
            assert firing[0][0] - condition_true_at <= THRESHOLDS.stall_for_s + 2 * EVALUATION_INTERVAL_S
            assert firing[0][1]["alerts"][0]["labels"] == {
                "alertname": ALERT, "query": QUERY, "severity": "critical", "job": "spark_driver",
                "instance": exporter.target,
            }

            release.set()
            released_at = time.time()
            resolved = wait_for(lambda: hook.notifications(ALERT, "resolved"), 90, "the resolved notification")
            record_property("resolved_after_release_s", round(resolved[0][0] - released_at, 2))
            assert resolved[0][0] > firing[0][0]
            assert resolved[0][1]["alerts"][0]["labels"]["query"] == QUERY
    finally:
        release.set()
        stop_producing.set()
        query.stop()
        spark.streams.removeListener(listener)
        exporter.stop()
        producer.join(timeout=10)
