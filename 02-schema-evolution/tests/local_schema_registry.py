"""A local HTTP server speaking the documented Confluent Schema Registry endpoints the client uses.

No registry can be installed on this machine (no Docker, no Confluent packages); this server keeps
subjects in memory and decides compatibility with the package's fastavro read checks, so the
client is tested over real HTTP. It is a protocol double, not a registry.
"""
from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from delta_schema_evolution.avro_compatibility import MODES, check_compatibility

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


class RegistryState:
    def __init__(self) -> None:
        self.subjects: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self.config: dict[str, str] = {}
        self.global_level = "BACKWARD"
        self.next_id = 1
        self.lock = threading.Lock()

    def level(self, subject: str) -> str:
        return self.config.get(subject, self.global_level)


def _handler(state: RegistryState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output clean
            return

        def _send(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", CONTENT_TYPE)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _error(self, status: int, code: int, message: str) -> None:
            self._send(status, {"error_code": code, "message": message})

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length", 0))
            return json.loads(self.rfile.read(length) or b"{}")

        def _versions(self, subject: str) -> list[tuple[int, dict[str, Any]]] | None:
            versions = state.subjects.get(subject)
            if versions is None:
                self._error(404, 40401, f"Subject '{subject}' not found.")
            return versions

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            with state.lock:
                path = self.path
                if path == "/subjects":
                    return self._send(200, sorted(state.subjects))
                if path == "/config":
                    return self._send(200, {"compatibilityLevel": state.global_level})
                if match := re.fullmatch(r"/config/([^/]+)", path):
                    return self._send(200, {"compatibilityLevel": state.level(match.group(1))})
                if match := re.fullmatch(r"/subjects/([^/]+)/versions", path):
                    versions = self._versions(match.group(1))
                    return None if versions is None else self._send(200, list(range(1, len(versions) + 1)))
                if match := re.fullmatch(r"/subjects/([^/]+)/versions/(latest|\d+)", path):
                    versions = self._versions(match.group(1))
                    if versions is None:
                        return None
                    number = len(versions) if match.group(2) == "latest" else int(match.group(2))
                    if not 1 <= number <= len(versions):
                        return self._error(404, 40402, f"Version {match.group(2)} not found.")
                    schema_id, schema = versions[number - 1]
                    return self._send(200, {"subject": match.group(1), "version": number, "id": schema_id,
                                            "schema": json.dumps(schema)})
                return self._error(404, 404, f"no route {path}")

        def do_POST(self) -> None:  # noqa: N802
            with state.lock:
                body = self._body()
                schema = json.loads(body["schema"])
                if match := re.fullmatch(r"/subjects/([^/]+)/versions", self.path):
                    subject = match.group(1)
                    previous = [s for _, s in state.subjects.get(subject, [])]
                    if not check_compatibility(schema, previous, state.level(subject)).compatible:
                        return self._error(409, 409, "Schema being registered is incompatible with an earlier schema")
                    state.subjects.setdefault(subject, []).append((state.next_id, schema))
                    state.next_id += 1
                    return self._send(200, {"id": state.next_id - 1})
                if match := re.fullmatch(r"/compatibility/subjects/([^/]+)/versions/(latest|\d+)", self.path):
                    versions = self._versions(match.group(1))
                    if versions is None:
                        return None
                    previous = [s for _, s in versions]
                    compatible = check_compatibility(schema, previous, state.level(match.group(1))).compatible
                    return self._send(200, {"is_compatible": compatible})
                return self._error(404, 404, f"no route {self.path}")

        def do_PUT(self) -> None:  # noqa: N802
            with state.lock:
                level = self._body().get("compatibility")
                if level not in MODES:
                    return self._error(422, 42203, f"Invalid compatibility level {level!r}")
                if self.path == "/config":
                    state.global_level = level
                elif match := re.fullmatch(r"/config/([^/]+)", self.path):
                    state.config[match.group(1)] = level
                else:
                    return self._error(404, 404, f"no route {self.path}")
                return self._send(200, {"compatibility": level})

    return Handler


def start_local_registry() -> tuple[ThreadingHTTPServer, str]:
    """Start the server on a free 127.0.0.1 port; returns (server, base_url). Call ``server.shutdown()``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(RegistryState()))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"
