"""Fixtures: a second broker with ACLs and awkward users, and a topic the tricky-password user may read."""
from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from catalog_tools.kafka_broker import BrokerSettings, KafkaBroker, KafkaUser, generated_user, start_broker
from catalog_tools.kafka_io import create_topic, grant_acls, produce_messages
from tests.helpers import READINGS, SCRAM_512_ONLY_USER, TRICKY_PASSWORD, TRICKY_USER


@pytest.fixture(scope="session")
def secured_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaBroker]:
    """StandardAuthorizer on, SCRAM-SHA-512 and -256 only (PLAIN disabled), users with partial credentials."""
    settings = BrokerSettings(
        users=[
            generated_user("admin"),
            generated_user("iot-app", mechanisms=("SCRAM-SHA-512", "SCRAM-SHA-256")),
            KafkaUser(SCRAM_512_ONLY_USER, secrets.token_hex(16), ("SCRAM-SHA-512",)),
            KafkaUser(TRICKY_USER, TRICKY_PASSWORD, ("SCRAM-SHA-512",)),
        ],
        sasl_mechanisms=("SCRAM-SHA-512", "SCRAM-SHA-256"),
        authorizer=True,
    )
    broker = start_broker(tmp_path_factory.mktemp("secured-broker"), settings)
    yield broker
    broker.stop()


@pytest.fixture
def tricky_user_topic(secured_broker, unique_topic):
    """A topic with three readings that the tricky-password user may read (topic and any group)."""
    create_topic(unique_topic, secured_broker.client_config())
    grant_acls(f"User:{TRICKY_USER}", "TOPIC", unique_topic, ["READ", "DESCRIBE"], secured_broker.client_config())
    grant_acls(f"User:{TRICKY_USER}", "GROUP", "*", ["READ"], secured_broker.client_config())
    produce_messages(READINGS, unique_topic, secured_broker.client_config())
    return unique_topic
