"""The long-running streaming job: Kafka -> bronze -> silver -> gold until stopped (or killed).

Run it against any broker (dev = PLAINTEXT; ``--environment qa|prod`` = SASL_SSL with the user and
password read from IOT_KAFKA_USERNAME / IOT_KAFKA_PASSWORD)::

    .venv/bin/python 03-streaming-architecture/examples/streaming_driver.py \\
        --bootstrap 127.0.0.1:9092 --topic plant.sensor-readings.v1 --root /tmp/iot-lake

``--drain`` runs every layer with ``availableNow`` and exits (catch-up after a crash). Every
finished micro-batch is printed as one JSON line, which is what tests/test_exactly_once.py waits
for before it kills this process with SIGKILL.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

from catalog_tools.spark import local_spark
from iot_streaming_pipeline.config import kafka_credentials_from_env, load_environment_config
from iot_streaming_pipeline.layout import PipelinePaths
from iot_streaming_pipeline.monitoring import BatchMetricsListener, flush_metrics
from iot_streaming_pipeline.pipeline import drain_pipeline, start_pipeline


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--environment", default="dev", choices=["dev", "qa", "prod"],
                        help="packaged config; SASL credentials come from the env vars it names")
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--root", required=True, help="storage root for tables and checkpoints")
    parser.add_argument("--max-offsets-per-trigger", type=int, default=1000)
    parser.add_argument("--trigger", default="1 second")
    parser.add_argument("--drain", action="store_true", help="availableNow for every layer, then exit")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(stream=sys.stdout, level=logging.WARNING, format="%(message)s")
    logging.getLogger("iot_streaming_pipeline").setLevel(logging.INFO)
    config = load_environment_config(args.environment, overrides={
        "storage": {"root": args.root},
        "kafka": {"bootstrap_servers": args.bootstrap, "topic": args.topic,
                  "max_offsets_per_trigger": args.max_offsets_per_trigger},
    })
    credentials = kafka_credentials_from_env(config.kafka, os.environ)
    spark = local_spark(Path(args.root) / "spark-driver", app_name="iot-streaming-driver")
    listener = BatchMetricsListener()
    spark.streams.addListener(listener)
    metrics_path = PipelinePaths.under(config.storage_root).stream_metrics
    if args.drain:
        drain_pipeline(spark, config, credentials)
        time.sleep(1)  # the listener's last callbacks arrive asynchronously
        flush_metrics(spark, listener, metrics_path)
        print(json.dumps({"event": "drained"}), flush=True)
        return 0
    queries = start_pipeline(spark, config, credentials, trigger_interval=args.trigger)
    print(json.dumps({"event": "started", "queries": [q.name for q in queries]}), flush=True)
    while all(q.isActive for q in queries):
        time.sleep(1)
        flush_metrics(spark, listener, metrics_path)
    failed = [q.name for q in queries if q.exception() is not None]
    print(json.dumps({"event": "stopped", "failed": failed}), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
