"""safe_merge's guards and the reject / versioned-column policies, on tiny tables."""
from __future__ import annotations

import pytest
from chispa import assert_df_equality
from pyspark.sql import types as T

from delta_schema_evolution import SchemaConflictError, SchemaInputError, SchemaPolicy, compare_schemas, safe_merge
from delta_schema_evolution.safe_merge import plan_actions

S, F = T.StructType, T.StructField
TABLE = S([F("id", T.IntegerType()), F("rpm", T.IntegerType()), F("spindle", S([F("temp", T.IntegerType())])),
           F("customExtension", T.MapType(T.StringType(), T.StringType()))])
INCOMING = S([F("id", T.IntegerType()), F("rpm", T.StringType()), F("spindle", S([F("temp", T.LongType())])),
              F("customExtension", T.MapType(T.StringType(), S([F("value", T.StringType())]))),
              F("firmware", T.StringType())])


def test_compare_walks_structs_and_maps_and_classifies_every_path():
    assert [(c.path, c.kind, c.table_type, c.incoming_type) for c in compare_schemas(TABLE, INCOMING).changes] == [
        ("rpm", "lossy_cast", "int", "string"),
        ("spindle.temp", "type_widening", "int", "bigint"),
        ("customExtension.value", "incompatible", "string", "struct<value:string>"),
        ("firmware", "added", None, "string"),
    ]


def test_compare_reports_removed_fields_nullability_and_array_elements():
    table = S([F("id", T.IntegerType(), False), F("temps", T.ArrayType(T.IntegerType())), F("unit", T.StringType())])
    incoming = S([F("id", T.IntegerType(), True), F("temps", T.ArrayType(T.DoubleType()))])
    assert [(c.path, c.kind) for c in compare_schemas(table, incoming).changes] == [
        ("id", "nullability_relaxed"), ("temps.element", "type_widening"), ("unit", "removed")]


def test_reject_policy_lists_every_conflicting_path_with_both_types_before_touching_the_table():
    strict = SchemaPolicy(on_type_widening="reject", on_lossy_cast="reject", on_incompatible="reject",
                          allow_added_columns=False)
    with pytest.raises(SchemaConflictError) as raised:
        plan_actions(TABLE, INCOMING, strict)
    message = str(raised.value)
    assert "4 schema conflict(s)" in message
    assert "rpm: table int, incoming string (lossy_cast)" in message
    assert "spindle.temp: table int, incoming bigint (type_widening)" in message
    assert "customExtension.value: table string, incoming struct<value:string> (incompatible)" in message
    assert "firmware: table absent, incoming string (added)" in message


def test_a_bad_policy_value_is_a_named_error_showing_expected_and_actual():
    with pytest.raises(SchemaInputError, match=r"on_lossy_cast: expected one of .*'safe_cast'.*, got 'drop'"):
        SchemaPolicy(on_lossy_cast="drop")


def test_safe_merge_checks_keys_before_any_work(spark, tmp_path):
    path = str(tmp_path / "t")
    spark.createDataFrame([(1, 10)], "id INT, rpm INT").write.format("delta").save(path)
    incoming = spark.createDataFrame([(2, 20)], "reading_id INT, rpm INT")
    with pytest.raises(SchemaInputError, match=r"keys: expected \['id'\] in both the table and the incoming batch"):
        safe_merge(spark, path, incoming, keys=["id"], quarantine_path=str(tmp_path / "q"))
    assert spark.read.format("delta").load(path).count() == 1


def test_rejected_batch_leaves_the_table_exactly_as_it_was(spark, tmp_path):
    path = str(tmp_path / "t")
    spark.createDataFrame([(1, 10)], "id INT, rpm INT").write.format("delta").save(path)
    incoming = spark.createDataFrame([(2, "20")], "id INT, rpm STRING")
    with pytest.raises(SchemaConflictError, match="rpm: table int, incoming string"):
        safe_merge(spark, path, incoming, keys=["id"], quarantine_path=str(tmp_path / "q"),
                   policy=SchemaPolicy(on_lossy_cast="reject"))
    table = spark.read.format("delta").load(path)
    assert_df_equality(table, spark.createDataFrame([(1, 10)], table.schema))
