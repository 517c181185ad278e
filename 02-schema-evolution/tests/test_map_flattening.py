"""Progressive flattening of customExtension: sampled discovery, Delta key registry, getItem extraction."""
from __future__ import annotations

import datetime as dt

import pytest
from pyspark.sql import functions as F

from delta_schema_evolution.errors import SchemaInputError
from delta_schema_evolution.map_flattening import (
    EXTRACTION_REASON,
    DiscoveredKey,
    TableTooWideError,
    TableTooWideWarning,
    discover_keys,
    extract_registered_keys,
    guard_column_count,
    registered_keys,
    update_key_registry,
)

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
        DiscoveredKey("spindle_rpm", 2, "bigint"),
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
