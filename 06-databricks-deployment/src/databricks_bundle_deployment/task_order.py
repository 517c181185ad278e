"""Order a job's tasks so each runs after the tasks it ``depends_on`` (definition order breaks ties).

Example::

    >>> [t["task_key"] for t in tasks_in_dependency_order([
    ...     {"task_key": "b", "depends_on": [{"task_key": "a"}]}, {"task_key": "a"}])]
    ['a', 'b']
"""
from __future__ import annotations

from typing import Any

from databricks_bundle_deployment.findings import BundleError


class TaskCycleError(BundleError):
    """The job's ``depends_on`` edges form a cycle, so no order exists."""

    def __init__(self, job: str, tasks: list[str]):
        super().__init__(f"{job}: expected tasks without a dependency cycle, found a cycle among {tasks}")


def tasks_in_dependency_order(tasks: list[dict[str, Any]], job: str = "job") -> list[dict[str, Any]]:
    """Kahn's algorithm over ``depends_on``; raises ``TaskCycleError`` when tasks depend on each other."""
    remaining = {task["task_key"]: task for task in tasks}
    needs = {key: {d["task_key"] for d in task.get("depends_on") or []} for key, task in remaining.items()}
    ordered: list[dict[str, Any]] = []
    while remaining:
        ready = [key for key in remaining if not (needs[key] & set(remaining))]
        if not ready:
            raise TaskCycleError(job, sorted(remaining))
        ordered.append(remaining.pop(ready[0]))
    return ordered
