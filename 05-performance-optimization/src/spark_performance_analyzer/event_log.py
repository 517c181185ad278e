"""Load a finished application from its Spark event log (plain or zstd-compressed JSON lines).

Accepts an event log file, or a rolling event log folder (``eventlog_v2_<app-id>/events_N_...``).
Spark 4 compresses event logs with zstd by default; reading those needs the ``zstandard`` package.

Example::

    >>> app = load_from_event_log("/tmp/spark-events/eventlog_v2_local-1795383123200")  # doctest: +SKIP
"""
from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from spark_performance_analyzer.model import ApplicationMetrics, SqlPlanNode, StageMetrics, TaskMetrics

SQL_EXECUTION_START = "org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart"
SQL_ADAPTIVE_UPDATE = "org.apache.spark.sql.execution.ui.SparkListenerSQLAdaptiveExecutionUpdate"


class EventLogError(ValueError):
    """The path is not a readable Spark event log."""


def event_log_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(path.glob("events_*"), key=lambda p: int(p.name.split("_")[1]))
        if not files:
            raise EventLogError(f"expected events_* files in the rolling event log folder {path}, found none")
        return files
    if not path.exists():
        raise EventLogError(f"expected an event log at {path}, found nothing")
    return [path]


def _open_text(path: Path) -> IO[str]:
    if path.suffix in (".zstd", ".zst"):
        try:
            import zstandard
        except ImportError as error:
            raise EventLogError(
                f"{path} is zstd-compressed: expected the zstandard package (pip install zstandard), "
                "or write logs with spark.eventLog.compress=false"
            ) from error
        reader = zstandard.ZstdDecompressor().stream_reader(path.open("rb"), read_across_frames=True)
        return io.TextIOWrapper(reader, encoding="utf-8")
    if path.suffix in (".lz4", ".snappy", ".lzf"):
        raise EventLogError(f"{path}: expected a plain or zstd event log, got {path.suffix[1:]} compression")
    return path.open(encoding="utf-8")


def iter_events(path: str | Path) -> Iterator[dict[str, Any]]:
    for file in event_log_files(Path(path)):
        with _open_text(file) as lines:
            for number, line in enumerate(lines, start=1):
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as error:
                    raise EventLogError(f"{file}:{number}: expected one JSON event per line ({error})") from error


def task_from_event(event: dict[str, Any]) -> TaskMetrics:
    info, metrics = event["Task Info"], event.get("Task Metrics") or {}
    shuffle_read = metrics.get("Shuffle Read Metrics", {})
    shuffle_write = metrics.get("Shuffle Write Metrics", {})
    return TaskMetrics(
        duration_ms=info.get("Finish Time", 0) - info.get("Launch Time", 0),
        run_time_ms=metrics.get("Executor Run Time", 0),
        gc_time_ms=metrics.get("JVM GC Time", 0),
        input_bytes=metrics.get("Input Metrics", {}).get("Bytes Read", 0),
        input_records=metrics.get("Input Metrics", {}).get("Records Read", 0),
        output_bytes=metrics.get("Output Metrics", {}).get("Bytes Written", 0),
        output_records=metrics.get("Output Metrics", {}).get("Records Written", 0),
        shuffle_read_bytes=shuffle_read.get("Remote Bytes Read", 0) + shuffle_read.get("Local Bytes Read", 0),
        shuffle_read_records=shuffle_read.get("Total Records Read", 0),
        shuffle_write_bytes=shuffle_write.get("Shuffle Bytes Written", 0),
        shuffle_write_records=shuffle_write.get("Shuffle Records Written", 0),
        memory_spilled_bytes=metrics.get("Memory Bytes Spilled", 0),
        disk_spilled_bytes=metrics.get("Disk Bytes Spilled", 0),
    )


def _plan_node_names(plan: dict[str, Any]) -> Iterator[str]:
    yield plan.get("nodeName", "")
    for child in plan.get("children", []):
        yield from _plan_node_names(child)


def load_from_event_log(path: str | Path) -> ApplicationMetrics:
    """Rebuild the stages, tasks and SQL plan nodes of one application from its event log."""
    app_id = ""
    tasks: dict[tuple[int, int], list[TaskMetrics]] = {}
    completed: dict[tuple[int, int], dict[str, Any]] = {}
    groups_by_stage: dict[int, set[str]] = {}
    groups_by_execution: dict[int, set[str]] = {}
    plans: dict[int, list[str]] = {}
    for event in iter_events(path):
        kind = event.get("Event")
        if kind == "SparkListenerApplicationStart":
            app_id = event.get("App ID", "")
        elif kind == "SparkListenerJobStart":
            properties = event.get("Properties") or {}
            group = properties.get("spark.jobGroup.id")
            if group:
                for stage_id in event.get("Stage IDs", []):
                    groups_by_stage.setdefault(stage_id, set()).add(group)
                if "spark.sql.execution.id" in properties:
                    groups_by_execution.setdefault(int(properties["spark.sql.execution.id"]), set()).add(group)
        elif kind == "SparkListenerTaskEnd" and event.get("Task End Reason", {}).get("Reason") == "Success":
            tasks.setdefault((event["Stage ID"], event["Stage Attempt ID"]), []).append(task_from_event(event))
        elif kind == "SparkListenerStageCompleted" and "Failure Reason" not in event["Stage Info"]:
            info = event["Stage Info"]
            completed[(info["Stage ID"], info["Stage Attempt ID"])] = info
        elif kind in (SQL_EXECUTION_START, SQL_ADAPTIVE_UPDATE):
            plans[event["executionId"]] = list(_plan_node_names(event["sparkPlanInfo"]))
    if not app_id:
        raise EventLogError(f"expected a SparkListenerApplicationStart event in {path}, found none")
    stages = [
        StageMetrics(
            stage_id=stage_id, attempt_id=attempt_id, name=info.get("Stage Name", ""),
            description=(info.get("Details") or "").split("\n")[0],
            duration_ms=info.get("Completion Time", 0) - info.get("Submission Time", 0),
            tasks=tasks.get((stage_id, attempt_id), []),
            job_groups=frozenset(groups_by_stage.get(stage_id, ())),
        )
        for (stage_id, attempt_id), info in sorted(completed.items())
    ]
    sql_nodes = [
        SqlPlanNode(execution_id, name, frozenset(groups_by_execution.get(execution_id, ())))
        for execution_id, names in sorted(plans.items()) for name in names
    ]
    return ApplicationMetrics(app_id, stages, sql_nodes)
