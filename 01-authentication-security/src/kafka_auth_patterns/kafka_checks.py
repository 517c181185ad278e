"""Kafka-protocol checks: SASL mechanisms offered, authentication, SCRAM credential lookup, metadata, topic access.

They use kafka-python's protocol classes and connection, so the diagnoser sees exactly what a
kafka-python client sees, and a raw ``SaslHandshake`` to read the broker's enabled mechanisms.

Example::

    >>> check_sasl_mechanisms("localhost", 9093, True, "SCRAM-SHA-512", 5).detail  # doctest: +SKIP
    "broker offers ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN']"
"""
from __future__ import annotations

import logging
import select
import socket
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kafka import KafkaAdminClient
from kafka.conn import BrokerConnection
from kafka.errors import KafkaError
from kafka.protocol.api import Request, Response
from kafka.protocol.parser import KafkaProtocol
from kafka.protocol.sasl_handshake import SaslHandshakeRequest
from kafka.protocol.types import CompactArray, CompactString, Int8, Int16, Int32, Schema, TaggedFields

from kafka_auth_patterns.network_checks import CheckResult

CLIENT_ID = "kafka-auth-diagnoser"
SCRAM_MECHANISM_CODES = {1: "SCRAM-SHA-256", 2: "SCRAM-SHA-512"}
RESOURCE_NOT_FOUND = 91
TOPIC_AUTHORIZATION_FAILED = 29
UNKNOWN_TOPIC_OR_PARTITION = 3


def _timed(start: float) -> float:
    return round(time.monotonic() - start, 3)


def _open_socket(host: str, port: int, use_tls: bool, timeout_s: float) -> socket.socket:
    raw = socket.create_connection((host, port), timeout=timeout_s)
    if not use_tls:
        return raw
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the TLS layer has already verified chain, expiry and host
    return context.wrap_socket(raw, server_hostname=host)


def _round_trip(sock: socket.socket, request: Request, timeout_s: float) -> Any:
    protocol = KafkaProtocol(client_id=CLIENT_ID)
    protocol.send_request(request)
    sock.sendall(protocol.send_bytes())
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("the broker closed the connection before answering")
        responses = protocol.receive_bytes(data)
        if responses:
            return responses[0][1]
    raise TimeoutError(f"no answer to {type(request).__name__} within {timeout_s}s")


def check_sasl_mechanisms(host: str, port: int, use_tls: bool, mechanism: str, timeout_s: float) -> CheckResult:
    """Ask the broker which SASL mechanisms it enables; fail with ``mechanism_not_enabled``."""
    start = time.monotonic()
    try:
        with _open_socket(host, port, use_tls, timeout_s) as sock:
            response = _round_trip(sock, SaslHandshakeRequest[1](mechanism), timeout_s)
    except (OSError, ssl.SSLError) as error:
        return CheckResult(
            "sasl_mechanisms", False, "no SaslHandshake answer; the listener may not be a SASL listener",
            _timed(start), "mechanism_not_enabled", f"{type(error).__name__}: {error}",
        )
    offered = list(response.enabled_mechanisms)
    if mechanism not in offered:
        return CheckResult(
            "sasl_mechanisms", False, f"client asks for {mechanism}, broker offers {offered}", _timed(start),
            "mechanism_not_enabled", f"UnsupportedSaslMechanism: {mechanism} not in {offered}",
        )
    return CheckResult("sasl_mechanisms", True, f"broker offers {offered}", _timed(start))


class _CapturedErrors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _kafka_conn_errors() -> Iterator[_CapturedErrors]:
    """kafka-python logs (but does not raise) why a connection closed; collect those lines."""
    handler = _CapturedErrors()
    logger = logging.getLogger("kafka.conn")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def _connection(host: str, port: int, kwargs: dict[str, Any], timeout_s: float) -> BrokerConnection:
    settings = {k: v for k, v in kwargs.items() if k != "bootstrap_servers"}
    settings.setdefault("client_id", CLIENT_ID)
    settings["request_timeout_ms"] = int(timeout_s * 1000)
    return BrokerConnection(host, port, socket.AF_UNSPEC, **settings)


def check_authentication(host: str, port: int, kwargs: dict[str, Any], timeout_s: float) -> CheckResult:
    """Authenticate with kafka-python; fail with ``authentication_failed`` and the broker's message."""
    start = time.monotonic()
    with _kafka_conn_errors() as errors:
        connection = _connection(host, port, kwargs, timeout_s)
        try:
            connected = connection.connect_blocking(timeout=timeout_s)
        finally:
            connection.close()
    if connected:
        return CheckResult("authentication", True, "SASL authentication succeeded", _timed(start))
    text = next((m.split(">: ", 1)[-1] for m in errors.messages if "Sasl" in m), None)
    text = text or next((m.split(">: ", 1)[-1] for m in errors.messages), "connection failed without an error")
    name = "authentication_failed" if "SaslAuthenticationFailed" in text else "metadata_failed"
    return CheckResult("authentication", False, "the broker rejected the connection", _timed(start), name, text)


