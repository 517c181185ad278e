"""The librdkafka dialect against the real broker: confluent-kafka authenticates with the built properties.

The same logical config that feeds kafka-python and Spark also feeds librdkafka, whose property
names differ (``sasl.username`` instead of a JAAS string, ``ssl.ca.location`` for the CA). These
tests connect a real confluent-kafka client over SASL_SSL with SCRAM-SHA-512, for the user whose
password holds quotes, a backslash, a semicolon and spaces.
"""
from __future__ import annotations

import pytest
from confluent_kafka import Consumer, KafkaError, KafkaException
from confluent_kafka.admin import AdminClient

from kafka_auth_patterns import ClientProperties, librdkafka_properties
from tests.helpers import READINGS, TRICKY_PASSWORD, TRICKY_USER, broker_config


def consume_all(properties: ClientProperties, topic: str, expected: int, timeout_s: float = 60.0) -> list[tuple]:
    """Read ``expected`` records from the start of ``topic`` with a librdkafka consumer."""
    consumer = Consumer(properties | {"group.id": f"{topic}-reader", "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    records: list[tuple] = []
    try:
        for _ in range(int(timeout_s)):
            message = consumer.poll(1.0)
            if message is None:
                continue
            if message.error():
                raise KafkaException(message.error())
            records.append((message.key(), message.value()))
            if len(records) == expected:
                break
    finally:
        consumer.close()
    return records


def test_librdkafka_consumer_reads_the_topic_over_sasl_ssl_with_an_awkward_password(
        secured_broker, tricky_user_topic):
    config = broker_config(secured_broker, user=TRICKY_USER, password=TRICKY_PASSWORD)

    records = consume_all(librdkafka_properties(config), tricky_user_topic, expected=len(READINGS))

    assert records == [(m.key, m.value) for m in READINGS]


def test_librdkafka_reports_a_wrong_password_as_an_authentication_error(secured_broker):
    config = broker_config(secured_broker, user=TRICKY_USER, password=TRICKY_PASSWORD + "x")
    errors: list[KafkaError] = []
    admin = AdminClient(librdkafka_properties(config) | {"error_cb": errors.append, "log_level": 0})

    # librdkafka retries in the background: the metadata call only times out,
    # the cause arrives through error_cb, which poll() serves.
    with pytest.raises(KafkaException):
        admin.list_topics(timeout=5)
    for _ in range(10):
        if errors:
            break
        admin.poll(1.0)

    assert KafkaError._AUTHENTICATION in {error.code() for error in errors}
    assert all(TRICKY_PASSWORD not in error.str() for error in errors)
