"""`make test`'s runner: one pytest process per folder, keeps going, one summary table."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from catalog_tools.folder_tests import FolderResult, closing_line, summary_table


def make_folder(root: Path, name: str, test_body: str) -> Path:
    folder = root / name
    (folder / "tests").mkdir(parents=True)
    (folder / "tests" / "test_sample.py").write_text(test_body)
    return folder


def run_runner(*folders: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "catalog_tools.folder_tests", *map(str, folders)],
        cwd=cwd, capture_output=True, text=True, timeout=300,
    )


def test_runner_keeps_going_after_a_failing_folder_and_exits_non_zero(tmp_path):
    failing = make_folder(tmp_path, "01-failing", "def test_a():\n    assert False\n")
    passing = make_folder(
        tmp_path, "02-passing",
        "import pytest\n\ndef test_b():\n    pass\n\n@pytest.mark.skip(reason='x')\ndef test_c():\n    pass\n",
    )

    result = run_runner(failing, passing, cwd=tmp_path)

    assert result.returncode == 1
    table = result.stdout[result.stdout.index("folder "):]
    assert "01-failing" in table and "FAILED" in table
    assert "02-passing" in table
    assert result.stdout.strip().splitlines()[-1] == "1 passed, 1 failed, 1 skipped"


def test_a_folder_without_tests_fails_the_run(tmp_path):
    empty = make_folder(tmp_path, "03-empty", "# nothing here\n")

    result = run_runner(empty, cwd=tmp_path)

    assert result.returncode == 1
    assert "NO TESTS" in result.stdout


def test_summary_table_and_closing_line():
    results = [FolderResult("tools", 10, 0, 2, 0, 12.5, 0), FolderResult("02-x", 3, 1, 0, 1, 4.0, 1)]

    table = summary_table(results)

    assert table.splitlines()[2].split() == ["tools", "ok", "10", "0", "2", "0", "12.5"]
    assert table.splitlines()[3].split() == ["02-x", "FAILED", "3", "1", "0", "1", "4.0"]
    assert closing_line(results) == "13 passed, 2 failed, 2 skipped"
