"""Late data: Spark's watermark drops late rows without a word; silver routes them to late_events instead."""
from __future__ import annotations

from chispa import assert_df_equality
from pyspark.sql import Row
from pyspark.sql import functions as F

from iot_streaming_pipeline.bronze import to_bronze
from iot_streaming_pipeline.gold import start_gold_stream
from iot_streaming_pipeline.layout import PipelinePaths
from iot_streaming_pipeline.silver import (
    CommittedWatermark,
    SilverSettings,
    earlier_event_ids,
    silver_columns,
    write_silver_batch,
)
from iot_streaming_pipeline.silver_ledger import committed_watermark_before
from iot_streaming_pipeline.tables import KAFKA_SOURCE_SCHEMA, ensure_pipeline_tables

SETTINGS = SilverSettings(app_id="late-test", allowed_lateness_seconds=600, dedup_horizon_seconds=3600,
                          metric_ranges={"temperature_c": (-40.0, 400.0)})


def bronze_rows(spark, first_offset: int, events: list[tuple[str, str]]):
    rows = [Row(key=b"M1", value=(f'{{"event_id": "{event_id}", "machine_id": "M1", "plant_id": "BER1", '
                                  f'"event_time": "{time}", "temperature_c": 50}}').encode(),
                topic="t", partition=0, offset=first_offset + i, timestamp=None, timestampType=0)
            for i, (event_id, time) in enumerate(events)]
    return to_bronze(spark.createDataFrame(rows, KAFKA_SOURCE_SCHEMA), "test")


FIRST = [("a", "2026-01-05T06:30:00.000Z"), ("b", "2026-01-05T06:31:00.000Z")]
SECOND = [("c", "2026-01-05T06:31:30.000Z"),  # on time
          ("d", "2026-01-05T06:05:00.000Z")]  # 26 minutes behind 06:31 -> older than the 10-minute watermark


def test_spark_watermark_silently_drops_a_late_row_from_the_aggregate(spark, tmp_path):
    paths = PipelinePaths.under(str(tmp_path))
    ensure_pipeline_tables(spark, paths, {})
    for batch_id, events in enumerate((FIRST, SECOND)):
        # no late routing: every parsed row goes straight into the table gold reads
        parsed = write_silver_input(spark, bronze_rows(spark, batch_id * 10, events), batch_id)
        parsed.write.format("delta").mode("append").save(paths.silver)
        start_gold_stream(spark, paths, "1 minute", 600, None).awaitTermination()  # no error raised

    in_gold = spark.read.format("delta").load(paths.gold).agg(F.sum("event_count")).first()[0]

    assert spark.read.format("delta").load(paths.silver).count() == 4
    assert in_gold == 3  # "d" is gone, and nothing anywhere says so


def write_silver_input(spark, bronze, batch_id: int):
    from iot_streaming_pipeline.validation import parse_and_validate

    checked = (parse_and_validate(bronze, {"temperature_c": (-40.0, 400.0)}, {})
               .withColumn("silver_app_id", F.lit("naive"))
               .withColumn("silver_batch_id", F.lit(batch_id).cast("long")).withColumn("disposition", F.lit("x")))
    return silver_columns(checked)


def test_silver_routes_the_late_row_to_late_events_and_gold_counts_every_silver_row(spark, tmp_path):
    paths = PipelinePaths.under(str(tmp_path))
    ensure_pipeline_tables(spark, paths, {})

    counts = [write_silver_batch(spark, bronze_rows(spark, i * 10, events), i, paths, SETTINGS)
              for i, events in enumerate((FIRST, SECOND))]
    start_gold_stream(spark, paths, "1 minute", 600, None).awaitTermination()

    late = spark.read.format("delta").load(paths.late_events)
    assert [c["late"] for c in counts] == [0, 1]
    assert [r.event_id for r in late.collect()] == ["d"]
    assert spark.read.format("delta").load(paths.silver).count() == 3
    assert spark.read.format("delta").load(paths.gold).agg(F.sum("event_count")).first()[0] == 3


def test_the_remembered_watermark_and_ids_decide_like_the_tables_and_a_replay_reads_the_tables(spark, tmp_path):
    paths = PipelinePaths.under(str(tmp_path))
    ensure_pipeline_tables(spark, paths, {})
    memory = CommittedWatermark()

    counts = [write_silver_batch(spark, bronze_rows(spark, i * 10, events), i, paths, SETTINGS, memory)
              for i, events in enumerate((FIRST, SECOND))]

    assert [c["late"] for c in counts] == [0, 1]  # batch 1 used the remembered 06:31
    assert memory.recall(2) == (True, committed_watermark_before(spark, paths.silver, SETTINGS.app_id, 2))
    assert memory.recall(1) == (False, None)  # a replay of batch 1 recovers it from silver's commits instead
    batch_0_max = spark.read.format("delta").load(paths.silver).where("silver_batch_id = 0").agg(F.max("event_time"))
    assert committed_watermark_before(spark, paths.silver, SETTINGS.app_id, 1) == batch_0_max.first()[0]  # b, 06:31
    # the ids remembered for batch 2 are the ids silver and late_events hold: a, b, c and the late d
    watermark = memory.recall(2)[1]
    assert_df_equality(memory.recent_ids(2).within(watermark), earlier_event_ids(spark, paths, SETTINGS, 2, watermark),
                       ignore_row_order=True, ignore_nullable=True)
    assert memory.recent_ids(1) is None
    resent = write_silver_batch(spark, bronze_rows(spark, 20, SECOND), 2, paths, SETTINGS, memory)
    assert (resent["duplicate_of_earlier"], resent["silver"]) == (2, 0)  # c and d, found in the remembered ids


def test_a_resent_event_older_than_the_dedup_horizon_is_late_not_a_second_silver_row(spark, tmp_path):
    paths = PipelinePaths.under(str(tmp_path))
    ensure_pipeline_tables(spark, paths, {})
    short_horizon = SilverSettings(app_id="late-test", allowed_lateness_seconds=600, dedup_horizon_seconds=600,
                                   metric_ranges={})
    first = [("a", "2026-01-05T06:00:00.000Z"), ("b", "2026-01-05T07:00:00.000Z")]  # watermark now 06:50
    memory = CommittedWatermark()

    write_silver_batch(spark, bronze_rows(spark, 0, first), 0, paths, short_horizon, memory)
    resent = write_silver_batch(spark, bronze_rows(spark, 10, first[:1]), 1, paths, short_horizon, memory)

    # "a" (06:00) is older than 06:50 - 10 min: silver's dedup lookup does not reach back that far, and
    # it does not need to: the row is late, so it goes to late_events, never to silver a second time
    assert (resent["late"], resent["duplicate_of_earlier"]) == (1, 0)
    assert [r.event_id for r in spark.read.format("delta").load(paths.silver).collect()].count("a") == 1
    assert [r.event_id for r in spark.read.format("delta").load(paths.late_events).collect()] == ["a"]
