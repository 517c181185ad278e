"""Read limits and triggers are checked before a query starts; the failures they prevent are reproduced first."""
from __future__ import annotations

import pytest

from iot_streaming_pipeline.errors import InvalidPipelineConfigError
from iot_streaming_pipeline.trigger_options import ReadLimits, UnsupportedTriggerError, trigger_arguments


def test_only_the_limits_that_are_set_become_kafka_source_options():
    limits = ReadLimits(max_offsets_per_trigger=50_000, min_offsets_per_trigger=5_000, max_trigger_delay="30s",
                        min_partitions=4)

    assert limits.source_options() == {"maxOffsetsPerTrigger": "50000", "minOffsetsPerTrigger": "5000",
                                       "maxTriggerDelay": "30s", "minPartitions": "4"}
    assert ReadLimits().source_options() == {}


@pytest.mark.parametrize(("limits", "message"), [
    ({"max_offsets_per_trigger": 0}, "max_offsets_per_trigger: expected a whole number >= 1 or None, got 0"),
    ({"min_partitions": True}, "min_partitions: expected a whole number >= 1 or None, got True"),
    ({"min_offsets_per_trigger": 10, "max_offsets_per_trigger": 5}, "got 10 > 5"),
    ({"max_trigger_delay": "30s"}, "expected only together with min_offsets_per_trigger"),
    ({"min_offsets_per_trigger": 10, "max_trigger_delay": "30 seconds"}, "expected a Spark duration such as '30s'"),
])
def test_impossible_or_silently_ignored_limits_are_named(limits, message):
    with pytest.raises(InvalidPipelineConfigError, match=message):
        ReadLimits(**limits)


def test_spark_checks_min_against_max_when_the_stream_is_defined_but_lets_a_zero_limit_through(spark):
    def define(options: dict[str, str]) -> None:
        spark.readStream.format("kafka").options(**{
            "kafka.bootstrap.servers": "127.0.0.1:9", "subscribe": "t"}, **options).load()

    with pytest.raises(Exception, match=r"minOffsetPerTrigger\(10\) is higher than the maxOffsetsPerTrigger\(5\)"):
        define({"minOffsetsPerTrigger": "10", "maxOffsetsPerTrigger": "5"})
    define({"maxOffsetsPerTrigger": "0", "minOffsetsPerTrigger": "0"})  # accepted here, although meaningless

    with pytest.raises(InvalidPipelineConfigError, match="got 10 > 5"):
        ReadLimits(min_offsets_per_trigger=10, max_offsets_per_trigger=5)
    with pytest.raises(InvalidPipelineConfigError, match="max_offsets_per_trigger: expected a whole number >= 1"):
        ReadLimits(max_offsets_per_trigger=0)


def test_micro_batch_triggers_map_to_writer_arguments():
    assert trigger_arguments("availableNow") == {"availableNow": True}
    assert trigger_arguments("0 seconds") == {"processingTime": "0 seconds"}
    assert trigger_arguments("5 minutes") == {"processingTime": "5 minutes"}
    with pytest.raises(UnsupportedTriggerError, match="expected 'availableNow' or '<n> seconds|minutes', got '1s'"):
        trigger_arguments("1s")


def test_continuous_processing_fails_the_delta_sink_only_at_run_time_so_it_is_refused_up_front(spark, tmp_path):
    query = (spark.readStream.format("rate").load().writeStream.format("delta")
             .option("checkpointLocation", str(tmp_path / "checkpoint"))
             .trigger(continuous="1 second").start(str(tmp_path / "table")))
    try:
        query.awaitTermination(120)  # it starts, then dies: the Delta sink runs micro-batches only
        failure = "query did not fail"
    except Exception as error:  # noqa: BLE001 - StreamingQueryException, through Py4J
        failure = str(error)
    finally:
        query.stop()

    assert "Unknown type of trigger: ContinuousTrigger" in failure
    with pytest.raises(UnsupportedTriggerError, match="ContinuousTrigger"):
        trigger_arguments("continuous 1 second")
