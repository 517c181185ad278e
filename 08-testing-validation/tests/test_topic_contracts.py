"""Kafka topic contracts: payloads are validated against JSON Schema and Avro, and a new contract
version's breaking changes are named so CI can block them."""
from __future__ import annotations

import copy
import json

import pytest

from plant_data_quality.errors import BreakingSchemaChangeError, PayloadContractError
from plant_data_quality.topic_contracts import (
    breaking_avro_changes,
    breaking_json_schema_changes,
    require_compatible,
    sensor_event_avro_schema,
    sensor_event_json_schema,
    validate_avro_records,
    validate_json_payloads,
)

GOOD_EVENT = {"event_id": "e1", "machine_id": "M-0001", "event_time": "2026-03-02T08:00:00Z",
              "temperature_c": 55.5, "status": "running"}


def test_producer_payloads_are_checked_and_each_invalid_one_says_why():
    payloads = [
        json.dumps(GOOD_EVENT).encode(),
        json.dumps({**GOOD_EVENT, "machine_id": "press-7"}).encode(),
        json.dumps({k: v for k, v in GOOD_EVENT.items() if k != "event_time"}).encode(),
        json.dumps({**GOOD_EVENT, "temperature_c": "hot"}),
        b"{not json",
    ]

    report = validate_json_payloads(payloads, sensor_event_json_schema())

    assert (report.checked, report.valid_count) == (5, 1)
    reasons = dict(report.invalid)
    assert "machine_id: 'press-7' does not match" in reasons[1]
    assert "'event_time' is a required property" in reasons[2]
    assert "temperature_c: 'hot' is not of type 'number', 'null'" in reasons[3]
    assert reasons[4].startswith("not JSON")


def test_avro_records_are_checked_against_the_avro_contract():
    good = {"event_id": "e1", "machine_id": "M-0001", "event_time": 1772438400000, "temperature_c": 55.5,
            "vibration_mm_s": None, "status": "running", "firmware_version": None}

    report = validate_avro_records([good, {**good, "status": "exploded"}, {**good, "temperature_c": "hot"}],
                                   sensor_event_avro_schema())

    assert report.valid_count == 1
    assert [position for position, _ in report.invalid] == [1, 2]


def test_an_invalid_contract_is_a_named_error():
    with pytest.raises(PayloadContractError, match="expected a valid JSON Schema"):
        validate_json_payloads([b"{}"], {"type": "objekt"})


def _changed(edit):
    schema = copy.deepcopy(sensor_event_json_schema())
    edit(schema)
    return schema


BREAKING_JSON_CHANGES = {
    "field_removed": lambda s: s["properties"].pop("firmware_version"),
    "required_added": lambda s: s["required"].append("status"),
    "type_narrowed": lambda s: s["properties"]["vibration_mm_s"].update(type=["integer", "null"]),
    "null_no_longer_allowed": lambda s: s["properties"]["temperature_c"].update(type="number"),
    "type_changed": lambda s: s["properties"]["event_id"].update(type="integer"),
    "enum_narrowed": lambda s: s["properties"]["status"]["enum"].remove("maintenance"),
    "range_narrowed": lambda s: s["properties"]["temperature_c"].update(maximum=200),
    "length_narrowed": lambda s: s["properties"]["event_id"].update(maxLength=36),
    "pattern_changed": lambda s: s["properties"]["firmware_version"].update(pattern="^[0-9]+$"),
    "additional_properties_closed": lambda s: s.update(additionalProperties=False),
    "required_removed": lambda s: s["required"].remove("machine_id"),
}


@pytest.mark.parametrize("kind", sorted(BREAKING_JSON_CHANGES))
def test_each_seeded_breaking_json_schema_change_is_named(kind):
    changes = breaking_json_schema_changes(sensor_event_json_schema(), _changed(BREAKING_JSON_CHANGES[kind]))

    assert [change.kind for change in changes] == [kind]
    with pytest.raises(BreakingSchemaChangeError, match=kind):
        require_compatible(changes)


COMPATIBLE_JSON_CHANGES = {
    "optional field added": lambda s: s["properties"].update(spindle_speed_rpm={"type": "number"}),
    "range widened": lambda s: s["properties"]["temperature_c"].update(minimum=-60, maximum=600),
    "enum extended": lambda s: s["properties"]["status"]["enum"].append("setup"),
    "maximum length raised": lambda s: s["properties"]["event_id"].update(maxLength=128),
    "description edited": lambda s: s.update(description="One reading per machine and event."),
}


@pytest.mark.parametrize("name", sorted(COMPATIBLE_JSON_CHANGES))
def test_compatible_json_schema_changes_pass(name):
    assert breaking_json_schema_changes(sensor_event_json_schema(), _changed(COMPATIBLE_JSON_CHANGES[name])) == []


def _avro_changed(edit):
    schema = copy.deepcopy(sensor_event_avro_schema())
    edit({field["name"]: field for field in schema["fields"]}, schema)
    return schema


BREAKING_AVRO_CHANGES = {
    "required_added": (lambda f, s: s["fields"].append({"name": "line_id", "type": "string"}), "backward"),
    "type_narrowed": (lambda f, s: f["event_time"].update(type="int"), "backward"),
    "type_changed": (lambda f, s: f["machine_id"].update(type="long"), "backward"),
    "null_no_longer_allowed": (lambda f, s: f["temperature_c"].update(type="double", default=0.0), "backward"),
    "enum_narrowed": (lambda f, s: f["status"]["type"]["symbols"].remove("fault"), "backward"),
    "field_removed": (lambda f, s: s["fields"].remove(f["machine_id"]), "full"),
}


@pytest.mark.parametrize("kind", sorted(BREAKING_AVRO_CHANGES))
def test_each_seeded_breaking_avro_change_is_named(kind):
    edit, mode = BREAKING_AVRO_CHANGES[kind]

    changes = breaking_avro_changes(sensor_event_avro_schema(), _avro_changed(edit), mode=mode)

    assert {change.kind for change in changes} == {kind}


def test_avro_changes_that_resolve_both_ways_pass():
    with_default = _avro_changed(lambda f, s: s["fields"].append(
        {"name": "line_id", "type": ["null", "string"], "default": None}))
    renamed_with_alias = _avro_changed(lambda f, s: f["firmware_version"].update(
        name="firmware", aliases=["firmware_version"]))
    promoted = _avro_changed(lambda f, s: f["temperature_c"].update(type=["null", "double", "string"]))

    assert breaking_avro_changes(sensor_event_avro_schema(), with_default, mode="full") == []
    assert breaking_avro_changes(sensor_event_avro_schema(), renamed_with_alias) == []
    assert breaking_avro_changes(sensor_event_avro_schema(), promoted) == []


def test_removing_a_field_is_backward_compatible_in_avro_but_not_full():
    without_machine = _avro_changed(lambda f, s: s["fields"].remove(f["machine_id"]))

    assert breaking_avro_changes(sensor_event_avro_schema(), without_machine, mode="backward") == []
    assert [c.kind for c in breaking_avro_changes(sensor_event_avro_schema(), without_machine, mode="full")] == [
        "field_removed"]
