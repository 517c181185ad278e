"""The conflict retry: which errors it retries, how long it waits, and when it gives up.

The retry against two real Delta writers is in tests/incidents/test_concurrent_writes.py.
"""
from __future__ import annotations

import random

import pytest

from production_playbooks.delta_retry import (
    ConflictRetriesExhaustedError,
    InvalidRetryPolicyError,
    RetryPolicy,
    delta_conflict_name,
    run_with_conflict_retry,
)

# The first line of what a Py4JJavaError's text holds when Delta rejects a commit.
APPEND_CONFLICT = (": io.delta.exceptions.ConcurrentAppendException: [DELTA_CONCURRENT_APPEND] "
                   "ConcurrentAppendException: Files were added to partition [plant=B] by a concurrent update.")


@pytest.mark.parametrize(
    ("text", "conflict"),
    [
        (APPEND_CONFLICT, "ConcurrentAppendException"),
        ("[DELTA_CONCURRENT_DELETE_READ] This transaction attempted to read ...", "ConcurrentDeleteReadException"),
        ("[DELTA_METADATA_CHANGED] MetadataChangedException: ...", "MetadataChangedException"),
        ("[CAST_INVALID_INPUT] The value 'n/a' of the type \"STRING\" cannot be cast", None),
        ("io.delta.exceptions.ProtocolChangedException: The protocol version ...", None),  # needs a human
    ],
)
def test_only_delta_conflicts_that_a_rerun_resolves_are_recognised(text, conflict):
    assert delta_conflict_name(RuntimeError(text)) == conflict


def test_errors_that_are_not_delta_conflicts_are_raised_at_once_without_a_retry():
    calls = []

    def operation() -> None:
        calls.append(1)
        raise ValueError("[CAST_INVALID_INPUT] The value 'n/a' cannot be cast")

    with pytest.raises(ValueError, match="CAST_INVALID_INPUT"):
        run_with_conflict_retry(operation, RetryPolicy(max_attempts=5), sleep=lambda _: None)
    assert calls == [1]


def test_a_conflict_is_retried_after_an_exponential_backoff_until_the_operation_commits():
    failures = [RuntimeError(APPEND_CONFLICT), RuntimeError(APPEND_CONFLICT)]
    waits: list[float] = []
    seen: list[tuple[int, str, float]] = []

    def operation() -> str:
        if failures:
            raise failures.pop(0)
        return "committed"

    outcome = run_with_conflict_retry(
        operation, RetryPolicy(max_attempts=5, base_delay_s=1.0, jitter=0.0), sleep=waits.append,
        on_conflict=lambda attempt, conflict, delay: seen.append((attempt, conflict, delay)),
    )

    assert (outcome.value, outcome.attempts) == ("committed", 3)
    assert outcome.conflicts == ("ConcurrentAppendException", "ConcurrentAppendException")
    assert waits == [1.0, 2.0]
    assert seen == [(1, "ConcurrentAppendException", 1.0), (2, "ConcurrentAppendException", 2.0)]


def test_after_the_last_attempt_the_error_names_every_conflict_and_chains_the_last_one():
    def operation() -> None:
        raise RuntimeError(APPEND_CONFLICT)

    with pytest.raises(ConflictRetriesExhaustedError, match="within 3 attempts") as raised:
        run_with_conflict_retry(operation, RetryPolicy(max_attempts=3), sleep=lambda _: None)
    assert raised.value.conflicts == ("ConcurrentAppendException",) * 3
    assert "DELTA_CONCURRENT_APPEND" in str(raised.value.__cause__)


def test_jitter_spreads_each_delay_within_its_bounds_and_the_cap_holds():
    policy = RetryPolicy(max_attempts=8, base_delay_s=1.0, max_delay_s=10.0, jitter=0.5)
    rng = random.Random(7)
    for retry, plain in enumerate(policy.delays(), start=1):
        assert plain == min(10.0, 2.0 ** (retry - 1))
        assert 0.5 * plain <= policy.delay_before_retry(retry, rng) <= 1.5 * plain


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"max_attempts": 0}, "RetryPolicy.max_attempts: expected an int >= 1, got 0"),
        ({"base_delay_s": -1.0}, "RetryPolicy.base_delay_s: expected a number >= 0, got -1.0"),
        ({"base_delay_s": 5.0, "max_delay_s": 1.0}, "RetryPolicy.max_delay_s: expected a number >= base_delay_s"),
        ({"jitter": 2.0}, r"RetryPolicy.jitter: expected a number in \[0, 1\], got 2.0"),
    ],
)
def test_a_policy_out_of_range_is_refused_with_what_was_expected(settings, message):
    with pytest.raises(InvalidRetryPolicyError, match=message):
        RetryPolicy(**settings)
