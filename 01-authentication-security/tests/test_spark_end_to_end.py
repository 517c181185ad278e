"""Spark reads a topic over SASL_SSL with SCRAM-SHA-512, using the builder's options, into Delta.

The user's password holds quotes, a backslash, a semicolon, '=' and spaces: a hand-built JAAS
string breaks on it (reproduced first), the builder's escaped one authenticates.
"""
from __future__ import annotations

import pytest
from chispa import assert_df_equality

from kafka_auth_patterns.dialects import kafka_python_kwargs, spark_kafka_options
from kafka_auth_patterns.spark_ingest import SparkKafkaOptionsError, kafka_topic_to_delta, read_kafka_topic
from tests.helpers import READINGS, TRICKY_PASSWORD, TRICKY_USER, broker_config


def test_hand_built_jaas_string_breaks_on_the_password(spark, secured_broker, tricky_user_topic):
    config = broker_config(secured_broker, user=TRICKY_USER, password=TRICKY_PASSWORD)
    naive = dict(spark_kafka_options(config))
    naive["kafka.sasl.jaas.config"] = (  # what people write by hand: the password pasted between quotes
        'org.apache.kafka.common.security.scram.ScramLoginModule required '
        f'username="{TRICKY_USER}" password="{TRICKY_PASSWORD}";'
    )

    with pytest.raises(Exception) as raised:
        (spark.read.format("kafka").options(**naive).option("subscribe", tricky_user_topic)
         .option("kafka.request.timeout.ms", "5000").option("kafka.default.api.timeout.ms", "5000").load().collect())

    # The quote before A ends the quoted password early; the Java client then reads A as a key.
    assert "Value not specified for key 'A' in JAAS config" in str(raised.value), str(raised.value)[:3000]


def test_spark_streams_the_topic_into_delta_over_sasl_ssl_scram_512(
        spark, secured_broker, tricky_user_topic, delta_path, tmp_path):
    config = broker_config(secured_broker, user=TRICKY_USER, password=TRICKY_PASSWORD)

    query = kafka_topic_to_delta(spark, spark_kafka_options(config), tricky_user_topic, delta_path,
                                 str(tmp_path / "checkpoint"), available_now=True)
    query.awaitTermination(180)

    assert query.exception() is None
    landed = spark.read.format("delta").load(delta_path).select("key", "value", "topic", "offset")
    expected = spark.createDataFrame(
        [(m.key.decode(), m.value.decode(), tricky_user_topic, offset) for offset, m in enumerate(READINGS)],
        "key string, value string, topic string, offset long",
    )
    assert_df_equality(landed, expected, ignore_row_order=True, ignore_nullable=True)
    assert kafka_python_kwargs(config)["security_protocol"] == "SASL_SSL"


def test_spark_source_checks_its_options_first(spark):
    with pytest.raises(SparkKafkaOptionsError, match=r"missing \['kafka.security.protocol'\]"):
        read_kafka_topic(spark, {"kafka.bootstrap.servers": "localhost:9093"}, "t")
    with pytest.raises(SparkKafkaOptionsError, match="expected kafka.sasl.jaas.config"):
        read_kafka_topic(spark, {"kafka.bootstrap.servers": "h:1", "kafka.security.protocol": "SASL_SSL"}, "t")
