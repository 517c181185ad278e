"""Run every pattern folder's tests, each in its own pytest process, and print one summary table.

A failing folder does not stop the others. The exit status is 1 when any folder failed, errored,
or collected no test (a pattern folder without tests is a defect, not a pass).

Example::

    python -m catalog_tools.folder_tests tools 02-schema-evolution
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

PYTEST_NO_TESTS_COLLECTED = 5


@dataclass(frozen=True)
class FolderResult:
    folder: str
    passed: int
    failed: int
    skipped: int
    errors: int
    seconds: float
    exit_code: int

    @property
    def status(self) -> str:
        if self.exit_code == PYTEST_NO_TESTS_COLLECTED:
            return "NO TESTS"
        return "ok" if self.exit_code == 0 else "FAILED"

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def junit_counts(report: Path) -> tuple[int, int, int, int]:
    """Return (passed, failed, skipped, errors) from a pytest JUnit XML report."""
    if not report.exists():
        return 0, 0, 0, 0
    root = ElementTree.parse(report).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    tests = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    errors = sum(int(s.get("errors", 0)) for s in suites)
    return tests - failed - skipped - errors, failed, skipped, errors


def run_folder(folder: Path, reports_dir: Path, pytest_args: list[str]) -> FolderResult:
    report = reports_dir / f"{folder.name}.xml"
    report.unlink(missing_ok=True)
    print(f"\n=== {folder.name} ===", flush=True)
    started = time.monotonic()
    exit_code = subprocess.call(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--junitxml={report}", *pytest_args],
        cwd=folder,
    )
    seconds = time.monotonic() - started
    return FolderResult(folder.name, *junit_counts(report), seconds=seconds, exit_code=exit_code)


def summary_table(results: list[FolderResult]) -> str:
    header = f"{'folder':<34} {'status':<9} {'passed':>6} {'failed':>6} {'skipped':>7} {'errors':>6} {'seconds':>8}"
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(
            f"{r.folder:<34} {r.status:<9} {r.passed:>6} {r.failed:>6} {r.skipped:>7} {r.errors:>6} {r.seconds:>8.1f}"
        )
    return "\n".join(lines)


def closing_line(results: list[FolderResult]) -> str:
    """The plain 'N passed, N failed, N skipped' line CI systems read."""
    passed = sum(r.passed for r in results)
    failed = sum(r.failed + r.errors for r in results)
    skipped = sum(r.skipped for r in results)
    return f"{passed} passed, {failed} failed, {skipped} skipped"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path, help="folders to test, in order")
    parser.add_argument("--reports-dir", type=Path, default=Path(".test-results"))
    parser.add_argument("--pytest-args", default="-q", help="extra pytest arguments, one string")
    args = parser.parse_args(argv)
    args.reports_dir = args.reports_dir.resolve()
    args.reports_dir.mkdir(parents=True, exist_ok=True)
    missing = [str(f) for f in args.folders if not f.is_dir()]
    if missing:
        parser.error(f"expected existing folders, these are missing: {', '.join(missing)}")
    started = time.monotonic()
    results = [run_folder(f.resolve(), args.reports_dir, args.pytest_args.split()) for f in args.folders]
    print("\n" + summary_table(results))
    print(f"wall time {time.monotonic() - started:.1f}s")
    print(closing_line(results))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
