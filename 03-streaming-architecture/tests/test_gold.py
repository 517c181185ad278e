"""Gold's contract: one row per (window start, plant, machine), the key the aggregation groups by and the MERGE
matches on, even when a machine is reported under two plant ids in the same minute.

First the production failure, reproduced on the real stack (Kafka -> silver -> a gold MERGE on
(machine_id, window_start)): the second batch touching that minute fails with
``DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE``, and so does every restart. Then the
pipeline's own gold over the same stream.
"""
from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from chispa import assert_df_equality
from delta.tables import DeltaTable
from helpers import pipeline_config
from pyspark.errors import StreamingQueryException
from pyspark.sql import functions as F

from catalog_tools.kafka_io import KafkaMessage, create_topic, produce_messages
from iot_streaming_pipeline import (
    GOLD_KEY,
    PipelinePaths,
    drain_pipeline,
    ensure_pipeline_tables,
    machine_window_aggregates,
    upsert_gold_batch,
)
from iot_streaming_pipeline.gold import gold_merge_condition

SILVER_COLUMNS = "event_time timestamp, plant_id string, machine_id string, temperature_c double, " \
                 "vibration_mm_s double, pressure_bar double"
GOLD_COLUMNS = ("window_start", "plant_id", "machine_id", "event_count", "max_temperature_c")
EXPECTED_SCHEMA = "window_start timestamp, plant_id string, machine_id string, event_count long, " \
                  "max_temperature_c double"


def at(minute: int, second: int) -> dt.datetime:
    return dt.datetime(2026, 1, 5, 6, minute, second)


def silver_rows(spark, rows: list[tuple]):
    return spark.createDataFrame([(t, p, m, temp, 1.0, 5.0) for t, p, m, temp in rows], SILVER_COLUMNS)


# --- the contract, on batch DataFrames ------------------------------------------------------------------------

def test_the_merge_matches_on_every_column_the_aggregation_groups_by_and_nothing_else(spark):
    silver = silver_rows(spark, [
        (at(0, 5), "P1", "M1", 50.0),
        (at(0, 10), "P2", "M1", 51.0),   # same machine, same minute, another plant
        (at(0, 20), "P1", "M2", 52.0),
        (at(0, 30), None, "M3", 53.0),   # no plant id: its own group
        (at(0, 40), None, "M3", 54.0),
        (at(1, 0), "P1", "M1", 55.0),    # next minute
    ])
    groups = {(r.event_time.replace(second=0), r.plant_id, r.machine_id) for r in silver.collect()}

    aggregates = machine_window_aggregates(silver, "1 minute", 600)

    assert GOLD_KEY == ("window_start", "plant_id", "machine_id")
    assert gold_merge_condition().split(" AND ") == [f"gold.{k} <=> updates.{k}" for k in GOLD_KEY]
    assert aggregates.count() == aggregates.select(*GOLD_KEY).distinct().count() == len(groups) == 5


def test_merging_a_later_batch_into_gold_updates_each_plant_machine_minute_in_place(spark, delta_path):
    first = silver_rows(spark, [(at(0, 5), "P1", "M1", 50.0), (at(0, 10), "P2", "M1", 51.0),
                                (at(0, 15), None, "M3", 53.0)])
    both = first.unionByName(silver_rows(spark, [(at(0, 30), "P1", "M1", 60.0), (at(0, 40), "P2", "M1", 61.0),
                                                 (at(0, 45), None, "M3", 63.0)]))

    machine_window_aggregates(first, "1 minute", 600).limit(0).write.format("delta").save(delta_path)

    upsert_gold_batch(spark, machine_window_aggregates(first, "1 minute", 600), delta_path)
    upsert_gold_batch(spark, machine_window_aggregates(both, "1 minute", 600), delta_path)  # the totals so far
    upsert_gold_batch(spark, machine_window_aggregates(both, "1 minute", 600), delta_path)  # a replay

    expected = spark.createDataFrame([
        (at(0, 0), "P1", "M1", 2, 60.0),
        (at(0, 0), "P2", "M1", 2, 61.0),
        (at(0, 0), None, "M3", 2, 63.0),  # null plant matched again (<=>), not inserted twice
    ], EXPECTED_SCHEMA)
    gold = spark.read.format("delta").load(delta_path).select(*GOLD_COLUMNS)
    assert_df_equality(gold, expected, ignore_row_order=True, ignore_nullable=True)


# --- the production failure and the fix, on Kafka -> silver -> gold ----------------------------------------------

def sensor_message(event_id: str, plant_id: str | None, machine_id: str, when: dt.datetime,
                   temperature: float) -> KafkaMessage:
    event = {"event_id": event_id, "machine_id": machine_id, "event_time": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
             "temperature_c": temperature, "vibration_mm_s": 1.0, "pressure_bar": 5.0}
    if plant_id is not None:
        event["plant_id"] = plant_id
    return KafkaMessage(machine_id.encode(), json.dumps(event).encode())


