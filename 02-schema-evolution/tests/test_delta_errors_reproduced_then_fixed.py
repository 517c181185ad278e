"""Each firmware change is first reproduced on real Delta (the real error class), parsed into a
structured object, then fixed by ``safe_merge`` with the resolution the parser names."""
from __future__ import annotations

from decimal import Decimal

import pytest
from pyspark.sql import types as T

from delta_schema_evolution import parse_delta_error, safe_merge

S, F = T.StructType, T.StructField


@pytest.fixture
def scenarios(load_script):
    """The very scenarios ``examples/capture_delta_errors.py`` runs to write docs/error-reference.md."""
    return load_script("examples/capture_delta_errors.py")


def table_schema(spark, path):
    return spark.read.format("delta").load(path).schema


def rows_by_id(spark, path):
    return {row["id"]: row.asDict(recursive=True) for row in spark.read.format("delta").load(path).collect()}


def test_map_string_to_map_struct_fails_with_failed_to_merge_fields_and_is_versioned(spark, scenarios, tmp_path):
    path = str(tmp_path / "readings")
    error = scenarios.capture(spark, scenarios.map_string_into_map_struct, path)
    incoming_schema = S([F("id", T.IntegerType()), F("customExtension", T.MapType(T.StringType(), scenarios.READING))])

    parsed = parse_delta_error(error, table_schema(spark, path), incoming_schema)

    assert parsed.error_class == "DELTA_FAILED_TO_MERGE_FIELDS"
    assert (parsed.field_path, parsed.table_type, parsed.incoming_type) == (
        "customExtension.value", "string", "struct<value:string,unit:string>")
    assert parsed.resolution == "versioned_column"

    incoming = spark.createDataFrame([(2, {"temp": ("72.0", "C")})], incoming_schema)
    report = safe_merge(spark, path, incoming, keys=["id"], quarantine_path=str(tmp_path / "quarantine"))

    assert (report.rows_in, report.rows_merged, report.rows_quarantined) == (1, 1, 0)
    rows = rows_by_id(spark, path)
    assert rows[1]["customExtension"] == {"temp": "71.5"}  # the old column keeps old rows
    assert rows[2]["customExtension"] is None  # the new firmware's rows land in the versioned column
    assert rows[2]["customExtension_v2"] == {"temp": {"value": "72.0", "unit": "C"}}


def test_map_struct_to_map_string_fails_the_same_way_in_reverse(spark, scenarios, tmp_path):
    path = str(tmp_path / "readings")
    error = scenarios.capture(spark, scenarios.map_struct_into_map_string, path)
    incoming_schema = S([F("id", T.IntegerType()), F("customExtension", T.MapType(T.StringType(), T.StringType()))])

    parsed = parse_delta_error(error, table_schema(spark, path), incoming_schema)

    assert parsed.error_class == "DELTA_FAILED_TO_MERGE_FIELDS"
    assert (parsed.field_path, parsed.table_type, parsed.incoming_type) == (
        "customExtension.value", "struct<value:string,unit:string>", "string")
    assert parsed.resolution == "versioned_column"


def test_int_to_long_fails_without_type_widening_and_safe_merge_widens_the_column(spark, scenarios, tmp_path):
    path = str(tmp_path / "readings")
    error = scenarios.capture(spark, scenarios.long_into_int, path)
    incoming = spark.createDataFrame([(2, 3_000_000_000)], "id INT, rpm BIGINT")  # does not fit an INT

    parsed = parse_delta_error(error, table_schema(spark, path), incoming.schema)
    assert (parsed.error_class, parsed.field_path, parsed.table_type, parsed.incoming_type, parsed.resolution) == (
        "DELTA_FAILED_TO_MERGE_FIELDS", "rpm", "int", "bigint", "widen")

    report = safe_merge(spark, path, incoming, keys=["id"], quarantine_path=str(tmp_path / "quarantine"))

    assert [(a.path, a.action) for a in report.actions] == [("rpm", "widen")]
    assert table_schema(spark, path)["rpm"].dataType == T.LongType()
    assert rows_by_id(spark, path)[2]["rpm"] == 3_000_000_000
    assert (report.rows_in, report.rows_merged, report.rows_quarantined) == (1, 1, 0)


