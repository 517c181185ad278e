"""Produce and read Kafka messages with kafka-python, for tests, demos and the generator CLI.

Example::

    >>> produced = produce_messages(batch.messages, "sensor-readings", broker.client_config())  # doctest: +SKIP
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError


class KafkaMessage(NamedTuple):
    """One record as it goes onto a topic: key and value bytes plus the event-time timestamp."""

    key: bytes | None
    value: bytes
    timestamp_ms: int | None = None


def create_topic(topic: str, client_config: dict[str, Any], partitions: int = 1) -> None:
    """Create ``topic`` with ``partitions`` partitions unless it exists already."""
    admin = KafkaAdminClient(**client_config)
    try:
        admin.create_topics([NewTopic(topic, num_partitions=partitions, replication_factor=1)])
    except TopicAlreadyExistsError:
        pass
    finally:
        admin.close()


def produce_messages(
    messages: Iterable[KafkaMessage], topic: str, client_config: dict[str, Any]
) -> int:
    """Send every message to ``topic``, wait until all are acknowledged, return how many were sent.

    ``client_config`` holds kafka-python keyword arguments (``bootstrap_servers``,
    ``security_protocol``, ...). The producer is idempotent with ``acks="all"``, so a retried
    send never writes a record twice.
    """
    producer = KafkaProducer(acks="all", enable_idempotence=True, linger_ms=5, **client_config)
    sent = 0
    try:
        futures = [
            producer.send(topic, key=msg.key, value=msg.value, timestamp_ms=msg.timestamp_ms)
            for msg in messages
        ]
        producer.flush()
        for future in futures:
            future.get(timeout=30)
            sent += 1
    finally:
        producer.close()
    return sent


def consume_all(topic: str, client_config: dict[str, Any], timeout_ms: int = 5000) -> list[Any]:
    """Read ``topic`` from the earliest offset until no record arrives for ``timeout_ms``."""
    consumer = KafkaConsumer(
        topic,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=timeout_ms,
        **client_config,
    )
    try:
        return list(consumer)
    finally:
        consumer.close()


def grant_acls(
    principal: str,
    resource_type: str,
    resource_name: str,
    operations: Iterable[str],
    admin_config: dict[str, Any],
) -> None:
    """Allow ``principal`` (e.g. ``"User:iot-app"``) ``operations`` on one topic or group.

    For brokers started with the StandardAuthorizer; ``admin_config`` must belong to a super user
    (the embedded broker's PLAINTEXT listener or its ``admin`` user).

    Example::

        >>> grant_acls("User:iot-app", "TOPIC", "plant.sensor-readings.v1", ["WRITE", "DESCRIBE"],
        ...            broker.client_config())  # doctest: +SKIP
    """
    from kafka.admin import ACL, ACLOperation, ACLPermissionType, ResourcePattern, ResourceType

    pattern = ResourcePattern(ResourceType[resource_type.upper()], resource_name)
    acls = [
        ACL(principal, "*", ACLOperation[operation.upper()], ACLPermissionType.ALLOW, pattern)
        for operation in operations
    ]
    admin = KafkaAdminClient(**admin_config)
    try:
        result = admin.create_acls(acls)
    finally:
        admin.close()
    if result["failed"]:
        failures = [f"{acl.operation.name}: {error}" for acl, error in result["failed"]]
        raise RuntimeError(f"expected every ACL to be created for {principal} on {resource_name}, failed: {failures}")
