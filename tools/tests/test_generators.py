"""Generators: deterministic for a seed, and their fault counts are exact, not approximate."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections import Counter

import pytest

from catalog_tools.generators import (
    EXTENSION_KEYS,
    MACHINE_CONFIG_SCHEMA,
    SENSOR_READING_SCHEMA,
    FaultPlan,
    InvalidFaultPlanError,
    InvalidGeneratorArgumentError,
    generate_machine_config_changes,
    generate_plant_hierarchy,
    generate_production_output,
    generate_raw_sensor_events,
    generate_sensor_readings,
    generate_test_results,
    iter_plant_hierarchy,
    iter_sensor_readings,
    iter_test_results,
    machine_config_changes,
    sensor_event_messages,
)

ALL_FAULTS = FaultPlan(
    duplicate_rate=0.05, late_rate=0.02, out_of_order_rate=0.03, malformed_rate=0.01,
    missing_required_rate=0.015, out_of_range_rate=0.02, hot_machine_share=0.6, allowed_lateness_s=600,
)


def recount(messages) -> Counter:
    """Classify every message from its bytes alone, the way a downstream pipeline would."""
    counts: Counter = Counter()
    seen_ids: set[str] = set()
    running_max = None
    for message in messages:
        try:
            event = json.loads(message.value)
        except json.JSONDecodeError:
            counts["malformed_json"] += 1
            continue
        if not all(field in event for field in ("event_id", "machine_id", "event_time")):
            counts["missing_required"] += 1
            continue
        if not -40.0 <= event["temperature_c"] <= 400.0:
            counts["out_of_range"] += 1
            continue
        if event["event_id"] in seen_ids:
            counts["duplicates"] += 1
            continue
        seen_ids.add(event["event_id"])
        counts["valid_unique"] += 1
        event_time = dt.datetime.fromisoformat(event["event_time"].replace("Z", "+00:00"))
        if running_max is not None and event_time < running_max - dt.timedelta(seconds=600):
            counts["late"] += 1
        elif running_max is not None and event_time < running_max:
            counts["out_of_order"] += 1
        else:
            running_max = event_time
    return counts


def test_same_seed_gives_byte_identical_messages_and_another_seed_does_not():
    first = sensor_event_messages(500, seed=11, faults=ALL_FAULTS)
    again = sensor_event_messages(500, seed=11, faults=ALL_FAULTS)
    other = sensor_event_messages(500, seed=12, faults=ALL_FAULTS)

    assert first.messages == again.messages
    assert first.messages != other.messages


def test_fault_counts_are_exact_when_recounted_from_the_payloads():
    batch = sensor_event_messages(2000, seed=5, faults=ALL_FAULTS)
    counts = batch.counts

    # rates times 2000, exactly
    assert (counts.duplicates, counts.late, counts.out_of_order) == (100, 40, 60)
    assert (counts.malformed_json, counts.missing_required, counts.out_of_range) == (20, 30, 40)
    assert recount(batch.messages) == Counter(
        valid_unique=counts.valid_unique, duplicates=100, late=40, out_of_order=60,
        malformed_json=20, missing_required=30, out_of_range=40,
    )


def test_categories_are_disjoint_and_add_up_to_the_messages():
    counts = sensor_event_messages(1000, seed=2, faults=ALL_FAULTS).counts

    assert counts.total_messages == (
        counts.valid_unique + counts.duplicates + counts.malformed_json + counts.missing_required + counts.out_of_range
    )
    assert counts.as_dict()["total_messages"] == 1050


def test_key_skew_sends_the_exact_share_to_the_hot_machines():
    readings = list(iter_sensor_readings(1000, seed=3, hot_machine_share=0.6, hot_machines=2))
    hottest = Counter(r["machine_id"] for r in readings).most_common(2)

    assert sum(count for _, count in hottest) == 600


def test_custom_extension_keys_follow_machine_type_and_firmware():
    readings = list(iter_sensor_readings(400, seed=9))
    before = [r for r in readings if r["firmware_version"].startswith("1.")]
    after = [r for r in readings if r["firmware_version"].startswith("2.")]
    assert before and after

    for reading in readings:
        numeric, added, json_key = EXTENSION_KEYS[reading["machine_type"]]
        extension = reading["customExtension"]
        upgraded = reading["firmware_version"].startswith("2.")
        assert set(numeric) <= set(extension)
        firmware_2_keys = set(added) | {json_key}
        assert firmware_2_keys <= set(extension) if upgraded else not firmware_2_keys & set(extension)
        # integer strings on 1.x drift to decimal strings on 2.x
        assert all(("." in extension[k]) == upgraded for k in numeric)
        if upgraded:
            assert set(json.loads(extension[json_key])) == {"axis", "value"}


def test_each_machine_upgrades_firmware_once_and_never_downgrades():
    by_machine: dict[str, list[str]] = {}
    for reading in iter_sensor_readings(600, seed=4):
        by_machine.setdefault(reading["machine_id"], []).append(reading["firmware_version"])

    for versions in by_machine.values():
        assert versions == sorted(versions)


def test_plant_hierarchy_spans_several_time_zones_and_is_the_same_for_every_call():
    machines = list(iter_plant_hierarchy(plants=4))

    assert len(machines) == 4 * 2 * 3
    assert len({m["time_zone"] for m in machines}) == 4
    assert {m["division_id"] for m in machines} == {"DIV-EU", "DIV-AM", "DIV-AP"}
    assert machines == list(iter_plant_hierarchy(plants=4))


def test_machine_config_changes_are_ordered_per_machine_except_the_reported_out_of_order_ones():
    batch = machine_config_changes(120, seed=8, out_of_order=7)

    latest: dict[str, dt.datetime] = {}
    arrived_late = 0
    for row in batch.rows:
        previous = latest.get(row["machine_id"])
        if previous is not None and row["changed_at"] < previous:
            arrived_late += 1
        else:
            latest[row["machine_id"]] = row["changed_at"]
    assert arrived_late == batch.out_of_order == 7
    assert len(batch.rows) == 120


def test_test_results_pass_exactly_when_within_limits():
    for result in iter_test_results(300, seed=1):
        assert result["passed"] == (result["lower_limit"] <= result["measured_value"] <= result["upper_limit"])


@pytest.mark.parametrize(
    "make_plan, message",
    [
        (lambda: FaultPlan(duplicate_rate=1.5), "duplicate_rate: expected a rate in [0.0, 1.0], got 1.5"),
        (lambda: FaultPlan(late_rate=-0.1), "late_rate: expected a rate in [0.0, 1.0], got -0.1"),
        (lambda: FaultPlan(malformed_rate=0.6, out_of_range_rate=0.6).exact_counts(10), "expected the faults to fit"),
    ],
)
def test_impossible_fault_plans_raise_a_named_error(make_plan, message):
    with pytest.raises(InvalidFaultPlanError, match=message.replace("[", r"\[").replace("]", r"\]")):
        make_plan()


def test_too_few_config_rows_for_the_machines_is_a_named_error():
    with pytest.raises(InvalidGeneratorArgumentError, match="expected at least one row per machine"):
        machine_config_changes(3, seed=1)


def test_dataframes_have_the_documented_schema_and_the_iterators_row_counts(spark):
    readings = generate_sensor_readings(spark, 200, seed=6)
    changes = generate_machine_config_changes(spark, 50, seed=6, out_of_order=2)

    assert readings.schema == SENSOR_READING_SCHEMA
    assert changes.schema == MACHINE_CONFIG_SCHEMA
    assert readings.count() == 200 and changes.count() == 50
    assert generate_plant_hierarchy(spark).count() == 24
    assert generate_test_results(spark, 30, seed=1).count() == 30
    assert generate_production_output(spark, 30, seed=1).count() == 30
    first = readings.orderBy("event_time").first()
    assert first["event_id"] == next(iter_sensor_readings(200, seed=6))["event_id"]


def test_raw_events_frame_matches_the_messages(spark):
    frame, counts = generate_raw_sensor_events(spark, 300, seed=1, faults=ALL_FAULTS)

    assert frame.count() == counts.total_messages
    assert frame.filter("key IS NULL").count() == sum(
        1 for m in sensor_event_messages(300, 1, ALL_FAULTS).messages if m.key is None
    )


def run_cli(*args: str) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "catalog_tools.generators", *args], capture_output=True, text=True, timeout=300
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_cli_writes_json_lines_and_reports_fault_counts(tmp_path):
    out = tmp_path / "events.jsonl"

    report = run_cli("sensor-events", "--rows", "200", "--seed", "3", "--duplicate-rate", "0.1",
                     "--malformed-rate", "0.05", "--to", "json", "--path", str(out))

    assert report["written"] == 220 == len(out.read_text().splitlines())
    assert report["fault_counts"]["duplicates"] == 20 and report["fault_counts"]["malformed_json"] == 10


def test_cli_writes_a_delta_table(tmp_path, spark):
    table = tmp_path / "config"

    report = run_cli("machine-config", "--rows", "40", "--seed", "2", "--to", "delta", "--path", str(table))

    assert report["written"] == 40
    assert spark.read.format("delta").load(str(table)).count() == 40


def test_cli_produces_to_kafka(kafka, unique_topic):
    from catalog_tools.kafka_io import consume_all

    report = run_cli("sensor-events", "--rows", "50", "--seed", "1", "--to", "kafka",
                     "--bootstrap-servers", kafka.plaintext_bootstrap, "--topic", unique_topic)

    assert report["written"] == 50
    assert len(consume_all(unique_topic, kafka.client_config(), timeout_ms=3000)) == 50
