"""One logical config, three dialects: kafka-python kwargs, librdkafka properties, Spark options."""
from __future__ import annotations

import pytest

from kafka_auth_patterns.config import client_config_from_dict
from kafka_auth_patterns.dialects import (
    JaasValueError,
    jaas_config,
    kafka_python_kwargs,
    librdkafka_properties,
    spark_kafka_options,
)
from kafka_auth_patterns.secrets import EnvironmentSecretProvider

TRICKY = 'Pl@nt "A"; line\\7 = press 12'


def scram_config(password: str = "pw", mechanism: str = "SCRAM-SHA-512"):
    return client_config_from_dict(
        {
            "bootstrap_servers": ["b1.plant-a.example:9093", "b2.plant-a.example:9093"],
            "security_protocol": "SASL_SSL",
            "sasl": {"mechanism": mechanism, "username": "iot-app", "password": "{{secrets/kafka/pw}}"},
            "tls": {"ca_file": "/etc/kafka/ca.pem"},
        },
        EnvironmentSecretProvider({"KAFKA_PW": password}),
    )


def test_scram_config_in_all_three_dialects():
    config = scram_config()

    assert kafka_python_kwargs(config) == {
        "bootstrap_servers": ["b1.plant-a.example:9093", "b2.plant-a.example:9093"],
        "security_protocol": "SASL_SSL",
        "ssl_check_hostname": True,
        "ssl_cafile": "/etc/kafka/ca.pem",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "iot-app",
        "sasl_plain_password": "pw",
    }
    assert librdkafka_properties(config) == {
        "bootstrap.servers": "b1.plant-a.example:9093,b2.plant-a.example:9093",
        "security.protocol": "SASL_SSL",
        "ssl.endpoint.identification.algorithm": "https",
        "ssl.ca.location": "/etc/kafka/ca.pem",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": "iot-app",
        "sasl.password": "pw",
    }
    assert spark_kafka_options(config) == {
        "kafka.bootstrap.servers": "b1.plant-a.example:9093,b2.plant-a.example:9093",
        "kafka.security.protocol": "SASL_SSL",
        "kafka.ssl.endpoint.identification.algorithm": "https",
        "kafka.ssl.truststore.type": "PEM",
        "kafka.ssl.truststore.location": "/etc/kafka/ca.pem",
        "kafka.sasl.mechanism": "SCRAM-SHA-512",
        "kafka.sasl.jaas.config": (
            'org.apache.kafka.common.security.scram.ScramLoginModule required username="iot-app" password="pw";'
        ),
    }


def test_jaas_escapes_quotes_and_backslashes_and_keeps_semicolons_and_spaces():
    jaas = jaas_config(scram_config(TRICKY)).reveal()

    assert jaas == (
        'org.apache.kafka.common.security.scram.ScramLoginModule required '
        'username="iot-app" password="Pl@nt \\"A\\"; line\\\\7 = press 12";'
    )


def test_a_line_break_cannot_be_placed_in_a_jaas_value_and_the_error_hides_it():
    with pytest.raises(JaasValueError) as raised:
        jaas_config(scram_config("first-line\nsecond-line"))

    assert "first-line" not in str(raised.value)


def test_databricks_runtime_needs_the_shaded_login_module():
    options = spark_kafka_options(scram_config(), shaded=True)

    assert options["kafka.sasl.jaas.config"].startswith(
        "kafkashaded.org.apache.kafka.common.security.scram.ScramLoginModule required"
    )


def test_plain_uses_the_plain_login_module():
    config = scram_config(mechanism="PLAIN")

    assert jaas_config(config).reveal().startswith("org.apache.kafka.common.security.plain.PlainLoginModule required")
    assert librdkafka_properties(config)["sasl.mechanism"] == "PLAIN"


def test_gssapi_dialects_use_the_keytab_and_the_service_name():
    config = client_config_from_dict({
        "bootstrap_servers": "b1:9093", "security_protocol": "SASL_SSL",
        "sasl": {"mechanism": "GSSAPI", "kerberos_principal": "iot-app@PLANT-A.EXAMPLE",
                 "kerberos_keytab": "/etc/security/keytabs/iot-app.keytab"},
    })

    assert spark_kafka_options(config)["kafka.sasl.jaas.config"] == (
        'com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true storeKey=true '
        'keyTab="/etc/security/keytabs/iot-app.keytab" principal="iot-app@PLANT-A.EXAMPLE";'
    )
    assert spark_kafka_options(config)["kafka.sasl.kerberos.service.name"] == "kafka"
    assert librdkafka_properties(config)["sasl.kerberos.keytab"] == "/etc/security/keytabs/iot-app.keytab"
    assert kafka_python_kwargs(config)["sasl_kerberos_service_name"] == "kafka"


@pytest.mark.parametrize("build", [kafka_python_kwargs, librdkafka_properties, spark_kafka_options])
def test_printing_a_built_config_never_shows_the_password(build):
    properties = build(scram_config(TRICKY))

    assert "Pl@nt" not in repr(properties) and "Pl@nt" not in str(properties) and "Pl@nt" not in f"{properties}"
    assert "***" in repr(properties)


def test_readme_snippet_loads_the_shipped_config_and_redacts_the_jaas_string(monkeypatch):
    from pathlib import Path

    from kafka_auth_patterns import EnvironmentSecretProvider, load_client_config

    monkeypatch.setenv("KAFKA_PLANT_A_IOT_APP_PASSWORD", TRICKY)
    configs = Path(__file__).resolve().parent.parent / "configs"

    config = load_client_config(configs / "scram-sha-512.yaml", EnvironmentSecretProvider())
    options = spark_kafka_options(config)

    assert "'kafka.sasl.jaas.config': '***'" in repr(options)
    assert options["kafka.sasl.jaas.config"].endswith('password="Pl@nt \\"A\\"; line\\\\7 = press 12";')
