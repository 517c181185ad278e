"""Data contracts for Spark: every rule in one pass, quarantine with the failed rules, gates.

Example::

    from plant_data_quality import load_contract, evaluate_contract, write_gated_run

    contract = load_contract("contracts/sensor_readings.yaml")
    run = evaluate_contract(readings_df, contract, dimensions={"machines": dim_machine})
    write_gated_run(run, silver_path, quarantine_path, results_path)
"""
from plant_data_quality.contract import ColumnSpec, Contract, Rule
from plant_data_quality.contract_loading import (
    contract_format_schema,
    contract_from_document,
    load_contract,
    load_contract_text,
)
from plant_data_quality.deduplication import keep_first_per_key
from plant_data_quality.drift import drift_baseline, population_stability_index
from plant_data_quality.errors import (
    ContractFormatError,
    ContractSchemaError,
    DataQualityError,
    GateBlockedError,
    MissingDimensionError,
    PayloadContractError,
)
from plant_data_quality.evaluation import FAILED_RULES_COLUMN, ContractRun, evaluate_contract
from plant_data_quality.gates import RuleResult
from plant_data_quality.in_house_validators import InHouseCheck, InHouseValidator, with_in_house_checks
from plant_data_quality.junit_report import junit_xml, write_junit_xml
from plant_data_quality.streaming import contract_gate_for_each_batch
from plant_data_quality.writers import RESULTS_SCHEMA, WriteSummary, results_frame, write_gated_run

__all__ = [
    "FAILED_RULES_COLUMN",
    "RESULTS_SCHEMA",
    "ColumnSpec",
    "Contract",
    "ContractFormatError",
    "ContractRun",
    "ContractSchemaError",
    "DataQualityError",
    "GateBlockedError",
    "InHouseCheck",
    "InHouseValidator",
    "MissingDimensionError",
    "PayloadContractError",
    "Rule",
    "RuleResult",
    "WriteSummary",
    "contract_format_schema",
    "contract_from_document",
    "contract_gate_for_each_batch",
    "drift_baseline",
    "evaluate_contract",
    "junit_xml",
    "keep_first_per_key",
    "load_contract",
    "load_contract_text",
    "population_stability_index",
    "results_frame",
    "with_in_house_checks",
    "write_gated_run",
    "write_junit_xml",
]
