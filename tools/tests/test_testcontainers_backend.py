"""testcontainers is the Kafka backend where a Docker engine exists; elsewhere it skips, saying why."""
from __future__ import annotations

import pytest

from catalog_tools.kafka_io import KafkaMessage, consume_all, produce_messages
from catalog_tools.testcontainers_backend import (
    ContainerKafka,
    docker_unavailable_reason,
    start_testcontainers_kafka,
)


def test_testcontainers_kafka_roundtrip():
    reason = docker_unavailable_reason()
    if reason:
        pytest.skip(reason)
    with start_testcontainers_kafka() as kafka:
        produce_messages([KafkaMessage(b"k", b"v")], "tc-roundtrip", kafka.client_config())
        assert [r.value for r in consume_all("tc-roundtrip", kafka.client_config())] == [b"v"]


def test_container_backend_refuses_sasl_requests_with_a_clear_error():
    kafka = ContainerKafka("127.0.0.1:9092")

    with pytest.raises(ValueError, match="no SASL listener"):
        kafka.client_config(user="iot-app")
    assert kafka.spark_options() == {"kafka.bootstrap.servers": "127.0.0.1:9092"}
