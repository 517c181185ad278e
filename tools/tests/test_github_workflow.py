"""The GitHub Actions workflow is valid and runs what CI runs everywhere else: bash .ci/run.

GitHub would only reject a broken workflow after a push. This test checks the file offline
against the workflow JSON schema that ships with check-jsonschema, so no network is needed.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = REPO_ROOT / ".github" / "workflows" / "ci.yml"


def workflow() -> dict[Any, Any]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def all_steps() -> list[dict[str, Any]]:
    return [step for job in workflow()["jobs"].values() for step in job.get("steps", [])]


def inputs_of(action: str) -> dict[str, Any]:
    """The `with:` block of the first step that uses `action` (any version)."""
    for step in all_steps():
        if step.get("uses", "").split("@")[0] == action:
            return step.get("with", {})
    raise AssertionError(f"expected a step using {action} in {WORKFLOW.name}, found none")


def test_workflow_validates_against_the_github_workflow_schema_offline():
    check_jsonschema = Path(sys.executable).parent / "check-jsonschema"
    assert check_jsonschema.exists(), f"expected {check_jsonschema}: run `make setup` (tools[dev] installs it)"

    result = subprocess.run(
        [str(check_jsonschema), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True, text=True, timeout=120,
    )

    assert result.returncode == 0, f"check-jsonschema exited {result.returncode}:\n{result.stdout}{result.stderr}"


def test_workflow_runs_on_push_and_pull_request():
    triggers = workflow().get("on", workflow().get(True))  # YAML 1.1 reads a bare `on` as True

    assert {"push", "pull_request"} <= set(triggers), f"expected push and pull_request, got {triggers}"


def test_workflow_runs_the_ci_entry_point():
    runs = [step["run"] for step in all_steps() if "run" in step]

    assert any(".ci/run" in command for command in runs), f"expected a step running .ci/run, got {runs}"


def test_workflow_uses_java_17_and_python_3_11():
    assert str(inputs_of("actions/setup-java").get("java-version")) == "17"
    assert str(inputs_of("actions/setup-python").get("python-version")) == "3.11"
