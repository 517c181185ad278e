"""OData V2 JSON values as SAP Gateway writes them, and the literals its ``$filter`` accepts.

Example::

    parse_odata_datetime("/Date(1796544000000)/")   # datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    datetime_filter_literal(datetime(2026, 12, 6, 8, 0, tzinfo=UTC))  # "datetime'2026-12-06T08:00:00'"
"""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from enterprise_integration.sap.errors import SapInputError

_DATE_PATTERN = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_odata_datetime(value: str) -> datetime:
    """``/Date(ms)/`` or ``/Date(ms+0000)/`` (Edm.DateTime, Edm.DateTimeOffset) as an aware UTC datetime.

    The milliseconds count from the epoch in UTC; the offset, when present, only tells the
    writer's zone, so it does not shift the instant.
    """
    match = _DATE_PATTERN.match(value) if isinstance(value, str) else None
    if match is None:
        raise SapInputError(f"expected an OData V2 date like '/Date(1796544000000)/', got {value!r}")
    return _EPOCH + timedelta(milliseconds=int(match.group(1)))


def format_odata_datetime(value: datetime) -> str:
    """An aware datetime as SAP writes it in JSON: ``/Date(ms)/``."""
    _require_aware(value)
    return f"/Date({(value - _EPOCH) // timedelta(milliseconds=1)})/"


def datetime_filter_literal(value: datetime) -> str:
    """An aware datetime as an Edm.DateTime ``$filter`` literal, in UTC, to the millisecond when needed."""
    _require_aware(value)
    utc = value.astimezone(UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond // 1000:03d}"
    return f"datetime'{text}'"


def string_filter_literal(value: str) -> str:
    """A string as an OData V2 ``$filter`` literal (single quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def convert_property(value: Any, edm_type: str) -> Any:
    """One JSON property value converted to the Python type Spark expects for its Edm type.

    SAP writes Edm.Decimal and Edm.Int64 as strings (JSON numbers would lose precision) and
    dates as ``/Date(ms)/``; ``None`` stays ``None``.
    """
    if value is None:
        return None
    if edm_type in ("Edm.DateTime", "Edm.DateTimeOffset"):
        return parse_odata_datetime(value)
    if edm_type == "Edm.Decimal":
        return Decimal(value)
    if edm_type in ("Edm.Int16", "Edm.Int32", "Edm.Int64", "Edm.Byte"):
        return int(value)
    if edm_type in ("Edm.Double", "Edm.Single"):
        return float(value)
    if edm_type == "Edm.Boolean":
        return bool(value)
    if edm_type in ("Edm.String", "Edm.Guid"):
        return str(value)
    raise SapInputError(
        f"expected a supported Edm type (String, Decimal, Int*, Double, Boolean, DateTime*), got {edm_type!r}"
    )


def _require_aware(value: datetime) -> None:
    if value.tzinfo is None:
        raise SapInputError(f"expected a timezone-aware datetime, got naive {value.isoformat()}")
