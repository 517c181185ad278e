"""The rate-ramp harness on tiny steps: it drives the real Kafka -> contract gate -> Delta stream,
accounts for every event of every step, and writes its results and picture."""
from __future__ import annotations

import json

import pytest


@pytest.mark.bench
@pytest.mark.kafka
def test_the_ramp_measures_latency_per_step_and_accounts_for_every_event(spark, kafka, tmp_path, load_script):
    ramp = load_script("benchmarks/rate_ramp_benchmark.py")

    summary = ramp.run_benchmark(spark, kafka.client_config(), kafka.spark_options(), tmp_path, tmp_path / "results",
                                 rates=[20, 40], step_seconds=2, latency_target_p95_seconds=600, repeats=1,
                                 warmup_rate=20, warmup_seconds=1)

    steps = json.loads((tmp_path / "results" / "rate_ramp.json").read_text())["rows"]
    assert [(step["step"], step["target_rate"], step["kept_up"]) for step in steps] == [(1, 20, True), (2, 40, True)]
    # every event sent in a step is committed to silver or quarantine; one in a hundred is quarantined
    assert all(step["committed"] == step["sent"] > 0 for step in steps)
    assert all(step["quarantined"] == len(range(0, step["sent"], ramp.BAD_EVERY)) for step in steps)
    assert all(0 < step["p50_seconds"] <= step["p95_seconds"] <= step["max_seconds"] for step in steps)
    assert summary["rows_in_equals_written_plus_quarantined"] is True
    assert summary["capacity_median_events_per_second"] == steps[-1]["achieved_rate"]
    assert summary["ramps_that_never_broke_the_target"] == 1  # so that capacity is only a lower bound
    assert (tmp_path / "results" / "rate_ramp.png").exists()
