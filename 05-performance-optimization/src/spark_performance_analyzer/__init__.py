"""Find the Spark stage that is wrong, say which metric crossed which threshold, and how to fix it.

Everything the README calls is importable from here.

Example::

    >>> from spark_performance_analyzer import analyze, load_from_rest_api
    >>> app = load_from_rest_api("http://localhost:4040")  # doctest: +SKIP
    >>> for finding in analyze(app):  # doctest: +SKIP
    ...     print(finding.headline())
"""
from spark_performance_analyzer.analyzers import LAPTOP_THRESHOLDS, Thresholds, analyze
from spark_performance_analyzer.cluster_configs import PROFILES, ClusterProfile, cluster_config
from spark_performance_analyzer.event_log import EventLogError, load_from_event_log
from spark_performance_analyzer.findings import Finding
from spark_performance_analyzer.model import ApplicationMetrics, StageMetrics, TaskMetrics
from spark_performance_analyzer.report import format_report
from spark_performance_analyzer.rest_client import SparkRestApiError, SparkRestClient, load_from_rest_api
from spark_performance_analyzer.scaling import extrapolate, fit_linear
from spark_performance_analyzer.sizing import (
    InvalidSizingInputError,
    driver_memory_plan,
    partition_plan,
    target_file_plan,
    task_memory_plan,
)
from spark_performance_analyzer.task_distribution import TaskDistribution, load_task_distribution

__all__ = [
    "LAPTOP_THRESHOLDS", "PROFILES", "ApplicationMetrics", "ClusterProfile", "EventLogError", "Finding",
    "InvalidSizingInputError", "SparkRestApiError", "SparkRestClient", "StageMetrics", "TaskDistribution",
    "TaskMetrics", "Thresholds", "analyze", "cluster_config", "driver_memory_plan", "extrapolate", "fit_linear",
    "format_report", "load_from_event_log", "load_from_rest_api", "load_task_distribution", "partition_plan",
    "target_file_plan", "task_memory_plan",
]
