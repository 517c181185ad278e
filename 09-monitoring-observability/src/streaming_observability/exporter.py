"""Serve a registry's metrics over HTTP from the driver, and stop serving when asked.

Example::

    >>> from prometheus_client import CollectorRegistry
    >>> server = serve_metrics(CollectorRegistry(), port=0)
    >>> server.url.startswith("http://127.0.0.1:")
    True
    >>> server.stop()
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, start_http_server

from streaming_observability.errors import ObservabilityInputError


@dataclass
class MetricsServer:
    """A running ``/metrics`` endpoint: its address, and ``stop()``."""

    server: WSGIServer
    thread: threading.Thread
    host: str

    @property
    def port(self) -> int:
        return int(self.server.server_port)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def target(self) -> str:
        """``host:port``, as a Prometheus ``static_configs`` target."""
        return f"{self.host}:{self.port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve_metrics(registry: CollectorRegistry, port: int = 9108, host: str = "127.0.0.1") -> MetricsServer:
    """Start serving ``registry`` at ``http://host:port/metrics`` (port 0 picks a free one).

    On a Databricks driver bind ``host="0.0.0.0"`` only when the scraper reaches the driver
    over a private network; the endpoint has no authentication.
    """
    if not isinstance(registry, CollectorRegistry):
        raise ObservabilityInputError(f"expected a CollectorRegistry, got {type(registry).__name__}")
    if not 0 <= port <= 65535:
        raise ObservabilityInputError(f"expected a port in 0..65535, got {port}")
    server, thread = start_http_server(port, addr=host, registry=registry)
    return MetricsServer(server=server, thread=thread, host=host)
