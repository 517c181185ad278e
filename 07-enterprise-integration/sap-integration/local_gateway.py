"""A local HTTP server that answers like an SAP Gateway OData V2 service, for tests and examples.

It serves ``$metadata`` (EDMX), entity sets as JSON (``{"d": {"results": [...], "__next": ...}}``)
with ``/Date(ms)/`` timestamps and decimals as strings, ``$filter`` (eq ne gt ge lt le, and, or,
parentheses, ``datetime'...'`` and string literals), ``$orderby``, server-driven paging with a
``$skiptoken`` that is the position in the result, errors as SAP's error JSON, and faults on
demand: 429/503 with Retry-After, a 500, or a page whose body is cut off mid-way.

Load it by path (it is not part of the package): ``load_script("sap-integration/local_gateway.py")``.

Example::

    with LocalGateway(production_entity_sets(), page_size=1000) as gateway:
        gateway.put_rows("ProductionOrderSet", orders)
        gateway.faults.append(Fault("status", status=429, retry_after=7, from_request=2))
        client = ODataV2Client(gateway.service_url)
"""
from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

SERVICE_PATH = "/sap/opu/odata/sap/ZPP_PRODUCTION_SRV/"
NAMESPACE = "ZPP_PRODUCTION_SRV"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PropertyDef:
    name: str
    edm_type: str
    nullable: bool = True
    precision: int | None = None
    scale: int | None = None


@dataclass
class EntitySetDef:
    name: str
    entity_type: str
    properties: list[PropertyDef]
    keys: list[str]
    rows: dict[tuple, dict[str, Any]] = field(default_factory=dict)


@dataclass
class Fault:
    """A fault served instead of the next matching response.

    ``kind``: "status" (``status`` with SAP error JSON and ``retry_after``), or "truncate" (a 200
    whose body stops half-way). It replaces the responses to entity-set requests number
    ``from_request`` (1-based, counted by the server) onwards, ``times`` of them.
    """

    kind: str
    status: int = 503
    retry_after: int | None = None
    from_request: int = 1
    times: int = 1


def production_entity_sets() -> list[EntitySetDef]:
    """Production orders, confirmations and material documents, shaped like SAP PP/MM services."""
    return [
        EntitySetDef("ProductionOrderSet", "ProductionOrder", [
            PropertyDef("OrderNumber", "Edm.String", nullable=False),
            PropertyDef("Material", "Edm.String"),
            PropertyDef("Plant", "Edm.String"),
            PropertyDef("TotalQuantity", "Edm.Decimal", precision=13, scale=3),
            PropertyDef("Status", "Edm.String"),
            PropertyDef("ChangedAt", "Edm.DateTime", nullable=False),
        ], ["OrderNumber"]),
        EntitySetDef("ConfirmationSet", "Confirmation", [
            PropertyDef("ConfirmationGroup", "Edm.String", nullable=False),
            PropertyDef("ConfirmationCounter", "Edm.String", nullable=False),
            PropertyDef("OrderNumber", "Edm.String"),
            PropertyDef("YieldQuantity", "Edm.Decimal", precision=13, scale=3),
            PropertyDef("ScrapQuantity", "Edm.Decimal", precision=13, scale=3),
            PropertyDef("ChangedAt", "Edm.DateTime", nullable=False),
        ], ["ConfirmationGroup", "ConfirmationCounter"]),
        EntitySetDef("MaterialDocumentSet", "MaterialDocument", [
            PropertyDef("MaterialDocument", "Edm.String", nullable=False),
            PropertyDef("MaterialDocumentYear", "Edm.String", nullable=False),
            PropertyDef("MaterialDocumentItem", "Edm.String", nullable=False),
            PropertyDef("Material", "Edm.String"),
            PropertyDef("MovementType", "Edm.String"),
            PropertyDef("Quantity", "Edm.Decimal", precision=13, scale=3),
            PropertyDef("ChangedAt", "Edm.DateTime", nullable=False),
        ], ["MaterialDocument", "MaterialDocumentYear", "MaterialDocumentItem"]),
    ]


