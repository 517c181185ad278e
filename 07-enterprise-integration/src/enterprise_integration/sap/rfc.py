"""The RFC boundary: what a BAPI call and an RFC_READ_TABLE extraction need from a connection, and
the RFC_READ_TABLE rules that bite (a 512-character row, 72-character WHERE lines, no deltas).

No SAP system and no SAP NW RFC SDK exist here (pyrfc needs the SDK), so the connection is a
Protocol: ``pyrfc.Connection`` satisfies it in a project that has the SDK.

Example::

    groups = plan_field_groups([("AUFNR", 12), ("MATNR", 40), ("GAMNG", 15)], key_fields=["AUFNR"])
    rows = read_table(connection, "AFKO", groups, where="AEDAT GE '20261201'")
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from enterprise_integration.sap.errors import SapInputError

READ_TABLE_ROW_WIDTH = 512
WHERE_LINE_WIDTH = 72


class RfcConnection(Protocol):
    """What ``pyrfc.Connection`` offers: call a remote-enabled function module by name."""

    def call(self, func_name: str, **parameters: Any) -> dict[str, Any]: ...


class BapiResultError(RuntimeError):
    """A BAPI answered with an error or abort message in its RETURN table."""


def call_bapi(connection: RfcConnection, name: str, commit: bool = False, **parameters: Any) -> dict[str, Any]:
    """Call a BAPI, raise BapiResultError when RETURN holds a type E or A message, commit on request.

    BAPIs report failures in RETURN instead of raising; a write BAPI changes nothing until
    BAPI_TRANSACTION_COMMIT runs in the same session.
    """
    result = connection.call(name, **parameters)
    returned = result.get("RETURN", [])
    messages = [returned] if isinstance(returned, dict) else list(returned)
    errors = [m for m in messages if m.get("TYPE") in ("E", "A")]
    if errors:
        text = "; ".join(f"{m.get('ID', '')}/{m.get('NUMBER', '')} {m.get('MESSAGE', '')}" for m in errors)
        raise BapiResultError(f"expected {name} to return no E/A messages, got {text}")
    if commit:
        connection.call("BAPI_TRANSACTION_COMMIT", WAIT="X")
    return result


def plan_field_groups(
    fields: Iterable[tuple[str, int]], key_fields: Iterable[str], row_width: int = READ_TABLE_ROW_WIDTH,
    delimiter: str = "|",
) -> list[list[str]]:
    """Split a table's fields into RFC_READ_TABLE calls whose rows fit ``row_width`` characters.

    ``fields`` are (name, output length) pairs; every group starts with ``key_fields`` so the
    groups' rows can be joined back. Raises SapInputError when the key alone does not fit.
    """
    lengths = dict(fields)
    keys = list(key_fields)
    missing = [k for k in keys if k not in lengths]
    if missing:
        raise SapInputError(f"expected key fields among {sorted(lengths)}, got unknown {missing}")
    key_width = sum(lengths[k] for k in keys) + len(delimiter) * len(keys)
    groups: list[list[str]] = []
    current, width = list(keys), key_width
    for name, length in lengths.items():
        if name in keys:
            continue
        if key_width + length > row_width:
            raise SapInputError(f"expected {name} ({length}) plus the key ({key_width}) to fit {row_width}, got more")
        if width + length + len(delimiter) > row_width and len(current) > len(keys):
            groups.append(current)
            current, width = list(keys), key_width
        current.append(name)
        width += length + len(delimiter)
    if len(current) > len(keys) or not groups:
        groups.append(current)
    return groups


def where_clause_lines(where: str, width: int = WHERE_LINE_WIDTH) -> list[dict[str, str]]:
    """An ABAP WHERE clause as OPTIONS rows of at most ``width`` characters, split between tokens
    and never inside a quoted literal."""
    tokens, current, quoted = [], "", False
    for char in where:
        if char == "'":
            quoted = not quoted
        if char == " " and not quoted:
            if current:
                tokens.append(current)
            current = ""
        else:
            current += char
    if current:
        tokens.append(current)
    lines, line = [], ""
    for token in tokens:
        if len(token) > width:
            raise SapInputError(f"expected WHERE tokens of at most {width} characters, got {token[:20]!r}...")
        candidate = f"{line} {token}" if line else token
        if len(candidate) > width:
            lines.append(line)
            candidate = token
        line = candidate
    if line:
        lines.append(line)
    return [{"TEXT": text} for text in lines]


def read_table(
    connection: RfcConnection, table: str, field_groups: list[list[str]], where: str = "",
    batch_rows: int = 10_000, delimiter: str = "|",
) -> list[dict[str, str]]:
    """All rows of ``table`` (as strings) through RFC_READ_TABLE, one call sequence per field group,
    paged with ROWSKIPS/ROWCOUNT and joined back on the group's leading key fields."""
    if not field_groups:
        raise SapInputError("expected at least one field group, got none")
    key_count = _common_prefix_length(field_groups)
    merged: dict[tuple[str, ...], dict[str, str]] = {}
    for group in field_groups:
        skipped = 0
        while True:
            result = connection.call(
                "RFC_READ_TABLE", QUERY_TABLE=table, DELIMITER=delimiter, ROWSKIPS=skipped, ROWCOUNT=batch_rows,
                OPTIONS=where_clause_lines(where) if where else [], FIELDS=[{"FIELDNAME": f} for f in group],
            )
            names = [f["FIELDNAME"] for f in result["FIELDS"]]
            rows = [_split_row(r["WA"], names, delimiter) for r in result["DATA"]]
            for index, row in enumerate(rows):
                key = tuple(row[n] for n in names[:key_count]) if len(field_groups) > 1 else (str(skipped + index),)
                merged.setdefault(key, {}).update(row)
            skipped += len(rows)
            if len(rows) < batch_rows:
                break
    return list(merged.values())


def _split_row(work_area: str, names: list[str], delimiter: str) -> dict[str, str]:
    values = work_area.split(delimiter)
    if len(values) != len(names):
        raise SapInputError(
            f"expected {len(names)} values split by {delimiter!r}, got {len(values)} (a value contains the delimiter?)"
        )
    return {name: value.strip() for name, value in zip(names, values, strict=True)}


def _common_prefix_length(groups: list[list[str]]) -> int:
    length = 0
    while all(len(g) > length and g[length] == groups[0][length] for g in groups):
        length += 1
    if length == 0 and len(groups) > 1:
        raise SapInputError(f"expected every field group to start with the key fields, got {groups}")
    return length or len(groups[0])
