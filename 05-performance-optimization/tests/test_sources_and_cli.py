"""Where metrics come from (REST API, event log) and how the CLI reports and fails."""
from __future__ import annotations

import json

import pytest
from workloads.scenarios import run_healthy_aggregation, run_skewed_join

from spark_performance_analyzer.cli import main
from spark_performance_analyzer.event_log import EventLogError, load_from_event_log
from spark_performance_analyzer.rest_client import (
    SparkRestApiError,
    SparkRestClient,
    load_from_rest_api,
    parse_ui_time,
)
from spark_performance_analyzer.task_distribution import (
    TaskDistributionError,
    distribution_from_api,
    load_task_distribution,
)


def test_rest_api_stage_duration_comes_from_submission_and_completion_times(spark, job_metrics):
    run_healthy_aggregation(spark, group="durations")

    stages = job_metrics("durations").stages

    assert stages and all(stage.duration_ms > 0 for stage in stages)
    assert parse_ui_time("2026-11-22T21:32:17.122GMT").isoformat() == "2026-11-22T21:32:17.122000+00:00"


def test_task_summary_quantiles_agree_with_the_task_list(spark, job_metrics):
    run_skewed_join(spark, group="quantiles", rows=200_000)
    (join_stage,) = [s for s in job_metrics("quantiles").stages if s.total("shuffle_read_bytes") > 0]
    client = SparkRestClient(spark.sparkContext.uiWebUrl)

    tasks = load_task_distribution(client, spark.sparkContext.applicationId, join_stage.stage_id)
    listed = client.task_list(spark.sparkContext.applicationId, join_stage.stage_id, join_stage.attempt_id)

    durations = sorted(task["duration"] for task in listed)
    assert tasks.quantiles == (0.0, 0.25, 0.5, 0.75, 1.0)
    assert (tasks.at("duration", 0.0), tasks.at("duration", 1.0)) == (durations[0], durations[-1])
    assert tasks.at("duration", 0.5) in durations  # Spark picks a task's value, it does not interpolate
    assert tasks.at("shuffleReadMetrics.readBytes", 1.0) == join_stage.maximum("shuffle_read_bytes")
    assert tasks.max_over_median("shuffleReadMetrics.readBytes") >= 5  # 90 % of rows on one key


def test_a_metric_the_task_summary_does_not_hold_is_a_named_error():
    tasks = distribution_from_api(4, 0, {"quantiles": [0.5, 1.0], "duration": [10.0, 90.0]})

    assert tasks.max_over_median("duration") == 9.0
    with pytest.raises(TaskDistributionError, match="expected one of \\['duration'\\], got metric 'gcTime'"):
        tasks.at("gcTime", 0.5)
    with pytest.raises(TaskDistributionError, match="expected a requested quantile"):
        tasks.at("duration", 0.25)


def test_unreachable_rest_api_is_a_named_error():
    with pytest.raises(SparkRestApiError, match="expected the Spark REST API at http://127.0.0.1:9/api/v1"):
        load_from_rest_api("http://127.0.0.1:9")


def test_event_log_errors_name_the_path_and_what_was_expected(tmp_path):
    with pytest.raises(EventLogError, match="expected an event log at"):
        load_from_event_log(tmp_path / "missing")
    (tmp_path / "eventlog_v2_x").mkdir()
    with pytest.raises(EventLogError, match="expected events_\\* files"):
        load_from_event_log(tmp_path / "eventlog_v2_x")
    broken = tmp_path / "broken"
    broken.write_text(json.dumps({"Event": "SparkListenerLogStart"}) + "\n{not json\n")
    with pytest.raises(EventLogError, match=r"broken:2: expected one JSON event per line"):
        load_from_event_log(broken)


def test_cli_reports_a_live_application_and_exits_by_findings(spark, capsys):
    run_healthy_aggregation(spark, group="cli-healthy")

    code = main(["--url", spark.sparkContext.uiWebUrl, "--job-group", "cli-healthy", "--laptop"])

    assert code == 0
    assert "No findings" in capsys.readouterr().out


def test_cli_exits_2_with_the_reason_when_the_source_is_unreachable(capsys):
    assert main(["--url", "http://127.0.0.1:9"]) == 2
    assert "error: expected the Spark REST API" in capsys.readouterr().err
