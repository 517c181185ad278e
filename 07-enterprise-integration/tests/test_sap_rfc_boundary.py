"""The RFC boundary up to the connection: no SAP system and no NW RFC SDK here, so the tests use an
in-memory function module that keeps RFC_READ_TABLE's documented rules (a 512-character work area)."""
from __future__ import annotations

from typing import Any

import pytest

from enterprise_integration.sap.errors import SapInputError
from enterprise_integration.sap.rfc import BapiResultError, call_bapi, plan_field_groups, read_table, where_clause_lines

AFKO_FIELDS = [("AUFNR", 12), ("MATNR", 40), ("GAMNG", 15), ("GMEIN", 3), ("DISPO", 3), ("LTEXT", 400),
               ("AEDAT", 8), ("AETXT", 120)]


class DataBufferExceeded(RuntimeError):
    """What RFC_READ_TABLE raises (DATA_BUFFER_EXCEEDED) when the selected fields exceed 512 characters."""


class InMemoryReadTable:
    """RFC_READ_TABLE over rows held in memory: fixed-width fields joined by the delimiter."""

    def __init__(self, widths: dict[str, int], rows: list[dict[str, str]]) -> None:
        self.widths, self.rows, self.calls = widths, rows, []

    def call(self, func_name: str, **parameters: Any) -> dict[str, Any]:
        self.calls.append((func_name, parameters))
        names = [f["FIELDNAME"] for f in parameters["FIELDS"]]
        delimiter = parameters["DELIMITER"]
        if sum(self.widths[n] for n in names) + len(delimiter) * (len(names) - 1) > 512:
            raise DataBufferExceeded("DATA_BUFFER_EXCEEDED")
        start, count = parameters["ROWSKIPS"], parameters["ROWCOUNT"]
        page = self.rows[start:start + count]
        data = [{"WA": delimiter.join(r[n].ljust(self.widths[n]) for n in names)} for r in page]
        return {"FIELDS": [{"FIELDNAME": n, "LENGTH": self.widths[n]} for n in names], "DATA": data}


def afko_rows(count: int) -> list[dict[str, str]]:
    return [
        {"AUFNR": f"{1_000_000 + i:012d}", "MATNR": f"FG-{i:04d}", "GAMNG": f"{i}.000", "GMEIN": "PC",
         "DISPO": "001", "LTEXT": f"order text {i}", "AEDAT": "20261206", "AETXT": "released"}
        for i in range(count)
    ]


def test_selecting_every_field_of_a_wide_table_at_once_exceeds_the_512_character_row():
    connection = InMemoryReadTable(dict(AFKO_FIELDS), afko_rows(3))
    with pytest.raises(DataBufferExceeded):
        read_table(connection, "AFKO", [[name for name, _ in AFKO_FIELDS]])


def test_fields_planned_into_groups_that_fit_come_back_joined_on_the_key():
    groups = plan_field_groups(AFKO_FIELDS, key_fields=["AUFNR"])
    assert groups == [["AUFNR", "MATNR", "GAMNG", "GMEIN", "DISPO", "LTEXT", "AEDAT"], ["AUFNR", "AETXT"]]
    connection = InMemoryReadTable(dict(AFKO_FIELDS), afko_rows(25))
    rows = read_table(connection, "AFKO", groups, batch_rows=10)
    assert rows == afko_rows(25)
    assert [c[1]["ROWSKIPS"] for c in connection.calls] == [0, 10, 20, 0, 10, 20]


def test_a_field_wider_than_the_row_beside_the_key_is_a_named_error():
    with pytest.raises(SapInputError, match=r"expected NOTE \(505\) plus the key \(13\) to fit 512"):
        plan_field_groups([("AUFNR", 12), ("NOTE", 505)], key_fields=["AUFNR"])


def test_where_clauses_are_cut_into_72_character_lines_between_tokens_and_never_inside_a_literal():
    where = ("AEDAT GE '20261201' AND WERKS IN ('1000','2000') "
             "AND LTEXT NE 'a text with spaces that is long' AND X = 'Y'")
    lines = [line["TEXT"] for line in where_clause_lines(where)]
    assert all(len(line) <= 72 for line in lines)
    assert " ".join(lines) == where


class BapiStandIn:
    def __init__(self, returned: list[dict[str, str]]) -> None:
        self.returned, self.calls = returned, []

    def call(self, func_name: str, **parameters: Any) -> dict[str, Any]:
        self.calls.append(func_name)
        return {"RETURN": self.returned}


def test_a_bapi_error_in_the_return_table_raises_and_nothing_is_committed():
    connection = BapiStandIn([{"TYPE": "E", "ID": "CO", "NUMBER": "017", "MESSAGE": "Order 4711 does not exist"}])
    with pytest.raises(BapiResultError, match="CO/017 Order 4711 does not exist"):
        call_bapi(connection, "BAPI_PRODORDCONF_CREATE_TT", commit=True, TIMETICKETS=[])
    assert connection.calls == ["BAPI_PRODORDCONF_CREATE_TT"]
    ok = BapiStandIn([{"TYPE": "S", "MESSAGE": "Confirmation saved"}])
    call_bapi(ok, "BAPI_PRODORDCONF_CREATE_TT", commit=True, TIMETICKETS=[])
    assert ok.calls == ["BAPI_PRODORDCONF_CREATE_TT", "BAPI_TRANSACTION_COMMIT"]
