"""Test helpers shared by several test files: awkward users and passwords, configs built from YAML text."""
from __future__ import annotations

from typing import Any

import yaml

from catalog_tools.kafka_broker import KafkaBroker
from catalog_tools.kafka_io import KafkaMessage
from kafka_auth_patterns import EnvironmentSecretProvider, KafkaClientConfig, client_config_from_dict

# Quotes, a backslash, a semicolon, an equals sign and spaces: everything that breaks a naive JAAS string.
TRICKY_PASSWORD = 'Pl@nt "A"; line\\7 = press 12'
TRICKY_USER = "line7-historian"
SCRAM_512_ONLY_USER = "quality-lab"


def yaml_config(
    bootstrap: str,
    user: str | None = None,
    mechanism: str = "SCRAM-SHA-512",
    protocol: str = "SASL_SSL",
    ca_file: Any = None,
) -> str:
    """Return the YAML text of a client config whose password is a {{secrets/...}} reference."""
    document: dict[str, Any] = {"bootstrap_servers": [bootstrap], "security_protocol": protocol}
    if user is not None:
        document["sasl"] = {"mechanism": mechanism, "username": user, "password": "{{secrets/kafka/password}}"}
    if ca_file is not None:
        document["tls"] = {"ca_file": str(ca_file)}
    return yaml.safe_dump(document)


def config_from_yaml(text: str, password: str = "") -> KafkaClientConfig:
    """Parse YAML text and resolve {{secrets/kafka/password}} from a private environment mapping."""
    return client_config_from_dict(yaml.safe_load(text), EnvironmentSecretProvider({"KAFKA_PASSWORD": password}))


def broker_config(
    broker: KafkaBroker,
    user: str | None = "iot-app",
    password: str | None = None,
    mechanism: str = "SCRAM-SHA-512",
    protocol: str = "SASL_SSL",
    ca_file: Any = "broker-ca",
    bootstrap: str | None = None,
) -> KafkaClientConfig:
    """A config for ``broker``'s SASL_SSL listener; every argument can be bent into a failure scenario."""
    if password is None and user in broker.users:
        password = broker.user(user).password
    ca = broker.ca_file if ca_file == "broker-ca" else ca_file
    text = yaml_config(bootstrap or broker.sasl_ssl_bootstrap, user, mechanism, protocol,
                       ca if protocol.endswith("SSL") else None)
    return config_from_yaml(text, password or "")


READINGS = [
    KafkaMessage(b"press-07", b'{"machine":"press-07","temperature_c":71.5}'),  # normal reading
    KafkaMessage(b"press-07", b'{"machine":"press-07","temperature_c":72.0}'),  # same machine, next reading
    KafkaMessage(b"oven-02", b'{"machine":"oven-02","temperature_c":181.0}'),  # second machine
]
