"""Case study 1 on the local stack: two plants -> SASL_SSL topic -> 03's silver -> 08's gate -> 04's star schema.

Run from the folder (after `make setup` at the repo root)::

    python examples/run_case_study_multi_plant.py

Starts a broker with a SASL_SSL listener and a local Spark session (tools), produces one shift of
both plants with 01's client config (MTY1's replaced gateway sends three readings under its own
machine tag), lands them in bronze and silver, then shows the incident (03's gold, fed by silver
as it is, counts the gateway tag as a machine) and the composed fix (the fact table keyed by 04's
dimension and gated by 08's contract), and prints where every record went. Everything is written
under a temporary folder and removed at the end. Exits non-zero if the ledger does not add up.
"""
from __future__ import annotations

import logging
import sys
import tempfile
from pathlib import Path

from pyspark.sql import SparkSession

from catalog_tools.kafka_broker import KafkaBroker, running_broker
from catalog_tools.kafka_io import KafkaMessage, create_topic, produce_messages
from catalog_tools.spark import local_spark
from iot_streaming_pipeline import PipelinePaths, load_environment_config, silver_settings
from kafka_auth_patterns import FileSecretProvider, client_config_from_dict, kafka_python_kwargs
from plant_case_studies import (
    LedgerMismatchError,
    StarPaths,
    aggregate_gold_from_silver,
    land_in_silver,
    line_ledger,
    load_gated_facts,
    machine_registrations,
    register_machines,
    secured_kafka_stream,
    shift_records,
)
from plant_data_quality import load_contract

FOLDER = Path(__file__).resolve().parents[1]
TOPIC = "plant.sensor-readings.v1"


def say(step: str, text: str) -> None:
    print(f"[{step:<8}] {text}", flush=True)


def run_case_study(spark: SparkSession, broker: KafkaBroker, work: Path, topic: str = TOPIC) -> int:
    """Produce the shift to ``broker``, run the line on ``spark`` under ``work``, print it; 0 if the ledger adds up."""
    secrets = work / "secrets" / "kafka-plants"
    secrets.mkdir(parents=True)
    (secrets / "iot-app-password").write_text(broker.user("iot-app").password)
    config = client_config_from_dict({
        "bootstrap_servers": [broker.sasl_ssl_bootstrap], "security_protocol": "SASL_SSL",
        "sasl": {"mechanism": "SCRAM-SHA-512", "username": "iot-app",
                 "password": "{{secrets/kafka-plants/iot-app-password}}"},
        "tls": {"ca_file": str(broker.ca_file)},
    }, FileSecretProvider(work / "secrets"))
    producer_config = dict(kafka_python_kwargs(config))
    create_topic(topic, producer_config)
    produced = produce_messages([KafkaMessage(key, value) for key, value in shift_records()], topic,
                                producer_config)
    say("produce", f"{produced} records from BER1 and MTY1 over SASL_SSL as iot-app")

    medallion = PipelinePaths.under(str(work / "lake" / "medallion"))
    settings = silver_settings(load_environment_config("dev", overrides={"storage": {"root": medallion.root}}))
    land_in_silver(spark, secured_kafka_stream(spark, config, topic), medallion, settings, "dev")
    say("silver", "03's bronze and silver drained")

    aggregate_gold_from_silver(spark, medallion)
    gold = spark.read.format("delta").load(medallion.gold).where("plant_id = 'MTY1'")
    machines = sorted(r.machine_id for r in gold.select("machine_id").distinct().collect())
    say("incident", f"03's gold without a contract: MTY1 machines {machines}")

    star = StarPaths.under(str(work / "lake" / "star"))
    register_machines(spark, star, machine_registrations(spark))
    load_gated_facts(spark, load_contract(FOLDER / "contracts" / "plant_line_readings.yaml"), medallion.silver, star)
    fact = spark.read.format("delta").load(star.fact_reading).where("plant_id = 'MTY1'")
    fixed = sorted(r.machine_id for r in fact.select("machine_id").distinct().collect())
    say("fixed", f"gated fact table: MTY1 machines {fixed}")
    for row in (spark.read.format("delta").load(star.fact_quarantine)
                .select("event_id", "machine_id", "failed_rules").orderBy("event_id").collect()):
        say("quarant.", f"{row.event_id} {row.machine_id} failed {list(row.failed_rules)}")

    ledger = line_ledger(spark, medallion, star)
    print()
    for name, count in ledger.as_dict().items():
        print(f"{name:<22}{count:>5}")
    try:
        ledger.check(produced=produced)
    except LedgerMismatchError as error:
        print(f"[FAIL] {error}")
        return 1
    print(f"[ok] {produced} on the topic = {ledger.fact} fact + {ledger.contract_quarantine} contract "
          f"quarantine + {ledger.parse_quarantine} parse quarantine + {ledger.duplicates} duplicates "
          f"+ {ledger.late} late")
    return 0


def main() -> int:
    logging.getLogger("py4j").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="case-study-1-") as tmp:
        work = Path(tmp)
        say("broker", "starting Kafka with a SASL_SSL listener (SCRAM-SHA-512)")
        with running_broker(work / "kafka") as broker:
            spark = local_spark(work / "spark", app_name="case-study-multi-plant", shuffle_partitions=1)
            spark.sparkContext.setLogLevel("ERROR")
            return run_case_study(spark, broker, work)


if __name__ == "__main__":
    sys.exit(main())
