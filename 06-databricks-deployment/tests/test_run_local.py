"""run-local: a job's tasks run here in dependency order with the target's parameters."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import BUNDLE, FOLDER, REPO

from catalog_tools.jars import jar_files
from databricks_bundle_deployment import UnknownJobError
from databricks_bundle_deployment.cli import main
from databricks_bundle_deployment.local_run import NotRunnableLocallyError, run_local_job
from databricks_bundle_deployment.task_order import TaskCycleError, tasks_in_dependency_order

RECORDER = """import sys
from pathlib import Path
Path(sys.argv[1]).open("a").write(" ".join(sys.argv[2:]) + "\\n")
sys.exit(int(sys.argv[-1]) if sys.argv[-1].isdigit() else 0)
"""


def tiny_bundle(root: Path, tasks: list[dict]) -> Path:
    """A bundle with one job whose tasks run a script that appends its parameters to a log."""
    root.mkdir(parents=True)
    (root / "record.py").write_text(RECORDER)
    for task in tasks:
        task.setdefault("job_cluster_key", "small")
        task.setdefault("max_retries", 0)
    (root / "databricks.yml").write_text(yaml.safe_dump({
        "bundle": {"name": "tiny"},
        "variables": {"log": {"description": "where tasks write"}, "plant": {"default": "P1"}},
        "resources": {"jobs": {"tiny": {"name": "tiny", "timeout_seconds": 60, "tags": {"cost_center": "x"},
                                        "job_clusters": [{"job_cluster_key": "small",
                                                          "new_cluster": {"num_workers": 1}}],
                                        "tasks": tasks}}},
        "targets": {"dev": {"mode": "development", "variables": {"plant": "P-${bundle.target}"}}},
    }))
    return root


def script_task(key: str, *parameters: str, after: tuple[str, ...] = ()) -> dict:
    return {"task_key": key, "depends_on": [{"task_key": a} for a in after],
            "spark_python_task": {"python_file": "record.py", "parameters": ["${var.log}", key, *parameters]}}


def test_tasks_run_in_dependency_order_with_the_targets_parameters(tmp_path):
    bundle = tiny_bundle(tmp_path / "bundle", [
        script_task("report", after=("silver", "dimensions")),  # defined first, runs last
        script_task("dimensions", "${var.plant}", after=("bronze",)),
        script_task("silver", after=("bronze",)),
        script_task("bronze"),
    ])
    log = tmp_path / "tasks.log"

    result = run_local_job(bundle, "tiny", "dev", overrides={"log": str(log)})

    assert [(run.task_key, run.state) for run in result.runs] == [
        ("bronze", "SUCCESS"), ("dimensions", "SUCCESS"), ("silver", "SUCCESS"), ("report", "SUCCESS")]
    assert log.read_text().splitlines() == ["bronze", "dimensions P-dev", "silver", "report"]


def test_a_failed_task_stops_the_run_and_skips_what_depends_on_it(tmp_path):
    bundle = tiny_bundle(tmp_path / "bundle", [
        script_task("load"), script_task("merge", "3", after=("load",)), script_task("publish", after=("merge",))])

    result = run_local_job(bundle, "tiny", "dev", overrides={"log": str(tmp_path / "tasks.log")})

    assert [(run.task_key, run.state, run.exit_code) for run in result.runs] == [
        ("load", "SUCCESS", 0), ("merge", "FAILED", 3), ("publish", "SKIPPED", None)]
    assert not result.ok


def test_a_job_with_an_unresolved_variable_does_not_start(tmp_path):
    bundle = tiny_bundle(tmp_path / "bundle", [script_task("load")])

    with pytest.raises(NotRunnableLocallyError, match=r"variables\.log: \[dev\] unresolved-reference"):
        run_local_job(bundle, "tiny", "dev")


def test_an_unknown_job_and_a_dependency_cycle_are_named_errors(tmp_path):
    with pytest.raises(UnknownJobError, match=r"found 'nightly'"):
        run_local_job(tiny_bundle(tmp_path / "bundle", [script_task("load")]), "nightly", "dev",
                      overrides={"log": "x"})
    with pytest.raises(TaskCycleError, match=r"found a cycle among \['a', 'b'\]"):
        tasks_in_dependency_order([{"task_key": "a", "depends_on": [{"task_key": "b"}]},
                                   {"task_key": "b", "depends_on": [{"task_key": "a"}]}])


def test_a_wheel_task_runs_the_installed_entry_point():
    command = [sys.executable, "-m", "databricks_bundle_deployment.wheel_entry", "spark_performance_analyzer",
               "spark-perf-analyze", "--help"]

    completed = subprocess.run(command, capture_output=True, text=True, check=False)

    assert completed.returncode == 0
    assert completed.stdout.startswith("usage: spark-perf-analyze")


def wheel_task(key: str, entry_point: str, *parameters: str, after: tuple[str, ...] = ()) -> dict:
    return {"task_key": key, "depends_on": [{"task_key": a} for a in after],
            "python_wheel_task": {"package_name": "spark_performance_analyzer", "entry_point": entry_point,
                                  "parameters": list(parameters)},
            "libraries": [{"whl": "../../05-performance-optimization/dist/*.whl"}]}


def test_a_wheel_task_calls_the_entry_point_in_process_with_its_parameters_in_argv(tmp_path):
    bundle = tiny_bundle(tmp_path / "repo" / "06" / "bundle", [
        wheel_task("sizing", "write-cluster-configs", "--out", "${var.log}/configs"),
        wheel_task("analyze", "spark-perf-analyze", "--event-log", "${var.log}/none", after=("sizing",)),
        wheel_task("publish", "write-cluster-configs", "--out", "${var.log}/again", after=("analyze",))])
    (tmp_path / "repo" / "05-performance-optimization").symlink_to(REPO / "05-performance-optimization")

    result = run_local_job(bundle, "tiny", "dev", overrides={"log": str(tmp_path)})

    assert [(run.task_key, run.state, run.exit_code) for run in result.runs] == [
        ("sizing", "SUCCESS", 0), ("analyze", "FAILED", 2), ("publish", "SKIPPED", None)]
    assert result.runs[0].command == ["write-cluster-configs", "--out", f"{tmp_path}/configs"]
    assert result.runs[0].output == f"cluster configs: 3 written to {tmp_path}/configs (large, medium, small)\n"
    assert result.runs[1].output.startswith("error: ")  # spark-perf-analyze's own message: no such event log
    assert sys.argv[0] != "spark-perf-analyze"  # argv is restored after each task


def test_run_local_without_a_jars_folder_says_where_to_give_one(monkeypatch, capsys):
    monkeypatch.delenv("IOT_SPARK_JARS", raising=False)

    exit_code = main(["run-local", "end_to_end", "--target", "dev", "--bundle", str(BUNDLE), "--var", "x=y"])

    assert exit_code == 2
    assert capsys.readouterr().err == (
        "error: run-local: expected a folder of Spark jars with delta-spark (--jars or IOT_SPARK_JARS), "
        "found neither set\n")


def test_the_end_to_end_workflow_runs_locally_through_the_wheels_entry_points(spark, tmp_path, monkeypatch, capsys,
                                                                             load_script):
    lake = tmp_path / "lake"
    monkeypatch.setenv("IOT_STORAGE_ROOT", str(lake))
    monkeypatch.chdir(FOLDER)
    load_script("examples/land_machine_config_changes.py").land_changes(lake)

    exit_code = main(["run-local", "end_to_end", "--target", "dev", "--config", "hocon-configurations",
                      "--jars", str(jar_files("spark")[0].parent)])

    out = capsys.readouterr().out
    assert exit_code == 0, out
    assert out.splitlines()[-2:] == ["dimensional_load: SUCCESS", "cluster_sizing: SUCCESS"]
    assert out.index("[dimensional_load] dimensional-load --source ") < out.index("[cluster_sizing] write-cluster")
    dimension = spark.read.format("delta").load(str(lake / "dimensions" / "dim_machine"))
    assert sorted((r.machine_id, r.firmware, r.is_current) for r in dimension.collect()) == [
        ("M1", "fw-1.0", False), ("M1", "fw-2.0", True), ("M2", "fw-1.0", True)]
    quarantine = spark.read.format("delta").load(str(lake / "quarantine" / "dim_machine"))
    assert [r.machine_id for r in quarantine.collect()] == ["M3"]  # 4 changes in = 3 versions + 1 quarantined
    written = sorted(p.name for p in (lake / "cluster-configs").iterdir())
    assert written == ["cluster-large.json", "cluster-medium.json", "cluster-small.json"]
    assert "spark_conf" in json.loads((lake / "cluster-configs" / "cluster-small.json").read_text())
