"""Kafka Connect standalone with the Debezium PostgreSQL connector, started from Maven Central jars.

The worker runs as a child JVM (``org.apache.kafka.connect.cli.ConnectStandalone``) in a folder of its
own: the Connect runtime from ``.jars/connect`` on the classpath, the Debezium jars (``debezium-*``, the
PostgreSQL driver, protobuf) linked into ``plugins/debezium-postgres`` on the plugin path, so the
connector loads in its own class loader as it does in a production worker. Source offsets go to a
file in that folder, which is what lets a killed worker resume where its last offset flush left it.

Connectors are given as ``{"name": ..., "config": {...}}`` (the REST API's request body). Each is
written to a JSON file the worker reads at start, so :meth:`KafkaConnectWorker.restart` brings them
back (standalone mode keeps no connector configs of its own).

Example::

    >>> worker = start_kafka_connect(tmp_path, broker.plaintext_bootstrap)  # doctest: +SKIP
    >>> worker.create_connector("inventory", {"connector.class": "...PostgresConnector", ...})  # doctest: +SKIP
    >>> worker.wait_until_running("inventory")  # doctest: +SKIP
    >>> worker.kill(); worker.restart()  # doctest: +SKIP
"""
from __future__ import annotations

import atexit
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog_tools.child_processes import java_executable, tie_to_parent
from catalog_tools.jars import jar_files
from catalog_tools.kafka_broker import free_port

PLUGIN_JAR_PREFIXES = ("debezium-", "postgresql-", "protobuf-java-")
LOG_TAIL_LINES = 60
CONNECT_MAIN = "org.apache.kafka.connect.cli.ConnectStandalone"

LOG4J2_PROPERTIES = """\
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = {log_file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.kafka.name = org.apache.kafka
logger.kafka.level = WARN
logger.connect.name = org.apache.kafka.connect.runtime.WorkerSourceTask
logger.connect.level = INFO
logger.reflections.name = org.reflections
logger.reflections.level = ERROR
"""


class KafkaConnectStartError(RuntimeError):
    """The worker or a connector did not come up; the message ends with the worker's log tail."""


class KafkaConnectRequestError(RuntimeError):
    """A REST call to the worker failed; the message has the method, path, status and body."""


