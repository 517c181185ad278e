"""Case study 2: a firmware rollout at one plant changes a field.

BER1 rolls firmware 3.0.0 out to its CNC M-0102: the event gains ``spindle_load_pct`` and
``vibration_mm_s`` becomes a string ("2.61", or "n/a" while the sensor warms up). The plant's
readings table, loaded from the payloads as they are, stops with Delta's type conflict. Composed
fix: 08's topic-contract check names the breaking change before deploy; 02's policy merges the
compatible part (new column, numeric strings cast) and quarantines the rest with the reason.
"""
from __future__ import annotations

import pytest
from chispa import assert_df_equality
from helpers import firmware_2_batch, firmware_3_batch, firmware_3_schema, payloads
from pyspark.errors import AnalysisException

from delta_schema_evolution import parse_delta_error
from iot_streaming_pipeline import (
    PipelinePaths,
    ensure_pipeline_tables,
    load_environment_config,
    silver_settings,
    to_bronze,
    write_silver_batch,
)
from plant_case_studies import (
    CaseStudyInputError,
    merge_firmware_payloads,
    payloads_as_read,
    review_firmware_schema,
)
from plant_data_quality import DataQualityError
from plant_data_quality.topic_contracts import require_compatible, sensor_event_json_schema


@pytest.fixture
def readings(spark, tmp_path):
    """The plant's readings table after the firmware 2.4.1 batch, and its quarantine path."""
    table, quarantine = str(tmp_path / "plant_readings"), str(tmp_path / "plant_readings_quarantine")
    merge_firmware_payloads(spark, payloads(spark, firmware_2_batch()), table, quarantine)
    return table, quarantine


def test_the_rollout_batch_stops_the_readings_append_with_delta_type_conflict(spark, readings):
    table, _ = readings
    batch = payloads_as_read(spark, payloads(spark, firmware_3_batch()))

    with pytest.raises(AnalysisException) as failure:
        batch.write.format("delta").mode("append").option("mergeSchema", "true").save(table)

    parsed = parse_delta_error(failure.value)
    assert (parsed.error_class, parsed.field_path) == ("DELTA_FAILED_TO_MERGE_FIELDS", "vibration_mm_s")
    assert "DELTA_MERGE_INCOMPATIBLE_DATATYPE" in parsed.cause_classes
    assert (parsed.table_type, parsed.incoming_type) == ("double", "string")
    assert spark.read.format("delta").load(table).count() == 3  # nothing of the batch landed, for any plant


def test_the_streaming_silver_keeps_the_rollout_readings_but_only_in_quarantine(spark, tmp_path):
    paths = PipelinePaths.under(str(tmp_path / "medallion"))
    settings = silver_settings(load_environment_config("dev", overrides={"storage": {"root": paths.root}}))
    ensure_pipeline_tables(spark, paths, settings.extension_fields)
    records = payloads(spark, firmware_3_batch()).selectExpr(
        "CAST(NULL AS BINARY) AS key", "CAST(value AS BINARY) AS value", "'plant.sensor-readings.v1' AS topic",
        "0 AS partition", "CAST(monotonically_increasing_id() AS BIGINT) AS offset", "current_timestamp() AS timestamp")

    counts = write_silver_batch(spark, to_bronze(records, "dev"), 0, paths, settings)

    assert (counts["rows_in"], counts["silver"], counts["quarantine"]) == (4, 2, 2)
    quarantined = spark.read.format("delta").load(paths.quarantine)
    assert {r.quarantine_reason for r in quarantined.collect()} == {"malformed_json"}  # the CNC goes dark in silver
    assert quarantined.where("raw_value LIKE '%firmware_version\": \"3.0.0%'").count() == 2  # kept, not lost


def test_the_topic_contract_check_names_the_breaking_change_before_deploy():
    current = sensor_event_json_schema()

    review = review_firmware_schema(current, firmware_3_schema(current))

    assert [(c.kind, c.path) for c in review.breaking] == [("type_changed", "vibration_mm_s")]
    assert review.added_fields == ("spindle_load_pct",)  # adding an optional field is compatible
    with pytest.raises(DataQualityError, match=r"1 breaking change\(s\): type_changed at vibration_mm_s"):
        require_compatible(review.breaking)


def test_the_rollout_batch_merges_its_compatible_part_and_quarantines_the_rest_with_the_reason(spark, readings):
    table, quarantine = readings

    report = merge_firmware_payloads(spark, payloads(spark, firmware_3_batch()), table, quarantine)

    assert (report.rows_in, report.rows_merged, report.rows_quarantined) == (4, 3, 1)
    assert report.rows_in == report.rows_merged + report.rows_quarantined
    assert {(a.path, a.action) for a in report.actions} == {("vibration_mm_s", "safe_cast"),
                                                            ("spindle_load_pct", "add_column")}
    expected = spark.createDataFrame([
        ("fw2-e1", 2.5, None), ("fw2-e2", 2.5, None), ("fw2-e3", 2.5, None),   # before the rollout
        ("fw3-e1", 2.5, None),    # BER1's press, still on firmware 2.4.1
        ("fw3-e2", 2.61, 41.5),   # the CNC on 3.0.0: "2.61" cast to the table's double, new column
        ("fw3-e4", 2.5, None),    # MTY1, unchanged
    ], "event_id string, vibration_mm_s double, spindle_load_pct double")
    assert_df_equality(spark.read.format("delta").load(table).select(*expected.columns), expected,
                       ignore_row_order=True, ignore_nullable=True)
    rejected = spark.read.format("delta").load(quarantine).collect()
    assert [(r.reason, '"event_id":"fw3-e3"' in r.payload) for r in rejected] == [
        ("vibration_mm_s: value n/a (string) does not fit double", True)]


def test_reloading_the_rollout_batch_merges_the_same_rows_again_without_duplicates(spark, readings):
    table, quarantine = readings
    merge_firmware_payloads(spark, payloads(spark, firmware_3_batch()), table, quarantine)

    again = merge_firmware_payloads(spark, payloads(spark, firmware_3_batch()), table, quarantine)

    assert (again.rows_merged, again.rows_quarantined) == (3, 1)
    assert spark.read.format("delta").load(table).count() == 6  # MERGE on event_id: nothing twice


def test_payloads_without_the_value_column_are_refused_by_name(spark, tmp_path):
    wrong = spark.createDataFrame([("{}",)], "payload string")

    with pytest.raises(CaseStudyInputError, match=r"expected a payload column 'value', got columns \['payload'\]"):
        merge_firmware_payloads(spark, wrong, str(tmp_path / "t"), str(tmp_path / "q"))
