"""Keys looked up only on the machine types that carry them, without losing anything: the registry learns
the groups per key (and migrates a registry that predates the column), extraction skips the map scan on
other rows, and an entry on an unexpected machine type (a new type, a firmware that adds a key) lands in
the long lane with a reason. Map entries in = entries in key columns + long lane + quarantined rows."""
from __future__ import annotations

import datetime as dt

import pytest
from chispa import assert_df_equality
from helpers import READINGS_SCHEMA, flattening_tables
from pyspark.sql import functions as F

from delta_schema_evolution import (
    UNEXTRACTED_KEYS,
    FlatteningSettings,
    SchemaInputError,
    discover_keys,
    extract_registered_keys,
    progressive_flatten,
)
from delta_schema_evolution.flattening.key_extraction import EXTRACTED_ENTRIES
from delta_schema_evolution.flattening.key_registry import (
    DiscoveredKey,
    read_registry,
    registered_key_groups,
    registered_keys,
    update_key_registry,
)
from delta_schema_evolution.flattening.long_lane import explode_unextracted_entries

SCHEMA = READINGS_SCHEMA
MONDAY, TUESDAY = dt.datetime(2026, 11, 16, 6), dt.datetime(2026, 11, 17, 6)
OLD_REGISTRY_SCHEMA = ("key STRING NOT NULL, first_seen TIMESTAMP, last_seen TIMESTAMP, inferred_type STRING, "
                       "status STRING, observations BIGINT")  # the registry as written before `groups` existed
KEYS = {"force_kn": "int", "spindle_rpm": "int", "firmware": "string"}
KEY_GROUPS = {"force_kn": ("press",), "spindle_rpm": ("lathe",), "firmware": ("lathe", "press")}


def non_null_cells(frame, columns) -> int:
    return frame.select(sum(F.col(c).isNotNull().cast("int") for c in columns).alias("n")).groupBy().sum("n").first()[0]


def map_entries(frame) -> int:
    return frame.select(F.sum(F.coalesce(F.size("customExtension"), F.lit(0)))).first()[0]


def test_discovery_records_which_machine_types_carry_each_key(spark):
    readings = spark.createDataFrame([
        (1, "press", {"force_kn": "120", "firmware": "fw-1"}),
        (2, "lathe", {"spindle_rpm": "900", "firmware": "fw-2"}),
        (3, "mill", {"spindle_rpm": "4000"}),
        (4, None, {"coolant": "ok"}),                  # a row without a machine type: coolant is looked up everywhere
    ], SCHEMA)

    by_key = {k.key: k.groups for k in discover_keys(readings, "customExtension", group_column="machine_type")}

    assert by_key == {"force_kn": ("press",), "firmware": ("lathe", "press"), "spindle_rpm": ("lathe", "mill"),
                      "coolant": None}
    assert {k.groups for k in discover_keys(readings, "customExtension")} == {None}  # no group column: unchanged API
    with pytest.raises(SchemaInputError, match="reading_id: expected a string group column, got int"):
        discover_keys(readings, "customExtension", group_column="reading_id")


def test_a_registry_without_the_groups_column_is_migrated_and_its_old_keys_stay_looked_up_everywhere(spark, tmp_path):
    registry = str(tmp_path / "registry")
    spark.createDataFrame([("firmware", MONDAY, MONDAY, "string", "registered", 4)],
                          OLD_REGISTRY_SCHEMA).write.format("delta").save(registry)
    assert registered_key_groups(spark, registry) == {"firmware": None}  # readable before the migration

    update = update_key_registry(spark, registry, [DiscoveredKey("firmware", 2, "string", groups=("press",)),
                                                   DiscoveredKey("force_kn", 2, "int", groups=("press",))], TUESDAY)

    assert update.migrated and update.new_keys == ["force_kn"]
    assert "groups" in spark.read.format("delta").load(registry).columns
    assert registered_key_groups(spark, registry) == {"firmware": None, "force_kn": ("press",)}
    assert read_registry(spark, registry)["firmware"]["observations"] == 6

    again = update_key_registry(spark, registry, [DiscoveredKey("force_kn", 1, "int", groups=("stamping_line",))])

    assert not again.migrated and again.groups_added == {"force_kn": ["stamping_line"]}
    assert registered_key_groups(spark, registry)["force_kn"] == ("press", "stamping_line")  # groups only grow
    assert registered_keys(spark, registry) == {"firmware": "string", "force_kn": "int"}


