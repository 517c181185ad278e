"""Null-safe change-detection hashes and deterministic hash keys.

``row_hash`` hashes the JSON of the tracked columns, sorted by name. ``to_json`` leaves out null
fields, so ``(a=NULL, b='x')`` and ``(a='x', b=NULL)`` hash differently (the names are in the JSON),
NULL never equals the string ``'NULL'``, and adding a new column that is NULL for the old rows does
not change their hashes: only rows where the new column has a value become new versions.

Example::

    >>> df.withColumn("row_hash", row_hash(["firmware", "max_rpm"]))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pyspark.sql import Column
from pyspark.sql import functions as F


def row_hash(columns: Sequence[str]) -> Column:
    """SHA-256 (hex) of ``to_json(struct(sorted columns))``; NULL fields are named by their absence."""
    if not columns:
        raise ValueError("row_hash: expected at least one column, got none")
    return row_hash_of({c: F.col(c) for c in columns})


def row_hash_of(values: Mapping[str, Column]) -> Column:
    """``row_hash`` of named values that are not (yet) columns of that name, e.g. ``{"firmware": F.col("s.firmware")}``.

    The same names and values give the same hash as ``row_hash``: a MERGE can hash its source's
    columns in an insert or a condition instead of carrying the hash in its source.
    """
    if not values:
        raise ValueError("row_hash_of: expected at least one column, got none")
    return F.sha2(F.to_json(F.struct(*[values[name].alias(name) for name in sorted(values)])), 256)


def hash_key(columns: Sequence[str]) -> Column:
    """A deterministic BIGINT surrogate key: ``xxhash64`` of the columns (rerun-stable, collision-possible)."""
    if not columns:
        raise ValueError("hash_key: expected at least one column, got none")
    return F.xxhash64(*[F.col(c) for c in columns])
