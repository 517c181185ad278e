"""Look a ``pattern`` rule's frequent values up in a hash set instead of running the regex on each row.

A ``pattern`` rule is the costliest row check of a contract: Spark decodes every value into a Java
string and runs Java's regex on it. Plant columns that carry a pattern are mostly codes with few
distinct values (machine ids, firmware versions, status codes), so the first rows of a batch
already hold the values the rest repeats. One ``limit`` query reads those rows for every pattern
rule at once and lets Spark run each regex on them; the values that matched are inlined as an
``IN`` list that a row is looked up in first, and only a value outside the list reaches the regex.
Every row gets the answer the regex gives: a value in the list matched this very regex.

A column whose first rows hold more than ``MATCHES_INLINED`` distinct matching values (serial
numbers, free text) gets no list: most rows would miss it and pay for both.

Example::

    known = known_matches(readings_df, contract.row_rules)
    known["machine_id_format"]   # ('M-0000', 'M-0001', ...): matching values among the first rows
"""
from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StringType

from plant_data_quality.contract import Rule

ROWS_LOOKED_AT = 10_000
MATCHES_INLINED = 1_000


def known_matches(
    df: DataFrame, rules: Sequence[Rule], rows: int = ROWS_LOOKED_AT, inline_limit: int = MATCHES_INLINED
) -> dict[str, tuple[str, ...]]:
    """The values of each ``pattern`` rule on a string column that match its regex in the first ``rows``.

    One ``limit`` query for all the rules (it stops reading once it has the rows); a rule without
    matching values there, or with more than ``inline_limit``, is left out and keeps the regex alone.
    """
    patterns = [rule for rule in rules
                if rule.kind == "pattern" and isinstance(df.schema[rule.column].dataType, StringType)]
    if not patterns:
        return {}
    # each value as Python gets it: Spark hands over the string its regex saw, so the bytes the list
    # holds decode to a string that matched
    looked_at = df.select(*[F.when(F.col(rule.column).rlike(rule.params["regex"]), F.col(rule.column))
                            .alias(f"matching{index}") for index, rule in enumerate(patterns)]).limit(rows).collect()
    known = {}
    for index, rule in enumerate(patterns):
        matching = sorted({row[index] for row in looked_at} - {None})
        if 0 < len(matching) <= inline_limit:
            known[rule.name] = tuple(matching)
    return known
