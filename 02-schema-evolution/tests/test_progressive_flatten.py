"""progressive_flatten end to end on real Delta, two batches a day apart: keys registered, extracted,
widened, promoted; JSON parsed; bad values quarantined; dynamic keys exploded; rows in = written + quarantined."""
from __future__ import annotations

import datetime as dt

import pytest
from chispa import assert_df_equality
from delta.tables import DeltaTable
from helpers import READINGS_SCHEMA, flattening_tables
from pyspark.sql import functions as F

from delta_schema_evolution import FlatteningSettings, SchemaInputError, progressive_flatten

SCHEMA = READINGS_SCHEMA
MONDAY, TUESDAY = dt.datetime(2026, 11, 16, 6), dt.datetime(2026, 11, 17, 6)
SETTINGS = FlatteningSettings(min_share=0.3, zorder_by=("machine_type",))  # a key needs 2 of 6 sampled rows
TOOL = "struct<`id`:string,`wear`:double>"

MONDAY_BATCH = [
    (1, "press", {"spindle_rpm": "1200", "temp_c": "71.5", "tool": '{"id": "T1", "wear": 0.1}'}),
    (2, "press", {"spindle_rpm": "1250", "temp_c": "70.0", "tool": '{"id": "T2", "wear": 0.2}'}),
    (3, "lathe", {"spindle_rpm": "900", "temp_c": "65.2", "alarm_E17": "overheat"}),  # alarm_E17: rare, dynamic
    (4, "lathe", {"spindle_rpm": "950"}),
    (5, "mill", {"temp_c": "80.1", "tool": '{"id": "T3", "wear": 0.5}'}),
    (6, "mill", {}),
]
TUESDAY_BATCH = [
    (7, "press", {"spindle_rpm": "3000000000", "temp_c": "72.0", "door_open": "true"}),  # rpm needs bigint
    (8, "press", {"spindle_rpm": "1300", "temp_c": "n/a", "door_open": "false"}),       # quarantined: temp_c
    (9, "lathe", {"spindle_rpm": "1000", "tool": '{"id": "T4", "wear": "worn"}', "door_open": "true"}),  # quarantined
    (10, "lathe", {"alarm_E17": "overheat", "alarm_E42": "coolant low", "door_open": "false"}),  # E42 stays dynamic
    (11, "mill", {"temp_c": "81.0", "door_open": "true", "tool": '{"id": "T5", "wear": 0.4}'}),
    (12, "mill", {"temp_c": "79.5", "alarm_E17": "overheat"}),  # alarm_E17 now in 2 of 6 rows: promoted
]


@pytest.fixture
def tables(tmp_path):
    return flattening_tables(tmp_path)


