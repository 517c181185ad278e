"""Kafka SASL_SSL client configs that work the first time, redacted secrets, and a connection diagnoser.

Example::

    >>> from kafka_auth_patterns import load_client_config, spark_kafka_options, EnvironmentSecretProvider
    >>> config = load_client_config("configs/scram-sha-512.yaml", EnvironmentSecretProvider())  # doctest: +SKIP
    >>> options = spark_kafka_options(config)  # doctest: +SKIP
"""
from kafka_auth_patterns.config import (
    ConfigValidationError,
    KafkaClientConfig,
    client_config_from_dict,
    load_client_config,
)
from kafka_auth_patterns.diagnoser import Diagnosis, diagnose_connection
from kafka_auth_patterns.dialects import (
    ClientProperties,
    jaas_config,
    java_client_properties,
    kafka_python_kwargs,
    librdkafka_properties,
    spark_kafka_options,
)
from kafka_auth_patterns.secrets import (
    ChainSecretProvider,
    DatabricksSecretProvider,
    EnvironmentSecretProvider,
    FileSecretProvider,
    Secret,
    SecretNotFoundError,
    resolve_secret_references,
)

__all__ = [
    "ChainSecretProvider", "ClientProperties", "ConfigValidationError", "DatabricksSecretProvider", "Diagnosis",
    "EnvironmentSecretProvider", "FileSecretProvider", "KafkaClientConfig", "Secret", "SecretNotFoundError",
    "client_config_from_dict", "diagnose_connection", "jaas_config", "java_client_properties", "kafka_python_kwargs",
    "librdkafka_properties", "load_client_config", "resolve_secret_references", "spark_kafka_options",
]
