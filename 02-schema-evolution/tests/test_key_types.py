"""Type inference from sampled map values, and which type changes the registry accepts as widenings."""
from __future__ import annotations

from delta_schema_evolution.flattening.key_types import infer_type, widened_type


def test_scalars_get_the_narrowest_type_every_sample_value_parses_as():
    assert infer_type(["1200", "-3", None, " "]) == "int"
    assert infer_type(["1200", "3000000000"]) == "bigint"       # beyond int: bigint
    assert infer_type(["1", "2.5", "1e3"]) == "double"
    assert infer_type(["true", "FALSE"]) == "boolean"
    assert infer_type(["12", "n/a"]) == "string"                # one value that is no number: string
    assert infer_type([None]) == "string"


def test_json_objects_and_arrays_get_a_struct_or_array_type_merged_over_all_samples():
    assert infer_type(['{"wear": 0.1, "id": "T1"}', '{"id": "T2", "wear": 1}']) == "struct<`id`:string,`wear`:double>"
    assert infer_type(['{"id": "T1"}', '{"id": "T2", "slot": 4}']) == "struct<`id`:string,`slot`:bigint>"
    assert infer_type(["[1, 2]", "[3.5]"]) == "array<double>"
    assert infer_type(['{"id": "T1"}', "not json"]) == "string"  # mixed: string, no from_json


def test_the_registry_type_only_moves_to_a_type_delta_can_widen_the_column_to(spark):
    assert widened_type(spark, "int", "bigint") == "bigint"      # Delta type widening int -> long
    assert widened_type(spark, "int", "double") == "double"      # via ALTER COLUMN TYPE
    assert widened_type(spark, "bigint", "double") == "bigint"   # long -> double is not a Delta widening
    assert widened_type(spark, "int", "string") == "int"         # junk in the sample: keep int, quarantine junk
    assert widened_type(spark, "struct<`id`:string>", "struct<`id`:string,`slot`:bigint>") == \
        "struct<`id`:string,`slot`:bigint>"                       # a JSON field added: mergeSchema adds it
    assert widened_type(spark, "struct<`wear`:double>", "struct<`wear`:string>") == "struct<`wear`:double>"
