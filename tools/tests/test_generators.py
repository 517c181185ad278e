"""Generators: deterministic for a seed, and their fault counts are exact, not approximate.

Every fault count is checked by re-reading the produced bytes the way a pipeline would, with
the documented ranges written out here rather than imported, so the test is a specification.
"""
from __future__ import annotations

import datetime as dt
import doctest
import hashlib
import importlib
import json
import os
import random
import shlex
import subprocess
import sys
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from catalog_tools.generators import (
    FIRMWARE_TRAIN,
    MACHINE_CONFIG_SCHEMA,
    PLANT_HIERARCHY_SCHEMA,
    PRODUCTION_OUTPUT_SCHEMA,
    RAW_EVENT_SCHEMA,
    SENSOR_READING_SCHEMA,
    TEST_RESULT_SCHEMA,
    TRACKED_ATTRIBUTES,
    FaultPlan,
    InvalidFaultPlanError,
    InvalidGeneratorArgumentError,
    extension_keys,
    generate_machine_config_changes,
    generate_plant_hierarchy,
    generate_production_output,
    generate_raw_sensor_events,
    generate_sensor_readings,
    generate_test_results,
    iter_machine_config_changes,
    iter_plant_hierarchy,
    iter_production_output,
    iter_sensor_readings,
    iter_test_results,
    machine_config_changes,
    sensor_event_messages,
    to_json_document,
)
from catalog_tools.generators.cli import main as generators_cli
from catalog_tools.generators.cli import row_messages

ALL_FAULTS = FaultPlan(
    duplicate_rate=0.05, late_rate=0.02, out_of_order_rate=0.03, malformed_rate=0.01,
    missing_required_rate=0.015, out_of_range_rate=0.02, hot_machine_share=0.6,
    allowed_lateness_s=600,
)
# the documented valid ranges, inclusive (GENERATORS.md, "Sensor readings")
VALID_RANGES = {"temperature_c": (-40.0, 400.0), "vibration_mm_s": (0.0, 100.0),
                "pressure_bar": (0.0, 400.0), "spindle_speed_rpm": (0.0, 30000.0)}


def recount(messages, allowed_lateness_s: int = 600, hot_machine_ids=()) -> Counter:
    """Classify every message from its bytes alone, in the documented order of precedence."""
    counts: Counter = Counter()
    seen_ids: set[str] = set()
    running_max = None
    lateness = dt.timedelta(seconds=allowed_lateness_s)
    for message in messages:
        try:
            event = json.loads(message.value)
        except json.JSONDecodeError:
            category = "malformed_json"
        else:
            if not {"event_id", "machine_id", "event_time"} <= set(event):
                category = "missing_required"
            elif any(event[m] is not None and not low <= event[m] <= high
                     for m, (low, high) in VALID_RANGES.items()):
                category = "out_of_range"
            elif event["event_id"] in seen_ids:
                category = "duplicates"
            else:
                event_time = dt.datetime.fromisoformat(event["event_time"].replace("Z", "+00:00"))
                if running_max is not None and event_time < running_max - lateness:
                    category = "late"
                elif running_max is not None and event_time < running_max:
                    category = "out_of_order"
                else:
                    category, running_max = "on_time", event_time
        counts[category] += 1
        if category != "duplicates":
            if category not in ("malformed_json", "missing_required"):
                seen_ids.add(event["event_id"])
            counts["hot_machine_events"] += message.key.decode() in hot_machine_ids
    return +counts


def expected_recount(counts) -> Counter:
    names = ("on_time", "late", "out_of_order", "duplicates", "malformed_json", "missing_required",
             "out_of_range", "hot_machine_events")
    return +Counter({name: getattr(counts, name) for name in names})


def as_json_lines(rows) -> bytes:
    return b"".join(json.dumps(to_json_document(r), sort_keys=True).encode() + b"\n" for r in rows)


# --- determinism ---------------------------------------------------------------------------

def test_same_seed_gives_byte_identical_messages_and_another_seed_does_not():
    first = sensor_event_messages(500, seed=11, faults=ALL_FAULTS)
    again = sensor_event_messages(500, seed=11, faults=ALL_FAULTS)
    other = sensor_event_messages(500, seed=12, faults=ALL_FAULTS)

    assert first.messages == again.messages
    assert first.counts == again.counts == other.counts  # counts depend on n and the plan only
    assert first.messages != other.messages


