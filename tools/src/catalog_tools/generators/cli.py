"""Generate a dataset to a JSON-lines file, a Delta table or a Kafka topic; print what was written.

The last line on stdout is one JSON object: dataset, seed, rows written, target and, for
``sensor-events``, the exact fault counts (for ``machine-config``, the out-of-order count).

Run it::

    python -m catalog_tools.generators sensor-events --rows 10000 --seed 7 --duplicate-rate 0.02 \\
        --to kafka --bootstrap-servers 127.0.0.1:9092 --topic plant.sensor-readings.v1
    python -m catalog_tools.generators sensor-readings --rows 1000 --to delta --path /tmp/readings
    python -m catalog_tools.generators plant-hierarchy --seed 1 --to json --path /tmp/plants.jsonl
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from catalog_tools.generators.common import (
    DEFAULT_START,
    InvalidGeneratorArgumentError,
    epoch_ms,
    format_timestamp,
    parse_timestamp,
    to_json_document,
)
from catalog_tools.generators.events import encode_event, raw_event_rows, sensor_event_messages
from catalog_tools.generators.faults import RATE_TO_COUNT, FaultPlan
from catalog_tools.generators.inspection import iter_test_results
from catalog_tools.generators.machine_config import machine_config_changes
from catalog_tools.generators.plants import iter_plant_hierarchy
from catalog_tools.generators.production import iter_production_output
from catalog_tools.generators.sensors import iter_sensor_readings
from catalog_tools.kafka_io import KafkaMessage

DATASETS = ("sensor-events", "sensor-readings", "plant-hierarchy", "machine-config",
            "test-results", "production-output")
# the column a Kafka record's timestamp comes from, per dataset
TIME_COLUMN = {"sensor-readings": "event_time", "machine-config": "changed_at",
               "test-results": "tested_at", "production-output": "produced_at"}
COUNT_FLAG = {"malformed_json": "malformed"}  # --malformed N reads better than --malformed-json N


def _flag(name: str) -> str:
    return "--" + COUNT_FLAG.get(name, name).replace("_", "-")


def _timestamp(text: str) -> dt.datetime:
    moment = parse_timestamp(text)
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"expected a UTC time such as 2026-01-05T06:00:00Z, got {text!r}"
        )
    return moment


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--seed", type=int, default=42)
    common.add_argument("--plants", type=int, default=4, help="1-6 plants, one time zone each")
    common.add_argument("--to", choices=("json", "delta", "kafka"), default="json")
    common.add_argument("--path", type=Path, help="output file (json) or table folder (delta)")
    common.add_argument("--bootstrap-servers", help="PLAINTEXT bootstrap servers (kafka)")
    common.add_argument("--topic", help="topic name (kafka)")
    sized = argparse.ArgumentParser(add_help=False, parents=[common])
    sized.add_argument("--rows", type=int, default=1000)
    sized.add_argument("--start", type=_timestamp, default=DEFAULT_START,
                       help=f"first generated time (default {format_timestamp(DEFAULT_START)})")

    parser = argparse.ArgumentParser(prog="python -m catalog_tools.generators",
                                     description=__doc__.splitlines()[0])
    datasets = parser.add_subparsers(dest="dataset", required=True,
                                     metavar="{" + ",".join(DATASETS) + "}")
    events = datasets.add_parser("sensor-events", parents=[sized],
                                 help="sensor events as Kafka messages, with exact faults")
    events.add_argument("--interval-ms", type=int, default=200)
    for rate_name, count_name in RATE_TO_COUNT.items():
        knob = events.add_mutually_exclusive_group()
        knob.add_argument(f"--{rate_name.replace('_', '-')}", dest=rate_name, type=float,
                          default=0.0, help="rate of --rows")
        knob.add_argument(_flag(count_name), dest=count_name, type=int, default=None,
                          help="exact count")
    events.add_argument("--hot-machines", type=int, default=2)
    events.add_argument("--allowed-lateness-s", type=int, default=600)
    readings = datasets.add_parser("sensor-readings", parents=[sized], help="valid sensor readings")
    readings.add_argument("--interval-ms", type=int, default=200)
    readings.add_argument("--hot-machine-share", type=float, default=0.0)
    readings.add_argument("--hot-machines", type=int, default=2)
    hierarchy = datasets.add_parser("plant-hierarchy", parents=[common],
                                    help="division > site > plant > line > machine")
    hierarchy.add_argument("--lines-per-plant", type=int, default=2)
    hierarchy.add_argument("--machines-per-line", type=int, default=3)
    config = datasets.add_parser("machine-config", parents=[sized],
                                 help="SCD2 source: configuration changes")
    config.add_argument("--out-of-order-changes", type=int, default=0)
    config.add_argument("--history-days", type=int, default=90)
    datasets.add_parser("test-results", parents=[sized], help="end-of-line test results")
    datasets.add_parser("production-output", parents=[sized], help="output per machine and shift")
    return parser


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.to in ("json", "delta") and args.path is None:
        parser.error(f"--to {args.to}: expected --path")
    if args.to == "kafka" and not (args.bootstrap_servers and args.topic):
        parser.error("--to kafka: expected --bootstrap-servers and --topic")
    return args


def fault_plan(args: argparse.Namespace) -> FaultPlan:
    knobs = {name: getattr(args, name) for pair in RATE_TO_COUNT.items() for name in pair}
    return FaultPlan(**knobs, hot_machines=args.hot_machines,
                     allowed_lateness_s=args.allowed_lateness_s)


def dataset_rows(args: argparse.Namespace) -> list[dict[str, Any]]:
    """The rows of every dataset except ``sensor-events`` (which are Kafka messages)."""
    if args.dataset == "sensor-readings":
        return list(iter_sensor_readings(args.rows, args.seed, args.start, args.interval_ms,
                                         args.plants, args.hot_machine_share, args.hot_machines))
    if args.dataset == "plant-hierarchy":
        return list(iter_plant_hierarchy(args.seed, args.plants, args.lines_per_plant,
                                         args.machines_per_line))
    if args.dataset == "machine-config":
        return machine_config_changes(args.rows, args.seed, args.out_of_order_changes, args.start,
                                      args.plants, args.history_days).rows
    if args.dataset == "test-results":
        return list(iter_test_results(args.rows, args.seed, args.start, args.plants))
    return list(iter_production_output(args.rows, args.seed, args.start, args.plants))


def row_messages(dataset: str, rows: list[dict[str, Any]]) -> list[KafkaMessage]:
    """Rows as Kafka messages: key = machine id, value = JSON, timestamp = the row's time column."""
    time_column = TIME_COLUMN.get(dataset)
    return [
        KafkaMessage(
            row["machine_id"].encode("utf-8"),
            encode_event(to_json_document(row)),
            epoch_ms(row[time_column]) if time_column else None,
        )
        for row in rows
    ]


