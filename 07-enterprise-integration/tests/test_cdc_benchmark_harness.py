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
