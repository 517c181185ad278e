"""A real Apache Kafka 4.x broker in KRaft combined mode, started from Maven Central jars.

The broker runs as a child JVM (``java -cp .jars/kafka/* kafka.Kafka``) in a folder of its own, on
free loopback ports, with three listeners:

* ``PLAINTEXT`` on 127.0.0.1, also used between broker and controller;
* ``SASL_SSL`` on localhost, offering SCRAM-SHA-512, SCRAM-SHA-256 and PLAIN, with a CA and a
  broker certificate (SAN localhost and 127.0.0.1) generated for this run;
* ``CONTROLLER`` for the KRaft quorum.

SCRAM credentials are written at storage-format time, so they exist before the first client
connects. With ``authorizer=True`` the StandardAuthorizer is on and only ``admin`` (and the
PLAINTEXT listener's ANONYMOUS principal, which the broker itself uses) are super users.

Example::

    >>> with start_broker(tmp_path) as broker:  # doctest: +SKIP
    ...     print(broker.sasl_ssl_bootstrap)
    ...     config = broker.client_config(user="iot-app")  # kafka-python keyword arguments
"""
from __future__ import annotations

import atexit
import base64
import os
import secrets
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalog_tools.certificates import TlsFiles, generate_ca, issue_certificate, write_tls_files
from catalog_tools.child_processes import java_executable, tie_to_parent
from catalog_tools.jars import jar_files

ALL_SASL_MECHANISMS = ("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN")
SCRAM_MECHANISMS = ("SCRAM-SHA-512", "SCRAM-SHA-256")
STANDARD_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"
LOGIN_MODULES = {
    "PLAIN": "org.apache.kafka.common.security.plain.PlainLoginModule",
    "SCRAM-SHA-256": "org.apache.kafka.common.security.scram.ScramLoginModule",
    "SCRAM-SHA-512": "org.apache.kafka.common.security.scram.ScramLoginModule",
}
LOG_TAIL_LINES = 40


class BrokerStartError(RuntimeError):
    """The broker did not become ready; the message ends with the tail of its log."""


@dataclass(frozen=True)
class KafkaUser:
    """A SASL user and the mechanisms it has credentials for. The password never shows in a repr."""

    name: str
    password: str = field(repr=False)
    mechanisms: tuple[str, ...] = ALL_SASL_MECHANISMS


def generated_user(name: str, mechanisms: tuple[str, ...] = ALL_SASL_MECHANISMS) -> KafkaUser:
    """Return a user with a fresh random password (letters and digits only)."""
    return KafkaUser(name, secrets.token_hex(16), mechanisms)


@dataclass
class BrokerSettings:
    """What to start. Defaults give a broker with users ``admin`` and ``iot-app``.

    ``tls_files`` lets a test bring its own certificates (expired, wrong host, rotated CA).
    """

    users: list[KafkaUser] = field(
        default_factory=lambda: [generated_user("admin"), generated_user("iot-app")]
    )
    sasl_mechanisms: tuple[str, ...] = ALL_SASL_MECHANISMS
    authorizer: bool = False
    auto_create_topics: bool = True
    tls_files: TlsFiles | None = None
    heap: str = "512m"
    ready_timeout_s: float = 90.0
    extra_properties: dict[str, str] = field(default_factory=dict)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def kafka_cluster_id() -> str:
    """Return a random KRaft cluster id (URL-safe base64 of a UUID, as Kafka writes them)."""
    while True:
        encoded = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not encoded.startswith("-"):
            return encoded


