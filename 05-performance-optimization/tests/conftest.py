"""Helpers shared by this folder's tests: analyze what one job group did in the session's Spark UI."""
from __future__ import annotations

from collections.abc import Callable

import pytest

from spark_performance_analyzer import ApplicationMetrics, Finding, analyze, load_from_rest_api
from spark_performance_analyzer.analyzers import LAPTOP_THRESHOLDS


@pytest.fixture
def job_metrics(spark) -> Callable[[str], ApplicationMetrics]:
    """Load the metrics of one job group from the live Spark UI's REST API."""
    def load(group: str) -> ApplicationMetrics:
        app = load_from_rest_api(spark.sparkContext.uiWebUrl, spark.sparkContext.applicationId)
        return app.for_job_group(group)

    return load


@pytest.fixture
def findings_for(job_metrics) -> Callable[[str], list[Finding]]:
    def find(group: str) -> list[Finding]:
        return analyze(job_metrics(group), LAPTOP_THRESHOLDS)

    return find
