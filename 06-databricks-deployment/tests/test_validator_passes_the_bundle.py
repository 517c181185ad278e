"""The folder's own bundle passes every check for dev, qa and prod."""
from __future__ import annotations

import pytest
from helpers import BUNDLE

from databricks_bundle_deployment import ValidationReport, validate_bundle
from databricks_bundle_deployment.cli import main


@pytest.fixture(scope="module")
def report() -> ValidationReport:
    return validate_bundle(BUNDLE)


def test_the_bundle_passes_for_all_three_targets(report):
    assert list(report.targets) == ["dev", "qa", "prod"]
    assert report.findings == [], "\n".join(map(str, report.findings))


def test_every_target_resolves_every_reference_and_includes_the_python_defined_job(report):
    prod = report.targets["prod"].document

    assert set(prod["resources"]["jobs"]) == {
        "iot_streaming_pipeline", "dimensional_load", "spill_probe", "end_to_end", "performance_monitoring"}
    monitoring = prod["resources"]["jobs"]["performance_monitoring"]
    assert monitoring["job_clusters"][0]["new_cluster"]["num_workers"] == 0  # ${var.ml_cluster}, a complex value
    assert prod["run_as"] == {"service_principal_name": "0c9e7d41-2b6a-4f3e-8d15-7a4e2c9b5f02"}
    assert prod["workspace"]["root_path"] == "/Workspace/Shared/.bundle/iot-catalog/prod"
    assert "${" not in str(prod["resources"])


def test_dev_keeps_the_per_user_root_for_deploy_time(report):
    dev = report.targets["dev"].document

    assert dev["workspace"]["root_path"] == (
        "/Workspace/Users/${workspace.current_user.userName}/.bundle/iot-catalog/dev")
    assert dev["mode"] == "development"


def test_the_cli_prints_one_line_per_target_and_exits_zero(capsys):
    assert main(["validate", "--bundle", str(BUNDLE), "--target", "qa"]) == 0

    assert capsys.readouterr().out == "qa: 5 jobs, 1 pipelines: ok\n"


def test_the_readme_python_example_runs_and_prints_no_finding(monkeypatch, capsys):
    import re
    from pathlib import Path

    from helpers import FOLDER

    example = re.search(r"```python\n(.*?)```", (FOLDER / "README.md").read_text(), re.S).group(1)
    monkeypatch.chdir(FOLDER)

    exec(example, {"Path": Path})  # noqa: S102 - the README's own example

    assert capsys.readouterr().out == "\n"