def test_a_registered_key_on_an_unexpected_machine_type_is_not_lost_but_routed_to_the_long_lane(spark):
    readings = spark.createDataFrame([
        (1, "press", {"force_kn": "120", "firmware": "fw-1"}),                       # hot path: 2 entries, 2 found
        (2, "lathe", {"spindle_rpm": "900", "firmware": "fw-2"}),                    # hot path
        (3, "laser", {"spindle_rpm": "20000", "firmware": "fw-3", "focus_mm": "1.5"}),  # new machine type
        (4, "press", {"force_kn": "130", "firmware": "fw-1", "spindle_rpm": "50"}),  # a firmware adds spindle_rpm
        (5, "lathe", {"spindle_rpm": None, "firmware": "fw-2"}),                     # a null value
        (6, None, {"firmware": "fw-9"}),                                             # no machine type
        (7, "lathe", None),                                                          # no map at all
    ], SCHEMA)

    flat = extract_registered_keys(readings, "customExtension", KEYS, group_column="machine_type",
                                   key_groups=KEY_GROUPS)

    plan = flat._jdf.queryExecution().executedPlan().toString()
    assert "Generate" not in plan and "Exchange" not in plan  # still one projection ...
    assert plan.startswith("*(1) Project")                     # ... compiled whole-stage (no lambda in it)
    rows = {r["reading_id"]: r for r in flat.collect()}
    # the risk: the guarded lookups alone leave these entries in no column ...
    assert (rows[3]["ext_spindle_rpm"], rows[3]["ext_firmware"], rows[4]["ext_spindle_rpm"]) == (None, None, None)
    # ... so every entry no column took is kept, and only rows whose counts differ pay for finding them
    assert {i: (r[EXTRACTED_ENTRIES], sorted(r[UNEXTRACTED_KEYS])) for i, r in rows.items()} == {
        1: (2, []), 2: (2, []),
        3: (0, ["firmware", "focus_mm", "spindle_rpm"]),
        4: (2, ["spindle_rpm"]),
        5: (1, ["spindle_rpm"]),
        6: (0, ["firmware"]),
        7: (0, []),
    }
    lane = explode_unextracted_entries(flat, "customExtension", UNEXTRACTED_KEYS, ["reading_id"], KEYS, "machine_type")
    expected = spark.createDataFrame([
        (3, "firmware", "fw-3", "registered key, not known on machine_type laser"),
        (3, "focus_mm", "1.5", "unregistered key"),
        (3, "spindle_rpm", "20000", "registered key, not known on machine_type laser"),
        (4, "spindle_rpm", "50", "registered key, not known on machine_type press"),
        (5, "spindle_rpm", None, "null value"),
        (6, "firmware", "fw-9", "registered key, not known on machine_type null"),
    ], lane.schema)
    assert_df_equality(lane, expected, ignore_row_order=True)
    assert map_entries(readings) == 13 == non_null_cells(flat, ["ext_force_kn", "ext_spindle_rpm",
                                                                  "ext_firmware"]) + lane.count()


def test_key_groups_need_the_group_column(spark):
    readings = spark.createDataFrame([(1, "press", {"force_kn": "120"})], SCHEMA)
    with pytest.raises(SchemaInputError, match="group_column: expected the group column that key_groups refers to"):
        extract_registered_keys(readings, "customExtension", KEYS, key_groups=KEY_GROUPS)
    with pytest.raises(SchemaInputError, match=r"group_column: expected one of \['reading_id', 'machine_type'\]"):
        extract_registered_keys(readings, "customExtension", KEYS, group_column="line", key_groups=KEY_GROUPS)


