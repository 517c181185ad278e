"""JSON-lines logs for the Python side of a pipeline, with correlation fields on every line.

Every record carries ``plant``, ``query_id``, ``batch_id`` and ``run_id`` when they are set for
the current context (a ``foreachBatch`` call, a job run), so logs can be searched by them.

Example::

    >>> import io, logging
    >>> stream = io.StringIO()
    >>> logger = json_logger("iot.silver", stream)
    >>> with correlation(query_id="q1", batch_id=7):
    ...     logger.info("batch written", extra={"rows": 120})
    >>> '"batch_id": 7' in stream.getvalue()
    True
"""
from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from streaming_observability.errors import ObservabilityInputError

CORRELATION_FIELDS = ("plant", "query_id", "batch_id", "run_id")
_context: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("iot_log_correlation")
# attributes every LogRecord has; anything else on a record came from ``extra=`` and is logged
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


@contextmanager
def correlation(**fields: Any) -> Iterator[dict[str, Any]]:
    """Add correlation fields to every record logged inside the block (nested blocks add up)."""
    unknown = sorted(set(fields) - set(CORRELATION_FIELDS))
    if unknown:
        raise ObservabilityInputError(f"expected correlation fields among {list(CORRELATION_FIELDS)}, got {unknown}")
    merged = {**_context.get({}), **{k: v for k, v in fields.items() if v is not None}}
    token = _context.set(merged)
    try:
        yield merged
    finally:
        _context.reset(token)


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line: timestamp, level, logger, message, correlation fields, extras, error."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "timestamp": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_context.get({}),
        }
        line.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info and record.exc_info[0] is not None:
            line["error_class"] = record.exc_info[0].__name__
            line["stack_trace"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def json_logger(name: str, stream: IO[str], level: int = logging.INFO) -> logging.Logger:
    """A logger writing JSON lines to ``stream`` (a file or ``sys.stdout``), not propagating upwards."""
    logger = logging.getLogger(name)
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLogFormatter())
    logger.handlers = [handler]
    logger.setLevel(level)
    logger.propagate = False
    return logger
