"""What every generator shares: the fixed default start, argument checks, exact rounding, JSON form.

Nothing here reads the wall clock: generated time starts at ``DEFAULT_START`` unless a caller
passes another timezone-aware ``start``.

Example::

    >>> exact_count(2000, 0.015)
    30
    >>> format_timestamp(DEFAULT_START)
    '2026-01-05T06:00:00.000Z'
    >>> try:
    ...     require_in_range("plants", 9, 1, 6)
    ... except InvalidGeneratorArgumentError as error:
    ...     print(error)
    plants: expected a value in [1, 6], got 9
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

DEFAULT_START = dt.datetime(2026, 1, 5, 6, 0, tzinfo=dt.UTC)
MAX_ROWS = 100_000_000


class InvalidGeneratorArgumentError(ValueError):
    """A generator argument is outside its documented range."""


def require_in_range(name: str, value: float, low: float, high: float) -> None:
    """Raise :class:`InvalidGeneratorArgumentError` unless ``low <= value <= high``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidGeneratorArgumentError(f"{name}: expected a number, got {value!r}")
    if not low <= value <= high:
        raise InvalidGeneratorArgumentError(
            f"{name}: expected a value in [{low}, {high}], got {value!r}"
        )


def require_count(name: str, value: int, high: int = MAX_ROWS) -> None:
    """Raise unless ``value`` is an ``int`` (not a bool) in ``[0, high]``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidGeneratorArgumentError(f"{name}: expected an int, got {value!r}")
    require_in_range(name, value, 0, high)


def require_utc_start(start: dt.datetime) -> dt.datetime:
    """Return ``start`` in UTC, cut to whole milliseconds; a naive datetime is an error."""
    if not isinstance(start, dt.datetime) or start.tzinfo is None:
        raise InvalidGeneratorArgumentError(
            f"start: expected a timezone-aware datetime, got {start!r}"
        )
    start = start.astimezone(dt.UTC)
    return start.replace(microsecond=start.microsecond // 1000 * 1000)


def exact_count(base: int, rate: float) -> int:
    """``base * rate`` rounded half up, in decimal arithmetic (so 0.145 * 100 is 15, not 14)."""
    product = Decimal(repr(float(rate))) * base
    return int(product.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_timestamp(moment: dt.datetime) -> str:
    """ISO-8601 in UTC with milliseconds and a ``Z``: the text form of every generated time."""
    moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def epoch_ms(moment: dt.datetime) -> int:
    """Milliseconds since 1970-01-01T00:00:00Z, in integer arithmetic (a Kafka timestamp)."""
    return (moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(milliseconds=1)


def parse_timestamp(text: str) -> dt.datetime:
    """Inverse of :func:`format_timestamp`."""
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def to_json_document(row: dict[str, Any]) -> dict[str, Any]:
    """The JSON-ready form of a generated row: times as :func:`format_timestamp`, dates ISO."""
    document: dict[str, Any] = {}
    for name, value in row.items():
        if isinstance(value, dt.datetime):
            value = format_timestamp(value)
        elif isinstance(value, dt.date):
            value = value.isoformat()
        document[name] = value
    return document
