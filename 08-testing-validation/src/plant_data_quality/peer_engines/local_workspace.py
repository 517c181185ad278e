"""A local HTTP server answering the one workspace call DQX makes at start-up.

DQX's engine asks the workspace for its Spark versions (``GET /api/2.1/clusters/spark-versions``)
when it starts. This server answers that call, and only that call (404 for anything else), so DQX
runs its checks on a local SparkSession. It stands in for the workspace for that call only.

Example::

    with local_spark_versions_endpoint() as host:
        engine = dqx_engine(spark, host)
"""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SPARK_VERSIONS_PATH = "/api/2.1/clusters/spark-versions"
SPARK_VERSIONS_BODY = {"versions": [{"key": "16.4.x-scala2.12", "name": "16.4 LTS (Apache Spark 3.5.2, Scala 2.12)"}]}


class _SparkVersionsHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the name http.server dispatches to)
        known = self.path.split("?")[0] == SPARK_VERSIONS_PATH
        body = json.dumps(SPARK_VERSIONS_BODY if known else {"error_code": "NOT_FOUND"}).encode()
        self.send_response(200 if known else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's signature)
        return


@contextmanager
def local_spark_versions_endpoint() -> Iterator[str]:
    """Serve the spark-versions call on 127.0.0.1 (a free port); yield the host URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SparkVersionsHandler)
    thread = threading.Thread(target=server.serve_forever, name="spark-versions-endpoint", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
