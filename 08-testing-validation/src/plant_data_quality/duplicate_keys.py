"""Find the keys a ``unique`` rule sees more than once, exactly, and mark the rows that carry them.

A batch of up to ``FINGERPRINT_ROWS`` rows is checked by fingerprint: a 64-bit hash of every key
(``xxhash64``, 8 bytes a row) is collected through Arrow and sorted on the driver, which finds the
repeated fingerprints without shuffling anything. Only the rows whose fingerprint repeats are read
again, with their keys, and counted by key, so a hash collision can never make a unique key look
repeated. When every repeated fingerprint belongs to one key (a collision of two keys is the only
exception), the pass marks those rows by fingerprint, a join on a number; otherwise by the keys.

A larger batch (a nightly backfill) counts its keys with a window over the key columns alone, a
shuffle of the keys only. Past ``DUPLICATE_KEYS_TO_BROADCAST`` repeated keys (a replayed day) the
count per key comes from a window over the full rows instead. Every path gives the same result.

Example::

    rule = contract.rule("event_id_unique")
    marked = with_duplicate_key_counts(readings_df, rule)
    marked.where(F.col(key_count_column(rule)) > 1)   # every row whose event_id occurs more than once
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from plant_data_quality.contract import Rule

HELPER_PREFIX = "__dq_"
# batches up to this many rows are checked by fingerprint: 8 bytes a row on the driver (160 MB)
FINGERPRINT_ROWS = 20_000_000
# up to this many repeated keys are collected and broadcast; beyond it the count per key is a window
DUPLICATE_KEYS_TO_BROADCAST = 100_000
FINGERPRINT_COLUMN = f"{HELPER_PREFIX}fingerprint"

Fingerprint = Callable[..., Column]


def key_count_column(rule: Rule) -> str:
    return f"{HELPER_PREFIX}count_{rule.name}"


def key_present(rule: Rule) -> Column:
    """True where none of ``rule``'s key columns is null (``unique`` leaves null keys to ``not_null``)."""
    present = F.lit(True)
    for name in rule.columns:
        present = present & F.col(name).isNotNull()
    return present


@dataclass(frozen=True)
class RepeatedKeys:
    """The keys seen more than once, on the driver: key columns, fingerprint, rows per key (``count_all``).

    ``one_key_per_fingerprint`` says whether their rows can be marked by fingerprint alone.
    """

    table: pa.Table
    one_key_per_fingerprint: bool


def repeated_fingerprints(df: DataFrame, rule: Rule, fingerprint: Fingerprint = F.xxhash64) -> np.ndarray:
    """The fingerprints that occur on more than one row with a present key, sorted.

    Example::

        repeated_fingerprints(spark.createDataFrame([("a",), ("a",), ("b",)], "event_id string"), rule)
        # array([<xxhash64 of 'a'>])
    """
    collected = df.where(key_present(rule)).select(fingerprint(*rule.columns)).toArrow()
    ordered = np.sort(collected.column(0).to_numpy())
    return np.unique(ordered[1:][ordered[1:] == ordered[:-1]])


def repeated_keys_by_fingerprint(
    df: DataFrame, rule: Rule, limit: int = DUPLICATE_KEYS_TO_BROADCAST, fingerprint: Fingerprint = F.xxhash64
) -> RepeatedKeys | None:
    """The repeated keys of ``rule``, exact, found by fingerprint; None past ``limit`` repeated keys.

    The rows whose fingerprint repeats are read once more with their keys (a semi join on the
    broadcast fingerprints) and counted by key on the driver; collisions drop out there.
    """
    candidates = repeated_fingerprints(df, rule, fingerprint)
    if not len(candidates):
        return RepeatedKeys(pa.table({}), one_key_per_fingerprint=True)
    broadcast = F.broadcast(df.sparkSession.createDataFrame(pa.table({FINGERPRINT_COLUMN: candidates})))
    candidate_rows = (df.where(key_present(rule))
                      .select(*rule.columns, fingerprint(*rule.columns).alias(FINGERPRINT_COLUMN))
                      .join(broadcast, FINGERPRINT_COLUMN, "left_semi").toArrow())
    per_key = candidate_rows.group_by([*rule.columns, FINGERPRINT_COLUMN]).aggregate([([], "count_all")])
    repeated = per_key.filter(pc.greater(per_key["count_all"], 1))
    if repeated.num_rows > limit:
        return None
    one_key_per_fingerprint = pc.count_distinct(per_key[FINGERPRINT_COLUMN]).as_py() == per_key.num_rows
    return RepeatedKeys(repeated, one_key_per_fingerprint)


