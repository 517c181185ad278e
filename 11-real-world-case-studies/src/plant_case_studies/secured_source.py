"""The plants' topic as a Spark stream over SASL_SSL, configured by 01's client config.

One validated :class:`kafka_auth_patterns.KafkaClientConfig` (password resolved by a secret
provider, never printed) gives both the producers' kafka-python arguments (01's
``kafka_python_kwargs``) and Spark's Kafka source options (01's ``spark_kafka_options``).

Example::

    config = client_config_from_dict(document, FileSecretProvider(secrets_dir))
    raw = secured_kafka_stream(spark, config, "plant.sensor-readings.v1")
"""
from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession

from kafka_auth_patterns import KafkaClientConfig, spark_kafka_options
from plant_case_studies.errors import CaseStudyInputError


def secured_kafka_stream(spark: SparkSession, config: KafkaClientConfig, topic: str,
                         starting_offsets: str = "earliest") -> DataFrame:
    """A streaming DataFrame of ``topic`` in Spark's Kafka source layout, read with ``config``.

    ``failOnDataLoss`` stays on: a topic that lost records must stop the stream, not skip them.
    """
    if not topic:
        raise CaseStudyInputError(f"expected a topic name, got {topic!r}")
    if config.security_protocol != "SASL_SSL":
        raise CaseStudyInputError(
            f"expected a SASL_SSL client config for the plants' topic, got {config.security_protocol}")
    return (spark.readStream.format("kafka").options(**spark_kafka_options(config))
            .option("subscribe", topic).option("startingOffsets", starting_offsets)
            .option("failOnDataLoss", "true").load())
