"""SQL text helpers for the MERGE conditions and DDL this package writes: quoting and key equality.

Example::

    >>> quoted("max rpm")
    '`max rpm`'
    >>> keys_equal(["plant_id", "machine_id"])
    't.`plant_id` = s.`plant_id` AND t.`machine_id` = s.`machine_id`'
"""

from __future__ import annotations

from collections.abc import Sequence


def quoted(name: str) -> str:
    """Backtick-quote a column (or path) name for SQL, doubling any backtick inside it."""
    return "`" + name.replace("`", "``") + "`"


def keys_equal(columns: Sequence[str], target: str = "t", source: str = "s") -> str:
    """``t.k1 = s.k1 AND t.k2 = s.k2 ...``: the usual MERGE condition on a natural key."""
    return " AND ".join(f"{target}.{quoted(c)} = {source}.{quoted(c)}" for c in columns)