@dataclass
class KafkaConnectWorker:
    """A standalone Connect worker and its REST endpoint."""

    work_dir: Path
    bootstrap_servers: str
    rest_port: int
    heap: str = "768m"
    worker_overrides: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rest_port}"

    @property
    def log_file(self) -> Path:
        return self.work_dir / "connect.log"

    @property
    def offsets_file(self) -> Path:
        return self.work_dir / "connect.offsets"

    @property
    def connectors_dir(self) -> Path:
        return self.work_dir / "connectors"

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        if not self.log_file.exists():
            return "(no Connect log written)"
        return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])

    # --- REST API -------------------------------------------------------------------------------
    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Call the worker's REST API and return the decoded JSON (None for an empty body)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            self.url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                payload = response.read()
        except urllib.error.HTTPError as error:
            raise KafkaConnectRequestError(
                f"expected {method} {path} to succeed, got HTTP {error.code}: "
                f"{error.read().decode(errors='replace')[:2000]}"
            ) from None
        return json.loads(payload) if payload else None

    def connector_status(self, name: str) -> dict[str, Any]:
        """``GET /connectors/<name>/status``: the connector's and its tasks' states."""
        return self.request("GET", f"/connectors/{name}/status")

    def connectors(self) -> list[str]:
        return self.request("GET", "/connectors")

    def create_connector(self, name: str, config: dict[str, str]) -> dict[str, Any]:
        """Create a connector now and keep its config for :meth:`restart`."""
        created = self.request("POST", "/connectors", {"name": name, "config": config})
        self._save_connector(name, config)
        return created

    def delete_connector(self, name: str) -> None:
        (self.connectors_dir / f"{name}.json").unlink(missing_ok=True)
        self.request("DELETE", f"/connectors/{name}")

    def wait_until_running(self, name: str, timeout_s: float = 120.0) -> dict[str, Any]:
        """Poll until the connector and all its tasks are RUNNING; raise with the trace otherwise."""
        deadline = time.monotonic() + timeout_s
        last: dict[str, Any] | str = "(no status yet)"
        while time.monotonic() < deadline:
            self._raise_if_exited()
            try:
                last = self.connector_status(name)
            except (KafkaConnectRequestError, OSError) as error:
                last = str(error)
            else:
                states = [last["connector"]["state"]] + [task["state"] for task in last["tasks"]]
                if "FAILED" in states:
                    raise KafkaConnectStartError(
                        f"expected connector {name!r} RUNNING, it FAILED: {json.dumps(last)[:3000]}; "
                        f"log: {self.log_file}"
                    )
                if last["tasks"] and set(states) == {"RUNNING"}:
                    return last
            time.sleep(0.5)
        raise KafkaConnectStartError(
            f"expected connector {name!r} and its tasks RUNNING within {timeout_s:.0f}s, last status: "
            f"{last}; log tail ({self.log_file}):\n{self.log_tail()}"
        )

    # --- process --------------------------------------------------------------------------------
    def start(self, ready_timeout_s: float = 120.0) -> None:
        """Start the worker with every saved connector; return once the REST API answers."""
        if self.is_running():
            raise KafkaConnectStartError(f"expected a stopped worker, it runs as pid {self.process.pid}")
        command = [
            java_executable(KafkaConnectStartError), f"-Xmx{self.heap}", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.work_dir / 'log4j2.properties'}",
            "-cp", os.pathsep.join(str(jar) for jar in _runtime_jars()),
            CONNECT_MAIN, str(self.work_dir / "worker.properties"),
            *sorted(str(path) for path in self.connectors_dir.glob("*.json")),
        ]
        with open(self.work_dir / "connect.stdout", "ab") as stdout:
            self.process = subprocess.Popen(
                command, stdout=stdout, stderr=subprocess.STDOUT, cwd=self.work_dir,
                preexec_fn=tie_to_parent,
            )
        deadline = time.monotonic() + ready_timeout_s
        while True:
            self._raise_if_exited()
            try:
                self.request("GET", "/connectors")
                return
            except (KafkaConnectRequestError, OSError):
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise KafkaConnectStartError(
                    f"expected the Connect REST API on {self.url} within {ready_timeout_s:.0f}s, "
                    f"it did not answer; log tail ({self.log_file}):\n{self.log_tail()}"
                )
            time.sleep(0.5)

    def wait_for_offset_flush(self, since: float, timeout_s: float = 60) -> None:
        """Wait until the worker has written its source offsets after ``since`` (a ``time.time()``).

        Kill a worker before its first flush and Debezium snapshots the table again on restart; after
        it, only the changes sent since the last flush are sent again (at least once).

        Example::

            >>> started = time.time()  # doctest: +SKIP
            >>> worker.wait_for_offset_flush(since=started)  # doctest: +SKIP
        """
        deadline = time.monotonic() + timeout_s
        while not (self.offsets_file.exists() and self.offsets_file.stat().st_mtime > since):
            if time.monotonic() > deadline:
                raise TimeoutError(f"expected an offset flush to {self.offsets_file} within {timeout_s:.0f}s")
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL the worker (no offset flush, no clean task stop): a crashed Connect node."""
        if self.is_running():
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def restart(self, ready_timeout_s: float = 120.0) -> None:
        """Start the worker again (after :meth:`kill` or :meth:`stop`) with the saved connectors."""
        self.stop()
        self.start(ready_timeout_s)

    def stop(self, timeout_s: float = 30.0) -> None:
        """Graceful stop (SIGTERM flushes offsets), SIGKILL if it lingers. Idempotent."""
        if not self.is_running():
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()
        except ProcessLookupError:
            pass

    def __enter__(self) -> KafkaConnectWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _save_connector(self, name: str, config: dict[str, str]) -> None:
        self.connectors_dir.mkdir(exist_ok=True)
        path = self.connectors_dir / f"{name}.json"
        path.write_text(json.dumps({"name": name, "config": config}, indent=2))
        path.chmod(0o600)

    def _raise_if_exited(self) -> None:
        if not self.is_running():
            raise KafkaConnectStartError(
                f"expected the Connect worker to keep running, it exited with code "
                f"{self.process.returncode if self.process else None}; "
                f"log tail ({self.log_file}):\n{self.log_tail()}"
            )


def _is_plugin_jar(jar: Path) -> bool:
    return jar.name.startswith(PLUGIN_JAR_PREFIXES)


def _runtime_jars() -> list[Path]:
    return [jar for jar in jar_files("connect") if not _is_plugin_jar(jar)]


def _link_plugin(work_dir: Path) -> Path:
    plugin_path = work_dir / "plugins"
    folder = plugin_path / "debezium-postgres"
    folder.mkdir(parents=True, exist_ok=True)
    plugin_jars = [jar for jar in jar_files("connect") if _is_plugin_jar(jar)]
    if not any(jar.name.startswith("debezium-connector-postgres") for jar in plugin_jars):
        raise KafkaConnectStartError(
            "expected debezium-connector-postgres among the 'connect' jars, found none: "
            "run `make setup` (tools/jvm/kafka-connect.pom.xml)"
        )
    for jar in plugin_jars:
        link = folder / jar.name
        if not link.exists():
            link.symlink_to(jar)
    return plugin_path


def worker_properties(worker: KafkaConnectWorker, plugin_path: Path) -> dict[str, str]:
    """The standalone worker's settings; converters are set per connector."""
    properties = {
        "bootstrap.servers": worker.bootstrap_servers,
        "key.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "offset.storage.file.filename": str(worker.offsets_file),
        "offset.flush.interval.ms": "2000",
        "listeners": f"http://127.0.0.1:{worker.rest_port}",
        "plugin.path": str(plugin_path),
        "plugin.discovery": "only_scan",
        "task.shutdown.graceful.timeout.ms": "5000",
    }
    properties.update(worker.worker_overrides)
    return properties