def generate_production_orders(count: int, start: datetime, entities_per_second: int) -> list[dict[str, Any]]:
    """``count`` production orders whose ChangedAt values are shared by ``entities_per_second`` each."""
    return [
        {
            "OrderNumber": f"{1_000_000 + i:012d}",
            "Material": f"FG-{i % 37:04d}",
            "Plant": "1000" if i % 3 else "2000",
            "TotalQuantity": Decimal(i % 500 + 1).quantize(Decimal("0.001")),
            "Status": "REL" if i % 5 else "TECO",
            "ChangedAt": start + timedelta(seconds=i // entities_per_second),
        }
        for i in range(count)
    ]


class LocalGateway:
    """The server; ``service_url`` is the service root, rows live in memory and can change any time."""

    def __init__(self, entity_sets: list[EntitySetDef], page_size: int = 1000) -> None:
        self.entity_sets = {s.name: s for s in entity_sets}
        self.page_size = page_size
        self.faults: list[Fault] = []
        self.requests: list[str] = []
        self.entity_requests = 0
        self.before_request: dict[int, Callable[[], None]] = {}
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def service_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{SERVICE_PATH}"

    def __enter__(self) -> LocalGateway:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def put_rows(self, entity_set: str, rows: list[dict[str, Any]]) -> None:
        """Insert or replace rows (by key), as a transaction in SAP would."""
        definition = self.entity_sets[entity_set]
        with self.lock:
            for row in rows:
                definition.rows[tuple(row[k] for k in definition.keys)] = dict(row)

    def rows(self, entity_set: str) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(r) for r in self.entity_sets[entity_set].rows.values()]

    def metadata_xml(self) -> str:
        types, sets = [], []
        for s in self.entity_sets.values():
            props = "".join(
                f'<Property Name="{p.name}" Type="{p.edm_type}" Nullable="{str(p.nullable).lower()}"'
                + (f' Precision="{p.precision}" Scale="{p.scale}"' if p.precision else "")
                + f' sap:label="{p.name}"/>'
                for p in s.properties
            )
            keys = "".join(f'<PropertyRef Name="{k}"/>' for k in s.keys)
            types.append(
                f'<EntityType Name="{s.entity_type}" sap:content-version="1"><Key>{keys}</Key>{props}</EntityType>'
            )
            sets.append(f'<EntitySet Name="{s.name}" EntityType="{NAMESPACE}.{s.entity_type}" sap:pageable="true"/>')
        return (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx" '
            'xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata" '
            'xmlns:sap="http://www.sap.com/Protocols/SAPData">'
            '<edmx:DataServices m:DataServiceVersion="2.0">'
            f'<Schema Namespace="{NAMESPACE}" xml:lang="en" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">'
            + "".join(types)
            + f'<EntityContainer Name="{NAMESPACE}_Entities" m:IsDefaultEntityContainer="true">'
            + "".join(sets)
            + "</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>"
        )

    def query(self, entity_set: str, params: dict[str, str]) -> tuple[list[dict[str, Any]], int | None]:
        """(page rows, next skiptoken or None) for a request's query options."""
        definition = self.entity_sets[entity_set]
        types = {p.name: p.edm_type for p in definition.properties}
        predicate = parse_filter(params["$filter"], types) if params.get("$filter") else (lambda row: True)
        with self.lock:
            matching = [dict(r) for r in definition.rows.values() if predicate(r)]
        if params.get("$orderby"):
            for clause in reversed(params["$orderby"].split(",")):
                name, _, direction = clause.strip().partition(" ")
                if name not in types:
                    raise GatewayError(400, "/IWBEP/CM_MGW_RT/004", f"Property {name} not found in $orderby")
                matching.sort(key=lambda r, n=name: r[n], reverse=direction.strip() == "desc")
        else:
            matching.sort(key=lambda r: tuple(r[k] for k in definition.keys))
        start = int(params.get("$skiptoken", "0"))
        end = start + self.page_size
        return matching[start:end], (end if end < len(matching) else None)

    def next_entity_request(self) -> Fault | None:
        """Count an entity-set request, run the hook registered for its number, return its fault."""
        with self.lock:
            self.entity_requests += 1
            number = self.entity_requests
        hook = self.before_request.pop(number, None)
        if hook is not None:
            hook()
        with self.lock:
            for fault in self.faults:
                if number >= fault.from_request:
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None


class GatewayError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def sap_error_body(code: str, message: str) -> bytes:
    """SAP Gateway's JSON error document."""
    return json.dumps({"error": {
        "code": code,
        "message": {"lang": "en", "value": message},
        "innererror": {"transactionid": "0" * 32, "errordetails": []},
    }}).encode()


def to_json_value(value: Any, edm_type: str) -> Any:
    if value is None:
        return None
    if edm_type in ("Edm.DateTime", "Edm.DateTimeOffset"):
        return f"/Date({(value - _EPOCH) // timedelta(milliseconds=1)})/"
    if edm_type in ("Edm.Decimal", "Edm.Int64"):
        return str(value)
    return value