# Machine M1 reports under plant P1 and, in the same minute, under P2 (a gateway misconfigured, or the
# machine moved); M3 reports without a plant id. Two rounds: two gold batches touch the same minute.
# Beside them, what silver keeps out of gold: a cut-off record, a re-sent event, an event 20 minutes late.
# (The README's "one call" shows these records and what they become.)
ROUND_1 = [sensor_message("e1", "P1", "M1", at(0, 5), 50.0), sensor_message("e2", "P2", "M1", at(0, 10), 51.0),
           sensor_message("e3", "P1", "M2", at(0, 20), 52.0), sensor_message("e4", None, "M3", at(0, 15), 53.0),
           KafkaMessage(b"M2", b'{"event_id": "e8", "machine_')]
ROUND_2 = [sensor_message("e5", "P1", "M1", at(0, 30), 60.0), sensor_message("e6", "P2", "M1", at(0, 40), 61.0),
           sensor_message("e7", None, "M3", at(0, 45), 63.0), sensor_message("e1", "P1", "M1", at(0, 5), 50.0),
           sensor_message("e9", "P1", "M2", dt.datetime(2026, 1, 5, 5, 40, 0), 49.0)]


def gold_on_machine_and_window(spark, paths: PipelinePaths, target: str):
    """Gold as it was: grouped by (window, plant, machine), merged on (machine_id, window_start)."""

    def naive_upsert(batch, _batch_id):
        (DeltaTable.forPath(spark, target).alias("gold")
         .merge(batch.alias("updates"), "gold.machine_id = updates.machine_id AND "
                                        "gold.window_start = updates.window_start")
         .whenMatchedUpdateAll().whenNotMatchedInsertAll().execute())

    aggregates = machine_window_aggregates(spark.readStream.format("delta").load(paths.silver), "1 minute", 600)
    return (aggregates.writeStream.queryName("gold-on-machine-and-window").outputMode("update")
            .foreachBatch(naive_upsert).option("checkpointLocation", paths.checkpoint("gold-on-machine-and-window"))
            .trigger(availableNow=True).start())


def error_of(query) -> str | None:
    try:
        query.awaitTermination()
    except StreamingQueryException as error:
        return str(error)
    return None


@pytest.fixture(scope="module")
def machine_moved_mid_minute(spark, kafka, tmp_path_factory):
    """Two rounds produced to Kafka; after each, silver and gold catch up, and so does a gold merged the old way."""
    root, topic = tmp_path_factory.mktemp("moved"), f"machine-moved-{dt.datetime.now().strftime('%H%M%S%f')}"
    client = kafka.client_config()
    create_topic(topic, client, partitions=1)
    config = pipeline_config(root, kafka.plaintext_bootstrap, topic, silver_source="kafka")
    paths = PipelinePaths.under(config.storage_root)
    ensure_pipeline_tables(spark, paths, config.extension_fields)
    old_gold = paths.table("gold_on_machine_and_window")
    DeltaTable.createIfNotExists(spark).location(old_gold).addColumns(
        spark.read.format("delta").load(paths.gold).schema).execute()
    errors = []
    for messages in (ROUND_1, ROUND_2):
        produce_messages(messages, topic, client)
        drain_pipeline(spark, config, credentials=None)
        errors.append(error_of(gold_on_machine_and_window(spark, paths, old_gold)))
    errors.append(error_of(gold_on_machine_and_window(spark, paths, old_gold)))  # a restart from the checkpoint
    return SimpleNamespace(paths=paths, old_gold_errors=errors)


@pytest.mark.kafka
def test_merging_on_machine_and_window_fails_the_second_batch_of_the_minute_and_every_restart(
        machine_moved_mid_minute):
    first, second, restart = machine_moved_mid_minute.old_gold_errors

    assert first is None  # an empty target: both plants' rows are inserted
    assert "DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE" in second
    assert "DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE" in restart


@pytest.mark.kafka
def test_gold_keeps_one_row_per_plant_machine_minute_when_a_machine_moves_mid_minute(spark, machine_moved_mid_minute):
    paths = machine_moved_mid_minute.paths
    silver = spark.read.format("delta").load(paths.silver)
    gold = spark.read.format("delta").load(paths.gold)

    expected = spark.createDataFrame([
        (at(0, 0), "P1", "M1", 2, 60.0),
        (at(0, 0), "P2", "M1", 2, 61.0),
        (at(0, 0), "P1", "M2", 1, 52.0),
        (at(0, 0), None, "M3", 2, 63.0),
    ], EXPECTED_SCHEMA)
    assert_df_equality(gold.select(*GOLD_COLUMNS), expected, ignore_row_order=True, ignore_nullable=True)
    assert gold.agg(F.sum("event_count")).first()[0] == silver.count() == 7


@pytest.mark.kafka
def test_every_record_lands_in_exactly_one_table_with_its_reason(spark, machine_moved_mid_minute):
    paths = machine_moved_mid_minute.paths
    table = lambda path: spark.read.format("delta").load(path)  # noqa: E731

    assert [r.quarantine_reason for r in table(paths.quarantine).collect()] == ["malformed_json"]
    assert [(r.event_id, r.duplicate_of) for r in table(paths.duplicates).collect()] == [("e1", "duplicate_of_earlier")]
    assert [r.event_id for r in table(paths.late_events).collect()] == ["e9"]
    assert table(paths.bronze).count() == len(ROUND_1) + len(ROUND_2) == 7 + 1 + 1 + 1
