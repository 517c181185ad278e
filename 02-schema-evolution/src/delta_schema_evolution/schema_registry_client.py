"""A small Confluent Schema Registry REST client: subjects, versions, register, compatibility check, config.

Standard library only (``urllib``). Errors from the registry raise :class:`SchemaRegistryError` with
the HTTP status and the registry's ``error_code``; credentials never appear in reprs or messages.

Example::

    registry = SchemaRegistryClient("http://localhost:8081")
    schema_id = registry.register("sensor-readings-value", reading_v2)
    registry.is_compatible("sensor-readings-value", reading_v3)   # False
    registry.set_compatibility("FULL_TRANSITIVE", subject="sensor-readings-value")
"""
from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from delta_schema_evolution.errors import SchemaEvolutionError, SchemaInputError

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


class SchemaRegistryError(SchemaEvolutionError):
    """The registry answered with an error: HTTP status, Confluent ``error_code`` and message."""

    def __init__(self, method: str, path: str, status: int, error_code: int | None, message: str) -> None:
        self.status, self.error_code = status, error_code
        super().__init__(f"{method} {path}: expected HTTP 2xx, got {status} (error_code {error_code}): {message}")


class SchemaRegistryClient:
    """Calls the documented Schema Registry endpoints; schemas are Avro schemas as Python dicts."""

    def __init__(self, base_url: str, username: str | None = None, password: str | None = None,
                 timeout_s: float = 10.0) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise SchemaInputError(f"base_url: expected http:// or https://, got {base_url!r}")
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self._auth = None
        if username is not None:
            token = base64.b64encode(f"{username}:{password or ''}".encode()).decode()
            self._auth = f"Basic {token}"

    def __repr__(self) -> str:
        return f"SchemaRegistryClient({self.base_url!r}, auth={'basic' if self._auth else 'none'})"

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method,
                                         headers={"Content-Type": CONTENT_TYPE, "Accept": CONTENT_TYPE})
        if self._auth:
            request.add_header("Authorization", self._auth)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            try:
                payload = json.loads(error.read() or b"{}")
            except ValueError:
                payload = {}
            raise SchemaRegistryError(method, path, error.code, payload.get("error_code"),
                                      payload.get("message", error.reason)) from None

    @staticmethod
    def _subject(subject: str) -> str:
        if not subject:
            raise SchemaInputError("subject: expected a non-empty name, got ''")
        return urllib.parse.quote(subject, safe="")

    def subjects(self) -> list[str]:
        """``GET /subjects``."""
        return self._call("GET", "/subjects")

    def versions(self, subject: str) -> list[int]:
        """``GET /subjects/{subject}/versions``."""
        return self._call("GET", f"/subjects/{self._subject(subject)}/versions")

    def get_version(self, subject: str, version: int | str = "latest") -> dict[str, Any]:
        """``GET /subjects/{subject}/versions/{version}``; ``schema`` is returned parsed."""
        answer = self._call("GET", f"/subjects/{self._subject(subject)}/versions/{version}")
        return {**answer, "schema": json.loads(answer["schema"])}

    def register(self, subject: str, schema: dict[str, Any]) -> int:
        """``POST /subjects/{subject}/versions``: the schema id (409 when incompatible)."""
        return self._call("POST", f"/subjects/{self._subject(subject)}/versions",
                          {"schema": json.dumps(schema)})["id"]

    def is_compatible(self, subject: str, schema: dict[str, Any], version: int | str = "latest") -> bool:
        """``POST /compatibility/subjects/{subject}/versions/{version}``."""
        return self._call("POST", f"/compatibility/subjects/{self._subject(subject)}/versions/{version}",
                          {"schema": json.dumps(schema)})["is_compatible"]

    def get_compatibility(self, subject: str | None = None) -> str:
        """``GET /config`` or ``GET /config/{subject}``."""
        path = "/config" if subject is None else f"/config/{self._subject(subject)}"
        return self._call("GET", path)["compatibilityLevel"]

    def set_compatibility(self, level: str, subject: str | None = None) -> str:
        """``PUT /config`` or ``PUT /config/{subject}``."""
        path = "/config" if subject is None else f"/config/{self._subject(subject)}"
        return self._call("PUT", path, {"compatibility": level})["compatibility"]
