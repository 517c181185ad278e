"""Column names for map keys: sanitised, and distinct from every other column without ever failing.

Two keys can sanitise to the same name (``spindle-rpm`` and ``spindle_rpm`` both give ``ext_spindle_rpm``;
Delta also treats ``ext_Spindle_RPM`` as the same column). The key that was registered first keeps the
plain name; a later key gets the first free ``_2``, ``_3``, ... suffix. Names already taken (the source's
fixed columns, the helper columns extraction adds) are never handed out. The registry stores the name it
handed out, so a key's column never changes once assigned.

Example::

    >>> column_name("ext_", "spindle-rpm")
    'ext_spindle_rpm'
    >>> assign_columns(["spindle-rpm"], "ext_", assigned={"spindle_rpm": "ext_spindle_rpm"})
    {'spindle-rpm': 'ext_spindle_rpm_2'}
"""
from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence


def column_name(prefix: str, key: str) -> str:
    """``prefix`` + the key with anything not an ASCII letter, digit or ``_`` replaced by ``_``."""
    return prefix + re.sub(r"[^0-9a-zA-Z_]", "_", key)


def assign_columns(keys: Sequence[str], prefix: str, assigned: Mapping[str, str] | None = None,
                   taken: Collection[str] = ()) -> dict[str, str]:
    """``{key: column}`` for each of ``keys`` not already in ``assigned``, in the order given: the sanitised
    name, or that name + ``_2``, ``_3``, ... when it equals (ignoring case, as Delta does) a column in
    ``assigned``, a name in ``taken`` or a column handed out earlier in this call. Never raises on a clash;
    the same inputs always give the same names.

    Example::

        >>> assign_columns(["a.b", "a-b", "A_B"], "ext_", taken=["ext_a_b_2"])
        {'a.b': 'ext_a_b', 'a-b': 'ext_a_b_3', 'A_B': 'ext_A_B_4'}
    """
    assigned = assigned or {}
    used = {column.lower() for column in assigned.values()} | {name.lower() for name in taken}
    columns: dict[str, str] = {}
    for key in keys:
        if key in assigned or key in columns:
            continue
        base = column_name(prefix, key)
        name, suffix = base, 2
        while name.lower() in used:
            name, suffix = f"{base}_{suffix}", suffix + 1
        used.add(name.lower())
        columns[key] = name
    return columns
