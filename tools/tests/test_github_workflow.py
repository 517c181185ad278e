"""The public repository's GitHub Actions workflow is valid and runs what CI runs here."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

WORKFLOW = Path(__file__).resolve().parents[2] / ".github" / "workflows" / "ci.yml"


def test_workflow_validates_against_the_github_workflow_schema_offline():
    check_jsonschema = Path(sys.executable).parent / "check-jsonschema"

    result = subprocess.run(
        [str(check_jsonschema), "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True, text=True, timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_runs_ci_entry_point_with_java_17_and_python_3_11():
    steps = yaml.safe_load(WORKFLOW.read_text())["jobs"]["test"]["steps"]
    settings = {step.get("uses", "").split("@")[0]: step.get("with", {}) for step in steps}

    assert any(step.get("run") == "bash .ci/run" for step in steps)
    assert settings["actions/setup-java"]["java-version"] == "17"
    assert settings["actions/setup-python"]["python-version"] == "3.11"
