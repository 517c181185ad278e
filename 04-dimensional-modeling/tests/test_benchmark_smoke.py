"""Keep the benchmark from rotting: run its harness on a tiny dimension (the figures are not asserted)."""

from __future__ import annotations

import pytest


@pytest.mark.bench
def test_the_benchmark_runs_on_a_tiny_dimension_and_all_three_merges_write_the_same_table(spark, tmp_path, load_script):
    benchmark = load_script("benchmarks/scd2_merge_benchmark.py")

    outcome = benchmark.run_benchmark(spark, tmp_path, rows=40, repeats=1, warm_up_rows=0)

    summary = outcome["summary"]
    assert (summary["dimension_rows"], summary["batch_rows"]) == (40, 6)
    assert summary["fast_vs_mack_differing_rows"] == summary["general_vs_mack_differing_rows"] == 0
    assert summary["rerun_fast_versions_committed_max"] == summary["rerun_general_versions_committed_max"] == 0
    assert {(r["variant"], r["step"]) for r in outcome["rows"]} == {
        *[(v, "first_run") for v in benchmark.VARIANTS],
        *[(v, "rerun") for v in benchmark.RERUN_VARIANTS],
    }
