"""The latency benchmark's arithmetic on tiny inline data: which batch applied which change, and when."""
from __future__ import annotations

import json

import pytest


@pytest.fixture
def latency_benchmark(load_script):
    return load_script("benchmarks/cdc_latency_benchmark.py")


@pytest.mark.bench
def test_each_change_is_timed_to_the_batch_whose_offset_range_holds_it(latency_benchmark):
    events = [
        {"offset": 0, "op": "r", "commit_ms": 0},        # snapshot read: not a commit, not timed
        {"offset": 1, "op": "c", "commit_ms": 1_000},
        {"offset": 2, "op": "u", "commit_ms": 1_500},
        {"offset": 3, "op": "d", "commit_ms": 2_000},
        {"offset": 4, "op": "u", "commit_ms": 2_500},    # not applied by any committed batch yet
    ]
    ends = {0: 2, 1: 4}                                    # batch 0: offsets 0-1, batch 1: offsets 2-3
    written_ms = {0: 3_000.0, 1: 5_000.0}

    assert latency_benchmark.change_latencies(events, ends, written_ms) == [2.0, 3.5, 3.0]


@pytest.mark.bench
def test_batch_end_offsets_come_from_the_batches_that_wrote_their_ledger_row(latency_benchmark, tmp_path):
    (tmp_path / "offsets").mkdir()
    for batch, end in ((0, 10), (1, 25), (2, 40)):
        (tmp_path / "offsets" / str(batch)).write_text(f'v1\n{{"batchWatermarkMs":0}}\n{json.dumps({"t": {"0": end}})}')
    # batch 1 wrote its ledger row but the job stopped before its checkpoint commit; batch 2 never ran

    assert latency_benchmark.batch_end_offsets(tmp_path, "t", {0, 1}) == {0: 10, 1: 25}


@pytest.mark.bench
def test_percentiles_report_the_nearest_rank_and_nothing_for_no_values(latency_benchmark):
    values = [float(v) for v in range(1, 101)]
    assert latency_benchmark.percentile(values, 0.50) == 51.0
    assert latency_benchmark.percentile(values, 0.95) == 95.0
    assert latency_benchmark.percentile([], 0.95) is None


@pytest.fixture
def profile_benchmark(load_script):
    return load_script("benchmarks/cdc_batch_profile_benchmark.py")


@pytest.mark.bench
def test_a_step_is_the_cumulative_time_of_its_own_function_in_its_own_module(profile_benchmark):
    steps = {"merge": ("apply.py", "_merge_into_target"), "schema_check": ("table_schema.py", "evolve_target"),
             "quarantine": ("apply.py", "_quarantine")}
    # pstats rows: (file, line, function) -> (primitive calls, calls, own time, cumulative time, callers)
    stats = {
        ("/src/enterprise_integration/cdc/apply.py", 150, "_merge_into_target"): (1, 1, 0.01, 0.75, {}),
        ("/src/enterprise_integration/cdc/table_schema.py", 60, "evolve_target"): (1, 1, 0.0, 0.02, {}),
        ("/elsewhere/merge.py", 3, "_merge_into_target"): (1, 1, 0.0, 9.0, {}),   # same name, other file
    }

    assert profile_benchmark.step_seconds(stats, steps) == {"merge": 0.75, "schema_check": 0.02, "quarantine": 0.0}


@pytest.mark.bench
def test_the_profile_summary_reports_the_median_and_the_worst_batch_of_each_step(profile_benchmark):
    steps = dict.fromkeys([*profile_benchmark.STEPS, "other", "kafka_read_floor"], 0.0)
    rows = [
        {"run": 1, "total_s": 2.0, **{f"{s}_s": v for s, v in steps.items()}, "merge_s": 0.5,
         "spark_jobs": 26, "delta_commits": 3, "balanced": True},
        {"run": 1, "total_s": 3.0, **{f"{s}_s": v for s, v in steps.items()}, "merge_s": 1.5,  # a checkpoint batch
         "spark_jobs": 32, "delta_commits": 3, "balanced": True},
        {"run": 2, "total_s": 2.2, **{f"{s}_s": v for s, v in steps.items()}, "merge_s": 0.6,
         "spark_jobs": 26, "delta_commits": 3, "balanced": True},
    ]

    summary = profile_benchmark.summarise(rows, batch_size=3000)

    assert (summary["total_median_s"], summary["total_worst_s"]) == (2.2, 3.0)
    assert (summary["merge_median_s"], summary["merge_worst_s"]) == (0.6, 1.5)
    assert (summary["runs"], summary["batches_profiled"], summary["batches_balanced"]) == (2, 3, 3)
    assert summary["spark_jobs_per_batch_median"] == 26
