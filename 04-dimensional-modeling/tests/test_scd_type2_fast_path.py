"""The fast path of merge_scd2: simple batches in one MERGE, the same table as the general path.

Each test applies the same batches to two dimensions, one with the fast path allowed (the default)
and one with ``Scd2Spec(fast_path=False)``, and compares the whole tables (surrogate keys, hashes
and validity columns included), the outcomes and the metrics. Every test ends with the invariant
checker, and every result's outcomes account for every source row. The dimensions have deletion
vectors on (as the benchmark and Delta's guidance for MERGE-heavy tables); two tests pin down that
without them (copy-on-write) a rerun still commits nothing and unchanged rows are not rewritten.
Tests that need a stored history start from twins that already hold M1's version of day 1
(``M1_ON_DAY_1``), seeded once for the module and copied for each test. The reject policy after an
aborted fast MERGE is tested in test_scd_type2.py (its merges use the default spec: fast path first).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest
from chispa import assert_df_equality
from delta.tables import DeltaTable
from helpers import MACHINE_CHANGES, copy_table, local_frame, outcome_counts, ts
from pyspark.sql import Row
from pyspark.sql import functions as F

from manufacturing_star_schema import (
    Scd2Spec,
    assert_scd2_invariants,
    merge_scd2,
)
from manufacturing_star_schema.scd_type2_fast_path import (
    FALLBACK_MARKER,
    ROLE,
    classify_simple_batch,
    fast_merge_source,
    merge_simple_batch,
    simple_batch_versions,
    spec_allows_fast_path,
)

FAST = Scd2Spec(natural_key=("machine_id",))
GENERAL = Scd2Spec(natural_key=("machine_id",), fast_path=False)
DELETION_VECTORS = {"delta.enableDeletionVectors": "true"}
ATTRIBUTES = ["line_id", "firmware", "max_rpm"]
M1_ON_DAY_1 = [("M1", "L1", "fw-1.0", 1200, ts(1))]


@pytest.fixture
def twins(empty_dim_machine, tmp_path):
    """Two empty dimensions: ``fast`` (fast path allowed) and ``general`` (general path forced)."""
    return {name: empty_dim_machine(tmp_path / name, DELETION_VECTORS) for name in ("fast", "general")}


@pytest.fixture(scope="module")
def seeded_twins(spark, empty_dim_machine, tmp_path_factory):
    """The twins after ``M1_ON_DAY_1`` (applied once for the module; tests get copies)."""
    folder = tmp_path_factory.mktemp("twins_holding_m1")
    paths = {name: empty_dim_machine(folder / name, DELETION_VECTORS) for name in ("fast", "general")}
    seed_both(spark, paths, local_frame(spark, M1_ON_DAY_1, MACHINE_CHANGES))
    return paths


@pytest.fixture
def twins_holding_m1(seeded_twins, tmp_path):
    """Two dimensions of this test's own that both hold M1's version of day 1 (``M1_ON_DAY_1``)."""
    return {name: copy_table(path, tmp_path / name) for name, path in seeded_twins.items()}


def seed_both(spark, twins, batch):
    """Apply a set-up batch to both twins (the general twin's invariants checked; the tables are
    compared later, so the fast twin is held to the same invariants)."""
    for name, spec in (("fast", FAST), ("general", GENERAL)):
        merge_scd2(spark, twins[name], batch, spec)
    assert_scd2_invariants(spark.read.format("delta").load(twins["general"]), ["machine_id"])


@dataclass(frozen=True)
class Applied:
    """A merge_scd2 result with its outcomes and quarantine collected once: both are lazy, and every
    read of them re-runs the staging against the pinned version (seconds each, even on a few rows)."""

    path: str
    metrics: dict[str, int]
    outcomes: list[Row]
    quarantine: list[Row]
    outcome_counts: dict[str, int]


def applied(result) -> Applied:
    outcomes = result.outcomes.collect()
    return Applied(
        path=result.path,
        metrics=result.metrics,
        outcomes=sorted(outcomes),
        quarantine=sorted(result.quarantine.collect()),
        outcome_counts=dict(Counter(r["outcome"] for r in outcomes)),
    )


def apply_to_both(spark, twins, batch, spec_options=None):
    """Apply one batch to both twins; check that rows in = outcomes on both and the general twin's
    invariants (``assert_same_as_general`` then holds the fast twin to them); return both results."""
    options = spec_options or {}
    rows_in = batch.count()
    results = {}
    for name, fast_path in (("fast", True), ("general", False)):
        spec = Scd2Spec(natural_key=("machine_id",), fast_path=fast_path, **options)
        results[name] = applied(merge_scd2(spark, twins[name], batch, spec))
        assert sum(results[name].outcome_counts.values()) == rows_in  # every source row has one outcome
    assert_scd2_invariants(spark.read.format("delta").load(twins["general"]), ["machine_id"])
    return results


def assert_same_table(spark, left_path, right_path):
    """Whole-table equality: surrogate keys, hashes and validity columns included, in any row order."""
    left, right = (spark.read.format("delta").load(p) for p in (left_path, right_path))
    assert_df_equality(left, right, ignore_row_order=True)


def version(spark, path):
    return DeltaTable.forPath(spark, path).history(1).first()["version"]


def assert_same_as_general(spark, twins, results):
    assert_same_table(spark, twins["fast"], twins["general"])
    assert results["fast"].outcomes == results["general"].outcomes
    assert results["fast"].quarantine == results["general"].quarantine
    changed = ("num_updated_rows", "num_inserted_rows")
    assert [results["fast"].metrics[m] for m in changed] == [results["general"].metrics[m] for m in changed]


def test_simple_batches_take_the_fast_path_and_write_exactly_the_general_paths_table(spark, twins, changes):
    batches = [
        changes([("M1", "L1", "fw-1.0", 1200, ts(1)), ("M2", "L1", "fw-1.0", 900, ts(1))]),  # empty dimension
        changes(
            [
                ("M1", "L1", "fw-1.1", 1200, ts(4)),  # changed: expire + insert
                ("M2", "L1", "fw-1.0", 900, ts(4)),  # same content, newer: unchanged
                ("M3", "L2", None, 1500, ts(4)),  # new machine, NULL attribute
            ]
        ),
        changes(
            [
                ("M1", "L1", "fw-1.1", 1200, ts(4)),  # the current version again: already applied
                ("M3", "L2", "fw-2.0", 1500, ts(5, 6)),  # NULL -> value: a new version
            ]
        ),
    ]
    for batch in batches:
        results = apply_to_both(spark, twins, batch)

        assert (results["fast"].path, results["general"].path) == ("fast", "general")
        assert_same_as_general(spark, twins, results)
    assert results["fast"].outcome_counts == {"already_applied": 1, "new_version": 1}


def test_a_rerun_of_the_latest_batch_on_the_fast_path_changes_zero_rows_and_commits_nothing(
    spark, twins, changes
):
    batch = changes([("M1", "L1", "fw-1.0", 1200, ts(1)), ("M2", "L2", "fw-2.0", 900, ts(2))])
    merge_scd2(spark, twins["fast"], batch, FAST)
    version_before = version(spark, twins["fast"])

    rerun = merge_scd2(spark, twins["fast"], batch, FAST)

    assert rerun.path == "fast"
    assert rerun.metrics["num_updated_rows"] == rerun.metrics["num_inserted_rows"] == 0
    assert version(spark, twins["fast"]) == version_before  # Delta commits no version: the table is as it was
    assert outcome_counts(rerun) == {"already_applied": 2}
    assert_scd2_invariants(spark.read.format("delta").load(twins["fast"]), ["machine_id"])


def test_without_deletion_vectors_a_fast_rerun_changes_zero_rows_and_commits_nothing(
    spark, empty_dim_machine, tmp_path, changes
):
    """Copy-on-write tables (no deletion vectors): a MERGE whose source rows match target rows rewrites
    the files holding them even when no clause fires, so a rerun used to commit an empty version
    (2 -> 3, zero rows changed). The fast path now leaves out rows that change nothing before its
    MERGE, and runs no MERGE when none is left: no version, on both paths."""
    path = empty_dim_machine(tmp_path / "no_deletion_vectors")
    batch = changes([("M1", "L1", "fw-1.0", 1200, ts(1)), ("M2", "L2", "fw-2.0", 900, ts(2))])
    merge_scd2(spark, path, batch, FAST)
    version_before = version(spark, path)

    rerun = merge_scd2(spark, path, batch, FAST)

    assert rerun.path == "fast"
    assert rerun.metrics["num_updated_rows"] == rerun.metrics["num_inserted_rows"] == 0
    assert version(spark, path) == version_before  # no empty version: the table is as it was
    assert outcome_counts(rerun) == {"already_applied": 2}
    assert merge_scd2(spark, path, batch, GENERAL).path == "general"
    assert version(spark, path) == version_before  # the general path commits nothing either


def test_without_deletion_vectors_a_partly_unchanged_batch_rewrites_only_the_changed_rows_files(
    spark, empty_dim_machine, tmp_path, changes
):
    """Rows that change nothing never reach the MERGE, so they do not make it copy their files."""
    path = empty_dim_machine(tmp_path / "no_deletion_vectors")
    merge_scd2(spark, path, changes([("M1", "L1", "fw-1.0", 1200, ts(1))]), FAST)
    merge_scd2(spark, path, changes([("M2", "L2", "fw-2.0", 900, ts(2))]), FAST)  # a file of its own
    batch = changes([("M1", "L1", "fw-1.0", 1200, ts(3)), ("M2", "L2", "fw-2.1", 900, ts(3))])

    result = merge_scd2(spark, path, batch, FAST)

    last = DeltaTable.forPath(spark, path).history(1).first()["operationMetrics"]
    assert (result.path, last["numTargetRowsUpdated"], last["numTargetRowsCopied"]) == ("fast", "1", "0")
    assert outcome_counts(result) == {"unchanged": 1, "new_version": 1}
    assert_scd2_invariants(spark.read.format("delta").load(path), ["machine_id"])


def test_a_late_change_aborts_the_fast_merge_uncommitted_and_the_general_path_places_it(
    spark, twins_holding_m1, changes
):
    twins = twins_holding_m1
    seed_both(spark, twins, changes([("M1", "L1", "fw-2.0", 1200, ts(10)), ("M2", "L1", "fw-1.0", 900, ts(1))]))
    version_before = version(spark, twins["fast"])
    batch = changes(
        [
            ("M1", "L1", "fw-1.5", 1200, ts(6)),  # late: older than the current version (day 10)
            ("M2", "L1", "fw-1.1", 900, ts(8)),  # an ordinary newer change in the same batch
        ]
    )

    results = apply_to_both(spark, twins, batch)

    assert results["fast"].path == "general_after_fallback"
    assert version(spark, twins["fast"]) == version_before + 1  # the aborted MERGE left no commit
    assert_same_as_general(spark, twins, results)
    assert results["fast"].outcome_counts == {"placed_in_history": 1, "new_version": 1}


def test_the_guard_clause_really_aborts_delta_s_merge(spark, twins, changes):
    """The mechanism itself: raise_error in a WHEN MATCHED update fails the MERGE, nothing is committed."""
    merge_scd2(spark, twins["fast"], changes([("M1", "L1", "fw-2.0", 1200, ts(10))]), FAST)
    version_before = version(spark, twins["fast"])
    with pytest.raises(Exception, match=FALLBACK_MARKER):
        late_and_new = changes([("M1", "L1", "fw-1.5", 1200, ts(6)), ("M9", "L1", "fw-1.0", 1200, ts(6))])
        versions = simple_batch_versions(late_and_new, ATTRIBUTES, FAST)
        classified = classify_simple_batch(spark.read.format("delta").load(twins["fast"]), versions, FAST)
        merge_simple_batch(DeltaTable.forPath(spark, twins["fast"]), classified, ATTRIBUTES, FAST)

    assert version(spark, twins["fast"]) == version_before  # nothing committed: M9 was not inserted either


def test_a_different_version_at_the_current_instant_falls_back_and_is_quarantined(
    spark, twins_holding_m1, changes
):
    twins = twins_holding_m1
    batch = changes(
        [
            ("M1", "L1", "fw-0.9", 1200, ts(1)),  # contradicts the stored version of day 1
            ("M3", "L1", "fw-1.0", 1200, ts(2)),  # fine
        ]
    )

    results = apply_to_both(spark, twins, batch)

    assert results["fast"].path == "general_after_fallback"
    assert_same_as_general(spark, twins, results)
    assert [r["quarantine_reason"] for r in results["fast"].quarantine] == [
        "conflicts with the stored version at the same change timestamp"
    ]
    assert results["fast"].outcome_counts == {"quarantined": 1, "new_version": 1}


def test_a_replay_of_an_older_batch_falls_back_and_is_already_applied(spark, twins_holding_m1, changes):
    twins = twins_holding_m1
    monday = changes(M1_ON_DAY_1)  # the batch the twins already hold
    seed_both(spark, twins, changes([("M1", "L1", "fw-1.1", 1200, ts(4))]))  # Thursday's
    version_before = version(spark, twins["fast"])

    results = apply_to_both(spark, twins, monday)

    assert results["fast"].path == "general_after_fallback"
    assert version(spark, twins["fast"]) == version_before  # nothing to write, nothing committed
    assert_same_as_general(spark, twins, results)
    assert results["fast"].outcome_counts == {"already_applied": 1}


def fast_source(spark, path, batch):
    """The fast MERGE's source for ``batch`` against the dimension at ``path`` (lazy)."""
    versions = simple_batch_versions(batch, ATTRIBUTES, FAST)
    classified = classify_simple_batch(spark.read.format("delta").load(path), versions, FAST)
    return fast_merge_source(classified, ATTRIBUTES, FAST)


