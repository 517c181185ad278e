"""The benchmark's two paths, on tiny generated data: same values per reading, so the timing compares
two ways of computing the same table."""
from __future__ import annotations

from flatten_benchmark import generate_input, key_names, naive_flatten, progressive_flatten


def test_naive_pivot_and_getitem_extraction_produce_the_same_values(spark):
    readings = generate_input(spark, rows=30, keys=6, keys_per_row=3)
    keys = key_names(6)

    naive = {row["reading_id"]: {k: row[k] for k in keys} for row in naive_flatten(readings, keys).collect()}
    progressive = {row["reading_id"]: {k: row[k] for k in keys}
                   for row in progressive_flatten(readings, keys).collect()}

    assert len(naive) == len(progressive) == 30
    assert naive == progressive
    assert all(sum(v is not None for v in values.values()) == 3 for values in progressive.values())
