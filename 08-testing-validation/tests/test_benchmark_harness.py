"""The engines benchmark harness on tiny data: every engine runs, counts agree, results are written."""
from __future__ import annotations

import json

import pytest


@pytest.mark.bench
def test_the_benchmark_times_every_engine_and_finds_identical_counts(spark, tmp_path, load_script):
    benchmark = load_script("benchmarks/contract_engines_benchmark.py")

    summary = benchmark.run_benchmark(spark, sizes=[3000], runs=1, workdir=tmp_path, results_dir=tmp_path / "results")

    assert summary["rules"] == 15 and summary["rows_3000"] == 3000
    assert summary["rules_with_differing_counts_3000"] == "none"  # with and without the key rule
    for engine in ("ours", "great_expectations", "dqx"):  # each engine also timed without the key rule
        assert summary[f"{engine}_without_key_rule_median_seconds_3000"] > 0
        assert f"{engine}_key_rule_median_seconds_3000" in summary
    written = json.loads((tmp_path / "results" / "contract_engines.json").read_text())
    ours = next(row["counts"] for row in written["rows"] if row["engine"] == "ours")
    without = next(row["counts"] for row in written["rows"] if row["engine"] == "ours_without_key_rule")
    assert set(ours) - set(without) == {"event_id_unique"}
    assert all(count > 0 for rule, count in ours.items() if rule not in ("machine_id_not_null",
                                                                        "event_time_not_null", "temperature_drift"))
    assert (tmp_path / "results" / "contract_engines.png").exists()
