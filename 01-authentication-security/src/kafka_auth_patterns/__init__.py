"""Kafka SASL_SSL client configs that work the first time, redacted secrets, and a connection diagnoser.

Everything the README calls is importable from here.

Example::

    >>> from kafka_auth_patterns import load_client_config, spark_kafka_options, EnvironmentSecretProvider
    >>> config = load_client_config("configs/scram-sha-512.yaml", EnvironmentSecretProvider())  # doctest: +SKIP
    >>> options = spark_kafka_options(config)  # doctest: +SKIP
"""
from kafka_auth_patterns.certificate_inspector import (
    CertificateFileError,
    CertificateSummary,
    chain_problems,
    inspect_certificate_file,
)
from kafka_auth_patterns.config import (
    ConfigValidationError,
    KafkaClientConfig,
    client_config_from_dict,
    load_client_config,
)
from kafka_auth_patterns.diagnoser import Diagnosis, diagnose_connection
from kafka_auth_patterns.dialects import (
    ClientProperties,
    JaasValueError,
    jaas_config,
    java_client_properties,
    kafka_python_kwargs,
    librdkafka_properties,
    spark_kafka_options,
)
from kafka_auth_patterns.oauth_m2m import M2MTokenManager, OAuthError
from kafka_auth_patterns.secrets import (
    ChainSecretProvider,
    DatabricksSecretProvider,
    EnvironmentSecretProvider,
    FileSecretProvider,
    Secret,
    SecretNotFoundError,
    SecretReferenceError,
    resolve_secret_references,
)
from kafka_auth_patterns.spark_ingest import SparkKafkaOptionsError, kafka_topic_to_delta, read_kafka_topic

__all__ = [
    "CertificateFileError", "CertificateSummary", "ChainSecretProvider", "ClientProperties", "ConfigValidationError",
    "DatabricksSecretProvider", "Diagnosis", "EnvironmentSecretProvider", "FileSecretProvider", "JaasValueError",
    "KafkaClientConfig", "M2MTokenManager", "OAuthError", "Secret", "SecretNotFoundError", "SecretReferenceError",
    "SparkKafkaOptionsError", "chain_problems", "client_config_from_dict", "diagnose_connection",
    "inspect_certificate_file", "jaas_config", "java_client_properties", "kafka_python_kwargs", "kafka_topic_to_delta",
    "librdkafka_properties", "load_client_config", "read_kafka_topic", "resolve_secret_references",
    "spark_kafka_options",
]
