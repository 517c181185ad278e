"""SCD Type 2 as one MERGE: history from the source's change timestamps, reruns, late changes, deletes.

Every test ends with the invariant checker. Dimension rows are read back as tuples in
(machine_id, valid_from) order.
"""

from __future__ import annotations

import pytest
from delta.tables import DeltaTable
from helpers import MACHINE_ATTRIBUTES, assert_history, history, outcome_counts, ts
from pyspark.sql import functions as F

from manufacturing_star_schema import (
    OPEN_END,
    ColumnTypeDriftError,
    OutOfOrderChangeError,
    Scd2Spec,
    ScdInvariantError,
    assert_scd2_invariants,
    create_scd2_table,
    merge_scd2,
)
from manufacturing_star_schema.scd_type2_two_pass import merge_scd2_two_pass

SPEC = Scd2Spec(natural_key=("machine_id",))
VERSIONS = ("machine_id", "firmware", "valid_from", "valid_to", "is_current")


@pytest.fixture
def dim_machine(empty_dim_machine, delta_path):
    return empty_dim_machine(delta_path)


def check_invariants(spark, path):
    assert_scd2_invariants(spark.read.format("delta").load(path), ["machine_id"])


def test_versions_take_their_dates_from_the_source_change_timestamp(spark, dim_machine, changes):
    merge_scd2(
        spark,
        dim_machine,
        changes(
            [
                ("M1", "L1", "fw-1.0", 1200, ts(1)),  # first seen on day 1
                ("M2", "L1", "fw-1.0", 900, ts(1)),
            ]
        ),
        SPEC,
    )
    result = merge_scd2(
        spark,
        dim_machine,
        changes(
            [
                ("M1", "L1", "fw-1.1", 1200, ts(4)),  # firmware upgrade on day 4: new version
                ("M2", "L1", "fw-1.0", 900, ts(4)),  # same content: no new version
                ("M3", "L2", "fw-2.0", 1500, ts(4)),  # new machine
            ]
        ),
        SPEC,
    )

    assert_history(
        spark,
        dim_machine,
        [*VERSIONS],
        [
            ("M1", "fw-1.0", ts(1), ts(4), False),
            ("M1", "fw-1.1", ts(4), OPEN_END, True),
            ("M2", "fw-1.0", ts(1), OPEN_END, True),
            ("M3", "fw-2.0", ts(4), OPEN_END, True),
        ],
    )
    assert result.metrics["num_inserted_rows"] == 2 and result.metrics["num_updated_rows"] == 1
    assert outcome_counts(result) == {"new_version": 2, "unchanged": 1}
    check_invariants(spark, dim_machine)


def test_a_rerun_with_identical_input_changes_zero_rows(spark, dim_machine, changes):
    batch = changes([("M1", "L1", "fw-1.0", 1200, ts(1)), ("M1", "L1", "fw-1.1", 1200, ts(4))])
    merge_scd2(spark, dim_machine, batch, SPEC)
    before = history(spark, dim_machine, "machine_sk", *VERSIONS)

    rerun = merge_scd2(spark, dim_machine, batch, SPEC)

    assert rerun.metrics["num_inserted_rows"] == 0 and rerun.metrics["num_updated_rows"] == 0
    assert outcome_counts(rerun) == {"already_applied": 2}
    assert history(spark, dim_machine, "machine_sk", *VERSIONS) == before  # surrogate keys too
    check_invariants(spark, dim_machine)


