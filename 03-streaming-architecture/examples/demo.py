"""The catalog's main job, end to end on the local stack: Kafka (SASL_SSL) -> bronze -> silver -> gold.

Run it from the repository root::

    make demo
    # or: .venv/bin/python 03-streaming-architecture/examples/demo.py --events 2000

1. start the embedded Kafka broker and produce generated events from six plants over SASL_SSL
   (SCRAM-SHA-512), including malformed, incomplete, out-of-range, duplicate and late events,
   in steady chunks while the pipeline runs;
2. run the three streaming queries (1-second processing-time trigger) until silver has accounted
   for every bronze row and gold for every silver row;
3. print the ledger (produced = bronze = silver + late + quarantine + duplicates removed) and the
   produce-to-silver-visible latency; exit 1 if any count does not add up.

The console shows the demo's own progress (stage, counts so far); Spark's and the broker's logs go
to files whose paths it prints first. The latency is a cold-start figure: the first micro-batches of
a fresh JVM, which compile and JIT their code (a warm pipeline is measured in benchmarks/).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from catalog_tools.generators import FaultPlan, sensor_event_messages
from catalog_tools.kafka_broker import running_broker
from catalog_tools.kafka_io import create_topic, produce_messages
from catalog_tools.spark import local_spark
from catalog_tools.spark_log import spark_log_to_file
from iot_streaming_pipeline.config import kafka_credentials_from_env, load_environment_config
from iot_streaming_pipeline.layout import PipelinePaths
from iot_streaming_pipeline.pipeline import start_pipeline
from iot_streaming_pipeline.silver_ledger import ledger_totals, visibility_latency

TOPIC = "plant.sensor-readings.v1"
FAULTS = FaultPlan(duplicate_rate=0.03, late_rate=0.02, out_of_order_rate=0.03, malformed_rate=0.01,
                   missing_required_rate=0.01, out_of_range_rate=0.01)


def table_count(spark: SparkSession, path: str) -> int:
    return spark.read.format("delta").load(path).count()


def progress(stage: str, message: str) -> None:
    print(f"[{stage:<8}] {message}", flush=True)


def wait_until_settled(spark: SparkSession, paths: PipelinePaths, produced: int, timeout_s: float) -> None:
    """Wait until bronze and silver's tables hold every produced row and gold covers every silver row."""
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        stored = ledger_totals(spark, paths)["rows_in"]
        in_gold = spark.read.format("delta").load(paths.gold).agg(F.sum("event_count")).first()[0] or 0
        bronze, silver = table_count(spark, paths.bronze), table_count(spark, paths.silver)
        if (bronze, stored, silver, in_gold) != last:
            progress("pipeline", f"bronze {bronze:,} of {produced:,}; silver has processed {stored:,} "
                                 f"({silver:,} clean rows); gold covers {in_gold:,} events")
            last = (bronze, stored, silver, in_gold)
        if stored == produced == bronze and in_gold == silver:
            return
        time.sleep(2)
    raise TimeoutError(f"expected the pipeline to settle within {timeout_s:.0f} s, it did not")


