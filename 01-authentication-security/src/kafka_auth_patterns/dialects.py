"""Turn one :class:`KafkaClientConfig` into the three dialects people need.

* :func:`kafka_python_kwargs` — keyword arguments for kafka-python's clients;
* :func:`librdkafka_properties` — a dict for confluent-kafka / librdkafka;
* :func:`spark_kafka_options` — ``kafka.``-prefixed options for Spark's Kafka source and sink,
  with a ``sasl.jaas.config`` whose quotes and backslashes are escaped so any password survives.

Each returns a :class:`ClientProperties`, a ``dict`` whose repr redacts passwords and JAAS strings,
so printing or logging a config never leaks a secret. Add client settings with ``|`` (or ``|=``,
``copy()``): the result is still a :class:`ClientProperties`. Unpacking (``{**props}``, ``dict(props)``)
builds a plain ``dict`` that prints the password, so pass ``props | {...}`` to the client instead.

Example::

    >>> options = spark_kafka_options(config)  # doctest: +SKIP
    >>> spark.readStream.format("kafka").options(**options).option("subscribe", "t").load()  # doctest: +SKIP
"""
from __future__ import annotations

from typing import Any

from kafka_auth_patterns.config import KafkaClientConfig
from kafka_auth_patterns.secrets import Secret

APACHE_LOGIN_MODULES = {
    "PLAIN": "org.apache.kafka.common.security.plain.PlainLoginModule",
    "SCRAM-SHA-256": "org.apache.kafka.common.security.scram.ScramLoginModule",
    "SCRAM-SHA-512": "org.apache.kafka.common.security.scram.ScramLoginModule",
}
# Databricks Runtime shades the Kafka client used by its Kafka connector under ``kafkashaded.``.
DATABRICKS_SHADED_PREFIX = "kafkashaded."
KERBEROS_LOGIN_MODULE = "com.sun.security.auth.module.Krb5LoginModule"
SENSITIVE_KEY_PARTS = ("password", "jaas", "secret")
REDACTED = "***"


class JaasValueError(ValueError):
    """A value cannot be placed in a JAAS string (a line break ends a quoted JAAS value)."""


class ClientProperties(dict):
    """A plain ``dict`` (accepted by every client library) whose repr redacts sensitive values.

    Example::

        >>> props = ClientProperties({"sasl.password": "x", "sasl.username": "u"})
        >>> props | {"group.id": "g"}
        ClientProperties({'sasl.password': '***', 'sasl.username': 'u', 'group.id': 'g'})
    """

    def redacted(self) -> dict[str, Any]:
        return {
            key: REDACTED if any(part in key.lower() for part in SENSITIVE_KEY_PARTS) else value
            for key, value in self.items()
        }

    def __or__(self, other: Any) -> ClientProperties:
        if not isinstance(other, dict):
            return NotImplemented
        return ClientProperties({**self, **other})

    def __ror__(self, other: Any) -> ClientProperties:
        if not isinstance(other, dict):
            return NotImplemented
        return ClientProperties({**other, **self})

    def copy(self) -> ClientProperties:
        """A shallow copy that still redacts (``dict.copy`` would return a plain dict)."""
        return ClientProperties(self)

    def __repr__(self) -> str:
        return f"ClientProperties({self.redacted()!r})"

    __str__ = __repr__


def jaas_quote(value: str) -> str:
    """Quote ``value`` for a JAAS option: backslash and double quote are escaped.

    Kafka parses ``sasl.jaas.config`` with ``java.io.StreamTokenizer``; inside double quotes a
    backslash escapes the next character, and ``;``, ``=`` and spaces are literal.

    Example::

        >>> print(jaas_quote('a"b\\\\c; d'))
        "a\\"b\\\\c; d"
    """
    if "\n" in value or "\r" in value:
        raise JaasValueError("expected a JAAS value without line breaks, got one containing a line break")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def jaas_config(config: KafkaClientConfig, shaded: bool = False) -> Secret:
    """Return the ``sasl.jaas.config`` value for ``config``'s SASL mechanism, as a :class:`Secret`.

    The JAAS string holds the password, so it redacts itself like the password does; ``reveal()``
    gives the text. ``shaded=True`` prefixes the Kafka login modules with ``kafkashaded.`` as
    Databricks Runtime needs; the JDK's Kerberos module is never shaded.

    Example::

        >>> jaas_config(scram_config).reveal()  # doctest: +SKIP
        'org.apache.kafka.common.security.scram.ScramLoginModule required username="iot-app" password="...";'
    """
    sasl = _sasl_or_raise(config)
    if sasl.mechanism == "GSSAPI":
        return Secret(
            f"{KERBEROS_LOGIN_MODULE} required useKeyTab=true storeKey=true "
            f"keyTab={jaas_quote(sasl.kerberos_keytab or '')} principal={jaas_quote(sasl.kerberos_principal or '')};"
        )
    module = APACHE_LOGIN_MODULES[sasl.mechanism]
    if shaded:
        module = DATABRICKS_SHADED_PREFIX + module
    password = sasl.password.reveal() if sasl.password else ""
    return Secret(f"{module} required username={jaas_quote(sasl.username or '')} password={jaas_quote(password)};")


