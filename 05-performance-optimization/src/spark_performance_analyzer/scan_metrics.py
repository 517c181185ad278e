"""What a query's file scans read: files read, bytes read and rows, from the REST API's ``/sql`` endpoint.

The Spark UI's SQL tab shows these numbers on every ``Scan parquet`` node (``number of files read``,
``size of files read``, ``number of output rows``). For a Delta table the scan only lists the files
Delta's data skipping kept, so ``table files - files read`` is the number of files skipped.

Example::

    >>> parse_ui_size("1053.8 KiB")
    1079091
    >>> parse_ui_size("total (min, med, max (stageId: taskId))\\n2.0 MiB (1.0 MiB, 1.0 MiB, 1.0 MiB (stage 3.0))")
    2097152
    >>> parse_ui_count("200,000")
    200000
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from spark_performance_analyzer.rest_client import SparkRestClient

SIZE_UNITS = {"B": 1, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3, "TiB": 1024**4, "PiB": 1024**5}
_SIZE = re.compile(r"([0-9][0-9,]*(?:\.[0-9]+)?) (B|KiB|MiB|GiB|TiB|PiB)")
SCAN_NODE_PREFIX = "Scan "


class UnreadableMetricError(ValueError):
    """A metric value in the SQL tab did not have the expected format."""


def parse_ui_size(text: str) -> int:
    """Bytes from the UI's size text; for ``total (min, med, max ...)`` values, the total."""
    body = text.split("\n", 1)[1] if text.startswith("total") and "\n" in text else text
    match = _SIZE.search(body)
    if match is None:
        raise UnreadableMetricError(f"expected a size such as '1.5 MiB', got {text!r}")
    return round(float(match.group(1).replace(",", "")) * SIZE_UNITS[match.group(2)])


def parse_ui_count(text: str) -> int:
    """An integer from the UI's count text (``200,000``)."""
    cleaned = text.strip().replace(",", "")
    if not cleaned.isdigit():
        raise UnreadableMetricError(f"expected a count such as '200,000', got {text!r}")
    return int(cleaned)


@dataclass(frozen=True)
class ScanMetrics:
    """One file-scan node of one SQL execution. ``bytes_read`` is the UI's rounded figure (4 digits)."""

    execution_id: int
    node_name: str
    files_read: int
    bytes_read: int
    rows_read: int


def _metric(node: dict[str, Any], name: str) -> str | None:
    return next((m["value"] for m in node.get("metrics", []) if m.get("name") == name), None)


def scans_of_execution(execution: dict[str, Any]) -> list[ScanMetrics]:
    """Every file-scan node of one ``/sql`` execution that reports ``number of files read``."""
    scans = []
    for node in execution.get("nodes", []):
        files = _metric(node, "number of files read")
        if not node.get("nodeName", "").startswith(SCAN_NODE_PREFIX) or files is None:
            continue
        size, rows = _metric(node, "size of files read"), _metric(node, "number of output rows")
        scans.append(ScanMetrics(execution["id"], node["nodeName"], parse_ui_count(files),
                                 parse_ui_size(size) if size else 0, parse_ui_count(rows) if rows else 0))
    return scans


def scan_metrics_for_job_group(client: SparkRestClient, app_id: str, job_group: str,
                               data_scans_only: bool = True) -> list[ScanMetrics]:
    """The file scans of every SQL execution whose jobs ran under ``job_group``.

    ``data_scans_only`` leaves out the scans Delta runs on its own ``_delta_log`` (``Scan json``,
    the checkpoint's parquet) by keeping only executions not described as Delta bookkeeping.
    """
    group_jobs = {job["jobId"] for job in client.jobs(app_id) if job.get("jobGroup") == job_group}
    scans = []
    for execution in client.sql_executions(app_id):
        job_ids = set(execution.get("successJobIds", []) + execution.get("failedJobIds", [])
                      + execution.get("runningJobIds", []))
        if not job_ids & group_jobs:
            continue
        if data_scans_only and execution.get("description", "").startswith("Delta: "):
            continue
        scans += scans_of_execution(execution)
    return scans