@pytest.mark.parametrize(
    ("rows", "deleted", "reason"),
    [
        ([("M1", "L1", "fw-1.0", 1200, ts(1)), ("M1", "L1", "fw-1.1", 1200, ts(2))], None, "two rows for one key"),
        ([("M1", "L1", "fw-1.0", 1200, ts(1)), ("M1", "L1", "fw-1.0", 1200, ts(1))], None, "exact duplicate"),
        ([(None, "L1", "fw-1.0", 1200, ts(1)), ("M2", "L1", "fw-1.0", 1200, ts(1))], None, "NULL key"),
        ([("M1", "L1", "fw-1.0", 1200, None)], None, "NULL change timestamp"),
        ([("M1", None, None, None, ts(7))], True, "a delete"),
    ],
)
def test_the_fast_merges_own_source_fails_on_a_batch_that_is_not_simple(spark, twins, changes, rows, deleted, reason):
    """No action checks the batch before the MERGE: computing its source is the check."""
    batch = changes(rows)
    if deleted is not None:
        batch = batch.withColumn("is_deleted", F.lit(deleted))

    with pytest.raises(Exception, match=FALLBACK_MARKER):
        fast_source(spark, twins["fast"], batch).collect()


def test_the_fast_merges_source_is_as_narrow_as_macks_and_an_empty_batch_leaves_it_empty(
    spark, twins_holding_m1, changes
):
    twins = twins_holding_m1
    batch = changes([("M1", "L1", "fw-1.1", 1200, ts(2)), ("M2", "L1", "fw-1.0", 900, ts(2))])

    source = fast_source(spark, twins["fast"], batch)

    assert source.columns == ["machine_id", *ATTRIBUTES, "valid_from", ROLE]  # no hash, key or flag carried
    assert sorted((r["machine_id"], r[ROLE]) for r in source.collect()) == [
        ("M1", "expire"),
        ("M1", "insert"),
        ("M2", "new"),
    ]
    assert fast_source(spark, twins["fast"], changes([])).collect() == []