@pytest.mark.parametrize(
    "generate",
    [
        lambda seed: iter_plant_hierarchy(seed),
        lambda seed: iter_machine_config_changes(60, seed, out_of_order=3),
        lambda seed: iter_sensor_readings(200, seed, hot_machine_share=0.3),
        lambda seed: iter_test_results(50, seed),
        lambda seed: iter_production_output(50, seed),
    ],
    ids=["plant-hierarchy", "machine-config", "sensor-readings", "test-results", "production"],
)
def test_every_generator_is_byte_identical_for_a_seed_and_differs_for_another(generate):
    assert as_json_lines(generate(3)) == as_json_lines(generate(3))
    assert as_json_lines(generate(3)) != as_json_lines(generate(4))


def test_a_fresh_interpreter_with_another_hash_seed_produces_the_same_bytes():
    script = (
        "import hashlib\n"
        "from catalog_tools.generators import FaultPlan, sensor_event_messages\n"
        "plan = FaultPlan(duplicates=7, late=3, out_of_order=4, malformed_json=2,"
        " missing_required=2, out_of_range=2, hot_machine_share=0.5)\n"
        "batch = sensor_event_messages(300, seed=21, faults=plan)\n"
        "print(hashlib.sha256(b''.join(m.key + m.value for m in batch.messages)).hexdigest())\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                               env=env, timeout=120, check=True)
    plan = FaultPlan(duplicates=7, late=3, out_of_order=4, malformed_json=2, missing_required=2,
                     out_of_range=2, hot_machine_share=0.5)
    here = sensor_event_messages(300, seed=21, faults=plan).messages

    digest = hashlib.sha256(b"".join(m.key + m.value for m in here)).hexdigest()
    assert completed.stdout.strip() == digest


def test_generators_leave_the_global_random_state_alone():
    random.seed(99)
    before = random.getstate()

    sensor_event_messages(200, seed=1, faults=ALL_FAULTS)
    list(iter_machine_config_changes(40, seed=1, out_of_order=2))
    list(iter_plant_hierarchy(seed=1))

    assert random.getstate() == before


@pytest.mark.parametrize(
    "module",
    ["common", "plants", "extension", "sensors", "faults", "events", "machine_config",
     "inspection", "production", "__init__"],
)
def test_docstring_examples_hold(module):
    name = "catalog_tools.generators" + ("" if module == "__init__" else f".{module}")
    imported = importlib.import_module(name)
    result = doctest.testmod(imported, optionflags=doctest.NORMALIZE_WHITESPACE)

    assert result.attempted > 0 and result.failed == 0


# --- fault counts --------------------------------------------------------------------------

def test_fault_rates_become_exact_counts_that_a_recount_of_the_payloads_confirms():
    batch = sensor_event_messages(2000, seed=5, faults=ALL_FAULTS)
    counts = batch.counts

    # every rate times 2000, exactly
    assert (counts.duplicates, counts.late, counts.out_of_order) == (100, 40, 60)
    assert (counts.malformed_json, counts.missing_required, counts.out_of_range) == (20, 30, 40)
    assert counts.hot_machine_events == 1200
    assert recount(batch.messages, 600, batch.hot_machine_ids) == expected_recount(counts)


def test_fault_counts_can_be_given_exactly_and_lateness_is_configurable():
    plan = FaultPlan(duplicates=9, late=4, out_of_order=6, malformed_json=3, missing_required=5,
                     out_of_range=7, hot_machine_events=100, hot_machines=3, allowed_lateness_s=30)
    batch = sensor_event_messages(400, seed=8, faults=plan)

    assert batch.counts.as_dict() == {
        "base_events": 400, "valid_unique": 385, "on_time": 375, "out_of_order": 6, "late": 4,
        "duplicates": 9, "malformed_json": 3, "missing_required": 5, "out_of_range": 7,
        "hot_machine_events": 100, "total_messages": 409, "bad_records": 15,
    }
    assert batch.hot_machine_ids == ("BER1-L1-M01", "BER1-L1-M02", "BER1-L1-M03")
    assert recount(batch.messages, 30, batch.hot_machine_ids) == expected_recount(batch.counts)


def test_categories_are_disjoint_and_add_up_to_the_messages():
    batch = sensor_event_messages(1000, seed=2, faults=ALL_FAULTS)
    counts = batch.counts

    assert len(batch.messages) == counts.total_messages == 1050
    assert counts.total_messages == (counts.valid_unique + counts.duplicates + counts.malformed_json
                                     + counts.missing_required + counts.out_of_range)
    assert counts.valid_unique == counts.on_time + counts.out_of_order + counts.late
    assert counts.base_events == counts.valid_unique + counts.bad_records
    # one message per base event plus the duplicates: each recount category is counted once
    recounted = recount(batch.messages, 600, batch.hot_machine_ids)
    assert sum(recounted.values()) - recounted["hot_machine_events"] == counts.total_messages


def test_duplicates_are_byte_identical_resends_of_an_earlier_on_time_message():
    messages = sensor_event_messages(300, seed=4, faults=FaultPlan(duplicates=20)).messages
    first_position: dict[bytes, int] = {}
    originals_in_between = []
    for position, message in enumerate(messages):
        if message.value in first_position:
            original = first_position[message.value]
            assert message == messages[original]
            between = messages[original + 1:position]
            originals_in_between.append(sum(first_position[m.value] == original + 1 + i
                                            for i, m in enumerate(between)))
        first_position.setdefault(message.value, position)

    assert len(originals_in_between) == 20
    assert all(0 <= count <= 5 for count in originals_in_between)
    assert max(originals_in_between) > 0


def test_every_message_is_keyed_by_its_machine_and_stamped_with_its_event_time():
    batch = sensor_event_messages(500, seed=6, faults=ALL_FAULTS)

    for message in batch.messages:
        try:
            event = json.loads(message.value)
        except json.JSONDecodeError:
            continue
        if "machine_id" in event:
            assert message.key == event["machine_id"].encode()
        if "event_time" in event:
            moment = dt.datetime.fromisoformat(event["event_time"].replace("Z", "+00:00"))
            assert message.timestamp_ms == round(moment.timestamp() * 1000)


@pytest.mark.parametrize("messages_per_batch", [1, 50, 1000])
def test_a_micro_batch_watermark_drops_exactly_the_late_events(messages_per_batch):
    # Structured Streaming's rule: a batch drops events older than the maximum event time seen
    # in the batches before it minus the delay; the first batch drops nothing. With 200 ms
    # between events, 1000 messages span 200 s, under half the 600 s lateness, so the dropped
    # events are exactly the late ones after the first batch.
    batch = sensor_event_messages(3000, seed=12, faults=ALL_FAULTS)
    times = []
    for message in batch.messages:
        try:
            times.append(json.loads(message.value).get("event_time"))
        except json.JSONDecodeError:
            times.append(None)
    moments = [dt.datetime.fromisoformat(t.replace("Z", "+00:00")) if t else None for t in times]

    dropped, max_before_batch = set(), None
    for first in range(0, len(moments), messages_per_batch):
        in_batch = [m for m in moments[first:first + messages_per_batch] if m is not None]
        if max_before_batch is not None:
            watermark = max_before_batch - dt.timedelta(seconds=600)
            dropped |= {m for m in in_batch if m < watermark}
        max_before_batch = max([m for m in [max_before_batch, *in_batch] if m is not None])

    late_in_first_batch = recount(batch.messages[:messages_per_batch])["late"]
    assert len(dropped) == batch.counts.late - late_in_first_batch
    assert batch.counts.late == 60 and late_in_first_batch < 30


@pytest.mark.parametrize(
    "base_events, rate, expected",
    [(100, 0.145, 15), (1000, 0.0005, 1), (1000, 0.0004999, 0), (3, 0.5, 2), (7, 1.0, 7)],
)
def test_rates_round_half_up_exactly(base_events, rate, expected):
    assert FaultPlan(duplicate_rate=rate).exact_counts(base_events).duplicates == expected


@pytest.mark.parametrize(
    "make_plan, message",
    [
        (lambda: FaultPlan(duplicate_rate=1.5),
         "duplicate_rate: expected a rate in [0.0, 1.0], got 1.5"),
        (lambda: FaultPlan(late_rate=-0.1), "late_rate: expected a rate in [0.0, 1.0], got -0.1"),
        (lambda: FaultPlan(late=-1), "late: expected a count >= 0 or None, got -1"),
        (lambda: FaultPlan(late=2, late_rate=0.1),
         "late: expected either late_rate or late, got both"),
        (lambda: FaultPlan(allowed_lateness_s=0),
         "allowed_lateness_s: expected an int in [2, 604800], got 0"),
        (lambda: FaultPlan(malformed_rate=0.6, out_of_range_rate=0.6).exact_counts(10),
         "expected the faults to fit in 10 events: 12 bad records in 10 events"),
        (lambda: FaultPlan(duplicates=5, late=3).exact_counts(6),
         "expected the faults to fit in 6 events: 5 duplicates need as many on-time events, got 3"),
    ],
)
def test_impossible_fault_plans_raise_a_named_error_showing_expected_and_actual(make_plan, message):
    with pytest.raises(InvalidFaultPlanError) as raised:
        make_plan()

    assert isinstance(raised.value, ValueError)
    assert str(raised.value).startswith(message)


# --- key skew and customExtension ----------------------------------------------------------

def test_key_skew_sends_the_exact_share_to_the_hot_machines():
    readings = list(iter_sensor_readings(1000, seed=3, hot_machine_share=0.6, hot_machines=2))
    per_machine = Counter(r["machine_id"] for r in readings)

    assert per_machine["BER1-L1-M01"] + per_machine["BER1-L1-M02"] == 600
    assert len(per_machine) == 24  # the 400 other readings spread over the 22 other machines


def test_custom_extension_keys_follow_machine_type_and_firmware_and_values_drift():
    readings = list(iter_sensor_readings(400, seed=9))
    seen = {(r["machine_type"], r["firmware_version"]) for r in readings}
    assert seen == {(t, f) for t in ("cnc_mill", "injection_molder", "press", "test_bench")
                    for f in ("1.4.2", "2.1.0")}

    json_labels = {"cnc_mill": "axis", "injection_molder": "cavity", "press": "corner",
                   "test_bench": "channel"}
    for reading in readings:
        extension, machine_type = reading["customExtension"], reading["machine_type"]
        drifted = reading["firmware_version"] == "2.1.0"
        assert set(extension) == extension_keys(machine_type, reading["firmware_version"])
        numeric = {k: v for k, v in extension.items() if v[0].isdigit() and not v.startswith("{")}
        # integer strings on 1.x become decimal strings on 2.x
        assert all(("." in value) == drifted for value in numeric.values())
        nested = [json.loads(v) for v in extension.values() if v.startswith("{")]
        expected_nested = [{json_labels[machine_type], "value"}] if drifted else []
        assert [set(n) for n in nested] == expected_nested
    assert "tool_wear_um" in extension_keys("cnc_mill", "2.1.0")
    assert "tool_wear_um" not in extension_keys("cnc_mill", "1.4.2")


def test_each_machine_upgrades_firmware_once_and_never_downgrades():
    by_machine: dict[str, list[str]] = {}
    for reading in iter_sensor_readings(600, seed=4):
        by_machine.setdefault(reading["machine_id"], []).append(reading["firmware_version"])

    for versions in by_machine.values():
        assert versions == sorted(versions)


# --- plants, SCD2 config history, test results, production --------------------------------

def test_plant_hierarchy_spans_time_zones_and_keeps_its_ids_whatever_the_seed():
    machines = list(iter_plant_hierarchy(seed=1, plants=4))
    other_seed = list(iter_plant_hierarchy(seed=2, plants=4))

    assert len(machines) == 4 * 2 * 3
    assert {m["time_zone"] for m in machines} == {
        "Europe/Berlin", "America/Chicago", "Asia/Shanghai", "Europe/Prague"}
    assert {m["division_id"] for m in machines} == {"DIV-EU", "DIV-AM", "DIV-AP"}
    assert all(m["line_id"].startswith(m["plant_id"]) for m in machines)
    assert [(m["machine_id"], m["machine_type"]) for m in machines] == [
        (m["machine_id"], m["machine_type"]) for m in other_seed]
    assert [m["serial_number"] for m in machines] != [m["serial_number"] for m in other_seed]
    assert {(m["plant_id"], m["machine_type"]) for m in machines} == {
        (p, t) for p in ("BER1", "CHI1", "SHA1", "BRN1")
        for t in ("cnc_mill", "injection_molder", "press", "test_bench")}


@pytest.mark.parametrize("out_of_order", [0, 7])
def test_config_changes_are_ordered_per_machine_except_the_reported_out_of_order_ones(out_of_order):
    batch = machine_config_changes(120, seed=8, out_of_order=out_of_order)

    latest: dict[str, dt.datetime] = {}
    arrived_late = 0
    for row in batch.rows:
        previous = latest.get(row["machine_id"])
        if previous is not None and row["changed_at"] < previous:
            arrived_late += 1
        else:
            latest[row["machine_id"]] = row["changed_at"]
    assert arrived_late == batch.out_of_order == out_of_order
    assert len(batch.rows) == 120
    assert max(row["changed_at"] for row in batch.rows) < dt.datetime(2026, 1, 5, 6, tzinfo=dt.UTC)


def test_every_config_change_alters_a_tracked_attribute_and_firmware_only_moves_forward():
    rows = sorted(machine_config_changes(200, seed=3, out_of_order=10).rows,
                  key=lambda r: (r["machine_id"], r["changed_at"]))

    for previous, row in zip(rows, rows[1:], strict=False):
        if previous["machine_id"] != row["machine_id"]:
            continue
        assert row["changed_at"] > previous["changed_at"]
        assert any(row[a] != previous[a] for a in TRACKED_ATTRIBUTES)
        assert FIRMWARE_TRAIN.index(row["firmware_version"]) >= FIRMWARE_TRAIN.index(
            previous["firmware_version"])
    assert len({r["firmware_version"] for r in rows}) >= 3


def test_asking_for_more_out_of_order_changes_than_possible_is_a_named_error():
    too_many = r"out_of_order: expected a value in \[0, \d+\], got 30"
    with pytest.raises(InvalidGeneratorArgumentError, match=too_many):
        machine_config_changes(30, seed=1, out_of_order=30)
    too_few = "expected at least one row per machine"
    with pytest.raises(InvalidGeneratorArgumentError, match=too_few):
        machine_config_changes(3, seed=1)


def test_test_results_pass_exactly_when_within_limits():
    results = list(iter_test_results(300, seed=1))

    for result in results:
        assert result["passed"] == (result["lower_limit"] <= result["measured_value"]
                                    <= result["upper_limit"])
    assert 0 < sum(not r["passed"] for r in results) < 60


def test_production_shifts_start_at_plant_local_hours_and_units_add_up():
    rows = list(iter_production_output(72, seed=1))  # 24 machines x shifts A, B, C

    local_start_hours = {"A": 6, "B": 14, "C": 22}
    time_zones = {m["plant_id"]: m["time_zone"] for m in iter_plant_hierarchy(seed=1)}
    for row in rows:
        local = row["shift_start"].astimezone(ZoneInfo(time_zones[row["plant_id"]]))
        expected_start = (row["shift_date"], local_start_hours[row["shift_code"]])
        assert (local.date(), local.hour) == expected_start
        assert row["produced_at"] - row["shift_start"] == dt.timedelta(hours=8)
        assert row["good_units"] + row["scrap_units"] <= row["planned_units"]
    assert {r["shift_code"] for r in rows} == {"A", "B", "C"}


# --- Spark DataFrames ----------------------------------------------------------------------

def test_dataframes_have_the_documented_schema_and_the_iterators_rows(spark):
    frames_and_rows = [
        (generate_plant_hierarchy(spark, seed=6), PLANT_HIERARCHY_SCHEMA,
         list(iter_plant_hierarchy(seed=6)), "machine_id"),
        (generate_machine_config_changes(spark, 50, seed=6, out_of_order=2), MACHINE_CONFIG_SCHEMA,
         list(iter_machine_config_changes(50, seed=6, out_of_order=2)), "changed_at"),
        (generate_test_results(spark, 30, seed=6), TEST_RESULT_SCHEMA,
         list(iter_test_results(30, seed=6)), "test_id"),
        (generate_production_output(spark, 30, seed=6), PRODUCTION_OUTPUT_SCHEMA,
         list(iter_production_output(30, seed=6)), "output_id"),
        (generate_sensor_readings(spark, 200, seed=6), SENSOR_READING_SCHEMA,  # last: see below
         list(iter_sensor_readings(200, seed=6)), "event_id"),
    ]
    for frame, schema, rows, column in frames_and_rows:
        assert frame.schema == schema
        collected = frame.collect()
        values = [row[column] for row in collected]
        if column == "changed_at":  # Spark returns naive local datetimes
            values = [value.astimezone(dt.UTC) for value in values]
        assert values == [row[column] for row in rows]

    # after the loop, collected and rows hold the sensor readings: the MAP column round-trips
    assert [r["customExtension"] for r in collected] == [r["customExtension"] for r in rows]


def test_raw_events_frame_matches_the_messages(spark):
    frame, counts = generate_raw_sensor_events(spark, 300, seed=1, faults=ALL_FAULTS)
    messages = sensor_event_messages(300, 1, ALL_FAULTS).messages

    assert frame.schema == RAW_EVENT_SCHEMA
    assert counts.total_messages == len(messages)
    rows = frame.collect()
    assert [(r["key"], r["value"]) for r in rows] == [
        (m.key.decode(), m.value.decode()) for m in messages]


# --- CLI -----------------------------------------------------------------------------------

def run_module(module: str, *args: str) -> dict:
    completed = subprocess.run([sys.executable, "-m", module, *args], capture_output=True,
                               text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_cli_writes_sensor_events_as_json_lines_and_reports_the_fault_counts(tmp_path):
    out = tmp_path / "events.jsonl"

    report = run_module("catalog_tools.generators", "sensor-events", "--rows", "200", "--seed", "3",
                        "--duplicate-rate", "0.1", "--malformed", "4", "--late", "2",
                        "--to", "json", "--path", str(out))

    plan = FaultPlan(duplicate_rate=0.1, malformed_json=4, late=2)
    expected = sensor_event_messages(200, 3, plan)
    assert report["written"] == 220 == len(out.read_text().splitlines())
    assert report["fault_counts"] == expected.counts.as_dict()
    assert out.read_bytes() == b"".join(m.value + b"\n" for m in expected.messages)


def test_cli_module_writes_a_dataset_as_json_lines(tmp_path):
    out = tmp_path / "production.jsonl"

    report = run_module("catalog_tools.generators.cli", "production-output", "--rows", "48",
                        "--seed", "2", "--start", "2026-03-29T00:00:00Z", "--to", "json",
                        "--path", str(out))

    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert report["written"] == len(lines) == 48
    start = dt.datetime(2026, 3, 29, tzinfo=dt.UTC)
    assert lines == [to_json_document(r) for r in iter_production_output(48, 2, start)]


def test_cli_writes_a_delta_table(tmp_path, spark, capsys):
    table = tmp_path / "config"

    exit_code = generators_cli(["machine-config", "--rows", "40", "--seed", "2",
                                "--out-of-order-changes", "3", "--to", "delta",
                                "--path", str(table)])

    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert exit_code == 0
    assert report["written"] == 40 and report["fault_counts"] == {"out_of_order_changes": 3}
    written = spark.read.format("delta").load(str(table))
    assert [(f.name, f.dataType) for f in written.schema] == [
        (f.name, f.dataType) for f in MACHINE_CONFIG_SCHEMA]
    assert written.count() == 40


def test_cli_rejects_an_impossible_plan_with_exit_code_2(tmp_path, capsys):
    exit_code = generators_cli(["sensor-events", "--rows", "10", "--late-rate", "1.5",
                                "--to", "json", "--path", str(tmp_path / "x.jsonl")])

    assert exit_code == 2
    assert "late_rate: expected a rate in [0.0, 1.0], got 1.5" in capsys.readouterr().err
    assert not (tmp_path / "x.jsonl").exists()


def test_the_documented_sensor_events_run_reproduces_its_output(tmp_path, capsys):
    doc = (Path(__file__).resolve().parent.parent / "GENERATORS.md").read_text()
    block = doc.split("$ python -m catalog_tools.generators sensor-events", 1)[1]
    command, summary, _, first_line = block.replace("\\\n", " ").splitlines()[:4]
    args = shlex.split("sensor-events " + command)
    out = tmp_path / "events.jsonl"
    args[args.index("--path") + 1] = str(out)

    assert generators_cli(args) == 0

    printed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    documented = json.loads(summary)
    assert {**printed, "target": None} == {**documented, "target": None}
    assert out.read_text().splitlines()[0] == first_line


def test_cli_kafka_messages_for_rows_are_keyed_by_machine_and_stamped_with_the_row_time():
    rows = list(iter_machine_config_changes(30, seed=1))

    messages = row_messages("machine-config", rows)

    assert [m.key for m in messages] == [r["machine_id"].encode() for r in rows]
    assert [m.timestamp_ms for m in messages] == [
        round(r["changed_at"].timestamp() * 1000) for r in rows]
    assert json.loads(messages[0].value) == to_json_document(rows[0])


@pytest.mark.kafka
def test_cli_produces_to_kafka(kafka, unique_topic):
    from catalog_tools.kafka_io import consume_all

    report = run_module("catalog_tools.generators", "sensor-events", "--rows", "50", "--seed", "1",
                        "--duplicates", "5", "--to", "kafka",
                        "--bootstrap-servers", kafka.plaintext_bootstrap, "--topic", unique_topic)

    records = consume_all(unique_topic, kafka.client_config(), timeout_ms=3000)
    assert report["written"] == 55 == len(records)
    assert [r.value for r in records] == [m.value for m in sensor_event_messages(
        50, 1, FaultPlan(duplicates=5)).messages]
