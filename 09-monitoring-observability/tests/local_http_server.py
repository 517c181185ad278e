"""A threaded HTTP server on a free loopback port, for the local stand-ins tests talk to.

Example::

    class Receiver(LocalHttpServer):
        def __init__(self) -> None:
            super().__init__(SomeRequestHandler)

    with Receiver() as receiver:
        requests.post(receiver.url + "/hook", json={})
"""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class LocalHttpServer:
    """Serves ``handler`` on 127.0.0.1 while used as a context manager; ``url`` is its base address."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
