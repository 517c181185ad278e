"""The invariant checker: it must catch each broken invariant, and pass a correct history."""

from __future__ import annotations

import pytest
from helpers import local_frame, ts
from pyspark.sql import types as T

from manufacturing_star_schema import (
    OPEN_END,
    ScdInvariantError,
    assert_one_row_per_key,
    assert_scd2_invariants,
)

SCHEMA = T.StructType(
    [
        T.StructField("machine_id", T.StringType()),
        T.StructField("valid_from", T.TimestampType()),
        T.StructField("valid_to", T.TimestampType()),
        T.StructField("is_current", T.BooleanType()),
    ]
)


def test_a_correct_history_passes(spark):
    dimension = local_frame(
        spark,
        [
            ("M1", ts(1), ts(5), False),
            ("M1", ts(5), OPEN_END, True),
            ("M2", ts(2), OPEN_END, True),
        ],
        SCHEMA,
    )

    assert set(assert_scd2_invariants(dimension, ["machine_id"]).values()) == {0}


@pytest.mark.parametrize(
    ("rows", "broken"),
    [
        (
            [("M1", ts(1), OPEN_END, True), ("M1", ts(5), OPEN_END, True)],
            "current_rows_not_one",
        ),  # two current rows
        (
            [("M1", ts(1), ts(5), False)],
            "current_rows_not_one",
        ),  # no current row (hard delete of the current)
        ([("M1", ts(1), ts(6), False), ("M1", ts(5), OPEN_END, True)], "overlap"),  # 1..6 overlaps 5..
        ([("M1", ts(1), ts(4), False), ("M1", ts(5), OPEN_END, True)], "gap"),  # nothing valid from 4 to 5
        ([("M1", ts(5), ts(1), False), ("M1", ts(1), OPEN_END, True)], "empty_or_negative_interval"),
        ([("M1", ts(1), ts(5), True), ("M1", ts(5), OPEN_END, False)], "current_not_last"),
        ([("M1", ts(1), OPEN_END, True), ("M1", ts(1), OPEN_END, False)], "duplicate_version"),
    ],
)
def test_each_broken_invariant_is_named_with_an_example(spark, rows, broken):
    dimension = local_frame(spark, rows, SCHEMA)

    with pytest.raises(ScdInvariantError) as raised:
        assert_scd2_invariants(dimension, ["machine_id"])

    assert raised.value.violations[broken] > 0
    assert "M1" in str(raised.value)


def test_one_row_per_key_catches_a_duplicated_type1_member(spark):
    dimension = local_frame(
        spark,
        [("P1", "Berlin"), ("P1", "Berlin-Spandau"), ("P2", "Austin")], "plant_id string, city string"
    )

    with pytest.raises(ScdInvariantError, match="duplicate_key"):
        assert_one_row_per_key(dimension, ["plant_id"])
    assert assert_one_row_per_key(dimension.filter("city != 'Berlin'"), ["plant_id"]) == {"duplicate_key": 0}
