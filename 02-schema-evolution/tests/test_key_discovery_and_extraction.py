"""Progressive flattening of customExtension: sampled discovery, Delta key registry, getItem and from_json
extraction with failures flagged for quarantine, the column guard."""
from __future__ import annotations

import datetime as dt

import pytest
from pyspark.sql import functions as F

from delta_schema_evolution import (
    SchemaInputError,
    TableTooWideError,
    TableTooWideWarning,
    discover_keys,
    extract_registered_keys,
)
from delta_schema_evolution.flattening.column_guard import guard_column_count
from delta_schema_evolution.flattening.key_extraction import EXTRACTION_REASON
from delta_schema_evolution.flattening.key_registry import DiscoveredKey, registered_keys, update_key_registry

SCHEMA = "reading_id INT, machine_type STRING, customExtension MAP<STRING,STRING>"


def test_keys_are_discovered_from_a_sample_with_their_inferred_types(spark):
    readings = spark.createDataFrame([
        (1, "press", {"spindle_rpm": "1200", "coolant": "ok"}),
        (2, "press", {"spindle_rpm": "1250", "temp_c": "71.5"}),
        (3, "lathe", {"temp_c": "70", "door_open": "false"}),
    ], SCHEMA)
    assert discover_keys(readings, "customExtension") == [
        DiscoveredKey("coolant", 1, "string"),
        DiscoveredKey("door_open", 1, "boolean"),
        DiscoveredKey("spindle_rpm", 2, "int"),
        DiscoveredKey("temp_c", 2, "double"),
    ]


def test_the_registry_keeps_first_seen_and_moves_last_seen(spark, tmp_path):
    registry = str(tmp_path / "registry")
    monday, tuesday = dt.datetime(2026, 11, 16, 6), dt.datetime(2026, 11, 17, 6)
    update_key_registry(spark, registry, [DiscoveredKey("spindle_rpm", 2, "bigint")], seen_at=monday)
    update_key_registry(spark, registry, [DiscoveredKey("spindle_rpm", 3, "bigint"),
                                          DiscoveredKey("temp_c", 1, "double")], seen_at=tuesday)

    rows = {r["key"]: r for r in spark.read.format("delta").load(registry).collect()}
    assert (rows["spindle_rpm"]["first_seen"], rows["spindle_rpm"]["last_seen"]) == (monday, tuesday)
    assert rows["spindle_rpm"]["observations"] == 5
    assert (rows["temp_c"]["first_seen"], rows["temp_c"]["status"]) == (tuesday, "registered")
    assert registered_keys(spark, registry) == {"spindle_rpm": "bigint", "temp_c": "double"}


def test_extraction_uses_getitem_without_explode_or_shuffle_and_flags_values_that_fail_the_cast(spark):
    readings = spark.createDataFrame([
        (1, "press", {"spindle_rpm": "1200", "temp_c": "71.5"}),  # both cast
        (2, "press", {"spindle_rpm": "n/a"}),                    # rpm fails: flagged, temp_c absent is not a failure
        (3, "lathe", {}),                                         # no keys: all null, nothing flagged
    ], SCHEMA)

    flat = extract_registered_keys(readings, "customExtension", {"spindle_rpm": "bigint", "temp_c": "double"})

    plan = flat._jdf.queryExecution().executedPlan().toString()
    assert "Generate" not in plan and "Exchange" not in plan  # no explode, no shuffle
    rows = {r["reading_id"]: r for r in flat.collect()}
    assert (rows[1]["ext_spindle_rpm"], rows[1]["ext_temp_c"], rows[1][EXTRACTION_REASON]) == (1200, 71.5, None)
    assert rows[2][EXTRACTION_REASON] == "spindle_rpm: n/a is not bigint"
    assert rows[3][EXTRACTION_REASON] is None
    good, quarantined = flat.where(F.col(EXTRACTION_REASON).isNull()), flat.where(F.col(EXTRACTION_REASON).isNotNull())
    assert readings.count() == good.count() + quarantined.count() == 3


def test_rare_keys_are_proposed_as_dynamic_not_as_columns(spark):
    readings = spark.createDataFrame([
        (1, "press", {"spindle_rpm": "1200"}),
        (2, "press", {"spindle_rpm": "1250", "alarm_E17": "overheat"}),  # alarm_E17: 1 row in 4
        (3, "lathe", {"spindle_rpm": "900"}),
        (4, "lathe", {"spindle_rpm": "950"}),
    ], SCHEMA)
    statuses = {k.key: k.status for k in discover_keys(readings, "customExtension", min_share=0.5)}
    assert statuses == {"spindle_rpm": "registered", "alarm_E17": "dynamic"}


def test_json_values_are_parsed_with_from_json_and_parse_failures_are_flagged_with_the_reason(spark):
    tool_type = "struct<`id`:string,`wear`:double>"
    readings = spark.createDataFrame([
        (1, "press", {"tool": '{"id": "T1", "wear": 0.1}', "temps": "[70.5, 71]"}),  # both parse
        (2, "press", {"tool": "not json"}),                                           # malformed
        (3, "lathe", {"tool": '{"id": "T2", "wear": "worn"}'}),                      # wear is not a double
        (4, "lathe", {"tool": '{"id": "T3", "wear": 0.3, "vendor": "acme"}'}),       # field the schema lacks
        (5, "mill", {"temps": "[oops"}),                                              # malformed array
        (6, "mill", {}),                                                              # nothing to parse
    ], SCHEMA)

    flat = extract_registered_keys(readings, "customExtension", {"tool": tool_type, "temps": "array<double>"})

    plan = flat._jdf.queryExecution().executedPlan().toString()
    assert "Generate" not in plan and "Exchange" not in plan
    rows = {r["reading_id"]: r for r in flat.collect()}
    assert rows[1]["ext_tool"].asDict() == {"id": "T1", "wear": 0.1} and rows[1]["ext_temps"] == [70.5, 71.0]
    assert rows[1][EXTRACTION_REASON] is None and rows[6][EXTRACTION_REASON] is None
    assert rows[2][EXTRACTION_REASON] == f"tool: not json does not parse as {tool_type}"
    assert rows[3][EXTRACTION_REASON] == f'tool: {{"id": "T2", "wear": "worn"}} does not parse as {tool_type}'
    assert rows[4][EXTRACTION_REASON].startswith('tool: {"id": "T3", "wear": 0.3, "vendor": "acme"} does not parse')
    assert rows[5][EXTRACTION_REASON] == "temps: [oops does not parse as array<double>"
    assert "_corrupt_record" not in flat.schema["ext_tool"].dataType.fieldNames()


def test_only_map_string_string_columns_are_accepted(spark):
    frame = spark.createDataFrame([(1, {"a": 1})], "id INT, ext MAP<STRING,INT>")
    with pytest.raises(SchemaInputError, match="ext: expected map<string,string>, got map<string,int>"):
        discover_keys(frame, "ext")


def test_the_column_guard_warns_then_refuses():
    assert guard_column_count(100, 20, warn_at=400, fail_at=1000) == 120
    with pytest.warns(TableTooWideWarning, match="column count 410 reached the warning threshold 400"):
        guard_column_count(390, 20, warn_at=400, fail_at=1000)
    with pytest.raises(TableTooWideError, match="expected at most 1000, got 1010"):
        guard_column_count(990, 20, warn_at=400, fail_at=1000)