def test_rerunning_an_older_batch_breaks_the_two_pass_approach_but_not_the_single_merge(
    spark, dim_machine, changes, empty_dim_machine, tmp_path
):
    monday = changes([("M1", "L1", "fw-1.0", 1200, ts(1))])
    thursday = changes([("M1", "L1", "fw-1.1", 1200, ts(4))])
    two_pass_path = empty_dim_machine(tmp_path / "two_pass")
    for batch in (monday, thursday, monday):  # Monday's batch is replayed after Thursday's
        merge_scd2_two_pass(spark, two_pass_path, batch, SPEC)
        merge_scd2(spark, dim_machine, batch, SPEC)

    # the failure, reproduced: the replay expired Thursday's version and made fw-1.0 current again
    assert [r for r in history(spark, two_pass_path, "firmware", "is_current") if r[1]] == [("fw-1.0", True)]
    with pytest.raises(ScdInvariantError, match="empty_or_negative_interval"):
        check_invariants(spark, two_pass_path)
    # the fix: the replay is recognised as already applied
    assert_history(
        spark,
        dim_machine,
        [*VERSIONS],
        [
            ("M1", "fw-1.0", ts(1), ts(4), False),
            ("M1", "fw-1.1", ts(4), OPEN_END, True),
        ],
    )
    check_invariants(spark, dim_machine)


def test_several_changes_of_one_key_in_one_batch_become_consecutive_versions(spark, dim_machine, changes):
    result = merge_scd2(
        spark,
        dim_machine,
        changes(
            [
                ("M1", "L1", "fw-1.2", 1200, ts(9)),  # arrives first, happened last
                ("M1", "L1", "fw-1.0", 1200, ts(1)),
                ("M1", "L1", "fw-1.0", 1200, ts(3)),  # same content as day 1: no version
                ("M1", "L1", "fw-1.1", 1200, ts(5)),
                ("M1", "L1", "fw-1.1", 1200, ts(5)),  # exact duplicate
            ]
        ),
        SPEC,
    )

    assert_history(
        spark,
        dim_machine,
        ["firmware", "valid_from", "valid_to"],
        [
            ("fw-1.0", ts(1), ts(5)),
            ("fw-1.1", ts(5), ts(9)),
            ("fw-1.2", ts(9), OPEN_END),
        ],
    )
    assert outcome_counts(result) == {"new_version": 3, "unchanged": 1, "duplicate_in_batch": 1}
    check_invariants(spark, dim_machine)


def test_a_plain_merge_fails_when_a_batch_has_several_changes_per_key(spark, dim_machine, changes):
    merge_scd2(spark, dim_machine, changes([("M1", "L1", "fw-1.0", 1200, ts(1))]), SPEC)
    batch = changes([("M1", "L1", "fw-1.1", 1200, ts(4)), ("M1", "L1", "fw-1.2", 1200, ts(6))])

    with pytest.raises(Exception, match="DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE"):
        DeltaTable.forPath(spark, dim_machine).alias("t").merge(
            batch.alias("s"), "t.machine_id = s.machine_id AND t.is_current"
        ).whenMatchedUpdate(set={"valid_to": "s.change_ts", "is_current": "false"}).execute()

    merge_scd2(spark, dim_machine, batch, SPEC)
    assert [r[1] for r in history(spark, dim_machine, *VERSIONS)] == ["fw-1.0", "fw-1.1", "fw-1.2"]
    check_invariants(spark, dim_machine)


def test_the_reject_policy_raises_a_named_error_and_writes_nothing(spark, dim_machine, changes):
    strict = Scd2Spec(natural_key=("machine_id",), on_out_of_order="reject")
    merge_scd2(spark, dim_machine, changes([("M1", "L1", "fw-2.0", 1200, ts(10))]), strict)
    version = DeltaTable.forPath(spark, dim_machine).history(1).first()["version"]

    # the fast path is tried first (the default): its MERGE aborts on the late change, then the policy raises
    with pytest.raises(OutOfOrderChangeError, match="found 1 older change"):
        merge_scd2(spark, dim_machine, changes([("M1", "L1", "fw-1.5", 1200, ts(6))]), strict)

    assert DeltaTable.forPath(spark, dim_machine).history(1).first()["version"] == version
    check_invariants(spark, dim_machine)


