"""Where mack's ``type_2_scd_upsert`` (the classic single-MERGE SCD2 helper) and ``merge_scd2`` part ways.

On mack's own case (one change per key, every change newer than the current version) both write the
same table (the benchmark checks that at scale). mack compares each change with the CURRENT row
only, so a change that happened before the current version, whether it arrives late or an older
batch is replayed, expires the newer version at an earlier instant and becomes current itself: an
interval that ends before it starts, and the wrong current value. ``merge_scd2`` places the late
change in history and recognises the replay as already applied.
"""

from __future__ import annotations

import pytest
from delta.tables import DeltaTable
from helpers import assert_history, local_frame, outcome_counts, ts
from mack import type_2_scd_upsert
from pyspark.sql import functions as F

from manufacturing_star_schema import (
    OPEN_END,
    Scd2Spec,
    ScdInvariantError,
    assert_scd2_invariants,
    merge_scd2,
)

SPEC = Scd2Spec(natural_key=("machine_id",))
ATTRIBUTES = ["line_id", "firmware", "max_rpm"]
MACK_TABLE = "machine_id string, line_id string, firmware string, max_rpm int, is_current boolean, " + (
    "effective_time timestamp, end_time timestamp"
)

MONDAY = [("M1", "L1", "fw-1.0", 1200, ts(2)), ("M2", "L1", "fw-1.0", 900, ts(2))]
THURSDAY = [("M1", "L1", "fw-2.0", 1200, ts(5)), ("M2", "L1", "fw-2.0", 900, ts(5))]
LATE_AND_REPLAYED = [
    ("M1", "L1", "fw-1.5", 1200, ts(4)),  # a late change: happened Wednesday, arrives after Thursday
    ("M2", "L1", "fw-1.0", 900, ts(2)),  # Monday's row for M2, replayed
]


def mack_upsert(spark, path, batch):
    updates = batch.withColumnRenamed("change_ts", "effective_time")
    type_2_scd_upsert(DeltaTable.forPath(spark, path), updates, "machine_id", ATTRIBUTES)


def mack_as_scd2(spark, path):
    """mack's table in 04's column names (open end NULL -> 9999-12-31), for the invariant checker."""
    return (
        spark.read.format("delta")
        .load(path)
        .select(
            "machine_id",
            *ATTRIBUTES,
            F.col("effective_time").alias("valid_from"),
            F.coalesce("end_time", F.lit(OPEN_END)).alias("valid_to"),
            "is_current",
        )
    )


def test_a_late_change_and_a_replayed_batch_break_mack_but_not_merge_scd2(spark, empty_dim_machine, tmp_path, changes):
    ours, theirs = empty_dim_machine(tmp_path / "ours"), str(tmp_path / "mack")
    local_frame(spark, [], MACK_TABLE).write.format("delta").save(theirs)
    for rows in (MONDAY, THURSDAY):
        merge_scd2(spark, ours, changes(rows), SPEC)
        mack_upsert(spark, theirs, changes(rows))

    result = merge_scd2(spark, ours, changes(LATE_AND_REPLAYED), SPEC)
    mack_upsert(spark, theirs, changes(LATE_AND_REPLAYED))

    # mack: Thursday's versions end before they start, and the older values became current
    with pytest.raises(ScdInvariantError, match="empty_or_negative_interval"):
        assert_scd2_invariants(mack_as_scd2(spark, theirs), ["machine_id"])
    assert_history(
        spark,
        theirs,
        ["machine_id", "firmware", "is_current"],
        [
            ("M1", "fw-1.0", False),
            ("M1", "fw-2.0", False),
            ("M1", "fw-1.5", True),
            ("M2", "fw-1.0", False),
            ("M2", "fw-2.0", False),
            ("M2", "fw-1.0", True),
        ],
    )
    # merge_scd2: the late change is placed in history, the replay is already applied
    assert outcome_counts(result) == {"placed_in_history": 1, "already_applied": 1}
    assert_scd2_invariants(spark.read.format("delta").load(ours), ["machine_id"])
    assert_history(
        spark,
        ours,
        ["machine_id", "firmware", "valid_from", "valid_to", "is_current"],
        [
            ("M1", "fw-1.0", ts(2), ts(4), False),
            ("M1", "fw-1.5", ts(4), ts(5), False),
            ("M1", "fw-2.0", ts(5), OPEN_END, True),
            ("M2", "fw-1.0", ts(2), ts(5), False),
            ("M2", "fw-2.0", ts(5), OPEN_END, True),
        ],
    )
