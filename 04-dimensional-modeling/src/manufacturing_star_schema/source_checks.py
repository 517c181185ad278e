"""Split a batch into valid rows and a quarantine with a reason per row, and keep the latest change per key.

Example::

    >>> valid, quarantine = split_by_rules(df, {"null plant_id": F.col("plant_id").isNull()})  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

QUARANTINE_REASON = "quarantine_reason"


def split_by_rules(rows: DataFrame, rules: Mapping[str, Column]) -> tuple[DataFrame, DataFrame]:
    """Return (valid rows, quarantined rows + ``quarantine_reason``); the first rule a row breaks names it."""
    reason = F.lit(None).cast("string")
    for name, broken in reversed(list(rules.items())):
        reason = F.when(F.coalesce(broken, F.lit(False)), F.lit(name)).otherwise(reason)
    tagged = rows.withColumn(QUARANTINE_REASON, reason)
    valid = tagged.filter(F.col(QUARANTINE_REASON).isNull()).drop(QUARANTINE_REASON)
    return valid, tagged.filter(F.col(QUARANTINE_REASON).isNotNull())


def null_key_or_time_rules(natural_key: Sequence[str], change_ts: str) -> dict[str, Column]:
    """The two rules every dimension batch shares: a natural key and a change timestamp are required."""
    null_key = F.lit(False)
    for column in natural_key:
        null_key = null_key | F.col(column).isNull()
    return {"null natural key": null_key, "null change timestamp": F.col(change_ts).isNull()}


def latest_per_key(
    rows: DataFrame, natural_key: Sequence[str], change_ts: str
) -> tuple[DataFrame, DataFrame]:
    """Return (the latest row per key, the older rows it supersedes in the same batch)."""
    ranked = rows.withColumn(
        "_rank", F.row_number().over(Window.partitionBy(*natural_key).orderBy(F.col(change_ts).desc()))
    )
    return ranked.filter("_rank = 1").drop("_rank"), ranked.filter("_rank > 1").drop("_rank")