def test_null_safe_hash_sees_null_to_value_and_value_to_null_and_not_the_string_null(spark, dim_machine, changes):
    merge_scd2(
        spark,
        dim_machine,
        changes(
            [
                ("M1", "L1", None, 1200, ts(1)),  # firmware unknown
                ("M1", "L1", "fw-1.0", 1200, ts(2)),  # NULL -> value
                ("M1", "L1", None, 1200, ts(3)),  # value -> NULL
                ("M1", "L1", "NULL", 1200, ts(4)),  # the string 'NULL' is a value, not a null
                ("M2", None, "L1", 1200, ts(1)),  # (line NULL, firmware 'L1') ...
                ("M2", "L1", None, 1200, ts(2)),  # ... differs from (line 'L1', firmware NULL)
            ]
        ),
        SPEC,
    )

    assert [r[1] for r in history(spark, dim_machine, *VERSIONS)] == [
        None,
        "fw-1.0",
        None,
        "NULL",
        "L1",
        None,
    ]
    check_invariants(spark, dim_machine)


def test_a_soft_delete_is_a_tombstone_version_carrying_the_last_attributes(spark, dim_machine, changes):
    merge_scd2(spark, dim_machine, changes([("M1", "L1", "fw-1.0", 1200, ts(1))]), SPEC)
    delete = changes([("M1", None, None, None, ts(7))]).withColumn("is_deleted", F.lit(True))  # decommissioned

    merge_scd2(spark, dim_machine, delete, SPEC)
    rerun = merge_scd2(spark, dim_machine, delete, SPEC)

    assert history(spark, dim_machine, "firmware", "max_rpm", "is_deleted", "valid_from", "valid_to", "is_current") == [
        ("fw-1.0", 1200, False, ts(1), ts(7), False),
        ("fw-1.0", 1200, True, ts(7), OPEN_END, True),  # still one current row, flagged deleted
    ]
    assert outcome_counts(rerun) == {"already_applied": 1}
    check_invariants(spark, dim_machine)


def test_a_new_source_column_is_added_and_only_rows_with_a_value_get_a_version(spark, dim_machine, changes):
    merge_scd2(
        spark,
        dim_machine,
        changes([("M1", "L1", "fw-1.0", 1200, ts(1)), ("M2", "L1", "fw-1.0", 900, ts(1))]),
        SPEC,
    )
    with_coolant = changes([("M1", "L1", "fw-1.0", 1200, ts(5)), ("M2", "L1", "fw-1.0", 900, ts(5))]).withColumn(
        "coolant",
        F.when(F.col("machine_id") == "M1", "water-glycol"),  # M2 has no value yet
    )

    result = merge_scd2(spark, dim_machine, with_coolant, SPEC)

    assert result.added_columns == ["coolant"]
    assert_history(
        spark,
        dim_machine,
        ["machine_id", "coolant", "valid_from", "is_current"],
        [
            ("M1", None, ts(1), False),
            ("M1", "water-glycol", ts(5), True),
            ("M2", None, ts(1), True),  # NULL new column: the stored hash still matches, no version
        ],
    )
    check_invariants(spark, dim_machine)


def test_a_column_whose_type_drifted_is_a_named_error(spark, dim_machine, changes):
    drifted = changes([("M1", "L1", "fw-1.0", 1200, ts(1))]).withColumn("max_rpm", F.col("max_rpm").cast("string"))

    with pytest.raises(ColumnTypeDriftError, match="max_rpm: expected int, actual string"):
        merge_scd2(spark, dim_machine, drifted, SPEC)
    check_invariants(spark, dim_machine)


