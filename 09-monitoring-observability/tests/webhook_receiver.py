"""A local HTTP server that records every JSON body POSTed to it, with the time it arrived."""
from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

from local_http_server import LocalHttpServer


class WebhookReceiver(LocalHttpServer):
    """Collects ``(received_at, path, body)``; use as a context manager."""

    def __init__(self) -> None:
        self.received: list[tuple[float, str, dict[str, Any]]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                receiver.received.append((time.time(), self.path, body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(Handler)

    def notifications(self, alertname: str, status: str) -> list[tuple[float, dict[str, Any]]]:
        """Alertmanager webhook bodies whose status is ``status`` and that carry ``alertname``."""
        return [
            (at, body) for at, _, body in list(self.received)
            if body.get("status") == status and body.get("commonLabels", {}).get("alertname") == alertname
        ]
