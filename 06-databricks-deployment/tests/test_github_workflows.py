"""Every workflow passes GitHub's workflow schema (check-jsonschema) and actionlint; deployment promotes
dev -> qa -> prod with prod behind a GitHub environment."""
from __future__ import annotations

import subprocess
import sys

import pytest
import yaml
from helpers import FOLDER

from catalog_tools.actionlint import run_actionlint

WORKFLOWS = sorted((FOLDER / "github-actions-cicd" / "workflows").glob("*.yml"))


def test_the_four_workflows_are_there():
    assert [w.name for w in WORKFLOWS] == ["deploy.yml", "integration-tests.yml", "pr-validation.yml",
                                           "smoke-tests.yml"]


def test_every_workflow_matches_githubs_workflow_schema():
    completed = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS)],
        capture_output=True, text=True, check=False)

    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_every_workflow_passes_actionlint(actionlint):
    completed = run_actionlint(actionlint, WORKFLOWS)

    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_a_workflow_with_a_mistake_fails_both_checks(actionlint, tmp_path):
    broken = tmp_path / "deploy.yml"
    broken.write_text((FOLDER / "github-actions-cicd/workflows/deploy.yml").read_text()
                      .replace("runs-on: ubuntu-latest\n    timeout-minutes: 90", "runs_on: ubuntu-latest"))

    schema = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema",
                             "vendor.github-workflows", str(broken)], capture_output=True, text=True, check=False)
    lint = run_actionlint(actionlint, [broken])

    assert schema.returncode == 1
    assert lint.returncode == 1
    assert 'unexpected key "runs_on" for "job" section' in lint.stdout


@pytest.mark.parametrize("target", ["dev", "qa", "prod"])  # push to main, a v* tag, a published release
def test_deploy_promotes_through_the_targets_and_prod_waits_for_its_environment(target):
    workflow = yaml.safe_load((FOLDER / "github-actions-cicd/workflows/deploy.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key "on" as True
    script = workflow["jobs"]["choose-target"]["steps"][0]["run"]

    assert triggers == {"push": {"branches": ["main"], "tags": ["v*"]}, "release": {"types": ["published"]}}
    assert f"target={target}" in script
    assert workflow["jobs"]["deploy"]["environment"] == "${{ needs.choose-target.outputs.target }}"
