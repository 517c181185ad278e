"""Every rule of a contract is evaluated in one pass; each failing row is quarantined with the names
of the rules it failed, and rows in = rows passed + rows quarantined."""
from __future__ import annotations

import datetime as dt

import pytest
from chispa import assert_df_equality
from helpers import NOW, SENSOR_CONTRACT_PATH, count_spark_jobs, machines, minutes, reading, readings
from pyspark.sql import functions as F

from plant_data_quality import (
    FAILED_RULES_COLUMN,
    ContractSchemaError,
    MissingDimensionError,
    contract_from_document,
    evaluate_contract,
    load_contract,
)
from plant_data_quality.evaluation import counting_metrics
from plant_data_quality.rule_checks import HELPER_PREFIX


@pytest.fixture(scope="module")
def contract():
    return load_contract(SENSOR_CONTRACT_PATH)


@pytest.fixture(scope="module")
def batch(spark):
    return readings(spark, [
        reading("e1"),                                          # clean
        reading("e2", temperature_c=999.0),                     # temperature_in_range
        reading("e3", vibration_mm_s=-1.0, pressure_bar=401.0),  # two rules at once
        reading("e4", status="exploded"),                       # status_known
        reading("e5", machine_id="M-9999"),                     # machine_known (format is fine)
        reading("e6", machine_id="press-7"),                    # machine_id_format and machine_known
        reading("e7", firmware_version="beta"),                 # firmware_version_format: warn only
        reading("e8"), reading("e8"),                           # event_id_unique: both copies
        reading("e9", ingested_at=minutes(-5)),                 # ingested_after_event
        reading(None),                                          # event_id_not_null
        reading("e11", temperature_c=None),                     # null: only completeness counts it
        reading("e12", event_time=NOW - dt.timedelta(days=8), ingested_at=NOW),  # event_fresh (block, 50 %)
    ])


def test_each_rule_counts_its_failing_rows_and_shows_a_sample(spark, contract, batch):
    run = evaluate_contract(batch, contract, now=NOW, dimensions={"machines": machines(spark)})

    failing = {result.rule: result.failing_rows for result in run.results}
    assert failing == {
        "event_id_not_null": 1, "machine_id_not_null": 0, "event_time_not_null": 0,
        "temperature_in_range": 1, "vibration_in_range": 1, "pressure_in_range": 1, "status_known": 1,
        "machine_id_format": 1, "firmware_version_format": 1, "event_id_unique": 2, "machine_known": 2,
        "event_fresh": 1, "ingested_after_event": 1, "temperature_complete": 1, "temperature_drift": 0,
    }
    assert run.result("temperature_in_range").sample_values == ("999.0",)
    assert run.result("machine_known").sample_values == ("M-9999", "press-7")
    assert run.result("ingested_after_event").sample_values == ("2026-03-02 08:00:00 | 2026-03-02 07:55:00",)


def test_failing_rows_are_quarantined_with_the_names_of_every_rule_they_failed(spark, contract, batch):
    run = evaluate_contract(batch, contract, now=NOW, dimensions={"machines": machines(spark)})

    quarantined = run.quarantined_rows.select("event_id", F.array_sort(FAILED_RULES_COLUMN).alias("rules"))
    expected = spark.createDataFrame([
        ("e2", ["temperature_in_range"]),
        ("e3", ["pressure_in_range", "vibration_in_range"]),
        ("e4", ["status_known"]),
        ("e5", ["machine_known"]),
        ("e6", ["machine_id_format", "machine_known"]),
        ("e8", ["event_id_unique"]), ("e8", ["event_id_unique"]),
        ("e9", ["ingested_after_event"]),
        (None, ["event_id_not_null"]),
        ("e12", ["event_fresh"]),
    ], "event_id string, rules array<string>")
    assert_df_equality(quarantined, expected, ignore_row_order=True, ignore_nullable=True)
    assert sorted(row.event_id for row in run.passed_rows.collect()) == ["e1", "e11", "e7"]
    assert run.rows_in == 13 == run.rows_passed + run.rows_quarantined
    assert (run.rows_passed, run.rows_quarantined) == (run.passed_rows.count(), run.quarantined_rows.count())


def test_gates_turn_failures_into_outcomes(spark, contract, batch):
    run = evaluate_contract(batch, contract, now=NOW, dimensions={"machines": machines(spark)})

    outcomes = {result.rule: result.outcome for result in run.results}
    assert outcomes["temperature_in_range"] == "quarantined"
    assert outcomes["firmware_version_format"] == "warned"
    assert outcomes["event_fresh"] == "passed"  # 1 of 13 stale, threshold 50 %: row quarantined, no block
    assert outcomes["temperature_complete"] == "passed"  # 12 of 13 present >= 90 %
    assert run.result("temperature_complete").measure == pytest.approx(12 / 13)
    assert not run.blocked


def _row_rules_only(count: int) -> dict:
    """A contract of ``count`` row rules on one numeric column: no shuffle, no join."""
    return {"contract": "row_rules", "version": 1, "columns": [{"name": "value", "type": "bigint"},
                                                               {"name": "code", "type": "string"}],
            "rules": [{"name": f"value_below_{limit}", "kind": "range", "column": "value", "max": limit}
                      for limit in range(1000, 1000 + count - 2)]
            + [{"name": "code_known", "kind": "set", "column": "code", "values": ["a", "b"]},
               {"name": "code_format", "kind": "pattern", "column": "code", "regex": "^[a-z]$"}]}


