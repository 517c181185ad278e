"""Distribution drift against a stored baseline: binned fractions and the population stability index.

A baseline is the fraction of rows in each bin of fixed edges, taken once from a trusted batch and
stored in the contract. Values below the first edge count in the first bin, above the last edge in
the last bin; nulls are not counted (completeness covers them).

Example::

    >>> round(population_stability_index([0.5, 0.5], [0.5, 0.5]), 6)
    0.0
    >>> round(population_stability_index([0.5, 0.5], [0.9, 0.1]), 3)
    0.879
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

# a bin that is empty on one side gets this fraction instead of 0, so the logarithm stays finite
EMPTY_BIN_FRACTION = 1e-4


def bin_index(column: Column, edges: Sequence[float]) -> Column:
    """The 0-based bin of ``column`` for ``edges`` (clamped to the outer bins); null stays null."""
    index = F.lit(0)
    for position, edge in enumerate(edges[1:-1], start=1):
        index = F.when(column >= F.lit(edge), F.lit(position)).otherwise(index)
    return F.when(column.isNotNull(), index)


def population_stability_index(baseline: Sequence[float], current: Sequence[float]) -> float:
    """PSI = sum((current - baseline) * ln(current / baseline)) over the bins."""
    if len(baseline) != len(current):
        raise ValueError(f"expected as many current bins as baseline bins ({len(baseline)}), got {len(current)}")
    total = 0.0
    for expected, actual in zip(baseline, current, strict=True):
        expected = max(expected, EMPTY_BIN_FRACTION)
        actual = max(actual, EMPTY_BIN_FRACTION)
        total += (actual - expected) * math.log(actual / expected)
    return total


def fractions_from_counts(counts: Sequence[int]) -> list[float]:
    """Bin counts to fractions (all zero when nothing was counted)."""
    total = sum(counts)
    return [count / total if total else 0.0 for count in counts]


def drift_baseline(df: DataFrame, column: str, edges: Sequence[float]) -> dict[str, Any]:
    """Measure the baseline of ``column`` in ``df`` for ``edges``: paste it into a drift rule.

    Example::

        baseline = drift_baseline(trusted_week, "temperature_c", [-40, 0, 40, 80, 120, 400])
        # -> {"edges": [...], "fractions": [0.02, 0.31, ...]}
    """
    if list(edges) != sorted(edges) or len(edges) < 2:
        raise ValueError(f"expected at least two ascending edges, got {list(edges)}")
    bins = bin_index(F.col(column), edges)
    row = df.agg(*[F.count(F.when(bins == position, 1)) for position in range(len(edges) - 1)]).first()
    return {"edges": list(edges), "fractions": fractions_from_counts(list(row))}
