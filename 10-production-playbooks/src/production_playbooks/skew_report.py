"""Detect data skew in a Spark stage from its task metrics, and say it in one log line.

One hot key (a machine that reports a hundred times more often than the others) sends most rows
of a join or aggregation to one task; the stage lasts as long as that task. The Spark UI shows it
as one long bar; its REST API (``/api/v1/applications/<app>/stages/<stage>/<attempt>/taskList``)
gives each task's ``taskMetrics``. :func:`stage_skew` compares the busiest task with the median
task, on shuffle records read (deterministic) or run time (what hurts).

Example::

    tasks = requests.get(f"{ui}/api/v1/applications/{app}/stages/{stage}/0/taskList?length=10000").json()
    report = stage_skew(stage, tasks)
    print(report.report_line())
    # WARN Detected data skew in stage 7: busiest task read 1900 shuffle records, median task 5 (380.0x)
"""
from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

DEFAULT_SKEW_RATIO = 5.0
METRICS = {
    "shuffle_records": ("shuffleReadMetrics", "recordsRead"),
    "run_time_ms": (None, "executorRunTime"),
}


@dataclass(frozen=True)
class StageSkew:
    """The busiest and the median task of one stage on one metric, and the verdict."""

    stage_id: int
    metric: str
    busiest: float
    median: float
    tasks: int
    threshold: float

    @property
    def ratio(self) -> float:
        """Busiest / median (the busiest value itself when the median is 0)."""
        return self.busiest / self.median if self.median else float(self.busiest)

    @property
    def skewed(self) -> bool:
        return self.tasks > 1 and self.ratio >= self.threshold

    def report_line(self) -> str:
        """``WARN Detected data skew in stage ...`` when skewed, else an ``INFO`` line."""
        what = "shuffle records" if self.metric == "shuffle_records" else "ms of run time"
        facts = (f"busiest task {'read' if self.metric == 'shuffle_records' else 'took'} {self.busiest:g} {what}, "
                 f"median task {self.median:g} ({self.ratio:.1f}x)")
        if self.skewed:
            return f"WARN Detected data skew in stage {self.stage_id}: {facts}"
        return f"INFO stage {self.stage_id} task balance: {facts}"


def _metric_value(task: Mapping[str, Any], metric: str) -> float:
    group, field = METRICS[metric]
    metrics = task.get("taskMetrics") or {}
    holder = metrics.get(group, {}) if group else metrics
    if field not in holder:
        where = f"taskMetrics.{group}.{field}" if group else f"taskMetrics.{field}"
        raise ValueError(f"expected {where} in each task, got keys {sorted(holder)}")
    return float(holder[field])


def stage_skew(
    stage_id: int, tasks: Sequence[Mapping[str, Any]], metric: str = "shuffle_records",
    threshold: float = DEFAULT_SKEW_RATIO,
) -> StageSkew:
    """Compare the busiest task with the median task of a stage.

    ``tasks`` has the shape of the Spark REST API's ``taskList`` entries (only ``status`` and
    ``taskMetrics`` are read; tasks whose status is not ``SUCCESS`` are ignored). ``metric`` is
    ``"shuffle_records"`` or ``"run_time_ms"``.

    Example::

        >>> stage_skew(3, [{"status": "SUCCESS", "taskMetrics": {"shuffleReadMetrics": {"recordsRead": n}}}
        ...                for n in (1900, 5, 5, 4)]).report_line()
        'WARN Detected data skew in stage 3: busiest task read 1900 shuffle records, median task 5 (380.0x)'
    """
    if metric not in METRICS:
        raise ValueError(f"metric: expected one of {sorted(METRICS)}, got {metric!r}")
    if threshold <= 1:
        raise ValueError(f"threshold: expected a ratio > 1, got {threshold}")
    values = [_metric_value(task, metric) for task in tasks if task.get("status", "SUCCESS") == "SUCCESS"]
    if not values:
        raise ValueError(f"stage {stage_id}: expected at least one successful task, got none of {len(tasks)}")
    return StageSkew(stage_id, metric, max(values), statistics.median(values), len(values), threshold)