def test_two_batches_register_extract_widen_promote_quarantine_and_explode_only_dynamic_keys(spark, tables):
    monday = progressive_flatten(spark, spark.createDataFrame(MONDAY_BATCH, SCHEMA), "customExtension",
                                 ["reading_id"], tables, SETTINGS, seen_at=MONDAY)

    assert (monday.rows_in, monday.rows_written, monday.rows_quarantined) == (6, 6, 0)
    assert monday.rows_in == monday.rows_written + monday.rows_quarantined
    entries = (monday.entries_in, monday.entries_flat, monday.dynamic_entries, monday.entries_quarantined)
    assert entries == (12, 11, 1, 0)
    assert monday.keys_found == ["alarm_E17", "spindle_rpm", "temp_c", "tool"]
    assert monday.keys_extracted == ["spindle_rpm", "temp_c", "tool"]
    assert (monday.keys_dynamic, monday.dynamic_entries) == (["alarm_E17"], 1)
    flat_schema = {f.name: f.dataType.simpleString() for f in spark.read.format("delta").load(tables.flat).schema}
    assert flat_schema == {"reading_id": "int", "machine_type": "string", "ext_spindle_rpm": "int",
                           "ext_temp_c": "double", "ext_tool": "struct<id:string,wear:double>"}

    tuesday = progressive_flatten(spark, spark.createDataFrame(TUESDAY_BATCH, SCHEMA), "customExtension",
                                  ["reading_id"], tables, SETTINGS, seen_at=TUESDAY)

    assert (tuesday.rows_in, tuesday.rows_written, tuesday.rows_quarantined) == (6, 4, 2)
    assert tuesday.rows_in == tuesday.rows_written + tuesday.rows_quarantined
    assert tuesday.entries_in == tuesday.entries_flat + tuesday.dynamic_entries + tuesday.entries_quarantined
    assert tuesday.keys_registered == ["alarm_E42", "door_open"]  # new in the registry
    assert tuesday.promoted == ["alarm_E17"]                        # dynamic on Monday, a column from Tuesday
    assert tuesday.keys_extracted == ["alarm_E17", "door_open", "spindle_rpm", "temp_c", "tool"]
    assert (tuesday.keys_dynamic, tuesday.dynamic_entries) == (["alarm_E42"], 1)
    assert tuesday.columns_added == ["ext_alarm_E17", "ext_door_open"]
    assert tuesday.columns_widened == {"ext_spindle_rpm": ("int", "bigint")}
    assert tuesday.optimize is not None and tuesday.optimize.files_removed >= 2
    assert tuesday.column_count == 7

    flat = {r["reading_id"]: r for r in spark.read.format("delta").load(tables.flat).collect()}
    assert sorted(flat) == [1, 2, 3, 4, 5, 6, 7, 10, 11, 12]
    assert flat[7]["ext_spindle_rpm"] == 3_000_000_000                        # widened in place
    assert (flat[1]["ext_door_open"], flat[1]["ext_alarm_E17"]) == (None, None)  # old rows: new columns null
    assert (flat[11]["ext_door_open"], flat[11]["ext_tool"]["wear"]) == (True, 0.4)
    history = DeltaTable.forPath(spark, tables.flat).history(1).first()
    assert history["operation"] == "OPTIMIZE" and "machine_type" in history["operationParameters"]["zOrderBy"]

    reasons = {r["reason"] for r in spark.read.format("delta").load(tables.quarantine).collect()}
    assert reasons == {"temp_c: n/a is not double",
                       f'tool: {{"id": "T4", "wear": "worn"}} does not parse as {TOOL}'}
    dynamic = spark.read.format("delta").load(tables.dynamic)
    assert_df_equality(dynamic, spark.createDataFrame([(3, "alarm_E17", "overheat", "unregistered key"),
                                                       (10, "alarm_E42", "coolant low", "unregistered key")],
                                                      dynamic.schema), ignore_row_order=True)

    registry = {r["key"]: r for r in spark.read.format("delta").load(tables.registry).collect()}
    rpm = registry["spindle_rpm"]
    assert (rpm["first_seen"], rpm["last_seen"], rpm["inferred_type"]) == (MONDAY, TUESDAY, "bigint")
    assert (registry["temp_c"]["inferred_type"], registry["tool"]["inferred_type"]) == ("double", TOOL)
    assert (registry["alarm_E17"]["status"], registry["alarm_E42"]["status"]) == ("registered", "dynamic")
    total_in = monday.rows_in + tuesday.rows_in
    assert total_in == len(flat) + spark.read.format("delta").load(tables.quarantine).where(
        F.col("target_table") == tables.flat).count()


def test_inputs_are_checked_before_any_table_is_written(spark, tables):
    batch = spark.createDataFrame(MONDAY_BATCH, SCHEMA)
    with pytest.raises(SchemaInputError, match=r"id_columns: expected at least one column of .*got \['id'\]"):
        progressive_flatten(spark, batch, "customExtension", ["id"], tables, SETTINGS)
    assert not DeltaTable.isDeltaTable(spark, tables.registry)
