"""Kafka authentication incidents: a Spark Kafka source against the real SASL_SSL broker, diagnosed, then fixed.

Each test produces readings, runs the stream with the broken client setting (the query fails before
its first batch, so its checkpoint holds no offsets), captures what the job printed, lets the
diagnoser name the playbook, then runs the fixed setting on the same checkpoint and checks every
reading arrived exactly once.
"""
from __future__ import annotations

import json

import pytest
from helpers import (
    capture_incident_log,
    distinct_log_records,
    failure_text,
    jvm_stack_traces_in_messages,
    normalise,
    spark_driver_log,
)
from pyspark.sql import functions as F

from catalog_tools.certificates import generate_ca, issue_certificate, write_tls_files
from catalog_tools.kafka_broker import BrokerSettings, generated_user, jaas_config
from catalog_tools.kafka_io import KafkaMessage, create_topic, produce_messages
from production_playbooks import diagnose_text

READINGS = 5
OAUTH_LOGIN_MODULE = "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule"


def _produce_readings(broker, topic):
    create_topic(topic, broker.client_config())
    messages = [KafkaMessage(f"press-{i % 2}".encode(), json.dumps({"reading_id": i}).encode())
                for i in range(READINGS)]
    produce_messages(messages, topic, broker.client_config())


def _stream_once(spark, kafka_options, topic, tmp_path):
    reader = (spark.readStream.format("kafka").option("subscribe", topic)
              .option("startingOffsets", "earliest").option("fetchOffset.numRetries", "1"))
    for key, value in kafka_options.items():
        reader = reader.option(key, value)
    readings = reader.load().select(F.get_json_object(F.col("value").cast("string"), "$.reading_id")
                                    .cast("int").alias("reading_id"))
    query = (readings.writeStream.format("delta").option("checkpointLocation", str(tmp_path / "checkpoint"))
             .trigger(availableNow=True).start(str(tmp_path / "bronze")))
    query.awaitTermination()


def _reproduce(spark, incident_id, broken_options, topic, tmp_path, secrets=()):
    with jvm_stack_traces_in_messages(spark):  # pyspark renders the JVM trace when str() is called
        with pytest.raises(Exception) as caught:
            _stream_once(spark, broken_options, topic, tmp_path)
        text = capture_incident_log(incident_id, "spark-kafka-source", failure_text(caught.value), tmp_path)
    for secret in secrets:
        assert secret not in text
    assert diagnose_text(text).incident_id == incident_id
    return text


def _assert_every_reading_arrived_once(spark, tmp_path):
    ids = sorted(row.reading_id for row in spark.read.format("delta").load(str(tmp_path / "bronze")).collect())
    assert ids == list(range(READINGS))


@pytest.mark.kafka
def test_wrong_password_is_reproduced_diagnosed_and_fixed(spark, kafka_sasl_ssl, unique_topic, tmp_path):
    _produce_readings(kafka_sasl_ssl, unique_topic)
    working = kafka_sasl_ssl.spark_options(user="iot-app")
    stale = {**working, "kafka.sasl.jaas.config": jaas_config("SCRAM-SHA-512", "iot-app", "password-before-rotation")}

    with spark_driver_log(spark, tmp_path / "driver.log") as driver_log:
        _reproduce(spark, "kafka-sasl-wrong-password", stale, unique_topic, tmp_path,
                   secrets=["password-before-rotation", kafka_sasl_ssl.user("iot-app").password])
    # the driver's own log, as an on-call engineer reads it: WARN and ERROR records with their traces
    log = capture_incident_log("kafka-sasl-wrong-password", "driver-log",
                               distinct_log_records(normalise(driver_log.read_text(), tmp_path)))
    assert "ERROR MicroBatchExecution" in log and "password-before-rotation" not in log
    assert diagnose_text(log).incident_id == "kafka-sasl-wrong-password"

    # Fix: read the current password from the secret store into the job's options, restart on the same checkpoint
    _stream_once(spark, working, unique_topic, tmp_path)
    _assert_every_reading_arrived_once(spark, tmp_path)


@pytest.mark.kafka
def test_wrong_mechanism_is_reproduced_diagnosed_and_fixed(spark, kafka_sasl_ssl, unique_topic, tmp_path):
    _produce_readings(kafka_sasl_ssl, unique_topic)
    working = kafka_sasl_ssl.spark_options(user="iot-app", mechanism="SCRAM-SHA-512")
    # the job was switched to OAuth before the broker's listener offers it
    oauth = {**working, "kafka.sasl.mechanism": "OAUTHBEARER",
             "kafka.sasl.jaas.config": f'{OAUTH_LOGIN_MODULE} required unsecuredLoginStringClaim_sub="iot-app";'}

    _reproduce(spark, "kafka-sasl-wrong-mechanism", oauth, unique_topic, tmp_path)

    # Fix: ask for a mechanism the listener enables (the error lists them), with its matching login module
    _stream_once(spark, working, unique_topic, tmp_path)
    _assert_every_reading_arrived_once(spark, tmp_path)


@pytest.mark.kafka
def test_untrusted_certificate_is_reproduced_diagnosed_and_fixed(spark, kafka_sasl_ssl, unique_topic, tmp_path):
    _produce_readings(kafka_sasl_ssl, unique_topic)
    working = kafka_sasl_ssl.spark_options(user="iot-app")
    other_plant_ca = tmp_path / "plant-b-ca.pem"
    other_plant_ca.write_bytes(generate_ca("Plant B CA").certificate_pem())
    wrong_truststore = {**working, "kafka.ssl.truststore.location": str(other_plant_ca)}

    _reproduce(spark, "kafka-ssl-untrusted-certificate", wrong_truststore, unique_topic, tmp_path)

    # Fix: point the truststore at the CA that signed the broker's certificate
    _stream_once(spark, working, unique_topic, tmp_path)
    _assert_every_reading_arrived_once(spark, tmp_path)


@pytest.mark.kafka
def test_hostname_mismatch_is_reproduced_diagnosed_and_fixed(spark, kafka_broker_factory, unique_topic, tmp_path):
    ca = generate_ca("Plant A CA")
    users = [generated_user("admin"), generated_user("iot-app")]
    # the certificate names the host in the plant's DNS, not the name the broker advertises (localhost)
    wrong_host = issue_certificate(ca, hostnames=["kafka-1.plant-a.example"])
    broker = kafka_broker_factory(BrokerSettings(
        users=users, sasl_mechanisms=("PLAIN",),
        tls_files=write_tls_files(tmp_path / "tls-wrong-host", ca, wrong_host, keystore_password="plant-a-keystore")))
    _produce_readings(broker, unique_topic)

    _reproduce(spark, "kafka-ssl-hostname-mismatch", broker.spark_options(user="iot-app", mechanism="PLAIN"),
               unique_topic, tmp_path)

    # Fix: reissue the broker certificate with the advertised host in its SAN (same CA), restart the broker
    broker.stop()
    reissued = issue_certificate(ca, hostnames=["localhost"], ip_addresses=["127.0.0.1"])
    restarted = kafka_broker_factory(BrokerSettings(
        users=users, sasl_mechanisms=("PLAIN",),
        tls_files=write_tls_files(tmp_path / "tls-reissued", ca, reissued, keystore_password="plant-a-keystore")))
    # the fresh broker stands in for the restarted one: same topic, same readings
    _produce_readings(restarted, unique_topic)
    _stream_once(spark, restarted.spark_options(user="iot-app", mechanism="PLAIN"), unique_topic, tmp_path)
    _assert_every_reading_arrived_once(spark, tmp_path)
