"""Load and validate a logical Kafka client config from YAML.

One YAML document describes how a client reaches a cluster, independent of the client library::

    bootstrap_servers: [broker-1.plant-a.example:9093]
    security_protocol: SASL_SSL
    sasl:
      mechanism: SCRAM-SHA-512
      username: iot-app
      password: "{{secrets/kafka-plant-a/iot-app-password}}"
    tls:
      ca_file: /etc/kafka/plant-a-ca.pem

Unknown keys are errors (with a "did you mean" hint), so a typo such as ``sasl_mechansim`` fails on
load instead of silently falling back to a default in production.

Example::

    >>> config = load_client_config("configs/scram-sha-512.yaml", EnvironmentSecretProvider())  # doctest: +SKIP
    >>> config.sasl.mechanism
    'SCRAM-SHA-512'
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kafka_auth_patterns.secrets import Secret, SecretProvider, SecretReferenceError, resolve_secret_references

SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "GSSAPI")
PASSWORD_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")

TOP_LEVEL_KEYS = {"bootstrap_servers", "security_protocol", "client_id", "sasl", "tls"}
SASL_KEYS = {"mechanism", "username", "password", "kerberos_service_name", "kerberos_principal", "kerberos_keytab"}
TLS_KEYS = {"ca_file", "check_hostname"}


class ConfigValidationError(ValueError):
    """The YAML does not describe a valid client config; the message names the key and expected value."""


@dataclass(frozen=True)
class SaslSettings:
    """SASL settings; ``password`` is a :class:`Secret` and never shows in a repr."""

    mechanism: str
    username: str | None = None
    password: Secret | None = None
    kerberos_service_name: str = "kafka"
    kerberos_principal: str | None = None
    kerberos_keytab: str | None = None


@dataclass(frozen=True)
class TlsSettings:
    """Which CA bundle (PEM) to trust and whether to check the broker's hostname (always, in production)."""

    ca_file: str | None = None
    check_hostname: bool = True


