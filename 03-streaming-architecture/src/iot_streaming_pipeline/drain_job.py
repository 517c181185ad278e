"""Job entry point ``iot-streaming-drain``: drain Kafka -> bronze -> silver -> gold once with ``availableNow``.

A scheduled ``python_wheel_task`` runs it on the cluster's session (``SparkSession.builder.getOrCreate()``):
each run reads what arrived since the last one, writes every layer, and exits, so the cluster is not paid
for between runs. Parameters come from argv; the packaged ``--environment`` config supplies everything
else, and for SASL_SSL the user and password come from the environment variables it names (on
Databricks, ``spark_env_vars`` set from a secret scope).

Example::

    iot-streaming-drain --environment dev --bootstrap kafka-dev.plant.internal:9092 \\
        --topic plant.sensor-readings.v1 --root /Volumes/iot_dev/manufacturing/lake/streaming
    # streaming drain (dev): bronze <rows>, silver <rows>, quarantine <rows>, late_events <rows>, ...
"""
from __future__ import annotations

import argparse
import os

from pyspark.sql import SparkSession

from iot_streaming_pipeline.config import ENVIRONMENTS, kafka_credentials_from_env, load_environment_config
from iot_streaming_pipeline.layout import PipelinePaths
from iot_streaming_pipeline.pipeline import drain_pipeline

COUNTED_TABLES = ("bronze", "silver", "quarantine", "late_events", "duplicates", "gold_machine_minute")


def _not_empty(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError(f"expected a value, found {value!r}")
    return value


def _positive_int(value: str) -> int:
    number = int(value) if value.isdigit() else 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, found {value!r}")
    return number


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """The bundle's parameters; a missing or malformed one is an argparse error (exit 2) naming the option."""
    parser = argparse.ArgumentParser(prog="iot-streaming-drain", description=__doc__.splitlines()[0])
    parser.add_argument("--environment", choices=ENVIRONMENTS, default="dev", help="packaged config to start from")
    parser.add_argument("--bootstrap", type=_not_empty, required=True, help="Kafka bootstrap servers")
    parser.add_argument("--topic", type=_not_empty, required=True, help="the sensor topic")
    parser.add_argument("--root", type=_not_empty, required=True, help="storage root for tables and checkpoints")
    parser.add_argument("--max-offsets-per-trigger", type=_positive_int, help="default: the environment's config")
    return parser.parse_args(argv)


def table_counts(spark: SparkSession, root: str) -> dict[str, int]:
    """Rows in each medallion table under ``root`` (the summary the job prints).

    Example::

        >>> table_counts(spark, "/Volumes/iot_dev/manufacturing/lake/streaming")["bronze"]  # doctest: +SKIP
    """
    paths = PipelinePaths.under(root)
    return {name: spark.read.format("delta").load(paths.table(name)).count() for name in COUNTED_TABLES}


def main(argv: list[str] | None = None) -> int:
    """Entry point: parameters from ``argv`` (``sys.argv[1:]`` when None), the cluster's session, one line."""
    args = parse_arguments(argv)
    kafka = {"bootstrap_servers": args.bootstrap, "topic": args.topic}
    if args.max_offsets_per_trigger:
        kafka["max_offsets_per_trigger"] = args.max_offsets_per_trigger
    config = load_environment_config(args.environment, overrides={"storage": {"root": args.root}, "kafka": kafka})
    credentials = kafka_credentials_from_env(config.kafka, os.environ)
    spark = SparkSession.builder.getOrCreate()
    drain_pipeline(spark, config, credentials)
    counts = ", ".join(f"{name} {rows}" for name, rows in table_counts(spark, config.storage_root).items())
    print(f"streaming drain ({config.environment}): {counts}", flush=True)
    return 0
