"""OPP program exports dropped in a landing folder: parsed with explicit schemas, bad files
quarantined with their reason, versions kept as history, planned cycle time joined to cycles."""
from __future__ import annotations

import shutil
from datetime import datetime

import pytest
from chispa import assert_df_equality
from helpers import tiny_data_settings
from pyspark.sql import functions as F

from enterprise_integration.opp import (
    DUPLICATE_VERSION_REASON,
    JSON_PROGRAM_SCHEMA,
    apply_program_versions,
    join_cycles_to_plan,
    parse_program_files,
    planned_cycle_times,
    start_program_file_stream,
)


@pytest.fixture(autouse=True, scope="module")
def _tiny_data(spark):
    with tiny_data_settings(spark):
        yield


@pytest.fixture
def samples(load_script):
    return load_script("opp-data-processing/generate_samples.py")


@pytest.fixture
def lake(tmp_path):
    return {name: str(tmp_path / name) for name in ("landing", "history", "quarantine", "checkpoint")}


def run_stream(spark, lake):
    start_program_file_stream(
        spark, lake["landing"], lake["history"], lake["quarantine"], lake["checkpoint"]
    ).awaitTermination()
    return spark.read.format("delta").load(lake["history"]), spark.read.format("delta").load(lake["quarantine"])


def raw_files(spark, folder):
    return (spark.read.format("text").option("wholetext", True).load(folder)
            .select("value", F.col("_metadata.file_path").alias("source_file")))


def test_a_plain_json_read_turns_exports_into_rows_of_nulls_that_name_no_file_and_no_reason(spark, tmp_path, samples):
    samples.write_sample_exports(tmp_path / "landing", programs=2, versions=1)
    plain_schema = JSON_PROGRAM_SCHEMA[:-1]  # no corrupt-record column: what a quick loader writes
    reader = spark.read.schema(plain_schema).option("pathGlobFilter", "*.json")
    rows = reader.json(str(tmp_path / "landing")).collect()
    all_null = [r for r in rows if all(value is None for value in r)]
    # the pretty-printed good export is read line by line: one all-NULL row per line, no program
    good_export_lines = len((tmp_path / "landing" / "MILL-C2-P001_v1.json").read_text().splitlines())
    assert len(all_null) == good_export_lines
    # the wrong-typed version arrives as a version-less program, beside the two other bad files
    others = sorted(rows, key=lambda r: str(r.programId))
    assert [(r.programId, r.version) for r in others if r not in all_null] == [
        ("MILL-C2-P001", None), ("MILL-C2-P001", 6), (None, 8),
    ]


def test_every_file_becomes_a_program_version_or_a_quarantined_file_with_its_reason(spark, lake, samples):
    from pathlib import Path

    expected = samples.write_sample_exports(Path(lake["landing"]))
    history, quarantine = run_stream(spark, lake)
    assert history.count() + quarantine.count() == expected["files"]  # files in = versions + quarantined
    assert (history.count(), quarantine.count()) == (expected["versions"], expected["quarantined"])
    reasons = {r.source_file.rsplit("/", 1)[1]: r.reason for r in quarantine.collect()}
    assert reasons == {
        "truncated_export.xml": "malformed XML or a value of the wrong type",
        "version_not_a_number.json": "malformed JSON or a value of the wrong type",
        "no_program_id.json": "missing programId",
        "zero_cycle_time.xml": "targetCycleTimeS must be > 0",
        "no_operations.json": "operations list is empty",
        "operator_notes.csv": "unsupported file type: .csv",
        "WELD-C1-P000_v1_reexport.xml": DUPLICATE_VERSION_REASON,
    }
    xml_version = history.where("program_id = 'WELD-C1-P000' AND version = 2").first()
    first_operation = xml_version.operations[0].type
    assert (xml_version.operation_count, first_operation, xml_version.target_cycle_time_s) == (4, "WELD", 15.87)


def test_a_new_version_closes_the_previous_one_and_a_late_version_lands_in_its_place(spark, lake, samples, tmp_path):
    from pathlib import Path

    samples.write_sample_exports(tmp_path / "all", programs=1, versions=3)
    landing = Path(lake["landing"])
    landing.mkdir()
    for name in ("WELD-C1-P000_v1.xml", "WELD-C1-P000_v3.xml"):
        shutil.copy(tmp_path / "all" / name, landing / name)
    run_stream(spark, lake)
    shutil.copy(tmp_path / "all" / "WELD-C1-P000_v2.xml", landing / "WELD-C1-P000_v2.xml")  # arrives last
    history, _ = run_stream(spark, lake)

    week = [datetime(2026, 11, 2, 6), datetime(2026, 11, 9, 6), datetime(2026, 11, 16, 6)]
    expected = spark.createDataFrame(
        [
            ("WELD-C1-P000", 1, week[0], week[1], False),  # closed by version 2, which arrived after 3
            ("WELD-C1-P000", 2, week[1], week[2], False),
            ("WELD-C1-P000", 3, week[2], None, True),
        ],
        "program_id string, version int, valid_from timestamp, valid_to timestamp, is_current boolean",
    )
    actual = history.select("program_id", "version", "valid_from", "valid_to", "is_current")
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_replaying_a_batch_adds_nothing_twice(spark, lake, samples):
    from pathlib import Path

    expected = samples.write_sample_exports(Path(lake["landing"]), programs=2, versions=2)
    batch = parse_program_files(raw_files(spark, lake["landing"]))
    first = apply_program_versions(spark, batch, lake["history"], lake["quarantine"], batch_id=0)
    replay = apply_program_versions(spark, batch, lake["history"], lake["quarantine"], batch_id=0)
    assert (first.versions_added, first.files_quarantined) == (expected["versions"], expected["quarantined"])
    assert (replay.versions_added, replay.replayed_files) == (0, expected["versions"])
    assert spark.read.format("delta").load(lake["quarantine"]).count() == expected["quarantined"]


def test_machine_cycles_join_the_planned_cycle_time_of_the_version_running_at_their_start(spark, lake, samples):
    from pathlib import Path

    samples.write_sample_exports(Path(lake["landing"]), programs=1, versions=2)
    history, _ = run_stream(spark, lake)
    cycles = spark.createDataFrame(
        [
            ("R-01", "WELD-C1-P000", datetime(2026, 11, 1, 8), 14.0),  # before the first release: no plan
            ("R-01", "WELD-C1-P000", datetime(2026, 11, 5, 8), 15.0),  # version 1 running
            ("R-01", "WELD-C1-P000", datetime(2026, 11, 9, 6), 16.0),  # the instant version 2 is released
        ],
        "robot_id string, program_id string, cycle_start timestamp, actual_cycle_time_s double",
    )
    joined = join_cycles_to_plan(cycles, planned_cycle_times(history)).select(
        "cycle_start", "version", "planned_cycle_time_s", F.round("deviation_s", 2).alias("deviation_s")
    )
    expected = spark.createDataFrame(
        [
            (datetime(2026, 11, 1, 8), None, None, None),
            (datetime(2026, 11, 5, 8), 1, 15.41, -0.41),
            (datetime(2026, 11, 9, 6), 2, 15.87, 0.13),
        ],
        "cycle_start timestamp, version int, planned_cycle_time_s double, deviation_s double",
    )
    assert_df_equality(joined, expected, ignore_row_order=True, ignore_nullable=True)
