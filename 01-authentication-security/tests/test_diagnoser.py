"""The diagnoser against real brokers: every scenario gets the right named cause.

Each scenario first shows the real failure a kafka-python client hits (the error class or the
broker's message), then that the diagnoser names its cause. How long a diagnosis takes is measured
by benchmarks/diagnosis_latency.py, not asserted here.
"""
from __future__ import annotations

import datetime as dt
import logging
import ssl

import pytest
from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from catalog_tools.certificates import generate_ca, issue_certificate, write_tls_files
from catalog_tools.kafka_broker import BrokerSettings, free_port
from catalog_tools.kafka_io import create_topic, grant_acls
from kafka_auth_patterns.diagnoser import LAYERS, diagnose_connection
from kafka_auth_patterns.dialects import kafka_python_kwargs
from tests.helpers import SCRAM_512_ONLY_USER, broker_config


def diagnosed(config, **kwargs):
    """Diagnose ``config``; a failed layer is always the last one run (the layers after it never start)."""
    diagnosis = diagnose_connection(config, **kwargs)
    if not diagnosis.ok:
        assert diagnosis.checks[-1] is diagnosis.failed_check, diagnosis.report()
        assert diagnosis.report().count("not run") == len(LAYERS) - len(diagnosis.checks)
    return diagnosis


def kafka_python_fails(config, caplog) -> str:
    """Reproduce: a kafka-python admin client with this config fails; return what it raised and logged."""
    with caplog.at_level(logging.ERROR, logger="kafka"):
        with pytest.raises((KafkaError, ssl.SSLError)) as raised:
            KafkaAdminClient(request_timeout_ms=3000, api_version_auto_timeout_ms=3000, **kafka_python_kwargs(config))
    return f"{type(raised.value).__name__}: {raised.value}\n{caplog.text}"


def test_success_passes_every_layer(kafka_sasl_ssl, unique_topic):
    create_topic(unique_topic, kafka_sasl_ssl.client_config())

    diagnosis = diagnosed(broker_config(kafka_sasl_ssl), topic=unique_topic)

    assert diagnosis.ok, diagnosis.report()
    assert [check.layer for check in diagnosis.checks] == [
        "dns", "tcp", "tls", "sasl_mechanisms", "authentication", "metadata", "topic_access"]
    assert "Result: OK" in diagnosis.report()


def test_wrong_password(secured_broker, caplog):
    config = broker_config(secured_broker, password="last-quarters-password")
    admin = broker_config(secured_broker, user="admin")
    assert "invalid credentials with SASL mechanism SCRAM-SHA-512" in kafka_python_fails(config, caplog)

    without_admin = diagnosed(config)
    with_admin = diagnosed(config, admin_config=admin)

    assert without_admin.cause.name == "authentication_failed"
    assert with_admin.cause.name == "wrong_password"
    assert "invalid credentials with SASL mechanism SCRAM-SHA-512" in with_admin.failed_check.error_text


def test_unknown_user(secured_broker, caplog):
    config = broker_config(secured_broker, user="iot-ap", password="whatever")  # typo in the user name
    assert "invalid credentials" in kafka_python_fails(config, caplog)  # the broker says the same as for a bad password

    diagnosis = diagnosed(config, admin_config=broker_config(secured_broker, user="admin"))

    assert diagnosis.cause.name == "unknown_user"


def test_user_without_credentials_for_this_scram_variant(secured_broker, caplog):
    config = broker_config(secured_broker, user=SCRAM_512_ONLY_USER, mechanism="SCRAM-SHA-256")
    assert "invalid credentials with SASL mechanism SCRAM-SHA-256" in kafka_python_fails(config, caplog)

    diagnosis = diagnosed(config, admin_config=broker_config(secured_broker, user="admin"))

    assert diagnosis.cause.name == "scram_credentials_missing_for_mechanism"
    assert "['SCRAM-SHA-512']" in diagnosis.failed_check.detail


def test_mechanism_not_enabled_on_the_broker(secured_broker, caplog):
    config = broker_config(secured_broker, mechanism="PLAIN")  # this broker enables only the SCRAM mechanisms
    kafka_python_fails(config, caplog)

    diagnosis = diagnosed(config)

    assert diagnosis.cause.name == "mechanism_not_enabled"
    assert "broker offers ['SCRAM-SHA-512', 'SCRAM-SHA-256']" in diagnosis.failed_check.detail


