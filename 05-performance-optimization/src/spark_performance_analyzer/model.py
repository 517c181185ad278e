"""What the analyzers look at: per-task and per-stage metrics, whatever source they came from.

Both the REST API (:mod:`rest_client`) and an event log (:mod:`event_log`) are turned into these
types, so every analyzer works on a running and on a finished application alike.

Example::

    >>> stage = StageMetrics(stage_id=3, attempt_id=0, name="count", tasks=[TaskMetrics(duration_ms=40)])
    >>> stage.num_tasks
    1
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TaskMetrics:
    """One finished task. Times in milliseconds, sizes in bytes."""

    duration_ms: float
    run_time_ms: float = 0
    gc_time_ms: float = 0
    input_bytes: int = 0
    input_records: int = 0
    output_bytes: int = 0
    output_records: int = 0
    shuffle_read_bytes: int = 0
    shuffle_read_records: int = 0
    shuffle_write_bytes: int = 0
    shuffle_write_records: int = 0
    memory_spilled_bytes: int = 0
    disk_spilled_bytes: int = 0


@dataclass(frozen=True)
class StageMetrics:
    """One stage attempt with its tasks. ``duration_ms`` comes from submission and completion times."""

    stage_id: int
    attempt_id: int
    name: str
    tasks: list[TaskMetrics] = field(default_factory=list)
    description: str = ""
    duration_ms: float = 0
    job_groups: frozenset[str] = frozenset()

    @property
    def num_tasks(self) -> int:
        return len(self.tasks)

    def total(self, metric: str) -> float:
        return sum(getattr(task, metric) for task in self.tasks)

    def median(self, metric: str) -> float:
        return statistics.median(getattr(task, metric) for task in self.tasks) if self.tasks else 0

    def maximum(self, metric: str) -> float:
        return max((getattr(task, metric) for task in self.tasks), default=0)


@dataclass(frozen=True)
class SqlPlanNode:
    """One operator of an SQL execution plan (``CartesianProduct``, ``BroadcastHashJoin``, ...)."""

    execution_id: int
    name: str
    job_groups: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ApplicationMetrics:
    """Everything the analyzers need from one Spark application."""

    app_id: str
    stages: list[StageMetrics]
    sql_nodes: list[SqlPlanNode] = field(default_factory=list)

    def for_job_group(self, job_group: str) -> ApplicationMetrics:
        """Only the stages run under ``sparkContext.setJobGroup(job_group, ...)``."""
        return ApplicationMetrics(
            self.app_id, [s for s in self.stages if job_group in s.job_groups],
            [n for n in self.sql_nodes if job_group in n.job_groups],
        )
