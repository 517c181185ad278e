"""`make copy-check`: a folder copied out of the repo, installed fresh, runs its tests as a user's copy would."""
from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest

from catalog_tools.copy_check import CopyCheckError, copy_check
from catalog_tools.folder_tests import junit_counts

PYPROJECT = """\
[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "{name}"
version = "0.1.0"
dependencies = []

[project.optional-dependencies]
dev = ["pytest"]

[tool.setuptools.packages.find]
where = ["src"]

[tool.pytest.ini_options]
testpaths = ["tests"]
pythonpath = ["src"]
"""
# The seeded folder's tests state what a user's copy looks like: outside the repo, a fresh virtualenv,
# tools installed as a package (not from the checkout), the repo's jars found through the environment.
SEEDED_TEST = """\
import os
import sys
from pathlib import Path

import catalog_tools
import tiny_pattern


def test_runs_in_a_copy_outside_the_repository():
    assert not Path.cwd().is_relative_to(Path({repo!r}))
    assert (Path.cwd().parent / "constraints.txt").is_file()


def test_tools_is_installed_into_a_fresh_virtualenv_not_editable():
    assert Path(sys.prefix).name == "venv" and Path(catalog_tools.__file__).is_relative_to(sys.prefix)
    assert tiny_pattern.ANSWER == 42


def test_the_repositorys_jars_are_found_through_the_environment():
    assert os.environ["CATALOG_JARS_DIR"] == {jars!r}
"""


REACHES_INTO_THE_REPO = """

def test_reads_a_file_of_the_repository_beside_the_folder():
    assert (Path.cwd().parent / "tools" / "pyproject.toml").is_file()
"""


def seeded_repo(root: Path, test_source: str, jars: Path) -> Path:
    """A repository with constraints.txt, a tools package and one tiny pattern folder (no Spark)."""
    pytest_version = importlib.metadata.version("pytest")
    root.mkdir()
    (root / "constraints.txt").write_text(f"pytest=={pytest_version}\n")
    tools = root / "tools"
    (tools / "src" / "catalog_tools").mkdir(parents=True)
    (tools / "pyproject.toml").write_text(PYPROJECT.format(name="catalog-tools"))
    (tools / "src" / "catalog_tools" / "__init__.py").write_text("")
    folder = root / "07-tiny-pattern"
    (folder / "src" / "tiny_pattern").mkdir(parents=True)
    (folder / "tests").mkdir()
    (folder / "pyproject.toml").write_text(PYPROJECT.format(name="tiny-pattern"))
    (folder / "src" / "tiny_pattern" / "__init__.py").write_text("ANSWER = 42\n")
    (folder / "tests" / "test_tiny.py").write_text(test_source.format(repo=str(root), jars=str(jars)))
    return folder


def test_a_copyable_folder_passes_in_a_fresh_virtualenv_and_a_test_reaching_into_the_repo_fails(tmp_path):
    jars = tmp_path / "jars"
    folder = seeded_repo(tmp_path / "repo", SEEDED_TEST + REACHES_INTO_THE_REPO, jars)
    assert (folder.parent / "tools" / "pyproject.toml").is_file()  # inside the repo, that test would pass
    report = tmp_path / "report.xml"

    result = copy_check(folder, tmp_path / "repo", jars=jars, pytest_args=["-q", f"--junitxml={report}"])

    assert result.exit_code == 1
    assert junit_counts(report) == (3, 1, 0, 0)  # passed, failed, skipped, errors
    assert 'name="test_reads_a_file_of_the_repository_beside_the_folder"' in report.read_text().split("<failure")[0]
    assert not result.work_dir.exists()


def test_the_case_study_folder_is_refused_with_the_reason_before_anything_is_copied(tmp_path):
    folder = tmp_path / "11-real-world-case-studies"
    folder.mkdir()

    with pytest.raises(CopyCheckError, match="composes the other folders' packages .* copy-check the folders it names"):
        copy_check(folder, tmp_path)
