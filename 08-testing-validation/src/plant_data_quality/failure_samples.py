"""A few failing values per rule, fetched after the counts and only for the rules that failed.

The counting aggregation holds numbers only, so Spark keeps it compiled; the values a reader needs
to see why a rule failed come afterwards from ``limit`` queries, which stop reading as soon as they
have found enough rows. One query reads the first rows that fail any failing rule (usually the first
file split holds enough); a rule those rows do not show gets one ``limit`` query of its own.

Example::

    samples = failing_value_samples(flagged_df, rules, flag_columns, failing_counts=[3, 0, 1])
    samples[0]   # ('999.0',): up to SAMPLE_VALUES distinct failing values, sorted; () for a rule that passed
"""
from __future__ import annotations

from collections.abc import Sequence
from functools import reduce

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from plant_data_quality.contract import Rule

# failing values shown per rule, and failing rows the shared sample query reads at most
SAMPLE_VALUES = 3
ROWS_READ_FOR_SAMPLES = 1000


def sample_value_column(rule: Rule) -> Column:
    """A row's checked values as one string: one column cast, several joined by ' | '.

    A null shows as ``<null>``; a rule without columns (an in-house check without sample columns)
    shows ``<row>``.
    """
    columns = [F.coalesce(F.col(name).cast("string"), F.lit("<null>")) for name in rule.checked_columns]
    if not columns:
        return F.lit("<row>")
    return columns[0] if len(columns) == 1 else F.concat_ws(" | ", *columns)


def failing_value_samples(
    flagged: DataFrame,
    rules: Sequence[Rule],
    flag_columns: Sequence[str],
    failing_counts: Sequence[int],
) -> list[tuple[str, ...]]:
    """Per rule, up to ``SAMPLE_VALUES`` distinct failing values (sorted); ``()`` where nothing failed.

    Args:
        flagged: the rows with one boolean column per rule, true where the row fails it.
        rules: the row rules, in the order of ``flag_columns`` and ``failing_counts``.
        flag_columns: the name of each rule's failure column in ``flagged``.
        failing_counts: each rule's failing rows, already counted; rules at 0 are never queried.
    """
    if not len(rules) == len(flag_columns) == len(failing_counts):
        raise ValueError(f"expected one flag column and one count per rule ({len(rules)}), "
                         f"got {len(flag_columns)} flag columns and {len(failing_counts)} counts")
    failing = [index for index, count in enumerate(failing_counts) if count]
    values: dict[int, list[str]] = {index: [] for index in failing}
    rows_seen = dict.fromkeys(failing, 0)
    if failing:
        first_rows = (flagged.where(reduce(lambda a, b: a | b, [F.col(flag_columns[i]) for i in failing]))
                      .select(*[F.when(F.col(flag_columns[i]), sample_value_column(rules[i])) for i in failing])
                      .limit(ROWS_READ_FOR_SAMPLES).collect())
        for row in first_rows:
            for position, index in enumerate(failing):
                if row[position] is not None:
                    _keep(values[index], row[position])
                    rows_seen[index] += 1
        if len(first_rows) == ROWS_READ_FOR_SAMPLES:  # the first failing rows need not show every rule
            for index in failing:
                if rows_seen[index] < min(SAMPLE_VALUES, failing_counts[index]):
                    values[index] = []
                    for row in (flagged.where(F.col(flag_columns[index]))
                                .select(sample_value_column(rules[index])).limit(SAMPLE_VALUES).collect()):
                        _keep(values[index], row[0])
    return [tuple(sorted(values.get(index, ()))) for index in range(len(rules))]


def _keep(kept: list[str], value: str) -> None:
    if value not in kept and len(kept) < SAMPLE_VALUES:
        kept.append(value)
