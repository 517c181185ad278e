"""The same contract translated to Great Expectations and to DQX, run on the same Spark data: every
rule's failing-row count agrees, and each rule a peer cannot express is named with the reason."""
from __future__ import annotations

import datetime as dt

import pytest
from helpers import NOW, SENSOR_CONTRACT_PATH, machines, minutes, reading, readings

from plant_data_quality import load_contract
from plant_data_quality.peer_engines import compare_engines, comparison_table, local_spark_versions_endpoint


@pytest.fixture(scope="module")
def comparison(spark):
    batch = readings(spark, [
        reading("e1"),
        reading("e2", temperature_c=999.0, vibration_mm_s=-1.0),
        reading("e3", pressure_bar=400.0),                      # on the boundary: passes everywhere
        reading("e4", status="exploded", machine_id="press-7"),
        reading("e5", machine_id="M-9999", firmware_version="beta"),
        reading("e6"), reading("e6"),
        reading("e7", ingested_at=minutes(-1)),
        reading("e8", ingested_at=None, temperature_c=None),
        reading(None, event_time=NOW - dt.timedelta(days=9)),
    ])
    with local_spark_versions_endpoint() as host:
        return compare_engines(batch, load_contract(SENSOR_CONTRACT_PATH), now=NOW,
                               dimensions={"machines": machines(spark)}, dqx_host=host)


def test_the_three_engines_count_the_same_failing_rows_for_every_translated_rule(comparison):
    disagreements = [row for row in comparison if not row.agree]

    assert disagreements == [], comparison_table(comparison)
    assert {row.rule: row.ours for row in comparison if row.ours} == {
        "event_id_not_null": 1, "temperature_in_range": 1, "vibration_in_range": 1, "status_known": 1,
        "machine_id_format": 1, "firmware_version_format": 1, "event_id_unique": 2, "machine_known": 2,
        "event_fresh": 1, "ingested_after_event": 1, "temperature_complete": 1}


def test_drift_is_the_one_rule_neither_peer_expresses_and_the_table_says_why(comparison):
    untranslated = {row.rule: row.note for row in comparison if row.great_expectations is None or row.dqx is None}

    assert list(untranslated) == ["temperature_drift"]
    assert "GX has no population-stability expectation" in untranslated["temperature_drift"]
    assert "| temperature_drift | drift |" in comparison_table(comparison)
