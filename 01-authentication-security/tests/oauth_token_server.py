"""A local HTTP server that speaks the OAuth 2.0 client-credentials contract of Databricks' /oidc/v1/token.

It checks HTTP Basic client authentication, ``grant_type=client_credentials`` and the scope, and
answers like the real endpoint: 200 with access_token / token_type / expires_in / scope, 401
``invalid_client`` for a bad id or secret, 400 ``unsupported_grant_type``. ``failures`` queues
status codes (429, 503, ...) to answer before the next success, to exercise retries.
"""
from __future__ import annotations

import base64
import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class TokenEndpointState:
    client_id: str
    client_secret: str
    expires_in: int = 3600
    failures: list[int] = field(default_factory=list)
    retry_after: str | None = None
    issued: list[str] = field(default_factory=list)
    requests: int = 0


def _handler(state: TokenEndpointState) -> type[BaseHTTPRequestHandler]:
    class TokenHandler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output quiet
            return

        def _reply(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        def do_POST(self) -> None:  # noqa: N802 - http.server naming
            state.requests += 1
            form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode())
            if self.path != "/oidc/v1/token":
                return self._reply(404, {"error": "not_found"})
            if state.failures:
                status = state.failures.pop(0)
                headers = {"Retry-After": state.retry_after} if state.retry_after else {}
                return self._reply(status, {"error": "temporarily_unavailable"}, headers)
            expected = base64.b64encode(f"{state.client_id}:{state.client_secret}".encode()).decode()
            if self.headers.get("Authorization") != f"Basic {expected}":
                body = {"error": "invalid_client", "error_description": "Client authentication failed"}
                return self._reply(401, body)
            if form.get("grant_type") != ["client_credentials"]:
                return self._reply(400, {"error": "unsupported_grant_type"})
            token = f"dapi-test-{secrets.token_hex(16)}"
            state.issued.append(token)
            return self._reply(200, {"access_token": token, "token_type": "Bearer",
                                     "expires_in": state.expires_in, "scope": form.get("scope", ["all-apis"])[0]})

    return TokenHandler


@contextmanager
def running_token_endpoint(state: TokenEndpointState) -> Iterator[str]:
    """Serve the endpoint on a free loopback port; yield its token URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/oidc/v1/token"
    finally:
        server.shutdown()
        server.server_close()
