"""The ``dimensional-load`` entry point a Databricks python_wheel_task calls: argv in, the active session, one line."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from helpers import local_frame

from manufacturing_star_schema import OPEN_END
from manufacturing_star_schema.dimensional_load_job import DimensionalLoadSourceError, main

CHANGES = "machine_id string, line_id string, firmware string, max_rpm int, change_ts timestamp"


def land_json(folder, rows: list[dict]) -> str:
    """Write ``rows`` as one JSON-lines file in ``folder``, as an upstream export lands them."""
    folder.mkdir(parents=True)
    (folder / "part-0.json").write_text("".join(json.dumps(row) + "\n" for row in rows))
    return str(folder)


def arguments(source: str, lake, *extra: str) -> list[str]:
    return ["--source", source, "--target", str(lake / "dim_machine"),
            "--quarantine", str(lake / "quarantine"), "--natural-key", "machine_id", *extra]


def test_a_json_batch_at_relative_paths_becomes_the_dimension_and_the_refused_row_goes_to_quarantine(
    spark, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)  # relative paths are taken from the working directory
    land_json(tmp_path / "landing", [
        {"machine_id": "M1", "firmware": "fw-1.0", "change_ts": "2026-03-02T00:00:00"},
        {"machine_id": "M2", "firmware": "fw-1.0", "change_ts": "2026-03-02T00:00:00"},
        {"machine_id": "M1", "firmware": "fw-2.0", "change_ts": "2026-03-05T00:00:00"},
        {"machine_id": "M3", "firmware": "fw-1.0", "change_ts": None},  # no change timestamp: refused
    ])
    lake = tmp_path / "lake"

    assert main(["--source", "./landing", "--source-format", "json", "--target", "lake/dim_machine",
                 "--quarantine", "lake/quarantine"]) == 0  # the natural key defaults to machine_id

    out = capsys.readouterr().out
    assert out.startswith("dimensional load: 4 source rows -> ") and out.endswith(
        "; dim_machine has 3 rows, 1 quarantined\n"), out
    dimension = spark.read.format("delta").load(str(lake / "dim_machine"))
    assert sorted(tuple(r) for r in dimension.select("machine_id", "firmware", "valid_to", "is_current").collect()) == [
        ("M1", "fw-1.0", dt.datetime(2026, 3, 5), False),
        ("M1", "fw-2.0", OPEN_END, True),
        ("M2", "fw-1.0", OPEN_END, True),
    ]
    quarantine = spark.read.format("delta").load(str(lake / "quarantine")).collect()
    assert [(r["machine_id"], r["quarantine_reason"] is not None) for r in quarantine] == [("M3", True)]


def test_a_rerun_of_a_delta_table_batch_writes_nothing_new(spark, tmp_path, capsys):
    local_frame(spark, [("M1", "L1", "fw-1.0", 1200, dt.datetime(2026, 3, 2))], CHANGES).write.format(
        "delta").saveAsTable("machine_config_changes_job_entry")
    lake = tmp_path / "lake"

    assert main(arguments("machine_config_changes_job_entry", lake)) == 0
    assert main(arguments("machine_config_changes_job_entry", lake)) == 0

    second_run = capsys.readouterr().out.splitlines()[-1]
    assert second_run.startswith("dimensional load: 1 source rows -> {'already_applied': 1} ")
    assert second_run.endswith("dim_machine has 1 rows, 0 quarantined")
    assert not (lake / "quarantine").exists()


def test_a_source_that_is_not_there_is_a_named_error(spark, tmp_path):
    with pytest.raises(DimensionalLoadSourceError, match=r"--source: expected a Delta table at '.*nowhere', found"):
        main(arguments(str(tmp_path / "nowhere"), tmp_path / "lake"))
    with pytest.raises(DimensionalLoadSourceError, match=r"expected an existing table, found no table 'no_such_table'"):
        main(arguments("no_such_table", tmp_path / "lake"))


def test_a_malformed_key_list_is_refused_before_any_work(capsys):
    with pytest.raises(SystemExit):
        main(["--source", "s", "--target", "t", "--quarantine", "q", "--natural-key", "machine_id,,line_id"])

    assert "argument --natural-key: expected comma-separated column names, found 'machine_id,,line_id'" in (
        capsys.readouterr().err)
