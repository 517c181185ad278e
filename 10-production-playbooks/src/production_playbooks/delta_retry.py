"""Retry a Delta write that lost an optimistic-concurrency race, with exponential backoff and jitter.

Delta Lake commits optimistically: a writer reads a snapshot, writes files, and at commit time checks
whether a concurrent commit touched what it read. If one did, the commit fails with a
``ConcurrentAppendException``, ``ConcurrentDeleteReadException`` (and a few siblings) and nothing
was written. Running the whole operation again (a fresh ``DeltaTable.forPath`` / ``spark.read``
inside ``operation``, so it reads the new snapshot) is the documented fix. The operation must be
safe to repeat: a MERGE, an UPDATE, a DELETE or a ``replaceWhere`` overwrite is; a blind append
that already committed is not, and never fails with these conflicts anyway.

The conflict is recognised from the error text, so this module needs neither ``delta`` nor
``pyspark``: from Python, Delta's JVM exception arrives as a ``Py4JJavaError`` whose text names
``io.delta.exceptions.ConcurrentAppendException`` and the error class ``[DELTA_CONCURRENT_APPEND]``.

Example::

    from production_playbooks import RetryPolicy, run_with_conflict_retry

    def upsert_late_readings() -> None:
        target = DeltaTable.forPath(spark, "/lake/silver/readings")  # fresh snapshot per attempt
        target.alias("t").merge(late.alias("s"), "t.reading_id = s.reading_id") \\
            .whenMatchedUpdateAll().whenNotMatchedInsertAll().execute()

    outcome = run_with_conflict_retry(upsert_late_readings, RetryPolicy(max_attempts=5))
    print(outcome.attempts, outcome.conflicts)  # 2 ('ConcurrentDeleteReadException',)
"""
from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")

# Conflicts after which running the operation again on a fresh snapshot is correct.
RETRYABLE_DELTA_CONFLICTS = (
    "ConcurrentAppendException",
    "ConcurrentDeleteReadException",
    "ConcurrentDeleteDeleteException",
    "ConcurrentWriteException",
    "MetadataChangedException",
)
# Error classes Delta 3.x/4.x puts in front of the same exceptions' messages.
DELTA_CONFLICT_ERROR_CLASSES = {
    "DELTA_CONCURRENT_APPEND": "ConcurrentAppendException",
    "DELTA_CONCURRENT_DELETE_READ": "ConcurrentDeleteReadException",
    "DELTA_CONCURRENT_DELETE_DELETE": "ConcurrentDeleteDeleteException",
    "DELTA_CONCURRENT_WRITE": "ConcurrentWriteException",
    "DELTA_METADATA_CHANGED": "MetadataChangedException",
}
_CONFLICT_NAME = re.compile(r"\b(" + "|".join(RETRYABLE_DELTA_CONFLICTS) + r")\b")
_CONFLICT_CLASS = re.compile(r"\[(" + "|".join(DELTA_CONFLICT_ERROR_CLASSES) + r")\]")


class InvalidRetryPolicyError(ValueError):
    """A retry policy value is out of range; the message shows the expected range and the value."""


class ConflictRetriesExhaustedError(RuntimeError):
    """Every attempt lost a concurrency race; ``__cause__`` is the last conflict."""

    def __init__(self, attempts: int, conflicts: tuple[str, ...]):
        super().__init__(
            f"expected the operation to commit within {attempts} attempts, "
            f"but every attempt hit a Delta write conflict: {list(conflicts)}"
        )
        self.attempts = attempts
        self.conflicts = conflicts


