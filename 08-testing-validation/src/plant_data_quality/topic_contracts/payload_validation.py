"""Validate producers' payloads against a topic contract before they are sent (or in a CI test).

Example::

    report = validate_json_payloads([b'{"event_id": "e1", ...}'], sensor_event_json_schema())
    report.invalid   # [(0, "machine_id: 'press-7' does not match '^M-[0-9]{4}$'")]
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import fastavro
import fastavro.validation
import jsonschema

from plant_data_quality.errors import PayloadContractError


@dataclass
class PayloadReport:
    """How many payloads were checked, and each invalid one's position with its reasons."""

    checked: int = 0
    invalid: list[tuple[int, str]] = field(default_factory=list)

    @property
    def valid_count(self) -> int:
        return self.checked - len(self.invalid)


def validate_json_payloads(payloads: Iterable[bytes | str | dict[str, Any]], schema: dict[str, Any]) -> PayloadReport:
    """Check each payload (JSON bytes, text or an already parsed dict) against a JSON Schema."""
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as error:
        raise PayloadContractError(f"expected a valid JSON Schema, got: {error.message}") from error
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    report = PayloadReport()
    for position, payload in enumerate(payloads):
        report.checked += 1
        try:
            document = json.loads(payload) if isinstance(payload, bytes | str) else payload
        except json.JSONDecodeError as error:
            report.invalid.append((position, f"not JSON: {error.msg}"))
            continue
        problems = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
        if problems:
            report.invalid.append((position, "; ".join(
                f"{'.'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}" for e in problems)))
    return report


def validate_avro_records(records: Iterable[dict[str, Any]], schema: dict[str, Any]) -> PayloadReport:
    """Check each record against an Avro schema (the check the Avro serializer would fail on)."""
    try:
        parsed = fastavro.parse_schema(schema)
    except Exception as error:  # fastavro raises several types for an invalid schema
        raise PayloadContractError(f"expected a valid Avro schema, got: {error}") from error
    report = PayloadReport()
    for position, record in enumerate(records):
        report.checked += 1
        try:
            fastavro.validation.validate(record, parsed, raise_errors=True)
        except fastavro.validation.ValidationError as error:
            report.invalid.append((position, "; ".join(str(message) for message in error.errors)))
    return report