def repeated_keys_by_window(df: DataFrame, rule: Rule, limit: int = DUPLICATE_KEYS_TO_BROADCAST) -> DataFrame | None:
    """The repeated keys of ``rule`` with their row counts, collected; None past ``limit``.

    One window over the key columns alone: with nearly every key distinct, a hash aggregation would
    build a map entry per key before the shuffle; the window shuffles the keys and sorts them.
    """
    count_column = key_count_column(rule)
    per_key = F.count(F.lit(1)).over(Window.partitionBy(*rule.columns))
    counted = (df.where(key_present(rule)).select(*rule.columns, per_key.alias(count_column))
               .where(F.col(count_column) > 1).dropDuplicates(list(rule.columns)))
    duplicated = counted.limit(limit + 1).collect()
    if len(duplicated) > limit:
        return None
    return df.sparkSession.createDataFrame(duplicated, counted.schema)


def with_duplicate_key_counts(
    df: DataFrame,
    rule: Rule,
    limit: int = DUPLICATE_KEYS_TO_BROADCAST,
    fingerprint_rows: int = FINGERPRINT_ROWS,
    fingerprint: Fingerprint = F.xxhash64,
) -> DataFrame:
    """Add the rows-per-key count of ``rule``'s key to the rows whose key occurs more than once.

    The repeated keys (usually few) are found by fingerprint in a batch of up to ``fingerprint_rows``
    rows (counted first: cheap for files and cached micro-batches), else by a window over the key,
    and joined back as a broadcast, so the full rows are never shuffled. Past ``limit`` repeated keys
    the count comes from a window over the full rows. Rows whose key has a null get no count.
    """
    if df.count() > fingerprint_rows:
        repeated = repeated_keys_by_window(df, rule, limit)
        return _counted_by_window(df, rule) if repeated is None else _marked_by_key(df, rule, repeated)
    found = repeated_keys_by_fingerprint(df, rule, limit, fingerprint)
    if found is None:
        return _counted_by_window(df, rule)
    if not found.table.num_rows:
        return df.withColumn(key_count_column(rule), F.lit(None).cast("bigint"))
    if found.one_key_per_fingerprint:
        return _marked_by_fingerprint(df, rule, found.table, fingerprint)
    return _marked_by_key(df, rule, _key_counts(df, rule, found.table))


def _counted_by_window(df: DataFrame, rule: Rule) -> DataFrame:
    per_key = F.count(F.lit(1)).over(Window.partitionBy(*rule.columns))
    return df.withColumn(key_count_column(rule), F.when(key_present(rule), per_key))


def _marked_by_fingerprint(df: DataFrame, rule: Rule, table: pa.Table, fingerprint: Fingerprint) -> DataFrame:
    marks = (df.sparkSession.createDataFrame(table.select([FINGERPRINT_COLUMN, "count_all"]))
             .withColumnRenamed("count_all", key_count_column(rule)))
    keyed = df.withColumn(FINGERPRINT_COLUMN, F.when(key_present(rule), fingerprint(*rule.columns)))
    return keyed.join(F.broadcast(marks), FINGERPRINT_COLUMN, "left").drop(FINGERPRINT_COLUMN)


def _marked_by_key(df: DataFrame, rule: Rule, repeated: DataFrame) -> DataFrame:
    """Join ``repeated`` (key columns, then the count; local) to ``df`` on the key columns."""
    helper_keys = [f"{HELPER_PREFIX}dupkey_{position}" for position in range(len(rule.columns))]
    keys = repeated.toDF(*helper_keys, key_count_column(rule))
    condition = [df[name] == keys[helper] for name, helper in zip(rule.columns, helper_keys, strict=True)]
    return df.join(F.broadcast(keys), condition, "left").drop(*helper_keys)


def _key_counts(df: DataFrame, rule: Rule, table: pa.Table) -> DataFrame:
    """The collected repeated keys as a local DataFrame: key columns in ``df``'s types, then the count."""
    local = df.sparkSession.createDataFrame(table.select([*rule.columns, "count_all"]))
    return local.select(*[F.col(name).cast(df.schema[name].dataType).alias(name) for name in rule.columns],
                        F.col("count_all").alias(key_count_column(rule)))
