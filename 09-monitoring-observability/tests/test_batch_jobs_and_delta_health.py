"""Batch jobs push to a real pushgateway scraped by a real Prometheus; Delta health from a real table."""
from __future__ import annotations

import pytest
from helpers import prometheus_query, wait_for
from prometheus_client import CollectorRegistry

from streaming_observability import (
    DeltaHealthMetrics,
    ObservabilityInputError,
    batch_job_run,
    delta_table_health,
    publish_delta_health,
)


def scrape_config(gateway_target: str) -> str:
    return f"""
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: pushgateway
    honor_labels: true
    static_configs:
      - targets: ["{gateway_target}"]
"""


def test_a_failed_run_keeps_the_last_success_visible_in_prometheus(prometheus_stack, spark, delta_path):
    gateway = prometheus_stack.pushgateway()
    prometheus = prometheus_stack.prometheus(scrape_config(gateway.url.removeprefix("http://")))

    with batch_job_run(gateway.url, "silver_optimize") as run:
        for _ in range(3):  # three appends: three small files
            spark.range(5).coalesce(1).write.format("delta").mode("append").save(delta_path)
        publish_delta_health(DeltaHealthMetrics.create(run.registry), "silver", delta_table_health(spark, delta_path))
        run.rows_written = 15
    with pytest.raises(RuntimeError, match="cluster lost"), batch_job_run(gateway.url, "silver_optimize"):
        raise RuntimeError("cluster lost")

    def query(expr: str) -> list:
        return prometheus_query(prometheus.url, expr)

    wait_for(lambda: query('batch_job_last_failure_timestamp_seconds{job="silver_optimize"}'), 30,
             "the failure time to be scraped")
    success = query('batch_job_last_success_timestamp_seconds{job="silver_optimize"}')
    failure = query('batch_job_last_failure_timestamp_seconds{job="silver_optimize"}')
    assert float(failure[0]["value"][1]) >= float(success[0]["value"][1])
    assert query('batch_job_rows_written{job="silver_optimize"}')[0]["value"][1] == "15"
    assert query('delta_table_files{table="silver"}')[0]["value"][1] == "3"


def test_delta_health_counts_files_small_files_and_recent_versions(spark, delta_path):
    for _ in range(4):
        spark.range(10).coalesce(1).write.format("delta").mode("append").save(delta_path)
    spark.range(10).coalesce(1).write.format("delta").mode("overwrite").save(delta_path)  # 4 files removed

    health = delta_table_health(spark, delta_path, small_file_bytes=1024 * 1024)
    assert (health.file_count, health.small_file_count, health.versions_last_hour) == (1, 1, 5)
    assert health.small_file_ratio == 1.0 and health.size_bytes > 0

    registry = CollectorRegistry()
    publish_delta_health(DeltaHealthMetrics.create(registry), "silver", health)
    assert registry.get_sample_value("delta_table_versions_last_hour", {"table": "silver"}) == 5


def test_delta_health_names_a_path_that_is_not_a_delta_table(spark, tmp_path):
    with pytest.raises(ObservabilityInputError, match="expected a Delta table at .*, found none"):
        delta_table_health(spark, str(tmp_path / "nothing"))


def test_batch_job_run_checks_the_gateway_url_first():
    expected = "expected a pushgateway URL like http://host:9091, got 'gw:9091'"
    with pytest.raises(ObservabilityInputError, match=expected), batch_job_run("gw:9091", "job"):
        pass
