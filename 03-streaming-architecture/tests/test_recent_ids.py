"""The remembered dedup ids: a batch adds a small run, runs merge like a binary counter, old runs expire."""
from __future__ import annotations

import datetime as dt

from iot_streaming_pipeline.recent_ids import RecentEventIds

HOUR = dt.timedelta(hours=1)
START = dt.datetime(2026, 1, 5, 6, 0)


def ids(spark, names: list[str], at: dt.datetime):
    return spark.createDataFrame([(name, at) for name in names], "event_id string, event_time timestamp")


def test_each_batch_adds_one_run_and_equal_levels_merge_so_a_lookup_scans_few_runs(spark):
    recent = RecentEventIds.starting_from(ids(spark, ["s"], START), START, HOUR)
    for batch in range(7):
        at = START + dt.timedelta(minutes=batch)
        recent = recent.adding(ids(spark, [f"e{batch}"], at), at)

    # the starting run never merges; 7 batches = 0b111 -> runs of 4, 2 and 1 batches
    assert [run.level for run in recent.runs] == [recent.max_level, 2, 1, 0]
    assert sorted(r.event_id for r in recent.within(START + dt.timedelta(minutes=6)).collect()) == [
        "e0", "e1", "e2", "e3", "e4", "e5", "e6", "s"]


def test_ids_older_than_the_horizon_are_not_returned_and_a_run_entirely_older_is_dropped(spark):
    recent = RecentEventIds.starting_from(ids(spark, ["old"], START), START, HOUR)
    recent = recent.adding(ids(spark, ["a"], START + dt.timedelta(minutes=30)), START + dt.timedelta(minutes=30))
    later = START + dt.timedelta(minutes=90)

    assert [r.event_id for r in recent.within(later).collect()] == ["a"]  # "old" (06:00) < 07:30 - 1 h
    recent = recent.adding(ids(spark, ["b"], later), later)
    assert [run.newest for run in recent.runs] == [later]  # the 06:00 run is gone; "a" and "b" merged
    assert sorted(r.event_id for r in recent.within(later).collect()) == ["a", "b"]


def test_runs_stop_merging_at_the_maximum_level(spark):
    recent = RecentEventIds(HOUR, max_level=1)
    for batch in range(4):
        recent = recent.adding(ids(spark, [f"e{batch}"], START), START)

    assert [run.level for run in recent.runs] == [1, 1]
    assert recent.within(START).count() == 4