def write_json_lines(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def write_delta(path: Path, dataset: str, rows: list[dict[str, Any]]) -> None:
    """Overwrite the Delta table at ``path`` with ``rows`` in the dataset's schema.

    Uses the active SparkSession when there is one (tests, notebooks); otherwise starts a local
    one with its scratch files in a temporary folder and stops it afterwards.
    """
    from pyspark.sql import SparkSession

    from catalog_tools.generators.frames import SCHEMAS, rows_to_frame
    from catalog_tools.spark import local_spark

    active = SparkSession.getActiveSession()
    with tempfile.TemporaryDirectory(prefix="catalog-generators-") as scratch:
        spark = active or local_spark(scratch, app_name=f"generate-{dataset}")
        try:
            frame = rows_to_frame(spark, rows, SCHEMAS[dataset])
            frame.write.format("delta").mode("overwrite").save(str(path))
        finally:
            if active is None:
                spark.stop()


def produce(messages: list[KafkaMessage], args: argparse.Namespace) -> int:
    from catalog_tools.kafka_io import produce_messages

    return produce_messages(messages, args.topic, {"bootstrap_servers": args.bootstrap_servers})


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Generate and write one dataset; return the summary that :func:`main` prints."""
    summary: dict[str, Any] = {"dataset": args.dataset, "seed": args.seed, "to": args.to,
                               "target": args.topic if args.to == "kafka" else str(args.path)}
    if args.dataset == "sensor-events":
        batch = sensor_event_messages(args.rows, args.seed, fault_plan(args), args.start,
                                      args.interval_ms, args.plants)
        messages = batch.messages
        lines = [message.value.decode("utf-8") for message in messages]
        rows = list(raw_event_rows(messages)) if args.to == "delta" else []
        summary["fault_counts"] = batch.counts.as_dict()
        summary["hot_machine_ids"] = list(batch.hot_machine_ids)
    else:
        rows = dataset_rows(args)
        messages = row_messages(args.dataset, rows) if args.to == "kafka" else []
        lines = [json.dumps(to_json_document(row), separators=(",", ":")) for row in rows]
        if args.dataset == "machine-config":
            summary["fault_counts"] = {"out_of_order_changes": args.out_of_order_changes}
    if args.to == "kafka":
        produce(messages, args)
    elif args.to == "json":
        write_json_lines(args.path, lines)
    else:
        write_delta(args.path, args.dataset, rows)
    summary["written"] = len(lines)
    return summary


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv``, write the dataset, print the summary JSON; 2 on invalid arguments."""
    args = parse_args(argv)
    try:
        summary = run(args)
    except InvalidGeneratorArgumentError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
