"""Check the catalog's shape: the rules that keep every pattern folder copyable.

* every pattern folder has README.md, pyproject.toml, src/, examples/ and tests/ with test files;
* nothing under a folder's src/ imports ``catalog_tools`` or a sibling folder's package (except the
  case-study folder, :data:`COMPOSING_FOLDERS`, whose src composes the siblings' packages);
* every third-party import in its tests/, examples/ and benchmarks/ is declared in its pyproject;
* no run-time artifact (Delta logs, checkpoints, warehouses, jars, keystores, keys) is tracked;
* ``benchmarks/results/`` keeps one current result per benchmark name: ``<name>.json`` whose
  ``benchmark`` is ``<name>``, no dated or per-experiment copies, no subfolders (history is in git).

Example::

    python -m catalog_tools.catalog_shape --root .
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

from catalog_tools.declared_imports import imported_modules, undeclared_imports

PATTERN_FOLDER = re.compile(r"^\d\d-[a-z0-9-]+$")
REQUIRED_ENTRIES = ("README.md", "pyproject.toml", "src", "examples", "tests")
SHARED_PACKAGES = {"catalog_tools", "tools"}
COMPOSING_FOLDERS = {"11-real-world-case-studies"}
"""Folders whose src composes sibling packages (never ``catalog_tools``); they say they are not copied alone."""
RUN_TIME_ARTIFACT = re.compile(
    r"(^|/)(_delta_log|checkpoints?|spark-warehouse|metastore_db|__pycache__|\.jars|\.venv)(/|$)"
    r"|\.(jar|jks|p12|pfx|keystore|truststore|crc|key)$|(^|/)derby\.log$"
)
PRIVATE_KEY = re.compile(r"-----BEGIN ([A-Z]+ )?PRIVATE KEY-----")


def pattern_folders(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and PATTERN_FOLDER.match(p.name))


def packages_of(folder: Path) -> set[str]:
    src = folder / "src"
    return {p.name for p in src.iterdir() if (p / "__init__.py").exists()} if src.is_dir() else set()


def folder_findings(folder: Path, sibling_packages: set[str]) -> list[str]:
    findings = [f"{folder.name}: missing {entry}" for entry in REQUIRED_ENTRIES if not (folder / entry).exists()]
    if (folder / "tests").is_dir() and not any((folder / "tests").rglob("test_*.py")):
        findings.append(f"{folder.name}: tests/ holds no test_*.py")
    forbidden = SHARED_PACKAGES | sibling_packages
    for py_file in sorted((folder / "src").rglob("*.py")) if (folder / "src").is_dir() else []:
        bad = imported_modules(py_file) & forbidden
        if bad:
            findings.append(f"{py_file}: src imports {sorted(bad)}; src may import only third-party libraries")
    return findings


def results_findings(folder: Path, root: Path) -> list[str]:
    """One current result per benchmark name in ``benchmarks/results/``."""
    results = folder / "benchmarks" / "results"
    if not results.is_dir():
        return []
    findings = []
    for entry in sorted(results.iterdir()):
        where = entry.relative_to(root)
        if entry.is_dir():
            findings.append(f"{where}: a folder of results; keep one current <name>.json per benchmark "
                            "(history lives in git)")
        elif entry.suffix == ".json":
            try:
                name = json.loads(entry.read_text()).get("benchmark")
            except (json.JSONDecodeError, AttributeError):
                name = None
            if name != entry.stem:
                findings.append(f"{where}: expected the result of benchmark {entry.stem!r}, got {name!r}; "
                                "keep one current result per benchmark name (history lives in git)")
    return findings


def tracked_artifact_findings(root: Path) -> list[str]:
    listed = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=False)
    findings = []
    for path in listed.stdout.splitlines():
        if RUN_TIME_ARTIFACT.search(path):
            findings.append(f"{path}: run-time artifact is tracked by git")
        elif path.endswith((".pem", ".crt", ".py", ".md", ".yaml", ".yml", ".properties")):
            text = (root / path).read_text(encoding="utf-8", errors="ignore") if (root / path).is_file() else ""
            if PRIVATE_KEY.search(text):
                findings.append(f"{path}: holds a private key; generate it at test time")
    return findings


def check(root: Path) -> list[str]:
    """Return one line per rule broken; an empty list means the catalog has the right shape."""
    folders = pattern_folders(root)
    packages = {folder: packages_of(folder) for folder in folders}
    findings: list[str] = []
    for folder in folders:
        siblings = set() if folder.name in COMPOSING_FOLDERS else set().union(
            *(p for f, p in packages.items() if f != folder))
        findings += folder_findings(folder, siblings)
        findings += undeclared_imports(folder, root / "tools")
    for folder in [*folders, root / "tools"]:
        findings += results_findings(folder, root)
    return findings + tracked_artifact_findings(root)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    findings = check(args.root.resolve())
    for line in findings:
        print(line)
    print(f"catalog shape: {len(findings)} finding(s) in {len(pattern_folders(args.root))} pattern folder(s)")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
