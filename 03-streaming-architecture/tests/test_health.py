"""Health check: a query that stopped making progress is named, and lag is totalled against a limit."""
from __future__ import annotations

import datetime as dt

import pytest

from iot_streaming_pipeline.errors import InvalidInputError
from iot_streaming_pipeline.monitoring import assess_health

NOW = dt.datetime(2026, 1, 5, 6, 10)


def test_a_query_silent_longer_than_the_limit_is_reported_stalled():
    last_progress = {
        "bronze": NOW - dt.timedelta(seconds=5),    # fine
        "silver": NOW - dt.timedelta(seconds=300),  # stuck for five minutes
    }

    health = assess_health(last_progress, NOW, max_silence_s=120, lag={"t": {0: 0, 1: 0}}, max_lag=1000)

    assert health.stalled_queries == ["silver"]
    assert not health.healthy


def test_lag_over_the_limit_is_unhealthy_even_when_every_query_moves():
    health = assess_health({"bronze": NOW}, NOW, max_silence_s=120, lag={"t": {0: 900, 1: 300}}, max_lag=1000)

    assert (health.lag_total, health.healthy) == (1200, False)
    assert assess_health({"bronze": NOW}, NOW, 120, {"t": {0: 10}}, 1000).healthy


def test_limits_are_checked_first():
    with pytest.raises(InvalidInputError, match="expected max_silence_s > 0"):
        assess_health({}, NOW, max_silence_s=0, lag={}, max_lag=0)