def start_kafka_connect(
    work_dir: str | Path,
    bootstrap_servers: str,
    connectors: dict[str, dict[str, str]] | None = None,
    worker_overrides: dict[str, str] | None = None,
    ready_timeout_s: float = 120.0,
) -> KafkaConnectWorker:
    """Start a standalone worker under ``work_dir`` against ``bootstrap_servers`` (PLAINTEXT).

    ``connectors`` maps names to configs the worker starts with (and restarts with). Returns once the
    REST API answers; use :meth:`KafkaConnectWorker.wait_until_running` for a connector's tasks.
    The worker stops at interpreter exit and is killed by the kernel if this process dies.
    """
    work_dir = Path(work_dir).resolve()
    work_dir.mkdir(parents=True, exist_ok=True)
    worker = KafkaConnectWorker(work_dir, bootstrap_servers, free_port(),
                                worker_overrides=dict(worker_overrides or {}))
    plugin_path = _link_plugin(work_dir)
    (work_dir / "log4j2.properties").write_text(LOG4J2_PROPERTIES.format(log_file=worker.log_file))
    (work_dir / "worker.properties").write_text(
        "".join(f"{key}={value}\n" for key, value in worker_properties(worker, plugin_path).items())
    )
    worker.connectors_dir.mkdir(exist_ok=True)
    for name, config in (connectors or {}).items():
        worker._save_connector(name, config)
    atexit.register(worker.stop)
    worker.start(ready_timeout_s)
    return worker
