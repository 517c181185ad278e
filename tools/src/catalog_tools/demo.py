"""The catalog's demo job until 03-streaming-architecture supplies its own: Kafka -> Spark -> Delta.

1. start the embedded broker with its SASL_SSL listener;
2. produce generated multi-plant sensor events over SASL_SSL (SCRAM-SHA-512);
3. a Spark Structured Streaming query reads the topic over SASL_SSL and lands it in a Delta table;
4. print per-plant counts produced vs landed; exit 1 if any differ.

Run it: ``make demo`` (or ``python -m catalog_tools.demo --events 5000``).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from catalog_tools.generators import sensor_event_messages
from catalog_tools.kafka_broker import KafkaBroker, running_broker
from catalog_tools.kafka_io import create_topic, produce_messages
from catalog_tools.spark import local_spark
from catalog_tools.spark_log import spark_log_to_file

TOPIC = "plant.sensor-readings.v1"
CLIENT_USER = "iot-app"
MECHANISM = "SCRAM-SHA-512"


def land_topic_in_delta(spark: SparkSession, broker: KafkaBroker, table_path: Path, checkpoint: Path) -> None:
    """Read every record of TOPIC over SASL_SSL with a streaming query and append it to Delta."""
    raw = (
        spark.readStream.format("kafka")
        .options(**broker.spark_options(user=CLIENT_USER, mechanism=MECHANISM))
        .option("subscribe", TOPIC)
        .option("startingOffsets", "earliest")
        .load()
    )
    bronze = raw.select(
        F.col("key").cast("string").alias("machine_id"),
        F.col("value").cast("string").alias("payload"),
        "topic", "partition", "offset",
        F.col("timestamp").alias("kafka_timestamp"),
        F.get_json_object(F.col("value").cast("string"), "$.plant_id").alias("plant_id"),
        F.current_timestamp().alias("ingested_at"),
    )
    query = (
        bronze.writeStream.format("delta")
        .option("checkpointLocation", str(checkpoint))
        .trigger(availableNow=True)
        .start(str(table_path))
    )
    query.awaitTermination()


def produced_per_plant(messages: list) -> Counter:
    return Counter(json.loads(message.value)["plant_id"] for message in messages)


def comparison_table(produced: Counter, landed: dict[str, int]) -> str:
    lines = [f"{'plant_id':<14} {'produced':>9} {'in Delta':>9}  match", "-" * 42]
    for plant in sorted(set(produced) | set(landed)):
        match = produced.get(plant, 0) == landed.get(plant, 0)
        lines.append(f"{plant:<14} {produced.get(plant, 0):>9} {landed.get(plant, 0):>9}  {'yes' if match else 'NO'}")
    total_produced, total_landed = sum(produced.values()), sum(landed.values())
    total_match = "yes" if total_produced == total_landed else "NO"
    lines.append(f"{'total':<14} {total_produced:>9} {total_landed:>9}  {total_match}")
    return "\n".join(lines)


@dataclass(frozen=True)
class DemoResult:
    produced: Counter
    landed: dict[str, int]

    @property
    def counts_match(self) -> bool:
        return all(self.produced.get(p, 0) == self.landed.get(p, 0) for p in set(self.produced) | set(self.landed))


def run_demo(spark: SparkSession, broker: KafkaBroker, work_dir: Path, events: int, seed: int) -> DemoResult:
    """Produce ``events`` generated readings over SASL_SSL, land them in Delta, compare per plant."""
    create_topic(TOPIC, broker.client_config(user="admin"), partitions=3)
    batch = sensor_event_messages(events, seed)
    sent = produce_messages(batch.messages, TOPIC, broker.client_config(user=CLIENT_USER, mechanism=MECHANISM))
    print(f"[demo] produced {sent} events over SASL_SSL ({MECHANISM}) to {TOPIC}")
    table = work_dir / "delta" / "bronze_sensor_readings"
    land_topic_in_delta(spark, broker, table, work_dir / "checkpoints" / "bronze")
    landed_rows = spark.read.format("delta").load(str(table)).groupBy("plant_id").count().collect()
    print(f"[demo] Spark landed the topic in Delta at {table}")
    return DemoResult(produced_per_plant(batch.messages), {r["plant_id"]: r["count"] for r in landed_rows})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Kafka (SASL_SSL) -> Spark Structured Streaming -> Delta")
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work-dir", type=Path, help="where broker, tables and checkpoints go (default: temp)")
    args = parser.parse_args(argv)
    work_dir = (args.work_dir or Path(tempfile.mkdtemp(prefix="catalog-demo-"))).resolve()
    started = time.monotonic()
    spark_log = spark_log_to_file(work_dir / "logs")
    print(f"[demo] Spark's log: {spark_log}; broker's log: {work_dir / 'kafka' / 'broker.log'}")
    with running_broker(work_dir / "kafka") as broker:
        print(f"[demo] broker ready in {time.monotonic() - started:.1f}s: SASL_SSL {broker.sasl_ssl_bootstrap}")
        spark = local_spark(work_dir / "spark", app_name="catalog-demo")
        try:
            result = run_demo(spark, broker, work_dir, args.events, args.seed)
        finally:
            spark.stop()
    print("\n" + comparison_table(result.produced, result.landed) + "\n")
    verdict = "counts match" if result.counts_match else "COUNTS DIFFER"
    print(f"[demo] {verdict}; took {time.monotonic() - started:.1f}s")
    return 0 if result.counts_match else 1


if __name__ == "__main__":
    sys.exit(main())
