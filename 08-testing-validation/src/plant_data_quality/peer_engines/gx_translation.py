"""The contract as a Great Expectations suite, validated offline on a Spark DataFrame.

Rule by rule: not_null -> ExpectColumnValuesToNotBeNull; completeness -> the same with ``mostly``;
range and freshness -> ExpectColumnValuesToBeBetween; set -> ExpectColumnValuesToBeInSet; pattern ->
ExpectColumnValuesToMatchRegex; unique -> ExpectColumnValuesToBeUnique (ExpectCompoundColumnsToBeUnique
for several columns); ordered -> ExpectColumnPairValuesAToBeGreaterThanB; reference ->
ExpectColumnValuesToBeInSet over the dimension's keys, collected to the driver (a GX suite checks
one batch and has no expectation that joins another DataFrame). drift has no PSI expectation in GX
and is not translated.

Example::

    suite, untranslated = contract_to_gx_suite(contract, now=batch_time, dimensions=dims)
    counts = gx_failing_rows(readings_df, contract, now=batch_time, dimensions=dims)
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from pyspark.sql import DataFrame

from plant_data_quality.contract import Contract, Rule

UNTRANSLATED = {"drift": "GX has no population-stability expectation against fixed bins"}


def _expectation(rule: Rule, now: dt.datetime, dimensions: Mapping[str, DataFrame]) -> Any:
    import great_expectations as gx

    expectations = gx.expectations
    params = rule.params
    if rule.kind == "not_null":
        return expectations.ExpectColumnValuesToNotBeNull(column=rule.column)
    if rule.kind == "completeness":
        return expectations.ExpectColumnValuesToNotBeNull(column=rule.column, mostly=params["min_ratio"])
    if rule.kind == "range":
        return expectations.ExpectColumnValuesToBeBetween(column=rule.column, min_value=params.get("min"),
                                                          max_value=params.get("max"))
    if rule.kind == "freshness":
        oldest = now - dt.timedelta(seconds=params["max_age_seconds"])
        return expectations.ExpectColumnValuesToBeBetween(column=rule.column, min_value=oldest)
    if rule.kind == "set":
        return expectations.ExpectColumnValuesToBeInSet(column=rule.column, value_set=list(params["values"]))
    if rule.kind == "pattern":
        return expectations.ExpectColumnValuesToMatchRegex(column=rule.column, regex=params["regex"])
    if rule.kind == "unique" and len(rule.columns) == 1:
        return expectations.ExpectColumnValuesToBeUnique(column=rule.columns[0])
    if rule.kind == "unique":
        return expectations.ExpectCompoundColumnsToBeUnique(column_list=list(rule.columns))
    if rule.kind == "ordered":
        earlier, later = rule.columns
        return expectations.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A=later, column_B=earlier, or_equal=bool(params.get("allow_equal", False)),
            ignore_row_if="either_value_is_missing")
    if rule.kind == "reference":
        keys = [row[0] for row in dimensions[params["dimension"]].select(params["dimension_column"])
                .where(f"{params['dimension_column']} IS NOT NULL").distinct().collect()]
        return expectations.ExpectColumnValuesToBeInSet(column=rule.column, value_set=keys)
    raise ValueError(f"expected a translatable rule kind, got {rule.kind!r}")


def contract_to_gx_suite(
    contract: Contract, *, now: dt.datetime, dimensions: Mapping[str, DataFrame] | None = None
) -> tuple[Any, dict[str, str]]:
    """The suite (expectation ``meta`` carries the rule name) and the rules left out, with why.

    Needs an active GX context (``gx.get_context(mode="ephemeral")`` works offline).
    """
    import great_expectations as gx

    suite = gx.ExpectationSuite(name=f"{contract.name}_v{contract.version}")
    untranslated = {}
    for rule in contract.rules:
        if rule.kind in UNTRANSLATED:
            untranslated[rule.name] = UNTRANSLATED[rule.kind]
            continue
        expectation = _expectation(rule, now, dimensions or {})
        expectation.meta = {"rule": rule.name}
        suite.add_expectation(expectation)
    return suite, untranslated


def gx_failing_rows(
    df: DataFrame, contract: Contract, *, now: dt.datetime, dimensions: Mapping[str, DataFrame] | None = None
) -> dict[str, int | None]:
    """Validate ``df`` with the translated suite in an ephemeral (offline) context: rule -> unexpected rows.

    Rules GX cannot express map to None.
    """
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    suite, untranslated = contract_to_gx_suite(contract, now=now, dimensions=dimensions)
    source = context.data_sources.add_spark(name=f"spark_{uuid.uuid4().hex[:8]}")
    batch_definition = source.add_dataframe_asset(name=contract.name).add_batch_definition_whole_dataframe("all")
    batch = batch_definition.get_batch(batch_parameters={"dataframe": df})
    validation = batch.validate(suite, result_format={"result_format": "BASIC"})
    counts: dict[str, int | None] = dict.fromkeys(untranslated)
    for result in validation.results:
        counts[result.expectation_config.meta["rule"]] = result.result.get("unexpected_count")
    return counts
