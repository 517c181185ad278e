"""The key-check benchmark's harness on tiny data: every method finds the same repeated keys."""
from __future__ import annotations

import json

import pytest


@pytest.mark.bench
def test_every_key_check_method_finds_the_same_repeated_keys(spark, tmp_path, load_script):
    benchmark = load_script("benchmarks/key_check_benchmark.py")

    summary = benchmark.run_benchmark(spark, rows=5000, runs=1, workdir=tmp_path, results_dir=tmp_path / "results")

    assert summary["methods_agree_on_repeated_keys"] is True
    rows = json.loads((tmp_path / "results" / "key_check.json").read_text())["rows"]
    found = {r["method"]: r["repeated_keys"] for r in rows}
    assert found["ours_by_fingerprint"] == found["ours_window_on_key"] == found["group_by_key"] > 0  # some repeat
    assert found["window_on_hash_confirmed"] == found["window_on_hash_then_key_pass"] == found["group_by_key"]
    assert {"floor_scan_key", "floor_shuffle_hash", "group_by_hash", "window_on_hash"} <= set(found)
