"""The embedded broker: real Kafka 4.x in KRaft mode, PLAINTEXT and SASL_SSL, started per run."""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaProducer
from kafka.errors import KafkaConnectionError, TopicAuthorizationFailedError

from catalog_tools.kafka_broker import (
    BrokerSettings,
    BrokerStartError,
    KafkaUser,
    generated_user,
    jaas_config,
    start_broker,
)
from catalog_tools.kafka_io import KafkaMessage, consume_all, grant_acls, produce_messages


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()


def test_broker_starts_and_stops_cleanly(tmp_path):
    broker = start_broker(tmp_path)
    pid = broker.process.pid
    assert broker.is_running()

    broker.stop()

    assert not pid_alive(pid)
    assert broker.process.returncode is not None
    broker.stop()  # idempotent


@pytest.mark.parametrize("mechanism", ["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"])
def test_sasl_ssl_roundtrip_for_every_mechanism(kafka_sasl_ssl, unique_topic, mechanism):
    config = kafka_sasl_ssl.client_config(user="iot-app", mechanism=mechanism)
    messages = [KafkaMessage(b"press-07", f"reading-{i}".encode()) for i in range(3)]

    assert produce_messages(messages, unique_topic, config) == 3
    assert [r.value for r in consume_all(unique_topic, config, timeout_ms=3000)] == [m.value for m in messages]


def test_wrong_password_is_rejected_with_sasl_authentication_failure(kafka_sasl_ssl, caplog):
    config = kafka_sasl_ssl.client_config(user="iot-app") | {"sasl_plain_password": "not-the-password"}

    with caplog.at_level(logging.ERROR, logger="kafka.conn"), pytest.raises(KafkaConnectionError):
        KafkaAdminClient(api_version=(3, 9), request_timeout_ms=5000, **config)

    assert "SaslAuthenticationFailedError" in caplog.text
    assert "invalid credentials with SASL mechanism SCRAM-SHA-512" in caplog.text


def test_plaintext_listener_serves_metadata(kafka):
    admin = KafkaAdminClient(**kafka.client_config())
    try:
        assert admin.describe_cluster()["brokers"]
    finally:
        admin.close()


def test_authorizer_denies_topic_access_without_acl(kafka_broker_factory, unique_topic):
    broker = kafka_broker_factory(BrokerSettings(authorizer=True))
    producer = KafkaProducer(max_block_ms=10_000, **broker.client_config(user="iot-app"))
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            producer.send(unique_topic, b"denied").get(timeout=15)
    finally:
        producer.close()

    # admin is a super user, so the same send succeeds for it
    assert produce_messages([KafkaMessage(None, b"ok")], unique_topic, broker.client_config(user="admin")) == 1


def test_granted_acls_open_exactly_the_granted_topic(kafka_broker_factory, unique_topic):
    broker = kafka_broker_factory(BrokerSettings(authorizer=True))
    app = broker.client_config(user="iot-app")

    grant_acls("User:iot-app", "TOPIC", unique_topic, ["WRITE", "DESCRIBE", "CREATE"], broker.client_config())

    assert produce_messages([KafkaMessage(b"k", b"allowed")], unique_topic, app) == 1
    with pytest.raises(TopicAuthorizationFailedError):
        produce_messages([KafkaMessage(b"k", b"denied")], unique_topic + "-other", app | {"max_block_ms": 10_000})


def test_user_without_scram_256_credentials_cannot_use_that_mechanism(kafka_broker_factory, caplog):
    only_512 = KafkaUser("line-7-reader", "s3cret-512-only", mechanisms=("SCRAM-SHA-512",))
    broker = kafka_broker_factory(BrokerSettings(users=[generated_user("admin"), only_512]))

    with caplog.at_level(logging.ERROR, logger="kafka.conn"), pytest.raises(KafkaConnectionError):
        KafkaAdminClient(
            api_version=(3, 9), request_timeout_ms=5000,
            **broker.client_config(user="line-7-reader", mechanism="SCRAM-SHA-256"),
        )
    assert "SaslAuthenticationFailedError" in caplog.text
    KafkaAdminClient(**broker.client_config(user="line-7-reader", mechanism="SCRAM-SHA-512")).close()


def test_start_failure_raises_with_log_tail(tmp_path):
    broken = BrokerSettings(extra_properties={"num.network.threads": "-1"}, ready_timeout_s=60)

    with pytest.raises(BrokerStartError) as error:
        start_broker(tmp_path, broken)

    assert "num.network.threads" in str(error.value)


def test_passwords_never_appear_in_reprs(kafka_sasl_ssl):
    text = repr(kafka_sasl_ssl) + repr(kafka_sasl_ssl.settings) + repr(kafka_sasl_ssl.tls_files)
    for user in kafka_sasl_ssl.users.values():
        assert user.password not in text
    assert kafka_sasl_ssl.tls_files.keystore_password not in text


def test_broker_dies_with_the_process_that_started_it(tmp_path):
    script = textwrap.dedent(
        f"""
        from catalog_tools.kafka_broker import start_broker
        broker = start_broker({str(tmp_path)!r})
        print(broker.process.pid, flush=True)
        import time; time.sleep(600)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    broker_pid = int(parent.stdout.readline())
    assert pid_alive(broker_pid)

    parent.send_signal(signal.SIGKILL)
    parent.wait()

    deadline = time.monotonic() + 20
    while pid_alive(broker_pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not pid_alive(broker_pid), "the broker outlived a SIGKILLed parent"


def test_jaas_config_escapes_quotes_and_backslashes():
    assert jaas_config("SCRAM-SHA-512", "svc", 'p"a\\ss; word') == (
        'org.apache.kafka.common.security.scram.ScramLoginModule required '
        'username="svc" password="p\\"a\\\\ss; word";'
    )


def earliest_offset(broker, topic: str) -> int:
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(**broker.client_config())
    try:
        partition = TopicPartition(topic, 0)
        return consumer.beginning_offsets([partition])[partition]
    finally:
        consumer.close()


def test_old_record_timestamps_are_deleted_by_default_retention_but_kept_by_the_test_broker(
    kafka_broker_factory, unique_topic
):
    last_year_ms = int((time.time() - 365 * 24 * 3600) * 1000)
    backfill = [KafkaMessage(b"m", b"reading", last_year_ms) for _ in range(10)]
    # production default: 7-day time-based retention, checked here every second instead of every 5 minutes
    default_retention = kafka_broker_factory(BrokerSettings(extra_properties={
        "log.retention.ms": str(7 * 24 * 3600 * 1000), "log.retention.check.interval.ms": "1000",
        "log.segment.bytes": "1048576", "log.roll.ms": "500",
    }))
    produce_messages(backfill, unique_topic, default_retention.client_config())
    time.sleep(1)  # past log.roll.ms, so the next append rolls the segment and the old one can be deleted
    produce_messages([KafkaMessage(b"m", b"now")], unique_topic, default_retention.client_config())

    deadline = time.monotonic() + 30
    while earliest_offset(default_retention, unique_topic) == 0 and time.monotonic() < deadline:
        time.sleep(1)
    assert earliest_offset(default_retention, unique_topic) == 10  # the backfilled year-old records are gone

    kept = kafka_broker_factory(BrokerSettings(extra_properties={"log.retention.check.interval.ms": "1000"}))
    produce_messages(backfill, unique_topic, kept.client_config())
    time.sleep(3)
    assert earliest_offset(kept, unique_topic) == 0