def delta_conflict_name(error: BaseException) -> str | None:
    """Return the retryable Delta conflict ``error`` carries (e.g. ``'ConcurrentAppendException'``), else None.

    Example::

        >>> delta_conflict_name(RuntimeError("[DELTA_CONCURRENT_DELETE_READ] ConcurrentDeleteReadException: ..."))
        'ConcurrentDeleteReadException'
        >>> delta_conflict_name(ValueError("[CAST_INVALID_INPUT] ...")) is None
        True
    """
    text = str(error)
    by_name = _CONFLICT_NAME.search(text)
    if by_name:
        return by_name.group(1)
    by_class = _CONFLICT_CLASS.search(text)
    return DELTA_CONFLICT_ERROR_CLASSES[by_class.group(1)] if by_class else None


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry.

    The delay before retry ``n`` (1-based) is ``min(max_delay_s, base_delay_s * 2 ** (n - 1))``,
    then spread by up to ``jitter`` of itself either way, so two writers that collided do not
    collide again in lockstep.

    Example::

        >>> RetryPolicy(max_attempts=4, base_delay_s=0.5, jitter=0.0).delays()
        [0.5, 1.0, 2.0]
    """

    max_attempts: int = 5
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0
    jitter: float = 0.5

    def __post_init__(self) -> None:
        checks = [
            ("max_attempts", self.max_attempts, "an int >= 1",
             isinstance(self.max_attempts, int) and self.max_attempts >= 1),
            ("base_delay_s", self.base_delay_s, "a number >= 0", self.base_delay_s >= 0),
            ("max_delay_s", self.max_delay_s, f"a number >= base_delay_s ({self.base_delay_s})",
             self.max_delay_s >= self.base_delay_s),
            ("jitter", self.jitter, "a number in [0, 1]", 0 <= self.jitter <= 1),
        ]
        for name, value, expected, ok in checks:
            if not ok:
                raise InvalidRetryPolicyError(f"RetryPolicy.{name}: expected {expected}, got {value!r}")

    def delay_before_retry(self, retry: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``retry`` (1-based)."""
        delay = min(self.max_delay_s, self.base_delay_s * 2 ** (retry - 1))
        if self.jitter and rng is not None:
            delay *= 1 + rng.uniform(-self.jitter, self.jitter)
        return delay

    def delays(self) -> list[float]:
        """The delays without jitter, one per retry the policy allows."""
        return [self.delay_before_retry(retry) for retry in range(1, self.max_attempts)]


@dataclass(frozen=True)
class RetryOutcome(Generic[T]):
    """What the operation returned, how many attempts it took and which conflicts it met on the way."""

    value: T
    attempts: int
    conflicts: tuple[str, ...] = field(default=())


def run_with_conflict_retry(
    operation: Callable[[], T],
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
    on_conflict: Callable[[int, str, float], None] | None = None,
) -> RetryOutcome[T]:
    """Run ``operation``; when it fails with a retryable Delta conflict, wait and run it again.

    Any other error is raised at once, unchanged. After ``policy.max_attempts`` conflicts,
    :class:`ConflictRetriesExhaustedError` is raised from the last one. ``on_conflict(attempt,
    conflict, delay_s)`` is called before each wait (log it: it is how on-call sees contention).

    Example::

        outcome = run_with_conflict_retry(lambda: delete_plant(spark, path, "A"), RetryPolicy(max_attempts=3))
    """
    if not callable(operation):
        raise TypeError(f"operation: expected a callable taking no arguments, got {type(operation).__name__}")
    policy = policy or RetryPolicy()
    rng = rng or random.Random()
    conflicts: list[str] = []
    for attempt in range(1, policy.max_attempts + 1):
        try:
            return RetryOutcome(operation(), attempt, tuple(conflicts))
        except Exception as error:  # re-raised below unless it is a Delta conflict
            conflict = delta_conflict_name(error)
            if conflict is None:
                raise
            conflicts.append(conflict)
            if attempt == policy.max_attempts:
                raise ConflictRetriesExhaustedError(attempt, tuple(conflicts)) from error
            delay = policy.delay_before_retry(attempt, rng)
            if on_conflict is not None:
                on_conflict(attempt, conflict, delay)
            sleep(delay)
    raise AssertionError("unreachable: the loop returns or raises")
