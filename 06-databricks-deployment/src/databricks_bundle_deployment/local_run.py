"""Run one job of the bundle on this machine, task by task in dependency order, with the target's parameters.

This machine plays the job cluster: one Spark session (passed in, or built by the CLI from a jars
folder) serves every task, as a cluster's session serves its tasks, and each task calls its code
the way Databricks does. A ``python_wheel_task`` calls the installed entry point with ``sys.argv``
set to its name and the resolved ``parameters``; a ``spark_python_task`` runs its script as
``__main__`` with those parameters in ``sys.argv``. Both take the session with
``SparkSession.builder.getOrCreate()``. A task's printed output is kept; a failed task (non-zero
exit, or an exception) stops the run and the tasks after it are skipped (Databricks reports them as
upstream-failed). Other task types cannot run locally and are refused before anything starts.

Example::

    result = run_local_job(Path("asset-bundles"), "end_to_end", "dev", spark=spark,
                           overrides={"storage_root": "/tmp/lake"})
    [(run.task_key, run.state) for run in result.runs]
"""
from __future__ import annotations

import contextlib
import getpass
import io
import os
import runpy
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from databricks_bundle_deployment.entry_points import check_entry_points
from databricks_bundle_deployment.findings import BundleError, UnknownJobError
from databricks_bundle_deployment.task_order import tasks_in_dependency_order
from databricks_bundle_deployment.validator import resolve_target
from databricks_bundle_deployment.wheel_entry import call_entry_point, find_entry_point

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

LOCAL_TASK_TYPES = ("spark_python_task", "python_wheel_task")


class NotRunnableLocallyError(BundleError):
    """The job has problems (unresolved references, missing code) or task types with no local equivalent."""


@dataclass
class TaskRun:
    task_key: str
    command: list[str]  # what runs: the entry point or script, then the parameters
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


@dataclass(frozen=True)
class LocalTask:
    """One task ready to run: its command line (for people) and the call that runs it."""

    task_key: str
    command: list[str]
    call: Callable[[], int]


def _local_value(value: str) -> str:
    return value.replace("${workspace.current_user.userName}", getpass.getuser()).replace(
        "${workspace.current_user.short_name}", getpass.getuser())


def _run_script(script: Path, parameters: list[str]) -> int:
    saved = sys.argv
    sys.argv = [str(script), *parameters]
    try:
        runpy.run_path(str(script), run_name="__main__")
    finally:
        sys.argv = saved
    return 0


def local_task(task: dict[str, Any], base_dir: Path) -> LocalTask:
    """How ``task`` runs here (``base_dir``: where its relative paths start); the entry point is loaded now."""
    if "spark_python_task" in task:
        spec = task["spark_python_task"]
        script = (base_dir / spec["python_file"]).resolve()
        parameters = [_local_value(p) for p in spec.get("parameters") or []]
        return LocalTask(task["task_key"], [str(script), *parameters], lambda: _run_script(script, parameters))
    if "python_wheel_task" in task:
        spec = task["python_wheel_task"]
        parameters = [_local_value(p) for p in spec.get("parameters") or []]
        function = find_entry_point(spec["package_name"], spec["entry_point"])
        return LocalTask(task["task_key"], [spec["entry_point"], *parameters],
                         lambda: call_entry_point(function, spec["entry_point"], parameters))
    kinds = sorted(k for k in task if k.endswith("_task"))
    raise NotRunnableLocallyError(f"{task.get('task_key')}: expected one of {list(LOCAL_TASK_TYPES)}, found {kinds}")


def run_task(task: LocalTask) -> TaskRun:
    """Call the task with its output captured: exit 0 is SUCCESS; a non-zero exit or an exception is FAILED."""
    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        try:
            exit_code = task.call()
        except SystemExit as stop:
            exit_code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
            if not isinstance(stop.code, int | None):
                print(stop.code)
        except Exception:  # noqa: BLE001 - a task's failure is reported, as a job run reports it
            traceback.print_exc()
            exit_code = 1
    return TaskRun(task.task_key, task.command, "SUCCESS" if exit_code == 0 else "FAILED", exit_code,
                   output.getvalue())


def _shown(command: list[str]) -> str:
    return " ".join(os.path.relpath(part) if os.path.isabs(part) and os.path.exists(part) else part
                    for part in command)


def _check_is_the_tasks_session(spark: SparkSession, job: str) -> None:
    from pyspark.sql import SparkSession  # the `local` extra: validate and deploy need no Spark

    active = SparkSession.getActiveSession()
    if active is not spark:
        raise NotRunnableLocallyError(f"{job}: expected the session passed in to be the active one (the one the "
                                      f"tasks' getOrCreate() returns), found {'none' if active is None else 'another'}")


def run_local_job(bundle_root: Path, job: str, target: str, overrides: dict[str, Any] | None = None,
                  echo: bool = False, spark: SparkSession | None = None) -> LocalJobRun:
    """Resolve ``target`` (with ``overrides`` as ``--var`` values), then run ``job``'s tasks in order.

    ``spark`` is the session the tasks share (a cluster's, here a local one with Delta Lake); it is
    the session their ``SparkSession.builder.getOrCreate()`` returns. ``None`` suits tasks that use no Spark.
    """
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
    tasks = [local_task(task, base_dir) for task in tasks_in_dependency_order(jobs[job].get("tasks") or [], job)]
    if spark is not None:
        _check_is_the_tasks_session(spark, job)
    result = LocalJobRun(job, target)
    for task in tasks:
        if not result.ok:
            result.runs.append(TaskRun(task.task_key, task.command, "SKIPPED"))
            continue
        if echo:
            print(f"[{task.task_key}] {_shown(task.command)}", flush=True)
        run = run_task(task)
        result.runs.append(run)
        if echo:
            print(run.output, end="", flush=True)
            print(f"[{task.task_key}] {run.state} (exit {run.exit_code})", flush=True)
    return result
