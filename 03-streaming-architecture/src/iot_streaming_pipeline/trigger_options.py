"""Backpressure settings of the Kafka source and the trigger, checked before a query starts.

Spark 4.0's Kafka source takes these read limits (option names as in ``spark-sql-kafka-0-10`` 4.0.0):

* ``maxOffsetsPerTrigger``: at most this many records per micro-batch, split over the partitions
  in proportion to their backlog;
* ``minOffsetsPerTrigger`` + ``maxTriggerDelay``: skip a trigger until this many records are
  waiting, but never wait longer than the delay (Spark's default delay: 15m);
* ``minPartitions``: split Kafka partitions into at least this many Spark tasks.

When the stream is defined Spark checks that the minimum is not above the maximum, but lets a zero
limit through, and a ``maxTriggerDelay`` without ``minOffsetsPerTrigger`` is silently ignored.
:class:`ReadLimits` checks all of them up front.
:func:`trigger_arguments` turns the pipeline's trigger setting into ``writeStream.trigger(**kwargs)``
and refuses continuous processing, which neither the Delta sink nor ``foreachBatch`` supports.

Example::

    >>> ReadLimits(max_offsets_per_trigger=50_000, min_partitions=4).source_options()
    {'maxOffsetsPerTrigger': '50000', 'minPartitions': '4'}
    >>> trigger_arguments("availableNow")
    {'availableNow': True}
    >>> trigger_arguments("1 second")
    {'processingTime': '1 second'}
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from iot_streaming_pipeline.errors import InvalidPipelineConfigError

AVAILABLE_NOW = "availableNow"
PROCESSING_TIME = re.compile(r"^\d+ (second|seconds|minute|minutes)$")
SPARK_DURATION = re.compile(r"^\d+(ms|s|m|min|h|d)$")  # what Spark's maxTriggerDelay parser accepts, e.g. 30s


class UnsupportedTriggerError(InvalidPipelineConfigError):
    """A trigger the pipeline's sinks cannot run (continuous processing), or one that is not spelled right."""


@dataclass(frozen=True)
class ReadLimits:
    """The Kafka source's read limits; ``None`` leaves Spark's default (no limit, no minimum)."""

    max_offsets_per_trigger: int | None = None
    min_offsets_per_trigger: int | None = None
    max_trigger_delay: str | None = None
    min_partitions: int | None = None

    def __post_init__(self) -> None:
        for name in ("max_offsets_per_trigger", "min_offsets_per_trigger", "min_partitions"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise InvalidPipelineConfigError(f"{name}: expected a whole number >= 1 or None, got {value!r}")
        low, high = self.min_offsets_per_trigger, self.max_offsets_per_trigger
        if low is not None and high is not None and low > high:
            raise InvalidPipelineConfigError(
                f"expected min_offsets_per_trigger <= max_offsets_per_trigger, got {low} > {high}")
        if self.max_trigger_delay is not None:
            if self.min_offsets_per_trigger is None:
                raise InvalidPipelineConfigError(
                    f"max_trigger_delay: expected only together with min_offsets_per_trigger (Spark ignores it "
                    f"otherwise), got max_trigger_delay={self.max_trigger_delay!r} alone")
            if not SPARK_DURATION.match(self.max_trigger_delay):
                raise InvalidPipelineConfigError(
                    "max_trigger_delay: expected a Spark duration such as '30s' or '2m', "
                    f"got {self.max_trigger_delay!r}")

    def source_options(self) -> dict[str, str]:
        """The options to add to ``spark.readStream.format("kafka")`` (only the ones that are set)."""
        names = {"max_offsets_per_trigger": "maxOffsetsPerTrigger", "min_offsets_per_trigger": "minOffsetsPerTrigger",
                 "max_trigger_delay": "maxTriggerDelay", "min_partitions": "minPartitions"}
        return {option: str(getattr(self, field)) for field, option in names.items()
                if getattr(self, field) is not None}


def trigger_arguments(trigger: str) -> dict[str, str | bool]:
    """``'availableNow'`` or ``'<n> seconds|minutes'`` -> keyword arguments of ``DataStreamWriter.trigger``."""
    if trigger == AVAILABLE_NOW:
        return {"availableNow": True}
    if PROCESSING_TIME.match(trigger):
        return {"processingTime": trigger}
    if trigger.lower().startswith("continuous"):
        raise UnsupportedTriggerError(
            f"trigger: expected micro-batch ('availableNow' or '<n> seconds'), got {trigger!r}: the Delta sink "
            "fails at run time with 'Unknown type of trigger: ContinuousTrigger' and foreachBatch refuses it")
    raise UnsupportedTriggerError(f"trigger: expected 'availableNow' or '<n> seconds|minutes', got {trigger!r}")
