"""`make bench`: results compared with a stored baseline; regressions reported by direction."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from catalog_tools.bench_runner import BENCH_LOCK_ENV, benchmark_lock, compare, direction_of


def result(**summary) -> dict:
    return {"summary": summary}


def test_direction_follows_the_figure_name():
    assert direction_of("median_s") == "lower is better"
    assert direction_of("shuffle_bytes") == "lower is better"
    assert direction_of("events_per_s") == "higher is better"
    assert direction_of("runs") == "not judged"


def test_slower_beyond_tolerance_is_a_regression_and_within_is_not():
    comparisons = {c.figure: c for c in compare(
        "broker_startup", result(median_s=4.0, max_s=5.0, runs=5), result(median_s=5.2, max_s=5.5, runs=9), 0.25,
    )}

    assert comparisons["median_s"].regressed  # +30 %
    assert not comparisons["max_s"].regressed  # +10 %
    assert not comparisons["runs"].regressed


def test_lower_throughput_is_a_regression():
    (comparison,) = compare("stream", result(events_per_s=1000), result(events_per_s=700), 0.25)

    assert comparison.regressed and round(comparison.change, 2) == -0.3


def test_runner_exits_non_zero_on_a_regression_and_prints_the_table(tmp_path):
    benchmarks = tmp_path / "NN-x" / "benchmarks"
    (benchmarks / "results").mkdir(parents=True)
    (benchmarks / "baseline").mkdir()
    (benchmarks / "baseline" / "b.json").write_text(json.dumps(result(wall_s=10)))
    (benchmarks / "results" / "b.json").write_text(json.dumps(result(wall_s=20)))

    completed = subprocess.run(
        [sys.executable, "-m", "catalog_tools.bench_runner", str(tmp_path / "NN-x"), "--compare-only"],
        capture_output=True, text=True,
    )

    assert completed.returncode == 1
    assert "| b | wall_s | 10 | 20 | +100.0% | lower is better | REGRESSION |" in completed.stdout


def test_make_bench_waits_for_the_machine_wide_benchmark_lock(tmp_path):
    folder = tmp_path / "07-example"
    (folder / "benchmarks").mkdir(parents=True)
    (folder / "benchmarks" / "tiny.py").write_text("from pathlib import Path\nPath('ran').write_text('yes')\n")
    lock = tmp_path / "bench.lock"
    env = {**os.environ, BENCH_LOCK_ENV: str(lock)}

    with benchmark_lock(lock):  # another benchmark run holds the lock
        runner = subprocess.Popen([sys.executable, "-m", "catalog_tools.bench_runner", str(folder)],
                                  stdout=subprocess.PIPE, text=True, env=env)
        assert "waiting for the benchmark lock" in runner.stdout.readline()
        assert not (folder / "ran").exists()
    output = runner.communicate(timeout=60)[0]

    assert runner.returncode == 0, output
    assert (folder / "ran").read_text() == "yes"