def test_string_into_int_fails_on_append_and_safe_cast_quarantines_only_the_bad_rows(spark, scenarios, tmp_path):
    path, quarantine = str(tmp_path / "readings"), str(tmp_path / "quarantine")
    error = scenarios.capture(spark, scenarios.string_into_int_append, path)
    incoming = spark.createDataFrame([
        (3, "1250"),  # a number sent as a string: casts cleanly
        (4, "n/a"),   # the firmware's placeholder: cannot be an INT, goes to quarantine
        (5, None),    # null stays null, it is not a cast failure
    ], "id INT, rpm STRING")

    parsed = parse_delta_error(error, table_schema(spark, path), incoming.schema)
    assert (parsed.error_class, parsed.table_type, parsed.incoming_type, parsed.resolution) == (
        "DELTA_FAILED_TO_MERGE_FIELDS", "int", "string", "safe_cast_with_quarantine")

    report = safe_merge(spark, path, incoming, keys=["id"], quarantine_path=quarantine)

    quarantined = spark.read.format("delta").load(quarantine).collect()
    assert report.rows_in == report.rows_merged + report.rows_quarantined == 3
    assert spark.read.format("delta").load(path).count() - 1 == report.rows_merged == 2  # 1 row was there before
    assert len(quarantined) == report.rows_quarantined == 1
    assert quarantined[0]["reason"] == "rpm: value n/a (string) does not fit int"
    assert quarantined[0]["payload"] == '{"id":4,"rpm":"n/a"}'
    assert table_schema(spark, path)["rpm"].dataType == T.IntegerType()


def test_string_into_int_through_merge_passes_analysis_then_fails_at_run_time_with_cast_invalid_input(
        spark, scenarios, tmp_path):
    error = scenarios.capture(spark, scenarios.string_into_int_merge, str(tmp_path / "readings"))

    parsed = parse_delta_error(error)

    assert parsed.error_class == "CAST_INVALID_INPUT"
    assert (parsed.table_type, parsed.incoming_type, parsed.resolution) == ("int", "string",
                                                                          "safe_cast_with_quarantine")


def test_decimal_precision_change_fails_and_safe_merge_widens_the_decimal(spark, scenarios, tmp_path):
    path = str(tmp_path / "energy")
    error = scenarios.capture(spark, scenarios.decimal_precision_change, path)
    incoming = spark.createDataFrame([(2, Decimal("12.5012"))], "id INT, energy_kwh DECIMAL(12,4)")

    parsed = parse_delta_error(error, table_schema(spark, path), incoming.schema)
    assert (parsed.table_type, parsed.incoming_type, parsed.resolution) == ("decimal(10,2)", "decimal(12,4)",
                                                                           "widen")

    safe_merge(spark, path, incoming, keys=["id"], quarantine_path=str(tmp_path / "quarantine"))

    assert table_schema(spark, path)["energy_kwh"].dataType == T.DecimalType(12, 4)
    assert rows_by_id(spark, path)[2]["energy_kwh"] == Decimal("12.5012")  # no digit lost


def test_nested_struct_field_type_change_is_reported_at_the_leaf_and_bad_values_are_quarantined(
        spark, scenarios, tmp_path):
    path, quarantine = str(tmp_path / "spindles"), str(tmp_path / "quarantine")
    error = scenarios.capture(spark, scenarios.nested_struct_field_change, path)
    incoming = spark.createDataFrame([
        (2, ("1250",)),  # casts to 1250
        (3, ("fast",)),  # not a number: quarantined, nothing silently nulled
    ], "id INT, spindle STRUCT<rpm: STRING>")

    parsed = parse_delta_error(error, table_schema(spark, path), incoming.schema)
    assert (parsed.field_path, parsed.table_type, parsed.incoming_type) == ("spindle.rpm", "int", "string")

    report = safe_merge(spark, path, incoming, keys=["id"], quarantine_path=quarantine)

    assert (report.rows_in, report.rows_merged, report.rows_quarantined) == (2, 1, 1)
    assert rows_by_id(spark, path)[2]["spindle"] == {"rpm": 1250}
    assert spark.read.format("delta").load(quarantine).count() == 1


def test_append_schema_mismatch_names_the_fix_and_safe_merge_adds_the_column(spark, scenarios, tmp_path):
    path = str(tmp_path / "readings")
    error = scenarios.capture(spark, scenarios.append_schema_mismatch, path)

    parsed = parse_delta_error(error)
    assert parsed.error_class == "_LEGACY_ERROR_TEMP_DELTA_0007"
    assert parsed.resolution == "merge_schema"

    incoming = spark.createDataFrame([(2, 1250, "2.1.0")], "id INT, rpm INT, firmware STRING")
    report = safe_merge(spark, path, incoming, keys=["id"], quarantine_path=str(tmp_path / "quarantine"))

    assert [(a.path, a.action) for a in report.actions] == [("firmware", "add_column")]
    assert rows_by_id(spark, path) == {1: {"id": 1, "rpm": 1200, "firmware": None},
                                       2: {"id": 2, "rpm": 1250, "firmware": "2.1.0"}}
