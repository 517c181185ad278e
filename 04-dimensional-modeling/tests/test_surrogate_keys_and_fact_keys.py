"""Surrogate keys (hash, max + row_number, identity), the unknown member, and the as-of key lookup."""

from __future__ import annotations

import pytest
from helpers import local_frame, ts

from manufacturing_star_schema import (
    OPEN_END,
    Scd2Spec,
    assert_one_row_per_key,
    assert_scd2_invariants,
    merge_scd2,
)
from manufacturing_star_schema.errors import ScdInvariantError
from manufacturing_star_schema.fact_keys import lookup_key_as_of, unmatched_keys
from manufacturing_star_schema.surrogate_keys import (
    assign_max_plus_row_number,
    ensure_unknown_member,
    with_hash_key,
)

PLANT_DIM = "plant_sk bigint, plant_id string"


def test_hash_keys_are_the_same_on_every_rebuild(spark):
    plants = local_frame(spark, [("BER1",), ("AUS1",)], "plant_id string")

    first = {r.plant_id: r.plant_sk for r in with_hash_key(plants, ["plant_id"], "plant_sk").collect()}
    rebuilt = {
        r.plant_id: r.plant_sk
        for r in with_hash_key(plants.orderBy("plant_id"), ["plant_id"], "plant_sk").collect()
    }

    assert first == rebuilt and len(set(first.values())) == 2


def test_max_plus_row_number_gives_two_concurrent_writers_the_same_key(spark, delta_path):
    local_frame(spark, [(-1, "UNKNOWN"), (1, "BER1"), (2, "AUS1")], PLANT_DIM).write.format("delta").save(
        delta_path
    )
    dim = spark.read.format("delta").load(delta_path)
    writer_a = assign_max_plus_row_number(
        dim, local_frame(spark, [("SHA1",)], "plant_id string"), "plant_sk", ["plant_id"]
    )
    writer_b = assign_max_plus_row_number(
        dim, local_frame(spark, [("MEX1",)], "plant_id string"), "plant_sk", ["plant_id"]
    )
    a_rows = writer_a.select("plant_sk", "plant_id").collect()  # both writers read max = 2 ...
    b_rows = writer_b.select("plant_sk", "plant_id").collect()  # ... before either of them writes

    local_frame(spark, a_rows, PLANT_DIM).write.format("delta").mode("append").save(delta_path)
    local_frame(spark, b_rows, PLANT_DIM).write.format("delta").mode("append").save(
        delta_path
    )  # no conflict raised

    with pytest.raises(ScdInvariantError, match="duplicate_key"):
        assert_one_row_per_key(spark.read.format("delta").load(delta_path), ["plant_sk"])
    assert [r.plant_sk for r in a_rows] == [3] and [r.plant_sk for r in b_rows] == [3]


def test_the_unknown_member_is_inserted_once(spark, delta_path):
    local_frame(spark, [(1, "BER1")], PLANT_DIM).write.format("delta").save(delta_path)

    inserted = [
        ensure_unknown_member(spark, delta_path, "plant_sk", {"plant_id": "UNKNOWN"}) for _ in range(2)
    ]

    assert inserted == [1, 0]
    assert_one_row_per_key(spark.read.format("delta").load(delta_path), ["plant_sk"])


def test_facts_get_the_machine_version_valid_at_event_time_or_the_unknown_member(
    spark, empty_dim_machine, delta_path, changes
):
    spec = Scd2Spec(natural_key=("machine_id",))
    empty_dim_machine(delta_path)
    merge_scd2(
        spark,
        delta_path,
        changes([("M1", "L1", "fw-1.0", 1200, ts(1)), ("M1", "L1", "fw-1.1", 1200, ts(5))]),
        spec,
    )
    dim = spark.read.format("delta").load(delta_path)
    keys = {(r.firmware): r.machine_sk for r in dim.collect()}
    readings = local_frame(
        spark,
        [
            ("r1", "M1", ts(3)),  # during fw-1.0
            ("r2", "M1", ts(5)),  # exactly at the change: the new version (valid_from is inclusive)
            ("r3", "M1", ts(1, 0)),  # first instant of fw-1.0
            ("r4", "M9", ts(3)),  # machine not in the dimension yet: late-arriving dimension
        ],
        "reading_id string, machine_id string, event_ts timestamp",
    )

    keyed = lookup_key_as_of(readings, dim, {"machine_id": "machine_id"}, "event_ts", "machine_sk")

    assert {r.reading_id: r.machine_sk for r in keyed.collect()} == {
        "r1": keys["fw-1.0"],
        "r2": keys["fw-1.1"],
        "r3": keys["fw-1.0"],
        "r4": -1,
    }
    assert keyed.count() == readings.count()  # nothing dropped, nothing duplicated
    assert [tuple(r) for r in unmatched_keys(keyed, ["machine_id"], "machine_sk").collect()] == [("M9", 1)]
    assert OPEN_END in {r.valid_to for r in dim.collect()}
    assert_scd2_invariants(dim, ["machine_id"])