def jaas_config(mechanism: str, username: str, password: str) -> str:
    """Return a client ``sasl.jaas.config`` value with quotes and backslashes escaped."""

    def quoted(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return (
        f"{LOGIN_MODULES[mechanism]} required username={quoted(username)} "
        f"password={quoted(password)};"
    )


@dataclass
class KafkaBroker:
    """A running broker and the facts clients need to reach it."""

    work_dir: Path
    settings: BrokerSettings
    plaintext_port: int
    sasl_ssl_port: int
    controller_port: int
    tls_files: TlsFiles
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def plaintext_bootstrap(self) -> str:
        return f"127.0.0.1:{self.plaintext_port}"

    @property
    def sasl_ssl_bootstrap(self) -> str:
        return f"localhost:{self.sasl_ssl_port}"

    @property
    def ca_file(self) -> Path:
        return self.tls_files.ca_pem

    @property
    def log_file(self) -> Path:
        return self.work_dir / "broker.log"

    @property
    def users(self) -> dict[str, KafkaUser]:
        return {user.name: user for user in self.settings.users}

    def user(self, name: str) -> KafkaUser:
        try:
            return self.users[name]
        except KeyError:
            raise KeyError(f"expected one of the users {sorted(self.users)}, got {name!r}") from None

    def client_config(
        self, user: str | None = None, mechanism: str = "SCRAM-SHA-512"
    ) -> dict[str, Any]:
        """kafka-python keyword arguments: PLAINTEXT without ``user``, else SASL_SSL as ``user``."""
        if user is None:
            return {"bootstrap_servers": self.plaintext_bootstrap}
        account = self.user(user)
        return {
            "bootstrap_servers": self.sasl_ssl_bootstrap,
            "security_protocol": "SASL_SSL",
            "sasl_mechanism": mechanism,
            "sasl_plain_username": account.name,
            "sasl_plain_password": account.password,
            "ssl_cafile": str(self.ca_file),
        }

    def java_client_properties(
        self, user: str | None = None, mechanism: str = "SCRAM-SHA-512"
    ) -> dict[str, str]:
        """Java client properties (no ``kafka.`` prefix): PLAINTEXT, or SASL_SSL as ``user``."""
        if user is None:
            return {"bootstrap.servers": self.plaintext_bootstrap}
        account = self.user(user)
        return {
            "bootstrap.servers": self.sasl_ssl_bootstrap,
            "security.protocol": "SASL_SSL",
            "sasl.mechanism": mechanism,
            "sasl.jaas.config": jaas_config(mechanism, account.name, account.password),
            "ssl.truststore.type": "PEM",
            "ssl.truststore.location": str(self.ca_file),
        }

    def spark_options(
        self, user: str | None = None, mechanism: str = "SCRAM-SHA-512"
    ) -> dict[str, str]:
        """Options for Spark's Kafka source and sink (``kafka.``-prefixed Java properties)."""
        return {f"kafka.{k}": v for k, v in self.java_client_properties(user, mechanism).items()}

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        if not self.log_file.exists():
            return "(no broker log written)"
        return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout_s: float = 15.0) -> None:
        """Stop the broker: SIGTERM to its process group, SIGKILL if it lingers. Idempotent."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=timeout_s)
        except ProcessLookupError:
            pass

    def __enter__(self) -> KafkaBroker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _server_properties(broker: KafkaBroker) -> dict[str, str]:
    settings = broker.settings
    jaas_plain_users = " ".join(
        f'user_{u.name}="{u.password}"' for u in settings.users if "PLAIN" in u.mechanisms
    )
    admin = broker.user("admin")
    properties = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@127.0.0.1:{broker.controller_port}",
        "listeners": (
            f"PLAINTEXT://127.0.0.1:{broker.plaintext_port},"
            f"SASL_SSL://localhost:{broker.sasl_ssl_port},"
            f"CONTROLLER://127.0.0.1:{broker.controller_port}"
        ),
        "advertised.listeners": (
            f"PLAINTEXT://127.0.0.1:{broker.plaintext_port},"
            f"SASL_SSL://localhost:{broker.sasl_ssl_port}"
        ),
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT",
        "inter.broker.listener.name": "PLAINTEXT",
        "controller.listener.names": "CONTROLLER",
        "log.dirs": str(broker.work_dir / "data"),
        "num.partitions": "1",
        "auto.create.topics.enable": str(settings.auto_create_topics).lower(),
        "offsets.topic.replication.factor": "1",
        "offsets.topic.num.partitions": "4",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "transaction.state.log.num.partitions": "4",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        # Generated events carry their (historical) event time as the record timestamp. With the
        # default 7-day time-based retention the next retention check deletes them, and readers
        # fail with OffsetOutOfRange ("Some data may have been lost"). Keep everything instead.
        "log.retention.ms": "-1",
        "sasl.enabled.mechanisms": ",".join(settings.sasl_mechanisms),
        "ssl.keystore.type": "PKCS12",
        "ssl.keystore.location": str(broker.tls_files.server_keystore_p12),
        "ssl.keystore.password": broker.tls_files.keystore_password,
        "ssl.client.auth": "none",
        "listener.name.sasl_ssl.plain.sasl.jaas.config": (
            f'{LOGIN_MODULES["PLAIN"]} required username="{admin.name}" '
            f'password="{admin.password}" {jaas_plain_users};'
        ),
        "listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config": (
            f"{LOGIN_MODULES['SCRAM-SHA-256']} required;"
        ),
        "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": (
            f"{LOGIN_MODULES['SCRAM-SHA-512']} required;"
        ),
    }
    if settings.authorizer:
        properties["authorizer.class.name"] = STANDARD_AUTHORIZER
        properties["super.users"] = "User:admin;User:ANONYMOUS"
        properties["allow.everyone.if.no.acl.found"] = "false"
    properties.update(settings.extra_properties)
    return properties


def _write_properties(path: Path, properties: dict[str, str]) -> None:
    path.write_text("".join(f"{key}={value}\n" for key, value in properties.items()))
    path.chmod(0o600)


LOG4J2_PROPERTIES = """\
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = {log_file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.apache.name = org.apache.kafka
logger.apache.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
"""


def _java_command(broker: KafkaBroker, main_class: str, *args: str) -> list[str]:
    classpath = os.pathsep.join(str(jar) for jar in jar_files("kafka"))
    return [
        java_executable(BrokerStartError),
        f"-Xmx{broker.settings.heap}",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={broker.work_dir / 'log4j2.properties'}",
        "-cp",
        classpath,
        main_class,
        *args,
    ]


def _format_storage(broker: KafkaBroker, properties_file: Path) -> None:
    scram_args: list[str] = []
    for user in broker.settings.users:
        for mechanism in user.mechanisms:
            if mechanism in SCRAM_MECHANISMS:
                scram_args += ["--add-scram", f"{mechanism}=[name={user.name},password={user.password}]"]
    command = _java_command(
        broker, "kafka.tools.StorageTool", "format", "-t", kafka_cluster_id(),
        "-c", str(properties_file), *scram_args,
    )
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip()
        for user in broker.settings.users:
            output = output.replace(user.password, "***")
        raise BrokerStartError(
            f"expected `kafka-storage format` to succeed, it exited {result.returncode}:\n{output}"
        )


def _port_accepts_connections(bootstrap: str) -> bool:
    host, port = bootstrap.rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return True
    except OSError:
        return False


def _metadata_request_succeeds(config: dict[str, Any]) -> bool:
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    if not _port_accepts_connections(config["bootstrap_servers"]):
        return False
    try:
        admin = KafkaAdminClient(request_timeout_ms=3000, **config)
    except (KafkaError, OSError, ValueError):
        return False
    try:
        admin.describe_cluster()
        return True
    except (KafkaError, OSError):
        return False
    finally:
        admin.close()


def _wait_until_ready(broker: KafkaBroker) -> None:
    deadline = time.monotonic() + broker.settings.ready_timeout_s
    checks = [broker.client_config()]
    if "SCRAM-SHA-512" in broker.settings.sasl_mechanisms:
        checks.append(broker.client_config(user="admin"))
    while checks:
        if not broker.is_running():
            raise BrokerStartError(
                f"expected the broker to keep running, it exited with code "
                f"{broker.process.returncode if broker.process else None}; "
                f"log tail ({broker.log_file}):\n{broker.log_tail()}"
            )
        if time.monotonic() > deadline:
            broker.stop()
            raise BrokerStartError(
                f"expected a metadata response within {broker.settings.ready_timeout_s:.0f}s "
                f"on {checks[0]['bootstrap_servers']}, got none; "
                f"log tail ({broker.log_file}):\n{broker.log_tail()}"
            )
        if _metadata_request_succeeds(checks[0]):
            checks.pop(0)
        else:
            time.sleep(0.25)


def start_broker(work_dir: str | Path, settings: BrokerSettings | None = None) -> KafkaBroker:
    """Start a broker under ``work_dir`` and return it once a metadata request succeeds.

    The broker is stopped at interpreter exit and killed by the kernel if this process dies.
    Raises BrokerStartError with the broker's log tail when it does not become ready.
    """
    settings = settings or BrokerSettings()
    if "admin" not in {user.name for user in settings.users}:
        raise ValueError(f"expected a user named 'admin' among {[u.name for u in settings.users]}")
    work_dir = Path(work_dir).resolve()
    work_dir.mkdir(parents=True, exist_ok=True)
    tls_files = settings.tls_files or _generate_broker_tls(work_dir)
    broker = KafkaBroker(
        work_dir=work_dir,
        settings=settings,
        plaintext_port=free_port(),
        sasl_ssl_port=free_port(),
        controller_port=free_port(),
        tls_files=tls_files,
    )
    (work_dir / "log4j2.properties").write_text(LOG4J2_PROPERTIES.format(log_file=broker.log_file))
    properties_file = work_dir / "server.properties"
    _write_properties(properties_file, _server_properties(broker))
    _format_storage(broker, properties_file)
    with open(work_dir / "broker.stdout", "wb") as stdout:
        broker.process = subprocess.Popen(
            _java_command(broker, "kafka.Kafka", str(properties_file)),
            stdout=stdout,
            stderr=subprocess.STDOUT,
            cwd=work_dir,
            preexec_fn=tie_to_parent,
        )
    atexit.register(broker.stop)
    try:
        _wait_until_ready(broker)
    except BaseException:
        broker.stop()
        raise
    return broker


def _generate_broker_tls(work_dir: Path) -> TlsFiles:
    ca = generate_ca()
    server = issue_certificate(ca, hostnames=["localhost"], ip_addresses=["127.0.0.1"])
    return write_tls_files(work_dir / "tls", ca, server, keystore_password=secrets.token_hex(16))


@contextmanager
def running_broker(work_dir: str | Path, settings: BrokerSettings | None = None) -> Iterator[KafkaBroker]:
    """Context manager form of :func:`start_broker` that always stops the broker."""
    broker = start_broker(work_dir, settings)
    try:
        yield broker
    finally:
        broker.stop()
