"""Every cell of the compatibility matrix is confirmed by a real Delta append, MERGE and ALTER COLUMN.

Cells the matrix says Delta accepts run together in one write per operation (and must all land with
the stated column type); every cell it says Delta rejects runs on its own and must fail with the
stated error class.
"""
from __future__ import annotations

import pytest

from delta_schema_evolution.compatibility_matrix import (
    COMPATIBILITY_MATRIX,
    MATRIX_COLUMNS,
    classify_pair,
    matrix_markdown,
)
from delta_schema_evolution.matrix_probe import (
    ALTER_COLUMN_TYPE,
    APPEND_MERGE_SCHEMA,
    MERGE_WITH_SCHEMA_EVOLUTION,
    probe_one_by_one,
    probe_together,
)

OPERATION_OF_COLUMN = {
    "append": (APPEND_MERGE_SCHEMA, False),
    "merge": (MERGE_WITH_SCHEMA_EVOLUTION, False),
    "append_tw": (APPEND_MERGE_SCHEMA, True),
    "merge_tw": (MERGE_WITH_SCHEMA_EVOLUTION, True),
    "alter_tw": (ALTER_COLUMN_TYPE, True),
}


@pytest.mark.parametrize("row", COMPATIBILITY_MATRIX, ids=lambda row: row.name)
def test_the_comparer_classifies_each_pair_as_the_matrix_says(row):
    assert classify_pair(row.pair) == row.kind


@pytest.mark.parametrize("column", MATRIX_COLUMNS)
def test_real_delta_accepts_or_rejects_each_cell_as_the_matrix_says(spark, tmp_path, column):
    operation, type_widening = OPERATION_OF_COLUMN[column]
    accepted = [row.pair for row in COMPATIBILITY_MATRIX if row.outcome(column).accepted]
    rejected = [row.pair for row in COMPATIBILITY_MATRIX if not row.outcome(column).accepted]

    observed = {}
    if accepted:
        observed |= probe_together(spark, str(tmp_path / "accepted"), accepted, operation, type_widening)
    if rejected:
        observed |= probe_one_by_one(spark, str(tmp_path / "rejected"), rejected, operation, type_widening)

    expected = {row.name: row.outcome(column) for row in COMPATIBILITY_MATRIX}
    mismatches = {name: (expected[name], observed[name]) for name in expected if observed[name] != expected[name]}
    observed_text = {name: observed[name] for name in mismatches}
    assert mismatches == {}, f"{column}: matrix and Delta differ; Delta did {observed_text}"


def test_the_matrix_document_shows_every_row():
    table = matrix_markdown()
    assert all(f"`{row.name}`" in table for row in COMPATIBILITY_MATRIX)
    assert table.count("\n") == len(COMPATIBILITY_MATRIX) + 2
