"""The same contract gates every micro-batch of a stream inside foreachBatch; a replayed batch
writes nothing twice."""
from __future__ import annotations

from helpers import NOW, SENSOR_CONTRACT_PATH, machines, reading, readings

from plant_data_quality import contract_gate_for_each_batch, evaluate_contract, load_contract


def test_each_micro_batch_is_gated_and_every_row_is_accounted_for(spark, tmp_path):
    contract = load_contract(SENSOR_CONTRACT_PATH)
    names = ("bronze", "silver", "quarantine", "results")
    bronze, silver, quarantine, results = (str(tmp_path / name) for name in names)
    for rows in ([reading("a1"), reading("a2", status="melted")],                 # batch 0: one bad row
                 [reading("b1"), reading("b2"), reading("b3", pressure_bar=-3.0)]):  # batch 1: one bad row
        readings(spark, rows).coalesce(1).write.format("delta").mode("append").save(bronze)
    batches = []
    gate = contract_gate_for_each_batch(contract, silver, quarantine, results, app_id="silver-readings",
                                        dimensions={"machines": machines(spark)}, clock=lambda: NOW,
                                        on_batch=lambda batch_id, summary: batches.append((batch_id, summary)))

    query = (spark.readStream.format("delta").option("maxFilesPerTrigger", 1).load(bronze)
             .writeStream.foreachBatch(gate).option("checkpointLocation", str(tmp_path / "checkpoint"))
             .trigger(availableNow=True).start())
    query.awaitTermination()

    assert [(batch_id, s.rows_in, s.rows_written, s.rows_quarantined) for batch_id, s in batches] == [
        (0, 2, 1, 1), (1, 3, 2, 1)]
    written = spark.read.format("delta").load(silver).count()
    quarantined = spark.read.format("delta").load(quarantine)
    assert written + quarantined.count() == 5
    assert sorted(tuple(r) for r in quarantined.select("event_id", "failed_rules").collect()) == [
        ("a2", ["status_known"]), ("b3", ["pressure_in_range"])]


def test_a_replayed_batch_after_a_restart_writes_nothing_twice(spark, tmp_path):
    contract = load_contract(SENSOR_CONTRACT_PATH)
    silver, quarantine, results = (str(tmp_path / name) for name in ("silver", "quarantine", "results"))
    gate = contract_gate_for_each_batch(contract, silver, quarantine, results, app_id="silver-readings",
                                        dimensions={"machines": machines(spark)}, clock=lambda: NOW)
    batch = readings(spark, [reading("c1"), reading("c2", temperature_c=-80.0)])

    gate(batch, 7)
    gate(batch, 7)  # the query died after the commit and re-ran batch 7

    assert spark.read.format("delta").load(silver).count() == 1
    assert spark.read.format("delta").load(quarantine).count() == 1
    run = evaluate_contract(batch, contract, now=NOW, dimensions={"machines": machines(spark)})
    assert run.rows_in == 2 == run.rows_passed + run.rows_quarantined
