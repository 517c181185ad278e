"""The medallion on the real broker over SASL_SSL: every produced message lands once, in exactly one place."""
from __future__ import annotations

import datetime as dt

from helpers import expected_outcome, pipeline_config, produce_with_broker_time, topic_offsets
from pyspark.sql import Row
from pyspark.sql import functions as F

from iot_streaming_pipeline.bronze import to_bronze
from iot_streaming_pipeline.checkpoints import consumer_lag, read_committed_offsets
from iot_streaming_pipeline.config import kafka_credentials_from_env
from iot_streaming_pipeline.layout import PipelinePaths
from iot_streaming_pipeline.pipeline import drain_pipeline
from iot_streaming_pipeline.silver import with_batch_id
from iot_streaming_pipeline.silver_ledger import ledger_totals
from iot_streaming_pipeline.tables import KAFKA_SOURCE_SCHEMA
from iot_streaming_pipeline.validation import parse_and_validate

T0 = dt.datetime(2026, 1, 5, 6, 0)


def kafka_row(offset: int, value: str) -> Row:
    return Row(key=b"BER1-L1-M01", value=value.encode(), topic="t", partition=0, offset=offset,
               timestamp=T0, timestampType=0)


def event(event_id: str | None, machine_id: str | None = "BER1-L1-M01", temperature: float = 50.0,
          event_time: str = "2026-01-05T06:00:00.000Z", extension: str = '{"tool_id": "T001"}') -> str:
    fields = [f'"event_time": "{event_time}"', f'"temperature_c": {temperature}', f'"customExtension": {extension}']
    fields += [f'"event_id": "{event_id}"'] if event_id else []
    fields += [f'"machine_id": "{machine_id}"'] if machine_id else []
    return "{" + ", ".join(fields) + "}"


def test_validation_names_the_reason_of_every_bad_row_and_extracts_registered_keys(spark):
    rows = [
        kafka_row(0, event("e1", extension='{"tool_id": "T7", "spindle_load_pct": "61.5", "new_key": "x"}')),  # valid
        kafka_row(1, '{"event_id": "e2", "machine_'),                      # cut in half
        kafka_row(2, event(None)),                                         # no event id
        kafka_row(3, event("e4", machine_id=None)),                        # no machine id
        kafka_row(4, event("e5", event_time="yesterday")),                 # unparseable time
        kafka_row(5, event("e6", temperature=9999.0)),                     # impossible temperature
        kafka_row(6, event("e7", extension='{"spindle_load_pct": "n/a"}')),  # valid; bad extension value -> null
        kafka_row(7, event("e8").replace('"temperature_c": 50.0', '"temperature_c": "hot"')),  # text for a number
        kafka_row(8, "[1, 2]"),                                            # JSON, but not an object
    ]
    bronze = to_bronze(spark.createDataFrame(rows, KAFKA_SOURCE_SCHEMA), "test")

    checked = parse_and_validate(bronze, {"temperature_c": (-40.0, 400.0)},
                                 {"tool_id": "string", "spindle_load_pct": "double"})
    result = {r.kafka_offset: r for r in checked.collect()}

    assert [result[o].quarantine_reason for o in range(9)] == [
        None, "malformed_json", "missing_event_id", "missing_machine_id", "missing_or_invalid_event_time",
        "out_of_range:temperature_c", None, "malformed_json", "malformed_json"]
    assert (result[0].ext_tool_id, result[0].ext_spindle_load_pct) == ("T7", 61.5)
    assert result[0].custom_extension["new_key"] == "x"  # unregistered keys stay in the map
    assert result[6].ext_spindle_load_pct is None


def test_generated_events_over_sasl_ssl_reach_bronze_silver_quarantine_late_and_gold(
        spark, kafka_sasl_ssl, unique_topic, generated_batch, tmp_path):
    broker = kafka_sasl_ssl
    produced = produce_with_broker_time(generated_batch, unique_topic, broker.client_config(user="iot-app"))
    config = pipeline_config(tmp_path / "lake", broker.sasl_ssl_bootstrap, unique_topic,
                             security_protocol="SASL_SSL", truststore_pem_path=str(broker.ca_file),
                             max_offsets_per_trigger=120, silver_source="bronze")  # the kill test and demo read Kafka
    credentials = kafka_credentials_from_env(config.kafka, {
        "IOT_KAFKA_USERNAME": "iot-app", "IOT_KAFKA_PASSWORD": broker.user("iot-app").password})
    expected = expected_outcome(generated_batch.messages)

    drain_pipeline(spark, config, credentials)

    paths = PipelinePaths.under(config.storage_root)
    table = lambda path: spark.read.format("delta").load(path)  # noqa: E731
    bronze, silver, quarantine, late = (table(paths.bronze), table(paths.silver), table(paths.quarantine),
                                        table(paths.late_events))
    ledger = ledger_totals(spark, paths)
    duplicates_removed = table(paths.duplicates).count()

    assert produced == generated_batch.counts.total_messages == 210
    assert bronze.count() == produced
    assert bronze.select("kafka_partition", "kafka_offset").distinct().count() == produced
    assert bronze.count() == silver.count() + quarantine.count() + late.count() + duplicates_removed
    assert ledger["rows_in"] == bronze.count()
    assert ledger["duplicate_in_batch"] + ledger["duplicate_of_earlier"] == duplicates_removed
    assert {r.event_id for r in silver.select("event_id").collect()} == expected.on_time_ids
    assert {r.event_id for r in late.select("event_id").collect()} == expected.late_ids
    assert (quarantine.count(), duplicates_removed) == (expected.quarantined, expected.duplicates)
    assert len(expected.late_ids) == generated_batch.counts.late == 6
    assert table(paths.gold).agg(F.sum("event_count")).first()[0] == silver.count()
    # the checkpoint reports what bronze committed, and nothing is left to read
    committed = read_committed_offsets(paths.checkpoint("bronze")).kafka_offsets()
    earliest, latest = topic_offsets(unique_topic, broker.client_config(user="iot-app"))
    assert committed == {unique_topic: {0: produced}}
    assert consumer_lag(committed, earliest, latest) == {unique_topic: {0: 0}}


def test_the_batch_id_goes_next_to_the_writer_after_parsing(spark):
    """Added after the cached parse, so the parsing code is the same in every batch (ADR-008)."""
    rows = spark.createDataFrame([("e1", "dev-silver", "silver")],
                                 "event_id string, silver_app_id string, disposition string")

    tagged = with_batch_id(rows, 7)

    assert tagged.columns == ["event_id", "silver_app_id", "silver_batch_id", "disposition"]
    assert (tagged.first().silver_batch_id, dict(tagged.dtypes)["silver_batch_id"]) == (7, "bigint")
