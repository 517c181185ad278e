"""The contract as Databricks Labs DQX checks (metadata form), applied to a local Spark DataFrame.

Rule by rule: not_null and completeness -> is_not_null (DQX has no ratio threshold per column, so
completeness counts its null rows and the ratio is judged outside DQX); range -> is_in_range;
freshness -> is_data_fresh with the batch time as base; set -> is_in_list; pattern -> regex_match;
unique -> is_unique; reference -> foreign_key against the dimension passed as a reference
DataFrame; ordered -> sql_expression. drift is not translated (DQX's is_in_distribution compares
discrete values by total variation distance, not binned PSI).

In DQX's metadata form a string argument is a SQL expression, so string set members are passed
quoted (``'running'``); unquoted they would be read as column names.

Example::

    checks, untranslated = contract_to_dqx_checks(contract, now=batch_time)
    counts = dqx_failing_rows(dqx_engine(spark, host), readings_df, contract, now=batch_time, dimensions=dims)
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from plant_data_quality.contract import Contract, Rule

UNTRANSLATED = {"drift": "DQX's is_in_distribution measures discrete values by total variation, not binned PSI"}


def _sql_literal(value: Any) -> Any:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return value


def _check(rule: Rule, now: dt.datetime) -> dict[str, Any]:
    params = rule.params
    if rule.kind in ("not_null", "completeness"):
        return {"function": "is_not_null", "arguments": {"column": rule.column}}
    if rule.kind == "range":
        return {"function": "is_in_range",
                "arguments": {"column": rule.column, "min_limit": params.get("min"), "max_limit": params.get("max")}}
    if rule.kind == "freshness":
        return {"function": "is_data_fresh",
                "arguments": {"column": rule.column, "max_age_minutes": params["max_age_seconds"] // 60,
                              "base_timestamp": now.strftime("%Y-%m-%d %H:%M:%S")}}
    if rule.kind == "set":
        return {"function": "is_in_list",
                "arguments": {"column": rule.column, "allowed": [_sql_literal(v) for v in params["values"]]}}
    if rule.kind == "pattern":
        return {"function": "regex_match", "arguments": {"column": rule.column, "regex": params["regex"]}}
    if rule.kind == "unique":
        return {"function": "is_unique", "arguments": {"columns": list(rule.columns)}}
    if rule.kind == "reference":
        return {"function": "foreign_key",
                "arguments": {"columns": [rule.column], "ref_columns": [params["dimension_column"]],
                              "ref_df_name": params["dimension"], "broadcast_ref": True}}
    if rule.kind == "ordered":
        earlier, later = rule.columns
        operator = ">=" if params.get("allow_equal", False) else ">"
        return {"function": "sql_expression",
                "arguments": {"expression": f"{earlier} IS NULL OR {later} IS NULL OR {later} {operator} {earlier}",
                              "msg": f"{rule.name} failed"}}
    raise ValueError(f"expected a translatable rule kind, got {rule.kind!r}")


def contract_to_dqx_checks(contract: Contract, *, now: dt.datetime) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """DQX checks in metadata form (``name`` = rule name), and the rules left out, with why."""
    checks, untranslated = [], {}
    for rule in contract.rules:
        if rule.kind in UNTRANSLATED:
            untranslated[rule.name] = UNTRANSLATED[rule.kind]
            continue
        criticality = "warn" if rule.on_fail == "warn" else "error"
        checks.append({"name": rule.name, "criticality": criticality, "check": _check(rule, now)})
    return checks, untranslated


def dqx_engine(spark: SparkSession, host: str, token: str = "local-only") -> Any:
    """A DQEngine on ``spark`` whose workspace client talks to ``host`` (see local_workspace)."""
    from databricks.labs.dqx.engine import DQEngine
    from databricks.sdk import WorkspaceClient

    return DQEngine(WorkspaceClient(host=host, token=token), spark=spark)


def dqx_failing_rows(
    engine: Any, df: DataFrame, contract: Contract, *, now: dt.datetime,
    dimensions: Mapping[str, DataFrame] | None = None,
) -> dict[str, int | None]:
    """Apply the checks, then count per rule the rows whose ``_errors``/``_warnings`` name it."""
    checks, untranslated = contract_to_dqx_checks(contract, now=now)
    checked = engine.apply_checks_by_metadata(df, checks, ref_dfs=dict(dimensions or {}))
    names = [check["name"] for check in checks]
    reported = F.concat(F.coalesce(F.col("_errors.name"), F.array()), F.coalesce(F.col("_warnings.name"), F.array()))
    row = checked.select(reported.alias("names")).agg(
        *[F.count(F.when(F.array_contains("names", name), 1)).alias(f"c{i}") for i, name in enumerate(names)]).first()
    counts: dict[str, int | None] = dict.fromkeys(untranslated)
    counts.update({name: row[f"c{i}"] for i, name in enumerate(names)})
    return counts
