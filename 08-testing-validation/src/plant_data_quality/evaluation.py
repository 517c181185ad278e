"""Evaluate every rule of a contract in one pass over the data, and split the rows.

One projection flags each row with one boolean per row rule; one aggregation of numbers only (so
Spark compiles it into a hash aggregation) counts the failures of every rule, the quarantined rows,
nulls for completeness and bins for drift. A few failing values are fetched afterwards, only for the
rules that failed (:mod:`plant_data_quality.failure_samples`). Before the pass, a ``unique`` rule
finds its repeated keys by fingerprint (:mod:`plant_data_quality.duplicate_keys`), a ``reference``
rule collects its dimension's keys, and ``pattern`` rules learn which values of the first rows match
(:mod:`plant_data_quality.pattern_matches`); all three reach the pass as lookups.

Example::

    run = evaluate_contract(readings_df, contract, now=batch_time, dimensions={"machines": dim_machine})
    run.result("temperature_in_range").failing_rows   # 3
    run.passed_rows, run.quarantined_rows             # DataFrames, rows in = passed + quarantined
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from plant_data_quality.contract import Contract, Rule
from plant_data_quality.drift import bin_index, fractions_from_counts, population_stability_index
from plant_data_quality.errors import GateBlockedError
from plant_data_quality.failure_samples import failing_value_samples
from plant_data_quality.gates import RuleResult, judge_dataset_rule, judge_row_rule
from plant_data_quality.pattern_matches import known_matches
from plant_data_quality.rule_checks import HELPER_PREFIX, failure_expression, with_key_columns
from plant_data_quality.schema_check import check_declared_schema

FAILED_RULES_COLUMN = "failed_rules"
QUARANTINE_ACTIONS = ("quarantine", "block")
QUARANTINE_FLAG = f"{HELPER_PREFIX}quarantine"


@dataclass(frozen=True)
class ContractRun:
    """The outcome of one evaluation: a result per rule, the counts, and the two row sets."""

    contract: Contract
    run_id: str
    evaluated_at: dt.datetime
    rows_in: int
    rows_passed: int
    rows_quarantined: int
    results: tuple[RuleResult, ...]
    passed_rows: DataFrame
    quarantined_rows: DataFrame

    @property
    def blocked_results(self) -> tuple[RuleResult, ...]:
        return tuple(result for result in self.results if result.outcome == "blocked")

    @property
    def blocked(self) -> bool:
        return bool(self.blocked_results)

    def result(self, rule_name: str) -> RuleResult:
        for result in self.results:
            if result.rule == rule_name:
                return result
        raise KeyError(f"expected one of {[r.rule for r in self.results]}, got {rule_name!r}")

    def raise_if_blocked(self) -> None:
        """Raise GateBlockedError naming every blocking rule, its failing rows and its threshold."""
        if self.blocked:
            raise GateBlockedError(self.contract.name, [r.rule for r in self.blocked_results],
                                   [r.describe() for r in self.blocked_results])


def _failed_rules_column(rules: tuple[Rule, ...], failures: list[Column]) -> Column:
    names = [F.when(failure, F.lit(rule.name)) for rule, failure in zip(rules, failures, strict=True)]
    if not names:
        return F.array().cast("array<string>")
    return F.filter(F.array(*names), lambda name: name.isNotNull())


def counting_metrics(contract: Contract) -> list[Column]:
    """The single aggregation, numbers only: total, quarantined, failing rows per rule, nulls, bins."""
    metrics = [F.count(F.lit(1)).alias("rows_in"), F.count_if(F.col(QUARANTINE_FLAG)).alias("rows_quarantined")]
    metrics += [F.count_if(F.col(f"{HELPER_PREFIX}fail_{index}")).alias(f"row{index}_failing")
                for index in range(len(contract.row_rules))]
    for index, rule in enumerate(contract.dataset_rules):
        column = F.col(rule.column)
        if rule.kind == "completeness":
            metrics.append(F.count_if(column.isNull()).alias(f"set{index}_nulls"))
        elif rule.kind == "drift":
            bins = bin_index(column, rule.params["baseline"]["edges"])
            metrics += [F.count_if(bins == position).alias(f"set{index}_bin{position}")
                        for position in range(len(rule.params["baseline"]["fractions"]))]
    return metrics


def evaluate_contract(
    df: DataFrame,
    contract: Contract,
    *,
    now: dt.datetime | None = None,
    dimensions: Mapping[str, DataFrame] | None = None,
) -> ContractRun:
    """Check the schema, then count every rule's failures in one pass; nothing is written.

    The counts are one aggregation: one Spark job reads the data (under adaptive execution a second,
    one-task job merges the partial counts); a ``unique`` or ``reference`` rule adds the jobs that
    collect its keys, and ``pattern`` rules one ``limit`` query that finds the values matching them
    in the first rows. The samples of failing values add at most one ``limit`` query, and one more
    per failing rule that its first failing rows do not show.

    Args:
        df: the batch to check (a batch DataFrame, or the micro-batch inside ``foreachBatch``).
        contract: from :func:`plant_data_quality.load_contract`.
        now: reference time for ``freshness`` rules (default: the current UTC time, taken once).
        dimensions: DataFrames that ``reference`` rules look keys up in, by the rule's ``dimension``.
    """
    check_declared_schema(df, contract)
    now = now or dt.datetime.now(dt.UTC)
    row_rules = contract.row_rules
    prepared = with_key_columns(df, contract, dimensions or {})
    known = known_matches(df, row_rules)
    failures = [failure_expression(rule, now, known.get(rule.name, ())) for rule in row_rules]
    quarantine = F.lit(False)
    for rule, failure in zip(row_rules, failures, strict=True):
        if rule.on_fail in QUARANTINE_ACTIONS:
            quarantine = quarantine | failure
    flagged = prepared.select(
        *[F.col(name) for name in df.columns],
        *[failure.alias(f"{HELPER_PREFIX}fail_{index}") for index, failure in enumerate(failures)],
        quarantine.alias(QUARANTINE_FLAG),
    )
    values = flagged.agg(*counting_metrics(contract)).first().asDict()
    rows_in = values["rows_in"]
    failing_counts = [values[f"row{i}_failing"] for i in range(len(row_rules))]
    flag_columns = [f"{HELPER_PREFIX}fail_{i}" for i in range(len(row_rules))]
    samples = failing_value_samples(flagged, row_rules, flag_columns, failing_counts)
    results = [judge_row_rule(rule, rows_in, failing, sample)
               for rule, failing, sample in zip(row_rules, failing_counts, samples, strict=True)]
    for index, rule in enumerate(contract.dataset_rules):
        if rule.kind == "completeness":
            nulls = values[f"set{index}_nulls"]
            measure = (rows_in - nulls) / rows_in if rows_in else 1.0
            results.append(judge_dataset_rule(rule, rows_in, nulls, measure, measure >= rule.params["min_ratio"]))
        else:
            counts = [values[f"set{index}_bin{p}"] for p in range(len(rule.params["baseline"]["fractions"]))]
            # a batch with no values in the column has no distribution to compare: nothing drifted
            psi = (population_stability_index(rule.params["baseline"]["fractions"], fractions_from_counts(counts))
                   if sum(counts) else 0.0)
            results.append(judge_dataset_rule(rule, rows_in, 0, psi, psi <= rule.params["max_psi"]))
    failed_names = _failed_rules_column(row_rules, [F.col(name) for name in flag_columns])
    with_names = flagged.withColumn(FAILED_RULES_COLUMN, failed_names)
    return ContractRun(
        contract=contract,
        run_id=uuid.uuid4().hex,
        evaluated_at=now,
        rows_in=rows_in,
        rows_passed=rows_in - values["rows_quarantined"],
        rows_quarantined=values["rows_quarantined"],
        results=tuple(sorted(results, key=lambda r: [rule.name for rule in contract.rules].index(r.rule))),
        passed_rows=with_names.where(~F.col(QUARANTINE_FLAG)).select(*df.columns),
        quarantined_rows=with_names.where(F.col(QUARANTINE_FLAG)).select(*df.columns, FAILED_RULES_COLUMN),
    )
