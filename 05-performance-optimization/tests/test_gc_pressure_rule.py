"""GC pressure is reported when most tasks collect garbage, not when one pause hits a few tasks.

Real GC pressure cannot be produced reliably on a shared 2-core machine, so this rule is
specified on task metrics as the REST API reports them (``executorRunTime``, ``jvmGcTime``).
"""
from __future__ import annotations

from spark_performance_analyzer import ApplicationMetrics, StageMetrics, TaskMetrics, analyze
from spark_performance_analyzer.analyzers import LAPTOP_THRESHOLDS


def stage_of(tasks: list[TaskMetrics]) -> ApplicationMetrics:
    return ApplicationMetrics("app", [StageMetrics(stage_id=7, attempt_id=0, name="write", tasks=tasks)])


def test_every_task_spending_a_fifth_of_its_time_in_gc_is_gc_pressure():
    tasks = [TaskMetrics(duration_ms=1_000, run_time_ms=1_000, gc_time_ms=200) for _ in range(8)]  # 20 % each

    (finding,) = analyze(stage_of(tasks), LAPTOP_THRESHOLDS)

    assert (finding.kind, finding.stage_id, finding.value) == ("gc pressure", 7, 0.2)
    assert finding.crossed() and "median task spent 20%" in finding.evidence


def test_one_long_pause_seen_by_two_of_64_tasks_is_not_gc_pressure():
    tasks = [TaskMetrics(duration_ms=200, run_time_ms=200) for _ in range(62)]
    tasks += [TaskMetrics(duration_ms=1_200, run_time_ms=1_200, gc_time_ms=930) for _ in range(2)]  # one pause

    assert analyze(stage_of(tasks), LAPTOP_THRESHOLDS) == []
