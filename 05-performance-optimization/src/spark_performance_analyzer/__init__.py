"""Find the Spark stage that is wrong, say which metric crossed which threshold, and how to fix it.

Example::

    >>> from spark_performance_analyzer import analyze, load_from_rest_api
    >>> app = load_from_rest_api("http://localhost:4040")  # doctest: +SKIP
    >>> for finding in analyze(app):  # doctest: +SKIP
    ...     print(finding.headline())
"""
from spark_performance_analyzer.analyzers import Thresholds, analyze
from spark_performance_analyzer.event_log import load_from_event_log
from spark_performance_analyzer.findings import Finding
from spark_performance_analyzer.model import ApplicationMetrics, StageMetrics, TaskMetrics
from spark_performance_analyzer.report import format_report
from spark_performance_analyzer.rest_client import SparkRestClient, load_from_rest_api

__all__ = [
    "ApplicationMetrics", "Finding", "SparkRestClient", "StageMetrics", "TaskMetrics", "Thresholds", "analyze",
    "format_report", "load_from_event_log", "load_from_rest_api",
]