def _sasl_or_raise(config: KafkaClientConfig) -> Any:
    if config.sasl is None:
        raise ValueError(f"expected a SASL config, got security_protocol {config.security_protocol} without sasl")
    return config.sasl


def kafka_python_kwargs(config: KafkaClientConfig) -> ClientProperties:
    """Keyword arguments for ``KafkaProducer``, ``KafkaConsumer`` and ``KafkaAdminClient``.

    GSSAPI in kafka-python uses the process's Kerberos ticket cache (``kinit -kt <keytab>``)
    and needs the ``gssapi`` package.

    Example::

        >>> KafkaConsumer("topic", **kafka_python_kwargs(config))  # doctest: +SKIP
    """
    kwargs = ClientProperties(
        bootstrap_servers=list(config.bootstrap_servers), security_protocol=config.security_protocol
    )
    if config.client_id:
        kwargs["client_id"] = config.client_id
    if config.uses_tls:
        tls = config.tls
        kwargs["ssl_check_hostname"] = tls.check_hostname
        if tls.ca_file:
            kwargs["ssl_cafile"] = tls.ca_file
    if config.uses_sasl:
        sasl = _sasl_or_raise(config)
        kwargs["sasl_mechanism"] = sasl.mechanism
        if sasl.mechanism == "GSSAPI":
            kwargs["sasl_kerberos_service_name"] = sasl.kerberos_service_name
        else:
            kwargs["sasl_plain_username"] = sasl.username
            kwargs["sasl_plain_password"] = sasl.password.reveal()
    return kwargs


def librdkafka_properties(config: KafkaClientConfig) -> ClientProperties:
    """Properties for confluent-kafka's ``Producer``/``Consumer`` (librdkafka names).

    Example::

        >>> Consumer(librdkafka_properties(config) | {"group.id": "g"})  # doctest: +SKIP

    Merge extra settings with ``|`` as above (the result still redacts); ``{**props}`` would not.
    """
    props = ClientProperties(
        {"bootstrap.servers": ",".join(config.bootstrap_servers), "security.protocol": config.security_protocol}
    )
    if config.client_id:
        props["client.id"] = config.client_id
    if config.uses_tls:
        tls = config.tls
        props["ssl.endpoint.identification.algorithm"] = "https" if tls.check_hostname else "none"
        if tls.ca_file:
            props["ssl.ca.location"] = tls.ca_file
    if config.uses_sasl:
        sasl = _sasl_or_raise(config)
        props["sasl.mechanism"] = sasl.mechanism
        if sasl.mechanism == "GSSAPI":
            props["sasl.kerberos.service.name"] = sasl.kerberos_service_name
            props["sasl.kerberos.principal"] = sasl.kerberos_principal
            props["sasl.kerberos.keytab"] = sasl.kerberos_keytab
        else:
            props["sasl.username"] = sasl.username
            props["sasl.password"] = sasl.password.reveal()
    return props


def java_client_properties(config: KafkaClientConfig, shaded: bool = False) -> ClientProperties:
    """Java client properties (``bootstrap.servers``, ``sasl.jaas.config``, ...), unprefixed.

    Example::

        >>> java_client_properties(config)["sasl.mechanism"]  # doctest: +SKIP
        'SCRAM-SHA-512'
    """
    props = ClientProperties(
        {"bootstrap.servers": ",".join(config.bootstrap_servers), "security.protocol": config.security_protocol}
    )
    if config.client_id:
        props["client.id"] = config.client_id
    if config.uses_tls:
        tls = config.tls
        props["ssl.endpoint.identification.algorithm"] = "https" if tls.check_hostname else ""
        if tls.ca_file:
            props["ssl.truststore.type"] = "PEM"
            props["ssl.truststore.location"] = tls.ca_file
    if config.uses_sasl:
        sasl = _sasl_or_raise(config)
        props["sasl.mechanism"] = sasl.mechanism
        if sasl.mechanism == "GSSAPI":
            props["sasl.kerberos.service.name"] = sasl.kerberos_service_name
        props["sasl.jaas.config"] = jaas_config(config, shaded=shaded).reveal()
    return props


def spark_kafka_options(config: KafkaClientConfig, shaded: bool = False) -> ClientProperties:
    """Options for ``spark.readStream.format("kafka")`` and the Kafka sink (``kafka.``-prefixed).

    Set ``shaded=True`` on Databricks Runtime, whose Kafka connector ships the client under
    ``kafkashaded.org.apache.kafka``.

    Example::

        >>> options = spark_kafka_options(config)  # doctest: +SKIP
        >>> options["kafka.security.protocol"]  # doctest: +SKIP
        'SASL_SSL'
    """
    return ClientProperties(
        {f"kafka.{key}": value for key, value in java_client_properties(config, shaded=shaded).items()}
    )
