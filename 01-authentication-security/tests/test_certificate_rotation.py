"""Rotate the broker certificate to a new CA without downtime, for real (docs/certificate-rotation.md).

Phase 1: clients trust old + new CA.  Phase 2: the broker reloads a keystore signed by the new CA
through a dynamic config update (no restart; an open producer keeps producing).  Phase 3: drop the
old CA.  A client that skipped phase 1 breaks at phase 2 with the cause ``wrong_ca``: reproduced.
"""
from __future__ import annotations

import time

from kafka import KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType

from catalog_tools.certificates import generate_ca, issue_certificate, write_tls_files
from catalog_tools.kafka_broker import BrokerSettings
from catalog_tools.kafka_io import consume_all, create_topic
from kafka_auth_patterns.diagnoser import diagnose_connection
from tests.helpers import broker_config


def reload_broker_keystore(admin_config: dict, keystore_path: str) -> None:
    """What `kafka-configs --alter --entity-type brokers --entity-name 1 --add-config
    listener.name.sasl_ssl.ssl.keystore.location=<same path>` does: the broker re-reads the file."""
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(**admin_config)
    try:
        response = admin.alter_configs([ConfigResource(
            ConfigResourceType.BROKER, "1", configs={"listener.name.sasl_ssl.ssl.keystore.location": keystore_path})])
    finally:
        admin.close()
    errors = [resource[0] for resource in response.resources if resource[0] != 0]
    assert errors == [], f"expected the dynamic keystore update to succeed, got error codes {errors}: {response}"


def wait_for_issuer(config, issuer: str, timeout_s: float = 30.0):
    """The update travels through the KRaft metadata log; new connections see it within seconds."""
    started = time.monotonic()
    deadline = time.monotonic() + timeout_s
    while True:
        diagnosis = diagnose_connection(config, timeout_s=5)
        tls = next((check for check in diagnosis.checks if check.layer == "tls"), None)
        if (tls is not None and f"issuer {issuer}" in tls.detail) or time.monotonic() > deadline:
            print(f"new certificate served after {time.monotonic() - started:.1f}s")
            return diagnosis
        time.sleep(0.5)


def test_rotate_broker_certificate_to_a_new_ca_without_restart(kafka_broker_factory, tmp_path, unique_topic):
    old_ca, new_ca = generate_ca("Plant A CA 2026"), generate_ca("Plant A CA 2027")
    tls = write_tls_files(tmp_path / "live", old_ca, issue_certificate(old_ca, ["localhost"], ["127.0.0.1"]),
                          keystore_password="broker-keystore")
    broker = kafka_broker_factory(BrokerSettings(tls_files=tls, sasl_mechanisms=("PLAIN",)))
    old_only = tmp_path / "old-ca.pem"
    old_only.write_bytes(old_ca.certificate_pem())
    both = tmp_path / "old-and-new-ca.pem"
    both.write_bytes(old_ca.certificate_pem() + new_ca.certificate_pem())
    new_only = tmp_path / "new-ca.pem"
    new_only.write_bytes(new_ca.certificate_pem())
    create_topic(unique_topic, broker.client_config())
    pid = broker.process.pid

    # Phase 1: clients move to the bundle while the broker still presents the old certificate.
    assert diagnose_connection(broker_config(broker, mechanism="PLAIN", ca_file=both), timeout_s=5).ok
    producer = KafkaProducer(**broker.client_config(user="iot-app", mechanism="PLAIN") | {"ssl_cafile": str(both)})
    producer.send(unique_topic, b"before rotation").get(timeout=30)

    # Phase 2: same path, same password, new certificate (same subject and SAN); the broker reloads it live.
    write_tls_files(tmp_path / "live", new_ca, issue_certificate(new_ca, ["localhost"], ["127.0.0.1"]),
                    keystore_password="broker-keystore")
    reload_broker_keystore(broker.client_config(), str(tls.server_keystore_p12))

    with_bundle = wait_for_issuer(broker_config(broker, mechanism="PLAIN", ca_file=both), "CN=Plant A CA 2027")
    skipped_phase_1 = diagnose_connection(broker_config(broker, mechanism="PLAIN", ca_file=old_only), timeout_s=5)
    producer.send(unique_topic, b"after rotation").get(timeout=30)  # the open connection never noticed
    producer.close()

    assert with_bundle.ok, with_bundle.report()
    assert "issuer CN=Plant A CA 2027" in with_bundle.checks[2].detail  # new connections see the new certificate
    assert skipped_phase_1.cause.name == "wrong_ca"
    assert broker.process.pid == pid and broker.is_running()  # no restart

    # Phase 3: drop the old CA.
    assert diagnose_connection(broker_config(broker, mechanism="PLAIN", ca_file=new_only), timeout_s=5).ok
    assert [r.value for r in consume_all(unique_topic, broker.client_config(), timeout_ms=3000)] == [
        b"before rotation", b"after rotation"]
