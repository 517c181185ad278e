"""Helpers shared by the case-study tests: the plants' client config (01), their events, the line's tables."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, SparkSession

from catalog_tools.kafka_broker import KafkaBroker
from catalog_tools.kafka_io import KafkaMessage, create_topic, produce_messages
from kafka_auth_patterns import FileSecretProvider, KafkaClientConfig, client_config_from_dict, kafka_python_kwargs
from plant_case_studies import reading, shift_records

FOLDER = Path(__file__).resolve().parents[1]
LINE_CONTRACT = FOLDER / "contracts" / "plant_line_readings.yaml"


def plant_client_config(broker: KafkaBroker, secrets_dir: Path, user: str = "iot-app") -> KafkaClientConfig:
    """01's client config for the plants' SASL_SSL listener; the password is read from a secret file."""
    (secrets_dir / "kafka-plants").mkdir(parents=True, exist_ok=True)
    (secrets_dir / "kafka-plants" / f"{user}-password").write_text(broker.user(user).password)
    return client_config_from_dict({
        "bootstrap_servers": [broker.sasl_ssl_bootstrap],
        "security_protocol": "SASL_SSL",
        "client_id": "plant-line-ingest",
        "sasl": {"mechanism": "SCRAM-SHA-512", "username": user,
                 "password": f"{{{{secrets/kafka-plants/{user}-password}}}}"},
        "tls": {"ca_file": str(broker.ca_file)},
    }, FileSecretProvider(secrets_dir))


def shift_messages() -> list[KafkaMessage]:
    """Case study 1's shift (``plant_case_studies.shift_records``) as messages for tools' producer."""
    return [KafkaMessage(key, value) for key, value in shift_records()]


EXPECTED = {"produced": 13, "fact": 8, "contract_quarantine": 3, "parse_quarantine": 1, "duplicates": 1, "late": 0}
"""What :func:`shift_messages` must become: 8 good readings, MTY1's 3, one cut-off record, one re-sent."""


def produce_shift(config: KafkaClientConfig, topic: str, messages: list[KafkaMessage]) -> int:
    """Produce over SASL_SSL with 01's kafka-python arguments (record timestamps: the send time)."""
    kwargs = dict(kafka_python_kwargs(config))
    create_topic(topic, kwargs)
    return produce_messages(messages, topic, kwargs)


def payloads(spark: SparkSession, events: list[dict[str, Any]]) -> DataFrame:
    """Payloads as bronze holds them: one JSON document per row in ``value``."""
    return spark.createDataFrame([(json.dumps(e),) for e in events], "value string")


def firmware_2_batch() -> list[dict[str, Any]]:
    """Both plants before the rollout: vibration is a number."""
    return [reading("fw2-e1", "M-0101", "BER1", "BER1-L1", 5, 61.0),
            reading("fw2-e2", "M-0102", "BER1", "BER1-L1", 10, 62.0),
            reading("fw2-e3", "M-0201", "MTY1", "MTY1-L1", 15, 71.0)]


def firmware_3_batch() -> list[dict[str, Any]]:
    """BER1's CNC on firmware 3.0.0 beside machines still on 2.4.1: vibration as text, a new field."""
    return [reading("fw3-e1", "M-0101", "BER1", "BER1-L1", 65, 61.5),                 # still firmware 2.4.1
            reading("fw3-e2", "M-0102", "BER1", "BER1-L1", 70, 62.5, firmware_version="3.0.0",
                    vibration_mm_s="2.61", spindle_load_pct=41.5),
            reading("fw3-e3", "M-0102", "BER1", "BER1-L1", 75, 62.7, firmware_version="3.0.0",
                    vibration_mm_s="n/a", spindle_load_pct=40.0),                      # sensor still warming up
            reading("fw3-e4", "M-0201", "MTY1", "MTY1-L1", 80, 71.5)]                 # other plant, unchanged


def firmware_3_schema(current: dict[str, Any]) -> dict[str, Any]:
    """The event schema firmware 3.0.0 publishes: vibration as a string, spindle load added."""
    proposed = json.loads(json.dumps(current))
    proposed["properties"]["vibration_mm_s"] = {"type": ["string", "null"]}
    proposed["properties"]["spindle_load_pct"] = {"type": ["number", "null"], "minimum": 0, "maximum": 150}
    return proposed
