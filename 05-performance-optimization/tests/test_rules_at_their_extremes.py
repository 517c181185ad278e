"""Each rule at its extremes, on constructed task metrics: all tasks empty but one, a single task, zero bytes.

Pure functions, no Spark: the task lists below are what the REST API or an event log would hand over.
The healthy shapes (uniform tasks, fewer keys than partitions but spread evenly) must stay silent.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spark_performance_analyzer import ApplicationMetrics, StageMetrics, TaskMetrics, Thresholds, analyze
from spark_performance_analyzer.analyzers import (
    LAPTOP_THRESHOLDS,
    explode_blow_up,
    garbage_collection,
    skew,
    small_files,
    spill,
)
from spark_performance_analyzer.model import SqlPlanNode

SLOW_MS = 60_000  # every constructed task is slow enough for the production thresholds


def stage_reading(shuffle_bytes: list[int], duration_ms: float = SLOW_MS, **task_metrics) -> StageMetrics:
    tasks = [TaskMetrics(duration_ms=duration_ms, run_time_ms=duration_ms, shuffle_read_bytes=b, **task_metrics)
             for b in shuffle_bytes]
    return StageMetrics(stage_id=7, attempt_id=0, name="join", tasks=tasks)


def app_of(*stages: StageMetrics, nodes: tuple[str, ...] = ()) -> ApplicationMetrics:
    return ApplicationMetrics("app-1", list(stages), [SqlPlanNode(1, name) for name in nodes])


# --- skew ---------------------------------------------------------------------------------------

def test_few_keys_over_many_partitions_is_skew_although_the_median_task_reads_nothing():
    stage = stage_reading([0] * 62 + [95_000_000, 5_000_000])  # 21 keys, 95 % on one, 64 partitions

    (finding,) = skew(app_of(stage), Thresholds())

    assert stage.median("shuffle_read_bytes") == 0
    assert (finding.metric, finding.value) == ("largest task share of shuffle read bytes", 0.95)
    assert finding.crossed() and "62 of which read nothing" in finding.evidence


def test_all_tasks_empty_but_one_is_skew():
    (finding,) = skew(app_of(stage_reading([0] * 63 + [40_000_000])), Thresholds())

    assert (finding.metric, finding.value) == ("largest task share of shuffle read bytes", 1.0)


def test_one_hot_task_among_many_busy_ones_is_reported_by_max_over_median():
    (finding,) = skew(app_of(stage_reading([1_000_000] * 15 + [30_000_000])), Thresholds())

    assert (finding.metric, finding.value) == ("max/median non-empty task shuffle read bytes", 30.0)


def test_a_single_task_is_never_skew_whatever_the_minimum_task_count():
    single = stage_reading([40_000_000])

    assert skew(app_of(single), Thresholds()) == []
    assert skew(app_of(single), Thresholds(skew_min_tasks=1)) == []


def test_zero_bytes_everywhere_is_not_skew_and_does_not_divide_by_zero():
    assert skew(app_of(stage_reading([0] * 64)), Thresholds()) == []
    assert analyze(app_of(stage_reading([0] * 64), StageMetrics(8, 0, "empty")), Thresholds()) == []


def test_skew_on_input_bytes_is_reported_when_shuffle_bytes_are_even():
    tasks = [TaskMetrics(duration_ms=SLOW_MS, input_bytes=b, shuffle_read_bytes=1_000) for b in [0] * 30 + [9, 1]]

    (finding,) = skew(app_of(StageMetrics(2, 0, "scan", tasks)), Thresholds())

    assert finding.metric == "largest task share of input bytes" and finding.value == 0.9


@pytest.mark.parametrize("shuffle_bytes", [
    [10_000_000] * 64,  # uniform
    [0] * 56 + [10_000_000] * 8,  # 8 keys over 64 partitions, evenly spread: idle cores, not skew
    [0] * 62 + [5_000_000] * 2,  # two equal halves: no task carries more than half
    [3_000_000] + [1_000_000] * 7,  # the busiest task reads 3x the median: below the ratio
])
def test_healthy_shapes_are_not_skew(shuffle_bytes):
    assert skew(app_of(stage_reading(shuffle_bytes)), Thresholds()) == []


def test_a_skewed_but_short_stage_is_not_reported():
    fast = stage_reading([0] * 63 + [40_000_000], duration_ms=100)

    assert skew(app_of(fast), LAPTOP_THRESHOLDS) == []


@settings(max_examples=200, deadline=None)
@given(busy=st.integers(2, 64), idle=st.integers(0, 200), size=st.integers(1, 10**12))
def test_evenly_spread_tasks_are_never_skew_however_many_are_empty(busy, idle, size):
    assert skew(app_of(stage_reading([size] * busy + [0] * idle)), Thresholds()) == []


# --- the other rules at the same extremes ---------------------------------------------------------

@pytest.mark.parametrize("rule", [skew, spill, garbage_collection, small_files, explode_blow_up])
def test_every_rule_is_silent_on_a_stage_without_tasks_and_on_one_that_read_zero_bytes(rule):
    app = app_of(StageMetrics(1, 0, "empty"), stage_reading([0] * 8), nodes=("Generate",))

    assert rule(app, Thresholds()) == []


def test_spill_of_a_single_task_is_reported():
    (finding,) = spill(app_of(stage_reading([0], disk_spilled_bytes=1, memory_spilled_bytes=4)), Thresholds())

    assert finding.value == 1 and finding.crossed()


def test_gc_pressure_needs_the_median_task_too_not_one_long_pause():
    one_pause = StageMetrics(3, 0, "agg", [TaskMetrics(duration_ms=SLOW_MS, run_time_ms=SLOW_MS, gc_time_ms=g)
                                           for g in [0] * 7 + [SLOW_MS]])
    all_tasks = StageMetrics(4, 0, "agg", [TaskMetrics(duration_ms=SLOW_MS, run_time_ms=SLOW_MS, gc_time_ms=SLOW_MS / 5)
                                           for _ in range(8)])

    assert garbage_collection(app_of(one_pause), Thresholds()) == []
    assert [f.stage_id for f in garbage_collection(app_of(all_tasks), Thresholds())] == [4]


def test_small_files_counts_only_tasks_that_wrote_and_a_single_writer_is_not_many_files():
    one_writer = StageMetrics(5, 0, "write", [TaskMetrics(duration_ms=1, output_bytes=1)] + [TaskMetrics(1)] * 500)
    many = StageMetrics(6, 0, "write", [TaskMetrics(duration_ms=1, output_bytes=1_000)] * 200)

    assert small_files(app_of(one_writer), Thresholds()) == []
    assert [f.stage_id for f in small_files(app_of(many), Thresholds())] == [6]


def test_explode_with_zero_rows_in_is_not_a_blow_up():
    no_input = StageMetrics(9, 0, "generate", [TaskMetrics(duration_ms=1, output_records=1_000)])

    assert explode_blow_up(app_of(no_input, nodes=("Generate",)), Thresholds()) == []
