"""Gates decide what is written: blocked batches write nothing but their results, warned rows pass,
quarantined rows land beside the table with their failed rules; results trend in a Delta table."""
from __future__ import annotations

import pytest
from helpers import NOW, SENSOR_CONTRACT_PATH, machines, reading, readings
from pyspark.sql import functions as F

from plant_data_quality import GateBlockedError, evaluate_contract, load_contract, write_gated_run


@pytest.fixture(scope="module")
def contract():
    return load_contract(SENSOR_CONTRACT_PATH)


def _paths(tmp_path):
    return str(tmp_path / "silver"), str(tmp_path / "quarantine"), str(tmp_path / "results")


def test_without_a_gate_bad_readings_reach_the_table(spark, tmp_path):
    # the incident: nothing checked the batch, so a 999 degree reading is in silver
    silver, _, _ = _paths(tmp_path)
    readings(spark, [reading("e1"), reading("e2", temperature_c=999.0)]).write.format("delta").save(silver)

    assert spark.read.format("delta").load(silver).where("temperature_c > 400").count() == 1


def test_with_the_gate_bad_readings_are_quarantined_and_the_counts_add_up(spark, contract, tmp_path):
    silver, quarantine, results = _paths(tmp_path)
    batch = readings(spark, [reading("e1"), reading("e2", temperature_c=999.0), reading("e3", firmware_version="x")])

    summary = write_gated_run(evaluate_contract(batch, contract, now=NOW, dimensions={"machines": machines(spark)}),
                              silver, quarantine, results)

    written = spark.read.format("delta").load(silver)
    quarantined = spark.read.format("delta").load(quarantine)
    assert sorted(row.event_id for row in written.collect()) == ["e1", "e3"]  # e3 failed a warn rule only
    assert [(r.event_id, r.failed_rules, r.contract) for r in quarantined.collect()] == [
        ("e2", ["temperature_in_range"], "sensor_readings")]
    assert summary.rows_in == 3 == summary.rows_written + summary.rows_quarantined
    assert summary.rows_in == written.count() + quarantined.count()


def test_a_blocking_rule_over_its_threshold_writes_no_row_but_records_why(spark, contract, tmp_path):
    silver, quarantine, results = _paths(tmp_path)
    stale = NOW.replace(year=2025)
    batch = readings(spark, [reading("e1", event_time=stale), reading("e2", event_time=stale), reading("e3")])
    run = evaluate_contract(batch, contract, now=NOW, dimensions={"machines": machines(spark)})

    with pytest.raises(GateBlockedError, match=r"event_fresh: 2 of 3 rows failed \(max 50.0%\)") as blocked:
        write_gated_run(run, silver, quarantine, results)

    assert blocked.value.blocked_rules == ["event_fresh"]
    assert not (tmp_path / "silver").exists() and not (tmp_path / "quarantine").exists()
    outcome = spark.read.format("delta").load(results).where("rule = 'event_fresh'").first()
    assert (outcome.outcome, outcome.failing_rows, outcome.rows_checked) == ("blocked", 2, 3)
    assert run.rows_in == run.rows_passed + run.rows_quarantined  # the split is known even when blocked


def test_drift_against_the_stored_baseline_warns_and_rows_still_pass(spark, contract, tmp_path):
    silver, quarantine, results = _paths(tmp_path)
    hot = [reading(f"e{i}", temperature_c=150.0 + i) for i in range(20)]  # all in the top bin (5 % in baseline)

    run = evaluate_contract(readings(spark, hot), contract, now=NOW, dimensions={"machines": machines(spark)})
    summary = write_gated_run(run, silver, quarantine, results)

    drift = run.result("temperature_drift")
    assert drift.outcome == "warned" and drift.measure > 0.25
    assert summary.rows_written == 20 and summary.rows_quarantined == 0


def test_every_run_appends_one_result_row_per_rule_for_trending(spark, contract, tmp_path):
    silver, quarantine, results = _paths(tmp_path)
    for batch_rows in ([reading("e1")], [reading("e2", status="??"), reading("e3")]):
        run = evaluate_contract(readings(spark, batch_rows), contract, now=NOW,
                                dimensions={"machines": machines(spark)})
        write_gated_run(run, silver, quarantine, results)

    trend = (spark.read.format("delta").load(results).where("rule = 'status_known'")
             .orderBy("rows_checked").select("rows_checked", "failing_rows", "failing_fraction", "outcome"))
    assert [tuple(row) for row in trend.collect()] == [(1, 0, 0.0, "passed"), (2, 1, 0.5, "quarantined")]
    assert spark.read.format("delta").load(results).groupBy("run_id").count().where(
        F.col("count") != len(contract.rules)).count() == 0


def test_an_empty_batch_passes_every_rule_and_writes_nothing_but_its_results(spark, contract, tmp_path):
    silver, quarantine, results = _paths(tmp_path)

    run = evaluate_contract(readings(spark, []), contract, now=NOW, dimensions={"machines": machines(spark)})
    summary = write_gated_run(run, silver, quarantine, results)

    assert {result.outcome for result in run.results} == {"passed"}
    assert (summary.rows_in, summary.rows_written, summary.rows_quarantined) == (0, 0, 0)