def test_bad_rows_are_quarantined_and_every_row_is_accounted_for(spark, dim_machine, changes):
    merge_scd2(spark, dim_machine, changes([("M1", "L1", "fw-1.0", 1200, ts(1))]), SPEC)
    batch = changes(
        [
            (None, "L1", "fw-1.0", 1200, ts(2)),  # no natural key
            ("M2", "L1", "fw-1.0", 1200, None),  # no change timestamp
            ("M3", "L1", "fw-1.0", 1200, ts(2)),  # two different versions at one instant
            ("M3", "L1", "fw-9.9", 1200, ts(2)),
            ("M1", "L1", "fw-0.9", 1200, ts(1)),  # contradicts the stored version of day 1
            ("M4", "L1", "fw-1.0", 1200, ts(2)),  # fine
        ]
    )

    result = merge_scd2(spark, dim_machine, batch, SPEC)

    reasons = sorted(r["quarantine_reason"] for r in result.quarantine.collect())
    assert reasons == [
        "conflicting versions for the same key and change timestamp",
        "conflicting versions for the same key and change timestamp",
        "conflicts with the stored version at the same change timestamp",
        "null change timestamp",
        "null natural key",
    ]
    counts = outcome_counts(result)
    assert counts == {"quarantined": 5, "new_version": 1}
    assert sum(counts.values()) == batch.count()  # rows in = versions written + quarantined
    check_invariants(spark, dim_machine)


def test_identity_surrogate_keys_are_generated_by_delta(spark, delta_path, changes):
    spec = Scd2Spec(natural_key=("machine_id",), surrogate_key_strategy="identity")
    create_scd2_table(spark, delta_path, MACHINE_ATTRIBUTES, spec)

    merge_scd2(
        spark,
        delta_path,
        changes([("M1", "L1", "fw-1.0", 1200, ts(1)), ("M1", "L1", "fw-1.1", 1200, ts(2))]),
        spec,
    )

    keys = [r[0] for r in history(spark, delta_path, "machine_sk")]
    assert len(set(keys)) == 2 and all(k is not None for k in keys)
    check_invariants(spark, delta_path)


def test_a_late_change_is_placed_in_history_beside_new_and_replayed_changes_and_a_rerun_changes_nothing(
    spark, dim_machine, changes
):
    merge_scd2(
        spark,
        dim_machine,
        changes(
            [
                ("M1", "L1", "fw-1.0", 1200, ts(1)),
                ("M1", "L1", "fw-2.0", 1200, ts(10)),
                ("M2", "L1", "fw-1.0", 900, ts(1)),
                ("M3", "L1", "fw-1.0", 900, ts(1)),
            ]
        ),
        SPEC,
    )
    batch = changes(
        [
            ("M1", "L1", "fw-1.5", 1200, ts(6)),  # late: lands between day 1 and day 10
            ("M2", "L1", "fw-1.1", 900, ts(8)),  # an ordinary newer change
            ("M3", "L1", "fw-1.0", 900, ts(1)),  # a replay of what is stored
            ("M4", "L2", "fw-3.0", 1500, ts(8)),  # a new machine
        ]
    )

    result = merge_scd2(spark, dim_machine, batch, SPEC)
    rerun = merge_scd2(spark, dim_machine, batch, SPEC)

    assert_history(
        spark,
        dim_machine,
        [*VERSIONS],
        [
            ("M1", "fw-1.0", ts(1), ts(6), False),  # shortened: ended when the late change happened
            ("M1", "fw-1.5", ts(6), ts(10), False),  # the late change, ending where day 10 starts
            ("M1", "fw-2.0", ts(10), OPEN_END, True),  # untouched: still current
            ("M2", "fw-1.0", ts(1), ts(8), False),
            ("M2", "fw-1.1", ts(8), OPEN_END, True),
            ("M3", "fw-1.0", ts(1), OPEN_END, True),
            ("M4", "fw-3.0", ts(8), OPEN_END, True),
        ],
    )
    assert outcome_counts(result) == {"placed_in_history": 1, "new_version": 2, "already_applied": 1}
    assert result.metrics["num_updated_rows"] == 2 and result.metrics["num_inserted_rows"] == 3
    assert rerun.metrics["num_updated_rows"] == rerun.metrics["num_inserted_rows"] == 0
    assert outcome_counts(rerun) == {"already_applied": 4}
    check_invariants(spark, dim_machine)
