"""Generate data to JSON-lines files, a Delta table or a Kafka topic, and print the fault counts.

Run it::

    python -m catalog_tools.generators sensor-events --rows 10000 --seed 7 --duplicate-rate 0.02 \\
        --to kafka --bootstrap-servers 127.0.0.1:9092 --topic plant.sensor-readings.v1
    python -m catalog_tools.generators sensor-readings --rows 1000 --to delta --path /tmp/readings
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from catalog_tools.generators.faults import FaultCounts, FaultPlan
from catalog_tools.generators.machine_config import machine_config_changes
from catalog_tools.generators.plants import iter_plant_hierarchy
from catalog_tools.generators.production import iter_production_output, iter_test_results
from catalog_tools.generators.sensors import iter_sensor_readings, sensor_event_messages
from catalog_tools.kafka_io import KafkaMessage

DATASETS = ("sensor-events", "sensor-readings", "plant-hierarchy", "machine-config", "test-results",
            "production-output")
FAULT_FLAGS = ("duplicate_rate", "late_rate", "out_of_order_rate", "malformed_rate", "missing_required_rate",
               "out_of_range_rate", "hot_machine_share")


def _json_default(value: Any) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"expected JSON-serializable values, got {type(value).__name__}")


def rows_for(args: argparse.Namespace) -> list[dict[str, Any]]:
    """The rows of every dataset except sensor-events (which are Kafka messages)."""
    if args.dataset == "sensor-readings":
        return list(iter_sensor_readings(args.rows, args.seed, hot_machine_share=args.hot_machine_share))
    if args.dataset == "plant-hierarchy":
        return list(iter_plant_hierarchy())
    if args.dataset == "machine-config":
        return machine_config_changes(args.rows, args.seed, args.out_of_order_changes).rows
    if args.dataset == "test-results":
        return list(iter_test_results(args.rows, args.seed))
    return list(iter_production_output(args.rows, args.seed))


def write_json_lines(path: Path, documents: list[Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for document in documents:
            out.write((document if isinstance(document, str) else json.dumps(document, default=_json_default)) + "\n")


def write_delta(path: Path, args: argparse.Namespace) -> None:
    from catalog_tools.generators import frames
    from catalog_tools.spark import local_spark

    spark = local_spark(path.parent / ".spark-scratch", app_name="generate")
    builders = {
        "sensor-events": lambda: frames.generate_raw_sensor_events(spark, args.rows, args.seed, fault_plan(args))[0],
        "sensor-readings": lambda: frames.generate_sensor_readings(spark, args.rows, args.seed,
                                                                   hot_machine_share=args.hot_machine_share),
        "plant-hierarchy": lambda: frames.generate_plant_hierarchy(spark),
        "machine-config": lambda: frames.generate_machine_config_changes(spark, args.rows, args.seed,
                                                                         args.out_of_order_changes),
        "test-results": lambda: frames.generate_test_results(spark, args.rows, args.seed),
        "production-output": lambda: frames.generate_production_output(spark, args.rows, args.seed),
    }
    builders[args.dataset]().write.format("delta").mode("overwrite").save(str(path))


def fault_plan(args: argparse.Namespace) -> FaultPlan:
    return FaultPlan(**{flag: getattr(args, flag) for flag in FAULT_FLAGS})


def produce(messages: list[KafkaMessage], args: argparse.Namespace) -> None:
    from catalog_tools.kafka_io import produce_messages

    produce_messages(messages, args.topic, {"bootstrap_servers": args.bootstrap_servers})


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m catalog_tools.generators", description=__doc__.splitlines()[0])
    parser.add_argument("dataset", choices=DATASETS)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--to", choices=("json", "delta", "kafka"), default="json")
    parser.add_argument("--path", type=Path, help="output file (json) or table folder (delta)")
    parser.add_argument("--bootstrap-servers", help="PLAINTEXT bootstrap servers (kafka)")
    parser.add_argument("--topic", help="topic name (kafka)")
    parser.add_argument("--out-of-order-changes", type=int, default=0, help="machine-config only")
    for flag in FAULT_FLAGS:
        parser.add_argument(f"--{flag.replace('_', '-')}", type=float, default=0.0)
    args = parser.parse_args(argv)
    if args.to in ("json", "delta") and args.path is None:
        parser.error(f"--to {args.to}: expected --path")
    if args.to == "kafka" and not (args.bootstrap_servers and args.topic):
        parser.error("--to kafka: expected --bootstrap-servers and --topic")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    counts: FaultCounts | None = None
    if args.dataset == "sensor-events":
        batch = sensor_event_messages(args.rows, args.seed, fault_plan(args))
        counts = batch.counts
        if args.to == "kafka":
            produce(batch.messages, args)
        elif args.to == "json":
            write_json_lines(args.path, [m.value.decode("utf-8", errors="replace") for m in batch.messages])
        else:
            write_delta(args.path, args)
        written = len(batch.messages)
    else:
        rows = rows_for(args)
        if args.to == "kafka":
            produce([KafkaMessage(None, json.dumps(r, default=_json_default).encode()) for r in rows], args)
        elif args.to == "json":
            write_json_lines(args.path, rows)
        else:
            write_delta(args.path, args)
        written = len(rows)
    print(json.dumps({"dataset": args.dataset, "written": written, "to": args.to,
                      "fault_counts": counts.as_dict() if counts else None}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
