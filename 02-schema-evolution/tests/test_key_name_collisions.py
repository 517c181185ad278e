"""A firmware update renames a key so that its column name collides with a registered key's after
sanitising (``spindle-rpm`` beside ``spindle_rpm``: both ``ext_spindle_rpm``). The colliding key gets its
own deterministic column, the registry never ends up in a state that fails the next batch, and a batch
that fails leaves the registry as it was."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from delta.tables import DeltaTable
from helpers import READINGS_SCHEMA, flattening_tables

from delta_schema_evolution import FlatteningSettings, FlatteningTables, progressive_flatten

SCHEMA = READINGS_SCHEMA
MONDAY, TUESDAY, WEDNESDAY = dt.datetime(2026, 11, 16, 6), dt.datetime(2026, 11, 17, 6), dt.datetime(2026, 11, 18, 6)
SETTINGS = FlatteningSettings(min_share=0.3)

OLD_FIRMWARE = [(1, "lathe", {"spindle_rpm": "900"}), (2, "lathe", {"spindle_rpm": "950"})]
NEW_FIRMWARE = [
    (3, "lathe", {"spindle-rpm": "1000"}),                        # renamed key: same column name after sanitising
    (4, "lathe", {"spindle-rpm": "1010", "spindle_rpm": "1005"}),  # a gateway still sending both
]
CLEAN = [(5, "lathe", {"spindle_rpm": "990"}), (6, "lathe", {"spindle_rpm": "995"})]


@pytest.fixture
def tables(tmp_path):
    return flattening_tables(tmp_path)


def flatten(spark, rows, tables, seen_at):
    return progressive_flatten(spark, spark.createDataFrame(rows, SCHEMA), "customExtension", ["reading_id"],
                               tables, SETTINGS, seen_at=seen_at)


def test_a_renamed_key_whose_column_collides_gets_its_own_column_and_the_next_clean_batch_runs(spark, tables):
    flatten(spark, OLD_FIRMWARE, tables, MONDAY)

    renamed = flatten(spark, NEW_FIRMWARE, tables, TUESDAY)
    clean = flatten(spark, CLEAN, tables, WEDNESDAY)

    assert renamed.keys_registered == ["spindle-rpm"]
    assert renamed.columns_added == ["ext_spindle_rpm_2"]
    assert (renamed.rows_in, renamed.rows_written, renamed.rows_quarantined) == (2, 2, 0)
    assert renamed.entries_in == renamed.entries_flat + renamed.dynamic_entries + renamed.entries_quarantined == 3
    assert (clean.rows_in, clean.rows_written, clean.rows_quarantined) == (2, 2, 0)
    flat = {r["reading_id"]: (r["ext_spindle_rpm"], r["ext_spindle_rpm_2"])
            for r in spark.read.format("delta").load(tables.flat).collect()}
    assert flat == {1: (900, None), 2: (950, None), 3: (None, 1000), 4: (1005, 1010), 5: (990, None),
                    6: (995, None)}
    columns = {r["key"]: r["column_name"] for r in spark.read.format("delta").load(tables.registry).collect()}
    assert columns == {"spindle_rpm": "ext_spindle_rpm", "spindle-rpm": "ext_spindle_rpm_2"}


def test_the_first_registered_key_keeps_its_column_whichever_name_sorts_first(spark, tables):
    flatten(spark, [(1, "lathe", {"spindle-rpm": "900"})], tables, MONDAY)   # the dashed name came first here

    flatten(spark, [(2, "lathe", {"spindle_rpm": "950", "Spindle-RPM": "951"})], tables, TUESDAY)

    columns = {r["key"]: r["column_name"] for r in spark.read.format("delta").load(tables.registry).collect()}
    assert columns == {"spindle-rpm": "ext_spindle_rpm", "Spindle-RPM": "ext_Spindle_RPM_2",
                       "spindle_rpm": "ext_spindle_rpm_3"}


def test_a_batch_that_fails_to_write_leaves_the_registry_as_it_was(spark, tables, tmp_path):
    flatten(spark, OLD_FIRMWARE, tables, MONDAY)
    version = DeltaTable.forPath(spark, tables.registry).history(1).first()["version"]
    unwritable = tmp_path / "not-a-table"
    unwritable.write_text("a file where the flat table should be")
    broken = FlatteningTables(registry=tables.registry, flat=str(unwritable), quarantine=tables.quarantine,
                              dynamic=tables.dynamic)

    with pytest.raises(Exception):  # noqa: B017, PT011 (Spark's own error for a file in the table's place)
        flatten(spark, NEW_FIRMWARE, broken, TUESDAY)

    assert DeltaTable.forPath(spark, tables.registry).history(1).first()["version"] == version
    assert sorted(r["key"] for r in spark.read.format("delta").load(tables.registry).collect()) == ["spindle_rpm"]
    assert Path(unwritable).read_text() == "a file where the flat table should be"