def _handler_for(gateway: LocalGateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:  # quiet
            return

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            parts = urlsplit(self.path)
            gateway.requests.append(self.path)
            params = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
            if not parts.path.startswith(SERVICE_PATH):
                return self._error(GatewayError(404, "/IWFND/MED/170", f"No service found for {parts.path}"))
            resource = parts.path[len(SERVICE_PATH):]
            if resource == "$metadata":
                return self._send(200, gateway.metadata_xml().encode(), "application/xml")
            if resource not in gateway.entity_sets:
                message = f"Resource not found for segment '{resource}'"
                return self._error(GatewayError(404, "/IWBEP/CM_MGW_RT/020", message))
            fault = gateway.next_entity_request()
            if fault is not None and fault.kind == "status":
                headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
                unavailable = GatewayError(fault.status, "/IWFND/CM_BEC/026", "Service temporarily unavailable")
                return self._error(unavailable, headers)
            try:
                rows, next_token = gateway.query(resource, params)
            except GatewayError as error:
                return self._error(error)
            definition = gateway.entity_sets[resource]
            body: dict[str, Any] = {"results": [self._entity(definition, r) for r in rows]}
            if next_token is not None:
                query = {k: v for k, v in params.items() if k != "$skiptoken"} | {"$skiptoken": str(next_token)}
                body["__next"] = gateway.service_url + resource + "?" + urlencode(query, safe="$,'")
            payload = json.dumps({"d": body}).encode()
            if fault is not None and fault.kind == "truncate":
                return self._send_truncated(payload)
            self._send(200, payload, "application/json")

        def _entity(self, definition: EntitySetDef, row: dict[str, Any]) -> dict[str, Any]:
            keys = ",".join(f"{k}='{row[k]}'" for k in definition.keys)
            uri = f"{gateway.service_url}{definition.name}({keys})"
            entity = {"__metadata": {"id": uri, "uri": uri, "type": f"{NAMESPACE}.{definition.entity_type}"}}
            entity.update({p.name: to_json_value(row.get(p.name), p.edm_type) for p in definition.properties})
            return entity

        def _error(self, error: GatewayError, headers: dict[str, str] | None = None) -> None:
            self._send(error.status, sap_error_body(error.code, error.message), "application/json", headers)

        def _send(self, status: int, payload: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def _send_truncated(self, payload: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            self.close_connection = True

    return Handler


_TOKEN = re.compile(r"\s*(?:(datetime'[^']*')|('(?:[^']|'')*')|(\()|(\))|([A-Za-z_][A-Za-z0-9_]*)|(-?\d+(?:\.\d+)?))")


def parse_filter(text: str, types: dict[str, str]) -> Callable[[dict[str, Any]], bool]:
    """A predicate for an OData V2 ``$filter`` (comparisons, and, or, not, parentheses)."""
    tokens = _tokenize(text)
    position = 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> str:
        nonlocal position
        if position >= len(tokens):
            raise GatewayError(400, "/IWBEP/CM_MGW_RT/022", f"Invalid filter expression: '{text}'")
        position += 1
        return tokens[position - 1]

    def parse_or() -> Callable[[dict[str, Any]], bool]:
        left = parse_and()
        while peek() == "or":
            take()
            right = parse_and()
            left = (lambda a, b: lambda r: a(r) or b(r))(left, right)
        return left

    def parse_and() -> Callable[[dict[str, Any]], bool]:
        left = parse_unary()
        while peek() == "and":
            take()
            right = parse_unary()
            left = (lambda a, b: lambda r: a(r) and b(r))(left, right)
        return left

    def parse_unary() -> Callable[[dict[str, Any]], bool]:
        if peek() == "not":
            take()
            inner = parse_unary()
            return lambda r: not inner(r)
        if peek() == "(":
            take()
            inner = parse_or()
            if take() != ")":
                raise GatewayError(400, "/IWBEP/CM_MGW_RT/022", f"Invalid filter expression: '{text}'")
            return inner
        name, operator, literal = take(), take(), take()
        if name not in types:
            raise GatewayError(400, "/IWBEP/CM_MGW_RT/004", f"Property {name} not found in $filter")
        value = _literal(literal, text)
        compare = {
            "eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "gt": lambda a, b: a > b,
            "ge": lambda a, b: a >= b, "lt": lambda a, b: a < b, "le": lambda a, b: a <= b,
        }.get(operator)
        if compare is None:
            raise GatewayError(400, "/IWBEP/CM_MGW_RT/022", f"Invalid filter operator '{operator}'")
        return lambda r: r.get(name) is not None and compare(r[name], value)

    predicate = parse_or()
    if position != len(tokens):
        raise GatewayError(400, "/IWBEP/CM_MGW_RT/022", f"Invalid filter expression: '{text}'")
    return predicate


def _tokenize(text: str) -> list[str]:
    tokens, position = [], 0
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise GatewayError(400, "/IWBEP/CM_MGW_RT/022", f"Invalid filter expression: '{text}'")
        tokens.append(next(g for g in match.groups() if g is not None))
        position = match.end()
    return tokens


def _literal(token: str, text: str) -> Any:
    if token.startswith("datetime'"):
        return datetime.fromisoformat(token[len("datetime'"):-1]).replace(tzinfo=UTC)
    if token.startswith("'"):
        return token[1:-1].replace("''", "'")
    try:
        return Decimal(token)
    except ArithmeticError:
        raise GatewayError(400, "/IWBEP/CM_MGW_RT/022", f"Invalid literal in filter: '{text}'") from None