class DescribeUserScramCredentialsResponse_v0(Response):  # noqa: N801 - kafka-python naming
    API_KEY = 50
    API_VERSION = 0
    FLEXIBLE_VERSION = True
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        ("error_code", Int16),
        ("error_message", CompactString("utf-8")),
        ("results", CompactArray(
            ("user", CompactString("utf-8")),
            ("error_code", Int16),
            ("error_message", CompactString("utf-8")),
            ("credential_infos", CompactArray(("mechanism", Int8), ("iterations", Int32), ("tags", TaggedFields))),
            ("tags", TaggedFields),
        )),
        ("tags", TaggedFields),
    )


class DescribeUserScramCredentialsRequest_v0(Request):  # noqa: N801 - kafka-python naming
    API_KEY = 50
    API_VERSION = 0
    FLEXIBLE_VERSION = True
    RESPONSE_TYPE = DescribeUserScramCredentialsResponse_v0
    SCHEMA = Schema(
        ("users", CompactArray(("name", CompactString("utf-8")), ("tags", TaggedFields))),
        ("tags", TaggedFields),
    )


class ScramLookupError(RuntimeError):
    """The admin connection could not describe SCRAM credentials."""


def scram_mechanisms_of_user(
    host: str, port: int, admin_kwargs: dict[str, Any], user: str, timeout_s: float
) -> list[str] | None:
    """Return the SCRAM mechanisms ``user`` has credentials for, or None if the user is unknown.

    Needs a principal allowed to DescribeConfigs on the cluster (a super user), like
    ``kafka-configs --describe --entity-type users``.

    Example::

        >>> scram_mechanisms_of_user("localhost", 9093, admin_kwargs, "iot-app", 5)  # doctest: +SKIP
        ['SCRAM-SHA-256', 'SCRAM-SHA-512']
    """
    connection = _connection(host, port, admin_kwargs, timeout_s)
    try:
        if not connection.connect_blocking(timeout=timeout_s):
            raise ScramLookupError(f"expected the admin config to connect to {host}:{port}, it could not")
        future = connection.send(DescribeUserScramCredentialsRequest_v0(users=[(user, {})], tags={}), blocking=True)
        deadline = time.monotonic() + timeout_s
        while not future.is_done and time.monotonic() < deadline:
            select.select([connection._sock], [], [], 0.1)  # noqa: SLF001 - wait for the answer
            for response, pending in connection.recv():
                pending.success(response)
        if not future.succeeded():
            raise ScramLookupError(f"expected a DescribeUserScramCredentials answer within {timeout_s}s, got none")
    finally:
        connection.close()
    response = future.value
    if response.error_code:
        raise ScramLookupError(f"expected error code 0 from DescribeUserScramCredentials, got {response.error_code}")
    result = response.results[0]
    if result[1] == RESOURCE_NOT_FOUND:
        return None
    if result[1]:
        raise ScramLookupError(f"expected error code 0 for user {user!r}, got {result[1]} ({result[2]})")
    return sorted(SCRAM_MECHANISM_CODES.get(info[0], str(info[0])) for info in result[3])


def check_metadata_and_topic(kwargs: dict[str, Any], topic: str | None, timeout_s: float) -> list[CheckResult]:
    """Fetch cluster metadata, then (with ``topic``) the topic's metadata, which needs Describe on it."""
    start = time.monotonic()
    settings = dict(kwargs)
    settings.setdefault("client_id", CLIENT_ID)
    try:
        admin = KafkaAdminClient(request_timeout_ms=int(timeout_s * 1000), **settings)
    except (KafkaError, OSError) as error:
        return [CheckResult("metadata", False, "no metadata", _timed(start), "metadata_failed", repr(error))]
    try:
        cluster = admin.describe_cluster()
        results = [CheckResult(
            "metadata", True, f"cluster {cluster['cluster_id']} with {len(cluster['brokers'])} broker(s)", _timed(start)
        )]
        if topic is None:
            return results
        start = time.monotonic()
        described = admin.describe_topics([topic])
    except (KafkaError, OSError) as error:
        return [CheckResult(
            "metadata", False, "metadata request failed", _timed(start), "metadata_failed", repr(error)
        )]
    finally:
        admin.close()
    error_code = described[0]["error_code"] if described else UNKNOWN_TOPIC_OR_PARTITION
    if error_code == TOPIC_AUTHORIZATION_FAILED:
        results.append(CheckResult(
            "topic_access", False, f"not authorized to describe topic {topic!r}", _timed(start),
            "topic_authorization_failed", f"TopicAuthorizationFailedError (error code 29) for topic {topic!r}",
        ))
    elif error_code == UNKNOWN_TOPIC_OR_PARTITION:
        results.append(CheckResult(
            "topic_access", False, f"topic {topic!r} does not exist", _timed(start), "topic_not_found",
            f"UnknownTopicOrPartitionError (error code 3) for topic {topic!r}",
        ))
    elif error_code:
        results.append(CheckResult(
            "topic_access", False, f"topic {topic!r} error code {error_code}", _timed(start), "metadata_failed",
            f"error code {error_code}",
        ))
    else:
        partitions = len(described[0]["partitions"])
        results.append(CheckResult("topic_access", True, f"topic {topic!r}: {partitions} partition(s)", _timed(start)))
    return results
