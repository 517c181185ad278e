"""Avro evolution modes, checked by really writing with one schema and reading with the other."""
from __future__ import annotations

import pytest

from delta_schema_evolution.avro_compatibility import (
    BACKWARD,
    BACKWARD_TRANSITIVE,
    FORWARD,
    FULL,
    FULL_TRANSITIVE,
    can_read,
    check_compatibility,
    sample_records,
)
from delta_schema_evolution.errors import SchemaInputError


def reading(*extra_fields, temp_type="double"):
    return {"type": "record", "name": "Reading", "namespace": "iot",
            "fields": [{"name": "id", "type": "long"}, {"name": "temp", "type": temp_type}, *extra_fields]}


V1 = reading()
V2_UNIT_WITH_DEFAULT = reading({"name": "unit", "type": "string", "default": "C"})
V3_UNIT_REQUIRED = reading({"name": "unit", "type": "string"})
V2_FIRMWARE_REQUIRED = reading({"name": "firmware", "type": "string"})
V2_TEMP_AS_STRING = reading(temp_type="string")
V2_OPTIONAL_RPM = reading({"name": "rpm", "type": ["null", "int"], "default": None})


def test_adding_a_field_with_a_default_is_fully_compatible():
    result = check_compatibility(V2_UNIT_WITH_DEFAULT, [V1], FULL)
    assert result.compatible
    assert [(c.writer_version, c.reader_version) for c in result.checks] == [(1, 2), (2, 1)]


def test_adding_a_required_field_breaks_backward_but_not_forward():
    backward = check_compatibility(V2_FIRMWARE_REQUIRED, [V1], BACKWARD)
    assert not backward.compatible
    assert "firmware" in backward.checks[0].error  # the new reader finds no value and no default
    assert check_compatibility(V2_FIRMWARE_REQUIRED, [V1], FORWARD).compatible


def test_changing_a_field_type_from_double_to_string_breaks_both_directions():
    assert not check_compatibility(V2_TEMP_AS_STRING, [V1], BACKWARD).compatible
    assert not check_compatibility(V2_TEMP_AS_STRING, [V1], FORWARD).compatible


def test_int_to_long_promotion_reads_one_way_only():
    old, new = reading({"name": "rpm", "type": "int"}), reading({"name": "rpm", "type": "long"})
    assert can_read(old, new) is None          # a long reader promotes the int
    assert can_read(new, old) is not None      # an int reader cannot take a long


def test_transitive_mode_catches_what_the_latest_only_check_misses():
    history = [V1, V2_UNIT_WITH_DEFAULT]
    assert check_compatibility(V3_UNIT_REQUIRED, history, BACKWARD).compatible  # v2 data always has unit
    transitive = check_compatibility(V3_UNIT_REQUIRED, history, BACKWARD_TRANSITIVE)
    assert not transitive.compatible
    assert [(c.writer_version, c.readable) for c in transitive.checks] == [(1, False), (2, True)]


def test_an_optional_field_with_null_default_is_compatible_with_every_version():
    assert check_compatibility(V2_OPTIONAL_RPM, [V1], FULL_TRANSITIVE).compatible


def test_samples_cover_each_union_branch():
    rpms = [record["rpm"] for record in sample_records(V2_OPTIONAL_RPM)]
    assert None in rpms and any(isinstance(value, int) for value in rpms)


def test_an_unknown_mode_is_a_named_error():
    with pytest.raises(SchemaInputError, match="mode: expected one of .* got 'SIDEWAYS'"):
        check_compatibility(V1, [V1], "SIDEWAYS")
