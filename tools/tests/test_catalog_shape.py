"""`make lint`'s shape check: complete folders, copyable src, no tracked run-time artifacts."""
from __future__ import annotations

import subprocess
from pathlib import Path

from catalog_tools.catalog_shape import check

REPO_ROOT = Path(__file__).resolve().parents[2]


def make_pattern_folder(root: Path, name: str, package: str, source: str = "") -> Path:
    folder = root / name
    for sub in ("src/" + package, "examples", "tests"):
        (folder / sub).mkdir(parents=True)
    (folder / "README.md").write_text("# x\n")
    (folder / "pyproject.toml").write_text("[project]\nname='x'\n")
    (folder / "src" / package / "__init__.py").write_text(source)
    (folder / "tests" / "test_x.py").write_text("def test_x():\n    pass\n")
    return folder


def git_init(root: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)


def test_complete_copyable_folders_have_no_findings(tmp_path):
    git_init(tmp_path)
    make_pattern_folder(tmp_path, "01-alpha", "alpha", "import pyspark\n")
    make_pattern_folder(tmp_path, "02-beta", "beta")

    assert check(tmp_path) == []


def test_src_importing_tools_or_a_sibling_is_reported(tmp_path):
    git_init(tmp_path)
    make_pattern_folder(tmp_path, "01-alpha", "alpha")
    make_pattern_folder(tmp_path, "02-beta", "beta", "from alpha import x\nimport catalog_tools.spark\n")

    findings = check(tmp_path)

    assert len(findings) == 1
    assert "src imports ['alpha', 'catalog_tools']" in findings[0]


def test_only_the_case_study_folder_may_compose_sibling_packages_in_src(tmp_path):
    git_init(tmp_path)
    make_pattern_folder(tmp_path, "01-alpha", "alpha")
    make_pattern_folder(tmp_path, "02-beta", "beta", "from case_studies import x\n")
    make_pattern_folder(tmp_path, "11-real-world-case-studies", "case_studies",
                        "from alpha import x\nfrom beta import y\nimport catalog_tools.spark\n")

    findings = check(tmp_path)

    # 11 composes 01 and 02 (allowed) but not catalog_tools; no other folder may import 11
    assert len(findings) == 2
    assert any("11-real-world-case-studies" in f and "src imports ['catalog_tools']" in f for f in findings)
    assert any("02-beta" in f and "src imports ['case_studies']" in f for f in findings)


def test_missing_entries_and_tracked_artifacts_are_reported(tmp_path):
    git_init(tmp_path)
    folder = tmp_path / "03-gamma"
    (folder / "tests").mkdir(parents=True)
    (folder / "_delta_log").mkdir()
    (folder / "_delta_log" / "00000.json").write_text("{}")
    subprocess.run(["git", "add", "-f", "."], cwd=tmp_path, check=True)

    findings = check(tmp_path)

    assert "03-gamma: missing README.md" in findings
    assert "03-gamma: tests/ holds no test_*.py" in findings
    assert "03-gamma/_delta_log/00000.json: run-time artifact is tracked by git" in findings


def test_this_repository_has_the_catalog_shape():
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO_ROOT, capture_output=True, text=True).stdout
    tracked_folders = {path.split("/")[0] for path in tracked.splitlines()}
    # folders still being written (untracked) are judged once they are committed
    assert [f for f in check(REPO_ROOT) if f.split(":")[0].split("/")[0] in tracked_folders] == []


def test_test_imports_missing_from_the_folders_pyproject_are_reported(tmp_path):
    git_init(tmp_path)
    folder = make_pattern_folder(tmp_path, "01-alpha", "alpha")
    (folder / "pyproject.toml").write_text('[project]\nname = "alpha"\ndependencies = ["pyyaml"]\n')
    (folder / "tests" / "helpers.py").write_text("VALUE = 1\n")
    (folder / "tests" / "test_x.py").write_text(
        "import os\nimport yaml\nimport alpha\nimport helpers\n"
        "import pytest\nimport confluent_kafka\nimport not_installed_anywhere\n"
    )

    findings = check(tmp_path)

    # stdlib, declared (yaml), the folder's own modules are fine; pytest is required by nothing declared here
    assert [f.split(" imports ")[1].split(" ")[0].rstrip(",") for f in findings] == [
        "'confluent_kafka'", "'not_installed_anywhere'", "'pytest'"]
    assert "add it to the `dev` extra" in findings[0]
    assert "no installed distribution provides" in findings[1]


def test_benchmark_results_keep_one_current_result_per_name(tmp_path):
    git_init(tmp_path)
    folder = make_pattern_folder(tmp_path, "01-alpha", "alpha")
    results = folder / "benchmarks" / "results"
    (results / "flatten-2026-12-05").mkdir(parents=True)
    (results / "flatten.json").write_text('{"benchmark": "flatten", "summary": {}}')
    (results / "flatten.md").write_text("# flatten\n")
    (results / "flatten.before-fix.json").write_text('{"benchmark": "flatten", "summary": {}}')

    assert check(tmp_path) == [
        "01-alpha/benchmarks/results/flatten-2026-12-05: a folder of results; keep one current <name>.json "
        "per benchmark (history lives in git)",
        "01-alpha/benchmarks/results/flatten.before-fix.json: expected the result of benchmark "
        "'flatten.before-fix', got 'flatten'; keep one current result per benchmark name (history lives in git)",
    ]
