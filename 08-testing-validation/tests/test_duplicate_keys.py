"""A ``unique`` rule's repeated keys are exact whichever way they are found: by fingerprint (a batch
that fits on the driver), by a window over the key (a larger batch) or over the full rows (more
repeated keys than a broadcast holds); a fingerprint collision never makes a unique key repeated.
A reference rule gives the same answer with its dimension inlined or joined."""
from __future__ import annotations

import pytest
from chispa import assert_df_equality
from helpers import minutes, reading, readings
from pyspark.sql import functions as F

from plant_data_quality.contract import Rule
from plant_data_quality.duplicate_keys import repeated_keys_by_fingerprint, with_duplicate_key_counts
from plant_data_quality.rule_checks import failure_expression, in_list, with_reference_found

EVENT_ID_UNIQUE = Rule("event_id_unique", "unique", columns=("event_id",))
ONE_READING_PER_MACHINE_AND_TIME = Rule("reading_unique", "unique", columns=("machine_id", "event_time"))


def by_length(*columns):
    """A deliberately poor fingerprint: every key of the same length collides."""
    return F.length(F.concat_ws("|", *columns)).cast("bigint")


PATHS = {
    "fingerprint": {},
    "fingerprint that collides": {"fingerprint": by_length},
    "window over the key (batch above the fingerprint limit)": {"fingerprint_rows": 0},
    "window over the full rows (more repeated keys than the broadcast limit)": {"limit": 1},
}


@pytest.fixture(scope="module")
def keyed(spark):
    return readings(spark, [reading("a"), reading("a"),      # repeated
                            reading("b"), reading("b"),      # repeated
                            reading("c"), reading("dd"),     # unique, c collides with a and b by length
                            reading(None), reading(None)])   # null keys are left to not_null


@pytest.mark.parametrize("path", PATHS)
def test_every_path_flags_exactly_the_rows_of_repeated_keys(spark, keyed, path):
    flags = (with_duplicate_key_counts(keyed, EVENT_ID_UNIQUE, **PATHS[path])
             .select("event_id", failure_expression(EVENT_ID_UNIQUE, None).alias("fails")))

    expected = spark.createDataFrame([("a", True), ("a", True), ("b", True), ("b", True), ("c", False),
                                      ("dd", False), (None, False), (None, False)], "event_id string, fails boolean")
    assert_df_equality(flags, expected, ignore_row_order=True, ignore_nullable=True)


def test_rows_sharing_a_fingerprint_are_counted_by_their_keys(keyed):
    found = repeated_keys_by_fingerprint(keyed, EVENT_ID_UNIQUE, fingerprint=by_length)

    counts = {row["event_id"]: row["count_all"] for row in found.table.to_pylist()}
    assert counts == {"a": 2, "b": 2}  # c shares their fingerprint but occurs once
    assert not found.one_key_per_fingerprint  # so the rows are marked by key, not by fingerprint


def test_a_batch_without_repeated_keys_needs_no_join(spark, capsys):
    clean = readings(spark, [reading("a"), reading("b"), reading(None)])

    marked = with_duplicate_key_counts(clean, EVENT_ID_UNIQUE)
    marked.explain()

    assert "Join" not in capsys.readouterr().out
    assert marked.where(failure_expression(EVENT_ID_UNIQUE, None)).count() == 0


@pytest.mark.parametrize("path", ["fingerprint", "fingerprint that collides"])
def test_a_compound_key_keeps_its_column_types_on_both_fingerprint_paths(spark, path):
    data = readings(spark, [reading("e1", machine_id="M-0001", event_time=minutes(0)),
                            reading("e2", machine_id="M-0001", event_time=minutes(0)),   # same machine and time
                            reading("e3", machine_id="M-0001", event_time=minutes(1)),
                            reading("e4", machine_id="M-0002", event_time=minutes(0))])

    flags = (with_duplicate_key_counts(data, ONE_READING_PER_MACHINE_AND_TIME, **PATHS[path])
             .where(failure_expression(ONE_READING_PER_MACHINE_AND_TIME, None)))

    assert sorted(row.event_id for row in flags.collect()) == ["e1", "e2"]


@pytest.mark.parametrize("inline_limit", [1000, 1], ids=["inlined as an IN list", "broadcast and joined"])
def test_a_reference_finds_the_same_keys_inlined_or_joined(spark, inline_limit):
    rule = Rule("machine_known", "reference", column="machine_id",
                params={"dimension": "machines", "dimension_column": "machine_id"})
    dimension = spark.createDataFrame([("M-0001",), ("M-0002",), (None,)], "machine_id string")
    data = readings(spark, [reading("e1", machine_id="M-0001"), reading("e2", machine_id="M-0009"),
                            reading("e3", machine_id=None)])

    flags = with_reference_found(data, rule, dimension, inline_limit).select(
        "event_id", failure_expression(rule, None).alias("fails"))

    expected = spark.createDataFrame([("e1", False), ("e2", True), ("e3", False)], "event_id string, fails boolean")
    assert_df_equality(flags, expected, ignore_row_order=True, ignore_nullable=True)


def test_an_inlined_key_list_keeps_every_character_and_becomes_a_hash_set(spark, capsys):
    awkward = ["it's", "back\\slash", "M-`1`", "ünïcode", "a, b) OR (true"] + [f"M-{n:04d}" for n in range(10)]
    data = spark.createDataFrame([(value,) for value in awkward + ["other"]], "`key col` string")

    flagged = data.select("`key col`", in_list("key col", awkward).alias("found"))
    flagged.explain()

    assert {row[0]: row[1] for row in flagged.collect()} == {**dict.fromkeys(awkward, True), "other": False}
    assert "INSET" in capsys.readouterr().out.upper()  # past 10 values Spark looks rows up in a hash set
    assert spark.range(5).where(in_list("id", [1, 2])).count() == 2  # integers are written as numbers
