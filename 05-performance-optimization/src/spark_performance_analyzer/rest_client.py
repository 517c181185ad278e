"""A client for Spark's monitoring REST API (``/api/v1``), and a loader into :mod:`model` types.

Works against a running driver's UI (``http://localhost:4040``) and a Spark History Server alike;
on Databricks, use the cluster's Spark UI proxy URL with a token in ``session`` headers.

Example::

    >>> client = SparkRestClient("http://localhost:4040")  # doctest: +SKIP
    >>> app = load_from_rest_api("http://localhost:4040")  # doctest: +SKIP
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import requests

from spark_performance_analyzer.model import ApplicationMetrics, SqlPlanNode, StageMetrics, TaskMetrics

TASK_PAGE_SIZE = 1000
SQL_PAGE_SIZE = 100


class SparkRestApiError(RuntimeError):
    """The REST API answered with an error or could not be reached."""


class SparkRestClient:
    """Thin wrapper over the documented endpoints; every method returns the decoded JSON."""

    def __init__(self, base_url: str, session: requests.Session | None = None, timeout_s: float = 30):
        self.base_url = base_url.rstrip("/") + "/api/v1"
        self.session = session or requests.Session()
        self.timeout_s = timeout_s

    def _get(self, path: str, **params: Any) -> Any:
        url = f"{self.base_url}/{path}"
        try:
            response = self.session.get(url, params=params, timeout=self.timeout_s)
        except requests.RequestException as error:
            raise SparkRestApiError(f"expected the Spark REST API at {url}, could not connect: {error}") from error
        if response.status_code != 200:
            raise SparkRestApiError(f"expected HTTP 200 from {url}, got {response.status_code}: {response.text[:200]}")
        return response.json()

    def applications(self) -> list[dict[str, Any]]:
        return self._get("applications")

    def jobs(self, app_id: str) -> list[dict[str, Any]]:
        return self._get(f"applications/{app_id}/jobs")

    def stages(self, app_id: str) -> list[dict[str, Any]]:
        return self._get(f"applications/{app_id}/stages")

    def task_list(self, app_id: str, stage_id: int, attempt_id: int) -> list[dict[str, Any]]:
        tasks: list[dict[str, Any]] = []
        while True:
            page = self._get(f"applications/{app_id}/stages/{stage_id}/{attempt_id}/taskList",
                             offset=len(tasks), length=TASK_PAGE_SIZE)
            tasks += page
            if len(page) < TASK_PAGE_SIZE:
                return tasks

    def task_summary(self, app_id: str, stage_id: int, attempt_id: int,
                     quantiles: str = "0.0,0.25,0.5,0.75,1.0") -> dict[str, Any]:
        return self._get(f"applications/{app_id}/stages/{stage_id}/{attempt_id}/taskSummary", quantiles=quantiles)

    def sql_executions(self, app_id: str) -> list[dict[str, Any]]:
        """Every SQL execution with its plan nodes and metrics; the endpoint returns 20 a page by default."""
        executions: list[dict[str, Any]] = []
        while True:
            page = self._get(f"applications/{app_id}/sql", details="true", planDescription="false",
                             offset=len(executions), length=SQL_PAGE_SIZE)
            executions += page
            if len(page) < SQL_PAGE_SIZE:
                return executions


def parse_ui_time(text: str | None) -> dt.datetime | None:
    """Parse the API's timestamps, e.g. ``2026-11-22T21:32:17.122GMT``."""
    if not text:
        return None
    return dt.datetime.strptime(text.replace("GMT", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z")


def task_from_api(task: dict[str, Any]) -> TaskMetrics:
    metrics = task.get("taskMetrics") or {}
    shuffle_read = metrics.get("shuffleReadMetrics", {})
    shuffle_write = metrics.get("shuffleWriteMetrics", {})
    return TaskMetrics(
        duration_ms=task.get("duration", 0),
        run_time_ms=metrics.get("executorRunTime", 0),
        gc_time_ms=metrics.get("jvmGcTime", 0),
        input_bytes=metrics.get("inputMetrics", {}).get("bytesRead", 0),
        input_records=metrics.get("inputMetrics", {}).get("recordsRead", 0),
        output_bytes=metrics.get("outputMetrics", {}).get("bytesWritten", 0),
        output_records=metrics.get("outputMetrics", {}).get("recordsWritten", 0),
        shuffle_read_bytes=shuffle_read.get("localBytesRead", 0) + shuffle_read.get("remoteBytesRead", 0),
        shuffle_read_records=shuffle_read.get("recordsRead", 0),
        shuffle_write_bytes=shuffle_write.get("bytesWritten", 0),
        shuffle_write_records=shuffle_write.get("recordsWritten", 0),
        memory_spilled_bytes=metrics.get("memoryBytesSpilled", 0),
        disk_spilled_bytes=metrics.get("diskBytesSpilled", 0),
    )


def stage_duration_ms(stage: dict[str, Any]) -> float:
    submitted, completed = parse_ui_time(stage.get("submissionTime")), parse_ui_time(stage.get("completionTime"))
    return (completed - submitted).total_seconds() * 1000 if submitted and completed else 0


def _plan_node_names(execution: dict[str, Any]) -> list[str]:
    return [node.get("nodeName", "") for node in execution.get("nodes", [])]


def load_from_rest_api(base_url: str, app_id: str | None = None,
                       client: SparkRestClient | None = None) -> ApplicationMetrics:
    """Load every completed stage (with its tasks) and SQL plan node of one application."""
    client = client or SparkRestClient(base_url)
    if app_id is None:
        applications = client.applications()
        if not applications:
            raise SparkRestApiError(f"expected at least one application at {client.base_url}, found none")
        app_id = applications[0]["id"]
    groups_by_stage: dict[int, set[str]] = {}
    group_by_job: dict[int, str] = {}
    for job in client.jobs(app_id):
        if job.get("jobGroup"):
            group_by_job[job["jobId"]] = job["jobGroup"]
            for stage_id in job.get("stageIds", []):
                groups_by_stage.setdefault(stage_id, set()).add(job["jobGroup"])
    stages = [
        StageMetrics(
            stage_id=stage["stageId"], attempt_id=stage["attemptId"], name=stage.get("name", ""),
            description=stage.get("description", "") or "", duration_ms=stage_duration_ms(stage),
            tasks=[task_from_api(t) for t in client.task_list(app_id, stage["stageId"], stage["attemptId"])
                   if t.get("status") == "SUCCESS"],
            job_groups=frozenset(groups_by_stage.get(stage["stageId"], ())),
        )
        for stage in client.stages(app_id) if stage.get("status") == "COMPLETE"
    ]
    sql_nodes = []
    for execution in client.sql_executions(app_id):
        job_ids = execution.get("successJobIds", []) + execution.get("failedJobIds", []) + execution.get(
            "runningJobIds", [])
        groups = frozenset(group_by_job[j] for j in job_ids if j in group_by_job)
        sql_nodes += [SqlPlanNode(execution["id"], name, groups) for name in _plan_node_names(execution)]
    return ApplicationMetrics(app_id, sorted(stages, key=lambda s: (s.stage_id, s.attempt_id)), sql_nodes)
