"""Case study 1: a multi-plant line from a secured Kafka topic to a gated gold fact table.

Two plants (BER1, MTY1) publish to one SASL_SSL topic. MTY1's replaced edge gateway tags its
readings with its own machine names, which 03's silver accepts (the records parse and have an id):
without a contract they reach gold. The composed line keys each silver batch with 04's machine
dimension and gates it with 08's contract, so they are quarantined with the rules they failed, and
every record on the topic is in exactly one table.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from chispa import assert_df_equality
from helpers import EXPECTED, LINE_CONTRACT, plant_client_config, produce_shift, shift_messages
from pyspark.sql import functions as F

from iot_streaming_pipeline import PipelinePaths, load_environment_config, silver_settings
from manufacturing_star_schema import lookup_key_as_of
from plant_case_studies import (
    FACT_COLUMNS,
    CaseStudyInputError,
    LedgerMismatchError,
    StarPaths,
    aggregate_gold_from_silver,
    land_in_silver,
    line_ledger,
    load_gated_facts,
    machine_registrations,
    register_machines,
    secured_kafka_stream,
)
from plant_data_quality import load_contract

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def landed(spark, kafka_sasl_ssl, tmp_path_factory):
    """The shift produced over SASL_SSL and drained into 03's bronze and silver, once for this module."""
    root = tmp_path_factory.mktemp("multi-plant")
    config = plant_client_config(kafka_sasl_ssl, root / "secrets")
    topic = f"plant.sensor-readings.v1.{root.name}"
    produced = produce_shift(config, topic, shift_messages())
    medallion = PipelinePaths.under(str(root / "medallion"))
    settings = silver_settings(load_environment_config("dev", overrides={"storage": {"root": medallion.root}}))
    land_in_silver(spark, secured_kafka_stream(spark, config, topic), medallion, settings, "dev")
    return {"root": root, "medallion": medallion, "produced": produced, "config": config}


@pytest.fixture(scope="module")
def gated(spark, landed):
    """The composed line: machines registered (04), silver gated into the fact table (08)."""
    star = StarPaths.under(str(landed["root"] / "star"))
    register_machines(spark, star, machine_registrations(spark))
    load_gated_facts(spark, load_contract(LINE_CONTRACT), landed["medallion"].silver, star)
    return star


def test_without_a_contract_the_bad_plant_batch_reaches_the_gold_table(spark, landed):
    aggregate_gold_from_silver(spark, landed["medallion"])  # 03's gold, fed by silver as it is

    gold = spark.read.format("delta").load(landed["medallion"].gold)
    machines = {r.machine_id for r in gold.select("machine_id").distinct().collect()}
    assert "MTY1-PRESS-07" in machines  # gold now lists five machines, one of them MTY1's gateway tag
    assert gold.where("machine_id = 'MTY1-PRESS-07'").agg(F.sum("event_count")).first()[0] == 3


def test_the_gate_keeps_the_bad_plant_batch_out_of_the_fact_table_and_names_the_rules(spark, gated):
    fact = spark.read.format("delta").load(gated.fact_reading)
    quarantine = spark.read.format("delta").load(gated.fact_quarantine)

    assert fact.where("machine_id = 'MTY1-PRESS-07'").count() == 0
    assert fact.where("machine_sk = -1").count() == 0  # every fact row has its machine's version
    expected = spark.createDataFrame([(f"mty1-gw-e{i}", ["machine_id_format", "machine_known"]) for i in range(3)],
                                     "event_id string, failed_rules array<string>")
    assert_df_equality(quarantine.select("event_id", "failed_rules"), expected,
                       ignore_row_order=True, ignore_nullable=True)


def test_every_record_on_the_topic_is_in_exactly_one_table(spark, landed, gated):
    ledger = line_ledger(spark, landed["medallion"], gated)

    ledger.check(produced=landed["produced"])
    assert {k: ledger.as_dict()[k] for k in ("fact", "contract_quarantine", "parse_quarantine", "duplicates",
                                             "late")} == {k: v for k, v in EXPECTED.items() if k != "produced"}
    assert landed["produced"] == EXPECTED["produced"] == ledger.accounted


def test_fact_rows_carry_the_machine_version_valid_at_the_event_time(spark, gated):
    fact = spark.read.format("delta").load(gated.fact_reading)
    dim = spark.read.format("delta").load(gated.dim_machine).select("machine_id", "machine_sk", "plant_id")

    joined = fact.join(dim.withColumnRenamed("plant_id", "dim_plant_id"), ["machine_id", "machine_sk"])
    assert joined.count() == EXPECTED["fact"]
    assert joined.where("plant_id <> dim_plant_id").count() == 0


def naive_fact_append(spark, dim_path: str, fact_path: str):
    """The obvious loader: key the batch and append it, with nothing that recognises a replayed batch."""
    def append(batch, _batch_id):
        keyed = lookup_key_as_of(batch.select(*FACT_COLUMNS), spark.read.format("delta").load(dim_path),
                                 {"machine_id": "machine_id"}, "event_time", "machine_sk")
        keyed.write.format("delta").mode("append").save(fact_path)
    return append


def lose_last_commit(checkpoint: str) -> None:
    """The state a driver killed after the sink wrote, before the checkpoint recorded the batch, leaves."""
    commits = sorted(Path(checkpoint, "commits").glob("[0-9]*"), key=lambda p: int(p.name))
    commits[-1].unlink()
    commits[-1].with_name(f".{commits[-1].name}.crc").unlink(missing_ok=True)  # its checksum file goes too


def test_a_naive_fact_append_doubles_a_batch_replayed_after_a_restart(spark, landed, gated, tmp_path):
    fact_path, checkpoint = str(tmp_path / "fact"), str(tmp_path / "checkpoint")

    def drain() -> None:
        (spark.readStream.format("delta").load(landed["medallion"].silver).writeStream
         .foreachBatch(naive_fact_append(spark, gated.dim_machine, fact_path))
         .option("checkpointLocation", checkpoint).trigger(availableNow=True).start().awaitTermination())

    drain()
    first = spark.read.format("delta").load(fact_path).count()
    lose_last_commit(checkpoint)
    drain()  # the restart replays the batch whose commit was lost

    fact = spark.read.format("delta").load(fact_path)
    assert fact.count() == 2 * first
    assert fact.groupBy("event_id").count().where("count > 1").count() == first


def test_the_gated_fact_load_writes_a_replayed_batch_once(spark, landed, gated):
    before = line_ledger(spark, landed["medallion"], gated)
    lose_last_commit(gated.fact_checkpoint)

    load_gated_facts(spark, load_contract(LINE_CONTRACT), landed["medallion"].silver, gated)

    after = line_ledger(spark, landed["medallion"], gated)
    assert after == before
    after.check(produced=landed["produced"])


def test_a_ledger_that_does_not_add_up_names_the_stage(spark, landed, gated):
    ledger = line_ledger(spark, landed["medallion"], gated)

    with pytest.raises(LedgerMismatchError, match=r"bronze \(records on the topic\): expected 14 rows, got 13"):
        ledger.check(produced=landed["produced"] + 1)


def test_a_plaintext_client_config_is_refused_before_any_stream_starts(spark, landed):
    plaintext = landed["config"].__class__(("localhost:9092",), "PLAINTEXT")

    with pytest.raises(CaseStudyInputError, match="expected a SASL_SSL client config .* got PLAINTEXT"):
        secured_kafka_stream(spark, plaintext, "plant.sensor-readings.v1")
