"""actionlint is found on PATH or in the cache, built with go when missing, and explains when it cannot be had."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from catalog_tools.actionlint import (
    ActionlintUnavailableError,
    ensure_actionlint,
    find_actionlint,
    run_actionlint,
    unavailable_reason,
)

BROKEN_WORKFLOW = """on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.event.pull_request.title }}"
      - uses: actions/checkout@v4
        with:
          fetch-depth: ${{ matrix.depth }}
"""


def test_actionlint_in_the_cache_directory_is_found_when_not_on_path(actionlint, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    shutil.copy(actionlint, tmp_path / "actionlint")

    assert find_actionlint(tmp_path) == tmp_path / "actionlint"
    assert ensure_actionlint(tmp_path) == tmp_path / "actionlint"


def test_without_actionlint_or_go_the_reason_names_both(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))

    reason = unavailable_reason(tmp_path / "empty")

    assert reason is not None
    assert "or a Go toolchain (go) on PATH" in reason and "found neither" in reason
    with pytest.raises(ActionlintUnavailableError, match="found neither"):
        ensure_actionlint(tmp_path / "empty")


def test_actionlint_reports_an_untrusted_input_and_an_undefined_matrix(actionlint, tmp_path):
    workflow = tmp_path / "broken.yml"
    workflow.write_text(BROKEN_WORKFLOW)

    completed = run_actionlint(actionlint, [workflow])

    assert completed.returncode == 1  # actionlint names the file absolute or relative to the working directory
    assert 'broken.yml:6:24: "github.event.pull_request.title" is potentially untrusted' in completed.stdout
    assert 'broken.yml:9:28: property "depth" is not defined in object type {}' in completed.stdout


def test_a_clean_workflow_passes(actionlint, tmp_path):
    workflow = tmp_path / "ok.yml"
    workflow.write_text("on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ok\n")

    assert run_actionlint(actionlint, [workflow]).returncode == 0


def test_go_install_builds_actionlint_into_an_empty_cache(tmp_path):
    if shutil.which("go") is None:
        pytest.skip("expected a Go toolchain (go) on PATH to build actionlint, found none")
    built = ensure_actionlint(tmp_path / "bin") if find_actionlint(tmp_path / "bin") is None else None
    if built is None:
        pytest.skip("actionlint is on PATH, so nothing is built")

    assert built == tmp_path / "bin" / "actionlint"
    assert Path(built).is_file()