def test_plaintext_client_to_the_sasl_ssl_listener(kafka_sasl_ssl, caplog):
    config = broker_config(kafka_sasl_ssl, protocol="SASL_PLAINTEXT")
    kafka_python_fails(config, caplog)

    assert diagnosed(config).cause.name == "plaintext_client_to_tls_listener"


def test_tls_client_to_the_plaintext_listener(kafka_sasl_ssl):
    config = broker_config(kafka_sasl_ssl, bootstrap=kafka_sasl_ssl.plaintext_bootstrap)

    assert diagnosed(config).cause.name == "tls_client_to_plaintext_listener"


def test_tls_client_without_the_ca(kafka_sasl_ssl, caplog):
    config = broker_config(kafka_sasl_ssl, ca_file=None)  # trusts only the system CAs
    assert "CERTIFICATE_VERIFY_FAILED" in kafka_python_fails(config, caplog)

    diagnosis = diagnosed(config)

    assert diagnosis.cause.name == "ca_not_configured"
    assert "self-signed certificate in certificate chain" in diagnosis.failed_check.error_text


def test_tls_client_with_the_wrong_ca(kafka_sasl_ssl, tmp_path, caplog):
    other_ca = tmp_path / "other-plant-ca.pem"
    other_ca.write_bytes(generate_ca("Plant B CA").certificate_pem())
    config = broker_config(kafka_sasl_ssl, ca_file=other_ca)
    assert "CERTIFICATE_VERIFY_FAILED" in kafka_python_fails(config, caplog)

    diagnosis = diagnosed(config)

    assert diagnosis.cause.name == "wrong_ca"
    assert "CA file trusts ['CN=Plant B CA']" in diagnosis.failed_check.detail


def test_hostname_not_in_the_certificate(kafka_broker_factory, tmp_path, caplog):
    ca = generate_ca("Plant A CA")
    server = issue_certificate(ca, hostnames=["kafka-1.plant-a.example"])  # no localhost in the SAN
    tls = write_tls_files(tmp_path / "tls", ca, server, keystore_password="broker-keystore")
    broker = kafka_broker_factory(BrokerSettings(tls_files=tls, sasl_mechanisms=("PLAIN",)))
    config = broker_config(broker, mechanism="PLAIN")
    assert "Hostname mismatch" in kafka_python_fails(config, caplog)

    diagnosis = diagnosed(config)

    assert diagnosis.cause.name == "hostname_mismatch"
    assert "SAN kafka-1.plant-a.example" in diagnosis.failed_check.detail


def test_expired_certificate(kafka_broker_factory, tmp_path, caplog):
    last_month = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    ca = generate_ca("Plant A CA", valid_days=365, valid_from=last_month)
    # valid for 7 days from 30 days ago: expired 23 days ago
    server = issue_certificate(ca, ["localhost"], ["127.0.0.1"], valid_days=7, valid_from=last_month)
    tls = write_tls_files(tmp_path / "tls", ca, server, keystore_password="broker-keystore")
    broker = kafka_broker_factory(BrokerSettings(tls_files=tls, sasl_mechanisms=("PLAIN",)))
    config = broker_config(broker, mechanism="PLAIN")
    assert "certificate has expired" in kafka_python_fails(config, caplog)

    diagnosis = diagnosed(config)

    assert diagnosis.cause.name == "certificate_expired"


def test_broker_down_or_wrong_port(kafka_sasl_ssl):
    config = broker_config(kafka_sasl_ssl, bootstrap=f"localhost:{free_port()}")  # nothing listens there

    diagnosis = diagnosed(config)

    assert diagnosis.cause.name == "connection_refused"
    assert [check.layer for check in diagnosis.checks] == ["dns", "tcp"]


def test_unresolvable_host(kafka_sasl_ssl):
    config = broker_config(kafka_sasl_ssl, bootstrap="kafka-1.plant-a.invalid:9093")

    assert diagnosed(config).cause.name == "dns_unresolvable"


def test_topic_authorization_failure_and_the_fix(secured_broker, unique_topic):
    create_topic(unique_topic, secured_broker.client_config())
    config = broker_config(secured_broker)

    denied = diagnosed(config, topic=unique_topic)
    grant_acls("User:iot-app", "TOPIC", unique_topic, ["READ", "DESCRIBE"], secured_broker.client_config())
    allowed = diagnosed(config, topic=unique_topic)

    assert denied.cause.name == "topic_authorization_failed"
    assert allowed.ok, allowed.report()
