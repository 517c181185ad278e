"""Local HTTP servers that answer like Slack incoming webhooks and the PagerDuty Events API v2.

They check the documented request shapes and answer as the services do: Slack 200 ``ok`` or 400
``no_text``; PagerDuty 202 ``{"status": "success", ...}`` or 400 ``{"status": "invalid event", ...}``.
"""
from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import Any

from local_http_server import LocalHttpServer

PAGERDUTY_ACTIONS = {"trigger", "acknowledge", "resolve"}
PAGERDUTY_SEVERITIES = {"critical", "error", "warning", "info"}


def pagerduty_errors(event: dict[str, Any]) -> list[str]:
    """What the Events API v2 would reject in ``event``."""
    errors = []
    if not isinstance(event.get("routing_key"), str) or len(event["routing_key"]) != 32:
        errors.append("'routing_key' must be a 32-character string")
    if event.get("event_action") not in PAGERDUTY_ACTIONS:
        errors.append("'event_action' must be trigger, acknowledge or resolve")
    if event.get("event_action") in {"acknowledge", "resolve"} and not event.get("dedup_key"):
        errors.append("'dedup_key' is required to acknowledge or resolve")
    if len(event.get("dedup_key", "")) > 255:
        errors.append("'dedup_key' is longer than 255 characters")
    if event.get("event_action") == "trigger":
        payload = event.get("payload") or {}
        for field in ("summary", "source", "severity"):
            if not payload.get(field):
                errors.append(f"'payload.{field}' is missing")
        if payload.get("severity") and payload["severity"] not in PAGERDUTY_SEVERITIES:
            errors.append("'payload.severity' must be critical, error, warning or info")
        if len(payload.get("summary", "")) > 1024:
            errors.append("'payload.summary' is longer than 1024 characters")
    return errors


class FakeAlertEndpoints(LocalHttpServer):
    """``/slack`` and ``/v2/enqueue`` on one loopback port; ``received`` keeps every accepted body."""

    def __init__(self) -> None:
        self.received: dict[str, list[dict[str, Any]]] = {"slack": [], "pagerduty": []}
        endpoints = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                if self.path == "/slack":
                    ok = bool(body.get("text") or body.get("blocks"))
                    if ok:
                        endpoints.received["slack"].append(body)
                    self.answer(200 if ok else 400, b"ok" if ok else b"no_text")
                elif self.path == "/v2/enqueue":
                    errors = pagerduty_errors(body)
                    if not errors:
                        endpoints.received["pagerduty"].append(body)
                        answer = {"status": "success", "message": "Event processed", "dedup_key": body["dedup_key"]}
                    else:
                        answer = {"status": "invalid event", "message": "Event object is invalid", "errors": errors}
                    self.answer(202 if not errors else 400, json.dumps(answer).encode())
                else:
                    self.answer(404, b"not found")

            def answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(Handler)