def test_a_batch_that_is_not_simple_aborts_the_fast_merge_uncommitted_and_the_general_path_applies_it(
    spark, twins_holding_m1, changes
):
    twins = twins_holding_m1
    version_before = version(spark, twins["fast"])
    batch = changes([("M1", "L1", "fw-1.1", 1200, ts(2)), ("M1", "L1", "fw-1.2", 1200, ts(3))])  # two changes of M1

    results = apply_to_both(spark, twins, batch)

    assert results["fast"].path == "general_after_fallback"
    assert version(spark, twins["fast"]) == version_before + 1  # only the general path's MERGE committed
    assert_same_as_general(spark, twins, results)
    assert results["fast"].outcome_counts == {"new_version": 2}


def test_type_6_never_takes_the_fast_path(spark):
    type6 = Scd2Spec(natural_key=("machine_id",), current_value_columns={"line_id": "current_line_id"})

    assert spec_allows_fast_path(FAST)
    assert not spec_allows_fast_path(type6)
    assert not spec_allows_fast_path(GENERAL)


def test_a_batch_with_a_delete_takes_the_general_path_and_a_later_simple_batch_revives_the_key(
    spark, twins_holding_m1, changes
):
    twins = twins_holding_m1
    delete = changes([("M1", None, None, None, ts(7)), ("M2", "L1", "fw-1.0", 900, ts(7))]).withColumn(
        "is_deleted", F.col("machine_id") == "M1"
    )

    deleted = apply_to_both(spark, twins, delete)
    revived = apply_to_both(spark, twins, changes([("M1", "L1", "fw-1.2", 1200, ts(9))]))

    assert deleted["fast"].path == "general_after_fallback"  # the delete aborted the fast MERGE
    assert revived["fast"].path == "fast"  # the tombstone is the current row: expired like any other
    assert_same_as_general(spark, twins, revived)
