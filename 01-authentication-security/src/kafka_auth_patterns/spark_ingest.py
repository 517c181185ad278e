"""Read a Kafka topic with Spark Structured Streaming over SASL_SSL and land the records in Delta.

The options come from :func:`kafka_auth_patterns.dialects.spark_kafka_options`; SparkSession and
paths are passed in, nothing runs at import.

Example::

    >>> options = spark_kafka_options(load_client_config("client.yaml", provider))  # doctest: +SKIP
    >>> query = kafka_topic_to_delta(spark, options, "plant.sensor-readings.v1", table, checkpoint)  # doctest: +SKIP
    >>> query.awaitTermination()  # doctest: +SKIP
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

REQUIRED_OPTIONS = ("kafka.bootstrap.servers", "kafka.security.protocol")


class SparkKafkaOptionsError(ValueError):
    """The options miss what Spark's Kafka source needs (the message never shows values)."""


def read_kafka_topic(spark: Any, options: Mapping[str, str], topic: str, starting_offsets: str = "earliest") -> Any:
    """Return a streaming DataFrame of ``topic`` with key and value as strings plus Kafka coordinates.

    Example::

        >>> read_kafka_topic(spark, options, "plant.sensor-readings.v1").columns  # doctest: +SKIP
        ['key', 'value', 'topic', 'partition', 'offset', 'timestamp']
    """
    missing = [name for name in REQUIRED_OPTIONS if not options.get(name)]
    if missing:
        raise SparkKafkaOptionsError(f"expected options {list(REQUIRED_OPTIONS)}, missing {missing}")
    if str(options["kafka.security.protocol"]).startswith("SASL") and "kafka.sasl.jaas.config" not in options:
        raise SparkKafkaOptionsError("expected kafka.sasl.jaas.config with a SASL security protocol, got none")
    if not topic:
        raise SparkKafkaOptionsError("expected a topic name, got an empty one")
    return (
        spark.readStream.format("kafka")
        .options(**dict(options))
        .option("subscribe", topic)
        .option("startingOffsets", starting_offsets)
        .load()
        .selectExpr(
            "CAST(key AS STRING) AS key", "CAST(value AS STRING) AS value",
            "topic", "partition", "offset", "timestamp",
        )
    )


def kafka_topic_to_delta(
    spark: Any,
    options: Mapping[str, str],
    topic: str,
    delta_path: str,
    checkpoint_path: str,
    available_now: bool = False,
) -> Any:
    """Start a stream from ``topic`` into the Delta table at ``delta_path``; return the StreamingQuery.

    ``available_now=True`` reads what is there and stops (a scheduled job); otherwise it runs on.

    Example::

        >>> kafka_topic_to_delta(spark, options, "t", "/lake/bronze/t", "/lake/_chk/t", True)  # doctest: +SKIP
    """
    if not delta_path or not checkpoint_path:
        raise SparkKafkaOptionsError(
            f"expected a delta_path and a checkpoint_path, got {delta_path!r}, {checkpoint_path!r}"
        )
    writer = (
        read_kafka_topic(spark, options, topic)
        .writeStream.format("delta")
        .option("checkpointLocation", checkpoint_path)
        .outputMode("append")
    )
    writer = writer.trigger(availableNow=True) if available_now else writer
    return writer.start(delta_path)