def test_one_query_per_rule_scans_the_data_once_per_rule(spark):
    # the failure this pattern fixes: checks written as one count per rule cost one job per rule
    contract = contract_from_document(_row_rules_only(12))
    data = spark.range(2000).select(F.col("id").alias("value"), F.lit("a").alias("code"))

    def one_count_per_rule():
        from plant_data_quality.rule_checks import failure_expression
        return [data.where(failure_expression(rule, None)).count() for rule in contract.rules]

    counts, jobs = count_spark_jobs(spark, one_count_per_rule, "per-rule-counts")

    assert counts == [2000 - (limit + 1) for limit in range(1000, 1010)] + [0, 0]
    assert jobs >= 12


@pytest.mark.parametrize("pattern", [False, True], ids=["without a pattern rule", "with a pattern rule"])
def test_every_row_rule_is_counted_in_one_aggregation_whose_data_is_read_by_one_spark_job(spark, pattern):
    document = _row_rules_only(12)
    if not pattern:
        document["rules"][-1] = {"name": "value_not_negative", "kind": "range", "column": "value", "min": 0}
    contract = contract_from_document(document)
    clean = spark.range(1000).select(F.col("id").alias("value"), F.lit("a").alias("code"))

    evaluate = lambda: evaluate_contract(clean, contract)  # noqa: E731
    run, jobs_without_adaptive = count_spark_jobs(spark, evaluate, f"one-pass-{pattern}")  # a group per case
    spark.conf.set("spark.sql.adaptive.enabled", "true")  # Spark's default, and Databricks'
    try:
        _, jobs_with_adaptive = count_spark_jobs(spark, evaluate, f"one-pass-aqe-{pattern}")
    finally:
        spark.conf.set("spark.sql.adaptive.enabled", "false")

    # nothing failed, so no sample is fetched: one job counts all 12 rules; a pattern rule adds a look
    # at the first rows for the values that match it (a limit query, see test_pattern_matches.py)
    assert jobs_without_adaptive == 1 + pattern
    assert jobs_with_adaptive == 2 + pattern  # adaptive execution runs the one-task merge of the partial counts
    assert [r.failing_rows for r in run.results] == [0] * 12
    assert run.rows_in == 1000 == run.rows_passed + run.rows_quarantined


def test_samples_of_failing_values_add_at_most_one_job_per_failing_rule(spark):
    spark.conf.set("spark.sql.adaptive.enabled", "true")
    contract = contract_from_document(_row_rules_only(12))
    data = spark.range(2000).select(F.col("id").alias("value"), F.lit("a").alias("code"))

    try:
        run, jobs = count_spark_jobs(spark, lambda: evaluate_contract(data, contract), "one-pass-with-samples")
    finally:
        spark.conf.set("spark.sql.adaptive.enabled", "false")

    failing_rules = [r for r in run.results if r.failing_rows]
    assert [r.failing_rows for r in run.results] == [2000 - (limit + 1) for limit in range(1000, 1010)] + [0, 0]
    # the first rows' pattern matches and the count (3 jobs), then limit queries stopping at the first rows
    assert 3 < jobs <= 3 + len(failing_rules)
    assert run.result("value_below_1000").sample_values == ("1001", "1002", "1003")
    assert run.result("code_known").sample_values == ()
    assert run.rows_in == 2000 == run.rows_passed + run.rows_quarantined


def test_the_counting_aggregation_holds_numbers_only_so_spark_plans_a_hash_aggregate(spark, contract, batch, capsys):
    # a sample in the aggregation (a string minimum or maximum) would make it a SortAggregate
    flags = [F.lit(False).alias(f"{HELPER_PREFIX}fail_{index}") for index in range(len(contract.row_rules))]
    flagged = batch.select("*", *flags, F.lit(False).alias(f"{HELPER_PREFIX}quarantine"))

    counts = flagged.agg(*counting_metrics(contract))
    counts.explain()
    plan = capsys.readouterr().out

    assert "HashAggregate" in plan and "SortAggregate" not in plan and "ObjectHashAggregate" not in plan
    assert {field.dataType.typeName() for field in counts.schema.fields} == {"long"}


def test_a_column_of_the_wrong_type_is_rejected_before_any_rule_runs(spark, contract):
    wrong = readings(spark, [reading("e1")]).withColumn("temperature_c", F.col("temperature_c").cast("string"))

    with pytest.raises(ContractSchemaError, match="temperature_c: expected double, got string"):
        evaluate_contract(wrong, contract, now=NOW, dimensions={"machines": machines(spark)})


def test_a_missing_column_is_named(spark, contract):
    with pytest.raises(ContractSchemaError, match="status: expected a string column, got no such column"):
        evaluate_contract(readings(spark, [reading("e1")]).drop("status"), contract, now=NOW)


def test_a_reference_rule_without_its_dimension_is_a_named_error(spark, contract):
    with pytest.raises(MissingDimensionError, match=r"expected dimension 'machines', got dimensions \[\]"):
        evaluate_contract(readings(spark, [reading("e1")]), contract, now=NOW)


def test_uniqueness_reads_the_key_alone_and_the_full_rows_are_never_shuffled(spark, contract, batch, capsys):
    # repeated keys are found by fingerprint and joined back on it; the small dimension is an IN list
    run = evaluate_contract(batch, contract, now=NOW, dimensions={"machines": machines(spark)})
    run.quarantined_rows.explain()
    plan = capsys.readouterr().out

    assert "Window" not in plan and "Exchange hashpartitioning" not in plan
    assert plan.count("BroadcastHashJoin") == 1 and "__dq_fingerprint" in plan  # the repeated event ids
    assert "M-0001" in plan  # the machines' keys, inlined
    assert run.result("event_id_unique").failing_rows == 2