def latency_seconds(spark: SparkSession, paths: PipelinePaths) -> dict[str, float]:
    """Produce time (Kafka timestamp) -> the commit of the silver batch that made the row visible."""
    seconds = visibility_latency(spark, paths.silver)
    p50, p95, worst = seconds.agg(*(F.percentile("latency_s", p) for p in (0.5, 0.95)), F.max("latency_s")).first()
    return {"p50": round(p50, 2), "p95": round(p95, 2), "max": round(worst, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--chunks", type=int, default=4, help="produce in this many chunks, 2 s apart")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="iot-demo-"))
    batch = sensor_event_messages(args.events, seed=42, faults=FAULTS, plants=6)
    messages = [m._replace(timestamp_ms=None) for m in batch.messages]  # Kafka timestamp = send time
    spark_log = spark_log_to_file(work / "logs")
    progress("demo", f"work directory {work}")
    progress("demo", f"Spark's log: {spark_log}; broker's log: {work / 'kafka' / 'broker.log'}")

    progress("broker", "starting Kafka with a SASL_SSL listener (SCRAM-SHA-512)")
    with running_broker(work / "kafka") as broker:
        progress("broker", f"ready on {broker.sasl_ssl_bootstrap}")
        progress("spark", "starting a local Spark session with Delta")
        spark = local_spark(work / "spark", app_name="iot-demo")
        config = load_environment_config("dev", overrides={
            "storage": {"root": str(work / "lake")},
            "kafka": {"bootstrap_servers": broker.sasl_ssl_bootstrap, "topic": TOPIC,
                      "security_protocol": "SASL_SSL", "truststore_pem_path": str(broker.ca_file),
                      "max_offsets_per_trigger": 1000},
        })
        credentials = kafka_credentials_from_env(config.kafka, {
            "IOT_KAFKA_USERNAME": "iot-app", "IOT_KAFKA_PASSWORD": broker.user("iot-app").password})
        client = broker.client_config(user="iot-app")
        create_topic(TOPIC, client, partitions=1)
        queries = start_pipeline(spark, config, credentials, trigger_interval="1 second")
        progress("pipeline", f"started {len(queries)} streaming queries: bronze, silver, gold (1 s trigger)")
        produced = 0
        size = -(-len(messages) // args.chunks)
        for chunk, start in enumerate(range(0, len(messages), size), start=1):
            produced += produce_messages(messages[start:start + size], TOPIC, client)
            progress("produce", f"chunk {chunk} of {args.chunks}: {produced:,} of {len(messages):,} events sent "
                                f"over SASL_SSL")
            time.sleep(2)
        paths = PipelinePaths.under(config.storage_root)
        try:
            wait_until_settled(spark, paths, produced, timeout_s=900)
        finally:
            for query in queries:
                query.stop()
        return print_summary(spark, paths, produced, batch.counts.as_dict())


def print_summary(spark: SparkSession, paths: PipelinePaths, produced: int, injected: dict[str, int]) -> int:
    bronze, silver, late, quarantine, duplicates = (table_count(spark, p) for p in (
        paths.bronze, paths.silver, paths.late_events, paths.quarantine, paths.duplicates))
    gold = spark.read.format("delta").load(paths.gold)
    gold_rows, gold_events = gold.agg(F.count("*"), F.sum("event_count")).first()
    plants = sorted(r.plant_id for r in gold.select("plant_id").distinct().collect())
    reasons = {r.quarantine_reason: r["count"] for r in spark.read.format("delta").load(paths.quarantine)
               .groupBy("quarantine_reason").count().collect()}
    checks = {
        "produced == bronze": produced == bronze,
        "bronze == silver + late + quarantine + duplicates removed": bronze == silver + late + quarantine + duplicates,
        "gold event_count total == silver": gold_events == silver,
        "duplicates removed == duplicates injected": duplicates == injected["duplicates"],
        "quarantine == bad records injected": quarantine == injected["bad_records"],
        "late + silver == valid unique events injected": late + silver == injected["valid_unique"],
    }
    latency = latency_seconds(spark, paths)
    print()
    print(f"injected by the generator: {injected}")
    print(f"produced over SASL_SSL      {produced:>7}")
    print(f"bronze                      {bronze:>7}")
    print(f"  silver                    {silver:>7}")
    print(f"  late_events               {late:>7}")
    print(f"  quarantine                {quarantine:>7}  {dict(sorted(reasons.items()))}")
    print(f"  duplicates removed        {duplicates:>7}")
    print(f"gold machine-minute rows    {gold_rows:>7}  ({len(plants)} plants: {', '.join(plants)})")
    print(f"produce -> silver visible   p50 {latency['p50']} s, p95 {latency['p95']} s, max {latency['max']} s")
    print("  (cold start: the first micro-batches of a fresh JVM; a warm pipeline is measured in benchmarks/)")
    for name, ok in checks.items():
        print(f"[{'ok' if ok else 'MISMATCH'}] {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
