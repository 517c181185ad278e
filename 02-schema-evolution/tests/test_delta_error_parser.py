"""The parser on the exact texts Delta produced (copied from docs/error-reference.md), no Spark needed."""
from __future__ import annotations

from delta_schema_evolution import parse_delta_error

DECIMAL = ("[DELTA_FAILED_TO_MERGE_FIELDS] Failed to merge fields 'energy_kwh' and 'energy_kwh'\n"
           "Caused by: [DELTA_MERGE_INCOMPATIBLE_DECIMAL_TYPE] Failed to merge decimal types with incompatible "
           "precision 10 and 12 & scale 2 and 4")
CAST = ("[CAST_INVALID_INPUT] The value 'n/a' of the type \"STRING\" cannot be cast to \"INT\" because it is "
        "malformed. Correct the value as per the syntax, or change its target type. SQLSTATE: 22018")


def test_decimal_precision_and_scale_are_read_from_the_cause():
    parsed = parse_delta_error(DECIMAL)
    assert (parsed.error_class, parsed.cause_classes) == ("DELTA_FAILED_TO_MERGE_FIELDS",
                                                          ["DELTA_MERGE_INCOMPATIBLE_DECIMAL_TYPE"])
    assert (parsed.field_path, parsed.table_type, parsed.incoming_type, parsed.resolution) == (
        "energy_kwh", "decimal(10,2)", "decimal(12,4)", "widen")


def test_a_narrowing_decimal_calls_for_a_cast_not_a_widening():
    narrowing = DECIMAL.replace("precision 10 and 12 & scale 2 and 4", "precision 12 and 10 & scale 2 and 2")
    assert parse_delta_error(narrowing).resolution == "cast"


def test_cast_invalid_input_names_both_types_and_the_quarantine():
    parsed = parse_delta_error(CAST)
    assert (parsed.table_type, parsed.incoming_type, parsed.resolution) == ("int", "string",
                                                                          "safe_cast_with_quarantine")


def test_text_without_an_error_class_parses_to_unknown_rather_than_guessing():
    parsed = parse_delta_error("java.lang.OutOfMemoryError: Java heap space")
    assert (parsed.error_class, parsed.resolution) == (None, "unknown")