MONDAY_BATCH = [  # the sample (first 4 rows) teaches the registry which machine types carry which keys
    (1, "press", {"force_kn": "120", "firmware": "fw-1"}),
    (2, "press", {"force_kn": "125", "firmware": "fw-1"}),
    (3, "lathe", {"spindle_rpm": "900", "firmware": "fw-2"}),
    (4, "lathe", {"spindle_rpm": "950", "firmware": "fw-2"}),
    (5, "laser", {"spindle_rpm": "20000", "firmware": "fw-3", "focus_mm": "1.5"}),  # outside the sample
    (6, "press", {"force_kn": "130", "firmware": "fw-1", "spindle_rpm": "50"}),     # a firmware adds a key
    (7, "lathe", {"spindle_rpm": None, "firmware": "fw-2"}),                        # a null value
    (8, "press", {"force_kn": "heavy", "firmware": "fw-1"}),                        # quarantined: not an int
]
TUESDAY_BATCH = [  # the laser is in this sample: the registry learns it
    (9, "laser", {"spindle_rpm": "21000", "firmware": "fw-3"}),
    (10, "laser", {"spindle_rpm": "22000", "firmware": "fw-3"}),
]


def test_progressive_flatten_with_a_group_column_keeps_every_entry_and_learns_new_machine_types(spark, tmp_path):
    tables = flattening_tables(tmp_path)
    settings = FlatteningSettings(sample_rows=4, min_share=0.3, group_column="machine_type")
    batch = spark.createDataFrame(MONDAY_BATCH, SCHEMA)

    monday = progressive_flatten(spark, batch, "customExtension", ["reading_id"], tables, settings, MONDAY)

    assert monday.key_groups == {"firmware": ("lathe", "press"), "force_kn": ("press",), "spindle_rpm": ("lathe",)}
    assert (monday.rows_in, monday.rows_written, monday.rows_quarantined) == (8, 7, 1)
    entries = (monday.entries_in, monday.entries_flat, monday.dynamic_entries, monday.entries_quarantined)
    assert entries == (18, 11, 5, 2)
    assert monday.entries_in == monday.entries_flat + monday.dynamic_entries + monday.entries_quarantined
    assert monday.dynamic_reasons == {"registered key, not known on machine_type laser": 2, "unregistered key": 1,
                                      "registered key, not known on machine_type press": 1, "null value": 1}
    flat = spark.read.format("delta").load(tables.flat)
    dynamic = spark.read.format("delta").load(tables.dynamic)
    quarantined_entries = spark.read.format("delta").load(tables.quarantine).select(
        F.size(F.from_json(F.get_json_object("payload", "$.customExtension"), "map<string,string>"))).first()[0]
    assert map_entries(batch) == 18 == (non_null_cells(flat, ["ext_firmware", "ext_force_kn", "ext_spindle_rpm"])
                                        + dynamic.count() + quarantined_entries)

    tuesday = progressive_flatten(spark, spark.createDataFrame(TUESDAY_BATCH, SCHEMA), "customExtension",
                                  ["reading_id"], tables, settings, TUESDAY)

    assert tuesday.key_groups["spindle_rpm"] == ("laser", "lathe")
    assert (tuesday.entries_in, tuesday.entries_flat, tuesday.dynamic_entries) == (4, 4, 0)
    laser = {r["reading_id"]: r["ext_spindle_rpm"] for r in spark.read.format("delta").load(tables.flat)
             .where("machine_type = 'laser'").collect()}
    assert laser == {5: None, 9: 21000, 10: 22000}  # reading 5's value stays in the long lane, nowhere twice


def test_progressive_flatten_migrates_an_old_registry_and_looks_its_keys_up_everywhere(spark, tmp_path):
    tables = flattening_tables(tmp_path)
    spark.createDataFrame([("firmware", MONDAY, MONDAY, "string", "registered", 4)],
                          OLD_REGISTRY_SCHEMA).write.format("delta").save(tables.registry)
    settings = FlatteningSettings(sample_rows=2, min_share=0.3, group_column="machine_type")
    batch = spark.createDataFrame([(1, "press", {"force_kn": "120", "firmware": "fw-1"}),
                                   (2, "press", {"force_kn": "125", "firmware": "fw-1"}),
                                   (3, "laser", {"firmware": "fw-3"})], SCHEMA)

    report = progressive_flatten(spark, batch, "customExtension", ["reading_id"], tables, settings, TUESDAY)

    assert report.registry_migrated
    assert report.key_groups == {"firmware": None, "force_kn": ("press",)}
    assert (report.entries_in, report.entries_flat, report.dynamic_entries) == (5, 5, 0)