@dataclass(frozen=True)
class KafkaClientConfig:
    """A validated, library-independent Kafka client config.

    Example::

        >>> KafkaClientConfig(("localhost:9092",), "PLAINTEXT")
        KafkaClientConfig(bootstrap_servers=('localhost:9092',), security_protocol='PLAINTEXT', ...)
    """

    bootstrap_servers: tuple[str, ...]
    security_protocol: str
    sasl: SaslSettings | None = None
    tls: TlsSettings = field(default_factory=TlsSettings)
    client_id: str | None = None

    @property
    def uses_tls(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    @property
    def uses_sasl(self) -> bool:
        return self.security_protocol in ("SASL_PLAINTEXT", "SASL_SSL")


def _check_keys(section: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in section:
        if key not in allowed:
            hint = difflib.get_close_matches(str(key), sorted(allowed), n=1)
            suggestion = f"; did you mean {hint[0]!r}?" if hint else ""
            raise ConfigValidationError(f"{where}: unknown key {key!r}{suggestion} expected one of {sorted(allowed)}")


def _require(section: dict[str, Any], key: str, where: str) -> Any:
    if section.get(key) in (None, ""):
        raise ConfigValidationError(f"{where}.{key}: expected a value, the key is missing or empty")
    return section[key]


def _as_secret(value: Any, where: str) -> Secret | None:
    if value is None or isinstance(value, Secret):
        return value
    if isinstance(value, str):
        return Secret(value)
    raise ConfigValidationError(
        f"{where}: expected a string or a {{{{secrets/<scope>/<key>}}}} reference, got {type(value).__name__}"
    )


def _choice(value: Any, choices: tuple[str, ...], where: str) -> str:
    normalised = str(value).upper()
    if normalised not in choices:
        hint = difflib.get_close_matches(normalised, choices, n=1)
        suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise ConfigValidationError(f"{where}: expected one of {list(choices)}, got {value!r}{suggestion}")
    return normalised


def _bootstrap_servers(value: Any) -> tuple[str, ...]:
    servers = [s.strip() for s in value.split(",")] if isinstance(value, str) else value
    if not isinstance(servers, list) or not servers:
        raise ConfigValidationError(f"bootstrap_servers: expected 'host:port' or a list of them, got {value!r}")
    for server in servers:
        host, _, port = str(server).rpartition(":")
        if not host or not port.isdigit():
            raise ConfigValidationError(f"bootstrap_servers: expected 'host:port', got {server!r}")
    return tuple(str(s) for s in servers)


def _sasl_settings(section: Any, protocol: str) -> SaslSettings | None:
    if protocol not in ("SASL_PLAINTEXT", "SASL_SSL"):
        if section:
            raise ConfigValidationError(f"sasl: expected no sasl section with security_protocol {protocol}, got one")
        return None
    if not isinstance(section, dict):
        raise ConfigValidationError(f"sasl: expected a mapping with security_protocol {protocol}, got {section!r}")
    _check_keys(section, SASL_KEYS, "sasl")
    mechanism = _choice(_require(section, "mechanism", "sasl"), SASL_MECHANISMS, "sasl.mechanism")
    if mechanism in PASSWORD_MECHANISMS:
        return SaslSettings(
            mechanism=mechanism,
            username=str(_require(section, "username", "sasl")),
            password=_as_secret(_require(section, "password", "sasl"), "sasl.password"),
        )
    return SaslSettings(
        mechanism=mechanism,
        kerberos_service_name=str(section.get("kerberos_service_name") or "kafka"),
        kerberos_principal=str(_require(section, "kerberos_principal", "sasl")),
        kerberos_keytab=str(_require(section, "kerberos_keytab", "sasl")),
    )


def _tls_settings(section: Any) -> TlsSettings:
    if section is None:
        return TlsSettings()
    if not isinstance(section, dict):
        raise ConfigValidationError(f"tls: expected a mapping, got {section!r}")
    _check_keys(section, TLS_KEYS, "tls")
    check_hostname = section.get("check_hostname", True)
    if not isinstance(check_hostname, bool):
        raise ConfigValidationError(f"tls.check_hostname: expected true or false, got {check_hostname!r}")
    return TlsSettings(ca_file=section.get("ca_file"), check_hostname=check_hostname)


def client_config_from_dict(document: Any, provider: SecretProvider | None = None) -> KafkaClientConfig:
    """Validate a parsed YAML mapping (secret references resolved with ``provider``).

    Example::

        >>> client_config_from_dict({"bootstrap_servers": "localhost:9092", "security_protocol": "PLAINTEXT"})
        KafkaClientConfig(bootstrap_servers=('localhost:9092',), security_protocol='PLAINTEXT', ...)
    """
    if not isinstance(document, dict):
        raise ConfigValidationError(f"expected a YAML mapping at the top level, got {type(document).__name__}")
    if provider is not None:
        try:
            document = resolve_secret_references(document, provider)
        except SecretReferenceError as error:  # its message names the key, never the value
            raise ConfigValidationError(str(error)) from None
    _check_keys(document, TOP_LEVEL_KEYS, "config")
    protocol = _choice(_require(document, "security_protocol", "config"), SECURITY_PROTOCOLS, "security_protocol")
    tls_section = document.get("tls")
    if tls_section and protocol not in ("SSL", "SASL_SSL"):
        raise ConfigValidationError(f"tls: expected no tls section with security_protocol {protocol}, got one")
    return KafkaClientConfig(
        bootstrap_servers=_bootstrap_servers(_require(document, "bootstrap_servers", "config")),
        security_protocol=protocol,
        sasl=_sasl_settings(document.get("sasl"), protocol),
        tls=_tls_settings(tls_section),
        client_id=document.get("client_id"),
    )


def load_client_config(path: str | Path, provider: SecretProvider | None = None) -> KafkaClientConfig:
    """Read, resolve and validate a YAML client config file.

    Example::

        >>> load_client_config("configs/scram-sha-512.yaml", EnvironmentSecretProvider())  # doctest: +SKIP
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigValidationError(f"expected a YAML config file at {path}, found none")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        # Only the problem and position: PyYAML's full message quotes the line, which may hold a password.
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigValidationError(
            f"{path}: expected valid YAML, got {getattr(error, 'problem', None) or 'a parse error'}{where}"
        ) from None
    try:
        return client_config_from_dict(document, provider)
    except ConfigValidationError as error:
        raise ConfigValidationError(f"{path}: {error}") from None
