"""``make bench``: run a folder's benchmark scripts, then compare their results with a stored baseline.

Each ``benchmarks/*.py`` script writes ``benchmarks/results/<name>.json`` (see :mod:`catalog_tools.bench`).
When ``benchmarks/baseline/<name>.json`` exists, every numeric summary figure is compared with it:
figures named like durations or sizes (``*_s``, ``*_ms``, ``*bytes*``) regress when they grow by more
than the tolerance, figures named like rates (``*_per_s``, ``*throughput*``) when they shrink. Other
figures are reported, not judged. ``--update-baseline`` stores the new results as the baseline.

Benchmarks on one machine run one at a time: the runner holds an exclusive lock on a lock file
(``$CATALOG_BENCH_LOCK``, default ``catalog-bench.lock`` in the temporary folder) while the scripts
run, and waits for it when another run holds it. Each script overwrites its own
``results/<name>.json``: one current result per name, history in git.

Example::

    python -m catalog_tools.bench_runner 05-performance-optimization --tolerance 0.25
"""
from __future__ import annotations

import argparse
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BENCH_LOCK_ENV = "CATALOG_BENCH_LOCK"


@dataclass(frozen=True)
class Comparison:
    benchmark: str
    figure: str
    baseline: float
    current: float
    direction: str  # "lower is better", "higher is better" or "not judged"
    regressed: bool

    @property
    def change(self) -> float:
        return (self.current - self.baseline) / self.baseline if self.baseline else 0.0


def direction_of(figure: str) -> str:
    name = figure.lower()
    if name.endswith("_per_s") or "throughput" in name:
        return "higher is better"
    if name.endswith(("_s", "_ms")) or "bytes" in name:
        return "lower is better"
    return "not judged"


def compare(benchmark: str, baseline: dict, current: dict, tolerance: float) -> list[Comparison]:
    """Compare the numeric ``summary`` figures two result documents share."""
    comparisons = []
    for figure, old in baseline.get("summary", {}).items():
        new = current.get("summary", {}).get(figure)
        if not isinstance(old, int | float) or not isinstance(new, int | float) or isinstance(old, bool):
            continue
        direction = direction_of(figure)
        if direction == "lower is better":
            regressed = new > old * (1 + tolerance)
        elif direction == "higher is better":
            regressed = new < old * (1 - tolerance)
        else:
            regressed = False
        comparisons.append(Comparison(benchmark, figure, float(old), float(new), direction, regressed))
    return comparisons


def comparison_table(comparisons: list[Comparison]) -> str:
    lines = ["| benchmark | figure | baseline | current | change | judged | verdict |", "|---|---|---|---|---|---|---|"]
    for c in comparisons:
        verdict = "REGRESSION" if c.regressed else "ok"
        lines.append(f"| {c.benchmark} | {c.figure} | {c.baseline:g} | {c.current:g} | {c.change:+.1%} "
                     f"| {c.direction} | {verdict} |")
    return "\n".join(lines)


def bench_lock_path() -> Path:
    """The machine-wide benchmark lock file: ``$CATALOG_BENCH_LOCK`` or one in the temporary folder."""
    return Path(os.environ.get(BENCH_LOCK_ENV) or Path(tempfile.gettempdir()) / "catalog-bench.lock")


@contextmanager
def benchmark_lock(path: Path) -> Iterator[None]:
    """Hold the exclusive lock on ``path`` (shared with every other benchmark run on the machine)."""
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting for the benchmark lock ({path}): another benchmark is running", flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_scripts(folder: Path) -> list[str]:
    """Run every benchmark script from inside ``folder``; return the names of those that failed."""
    failed = []
    for script in sorted((folder / "benchmarks").glob("*.py")):
        print(f"== {script.relative_to(folder.parent)}", flush=True)
        if subprocess.call([sys.executable, str(script)], cwd=folder) != 0:
            failed.append(script.name)
    return failed


def compare_folder(folder: Path, tolerance: float) -> list[Comparison]:
    results, baselines = folder / "benchmarks" / "results", folder / "benchmarks" / "baseline"
    comparisons = []
    for baseline_file in sorted(baselines.glob("*.json")):
        current_file = results / baseline_file.name
        if current_file.exists():
            comparisons += compare(baseline_file.stem, json.loads(baseline_file.read_text()),
                                   json.loads(current_file.read_text()), tolerance)
    return comparisons


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--tolerance", type=float, default=0.25, help="relative change allowed (0.25 = 25%%)")
    parser.add_argument("--compare-only", action="store_true", help="compare existing results, run nothing")
    parser.add_argument("--update-baseline", action="store_true", help="store the results as the new baseline")
    args = parser.parse_args(argv)
    folder = args.folder.resolve()
    if not (folder / "benchmarks").is_dir():
        parser.error(f"expected {folder / 'benchmarks'} to exist, found nothing")
    failed: list[str] = []
    if not args.compare_only:
        with benchmark_lock(bench_lock_path()):
            failed = run_scripts(folder)
    comparisons = compare_folder(folder, args.tolerance)
    if comparisons:
        print("\n" + comparison_table(comparisons))
    else:
        print("\nno baseline to compare with (benchmarks/baseline/*.json); --update-baseline stores one")
    if args.update_baseline:
        baseline_dir = folder / "benchmarks" / "baseline"
        baseline_dir.mkdir(exist_ok=True)
        for result in (folder / "benchmarks" / "results").glob("*.json"):
            shutil.copy(result, baseline_dir / result.name)
    if failed:
        print(f"benchmark scripts failed: {', '.join(failed)}")
    regressions = [c for c in comparisons if c.regressed]
    if regressions:
        print(f"{len(regressions)} regression(s) beyond {args.tolerance:.0%}")
    return 1 if failed or regressions else 0


if __name__ == "__main__":
    sys.exit(main())
