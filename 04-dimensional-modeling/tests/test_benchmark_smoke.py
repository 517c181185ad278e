"""Keep the benchmark from rotting: run its function on a tiny dimension (numbers are not asserted).

Only the deletion-vectors-on configuration runs (the one the bar is judged on): the other runs the
same code with the table property off, and the fast path's rerun without deletion vectors is pinned
down in tests/test_scd_type2_fast_path.py."""

from __future__ import annotations

import importlib.util
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "scd2_single_merge_vs_two_pass.py"


def test_benchmark_runs_on_a_tiny_dimension_and_the_rerun_changes_nothing(spark, tmp_path):
    spec = importlib.util.spec_from_file_location("scd2_benchmark", BENCHMARK)
    benchmark = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchmark)

    outcome = benchmark.run_benchmark(spark, tmp_path, rows=40, warm_up_rows=0, deletion_vectors=(True,))

    summary = outcome["summary"]
    assert (summary["batch_rows"], summary["rerun_rows_changed"], summary["single_merge_path"]) == (6, 0, "fast")
    first_runs = {r["approach"]: r for r in outcome["rows"] if r["step"] == "first_run"}
    assert {r["deletion_vectors"] for r in outcome["rows"]} == {"dv_on"}
    assert first_runs["single_merge"]["rows_inserted"] == first_runs["two_pass"]["rows_inserted"] == 6
    assert first_runs["single_merge"]["rows_updated"] == first_runs["two_pass"]["rows_updated"] == 4
