"""Run one job of the bundle on this machine, task by task in dependency order, with the target's parameters.

Each task runs in its own Python process, as a task does on a Databricks job cluster:
``spark_python_task`` runs its script with the resolved ``parameters``; ``python_wheel_task`` calls
the installed entry point. A failed task stops the run and the tasks after it are skipped
(Databricks reports them as upstream-failed). Other task types cannot run locally and are refused
before anything starts.

Example::

    result = run_local_job(Path("asset-bundles"), "end_to_end", "dev", overrides={"storage_root": "/tmp/lake"})
    [(run.task_key, run.state) for run in result.runs]
"""
from __future__ import annotations

import getpass
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from databricks_bundle_deployment.entry_points import check_entry_points
from databricks_bundle_deployment.findings import BundleError, UnknownJobError
from databricks_bundle_deployment.task_order import tasks_in_dependency_order
from databricks_bundle_deployment.validator import resolve_target

LOCAL_TASK_TYPES = ("spark_python_task", "python_wheel_task")


class NotRunnableLocallyError(BundleError):
    """The job has problems (unresolved references, missing code) or task types with no local equivalent."""


@dataclass
class TaskRun:
    task_key: str
    command: list[str]
    state: str  # SUCCESS, FAILED or SKIPPED
    exit_code: int | None = None
    output: str = ""


@dataclass
class LocalJobRun:
    job: str
    target: str
    runs: list[TaskRun] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(run.state == "SUCCESS" for run in self.runs)


def _local_value(value: str) -> str:
    return value.replace("${workspace.current_user.userName}", getpass.getuser()).replace(
        "${workspace.current_user.short_name}", getpass.getuser())


def task_command(task: dict[str, Any], base_dir: Path) -> list[str]:
    """The command line that runs ``task`` locally (``base_dir``: where its relative paths start)."""
    if "spark_python_task" in task:
        spec = task["spark_python_task"]
        script = (base_dir / spec["python_file"]).resolve()
        return [sys.executable, str(script), *map(_local_value, spec.get("parameters") or [])]
    if "python_wheel_task" in task:
        spec = task["python_wheel_task"]
        return [sys.executable, "-m", "databricks_bundle_deployment.wheel_entry", spec["package_name"],
                spec["entry_point"], *map(_local_value, spec.get("parameters") or [])]
    kinds = sorted(k for k in task if k.endswith("_task"))
    raise NotRunnableLocallyError(f"{task.get('task_key')}: expected one of {list(LOCAL_TASK_TYPES)}, found {kinds}")


def run_local_job(bundle_root: Path, job: str, target: str, overrides: dict[str, Any] | None = None,
                  echo: bool = False) -> LocalJobRun:
    """Resolve ``target`` (with ``overrides`` as ``--var`` values), then run ``job``'s tasks in order."""
    bundle_root = Path(bundle_root)
    resolved = resolve_target(bundle_root, target, overrides)
    jobs = (resolved.document.get("resources") or {}).get("jobs") or {}
    if job not in jobs:
        raise UnknownJobError(job, sorted(jobs))
    problems = [f for f in resolved.findings if f.path.startswith(("resources.jobs." + job, "variables."))]
    problems += [f for f in check_entry_points(resolved.document, bundle_root, target, resolved.merged.file_for)
                 if f.path.startswith("resources.jobs." + job + ".")]
    if problems:
        raise NotRunnableLocallyError("\n".join(map(str, problems)))
    source = resolved.merged.file_for(("resources", "jobs", job))
    base_dir = (bundle_root / source).parent if source.endswith((".yml", ".yaml")) else bundle_root
    ordered = tasks_in_dependency_order(jobs[job].get("tasks") or [], job)
    commands = [(task["task_key"], task_command(task, base_dir)) for task in ordered]
    result = LocalJobRun(job, target)
    for task_key, command in commands:
        if not result.ok:
            result.runs.append(TaskRun(task_key, command, "SKIPPED"))
            continue
        if echo:
            shown = [os.path.relpath(part) if os.path.isabs(part) and os.path.exists(part) else part
                     for part in command[1:]]
            print(f"[{task_key}] python {' '.join(shown)}", flush=True)
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
        state = "SUCCESS" if completed.returncode == 0 else "FAILED"
        result.runs.append(TaskRun(task_key, command, state, completed.returncode,
                                   completed.stdout + completed.stderr))
        if echo:
            print(f"[{task_key}] {state} (exit {completed.returncode})", flush=True)
    return result
