"""Contracts are YAML files checked against the JSON Schema of the contract format."""
from __future__ import annotations

import jsonschema
import pytest
import yaml
from helpers import SENSOR_CONTRACT_PATH

from plant_data_quality import (
    ContractFormatError,
    contract_format_schema,
    load_contract,
    load_contract_text,
)

MINIMAL = """
contract: readings
version: 1
columns:
  - {name: temperature_c, type: double}
rules:
"""


def test_the_sensor_contract_follows_the_format_and_declares_at_least_twelve_rules():
    contract = load_contract(SENSOR_CONTRACT_PATH)

    kinds = {rule.kind for rule in contract.rules}
    assert len(contract.rules) >= 12
    assert kinds == {"not_null", "range", "set", "pattern", "unique", "reference", "freshness", "ordered",
                     "completeness", "drift"}


def test_the_format_schema_is_itself_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(contract_format_schema())


def test_columns_declared_not_nullable_become_not_null_rules_with_their_gate():
    contract = load_contract_text(MINIMAL.replace("type: double}", "type: double, nullable: false, on_fail: block}")
                                  + "  []\n")

    assert [(rule.name, rule.kind, rule.on_fail) for rule in contract.rules] == [
        ("temperature_c_not_null", "not_null", "block")]


@pytest.mark.parametrize(("rule_yaml", "expected_in_message"), [
    ("{name: t, kind: rnage, column: temperature_c, min: 0}", "rules.0"),  # unknown kind
    ("{name: t, kind: range, column: temperature_c}", "rules.0"),  # range without min or max
    ("{name: t, kind: range, column: temperature_c, mn: 0}", "rules.0"),  # misspelt parameter
    ("{name: t, kind: completeness, column: temperature_c, min_ratio: 0.9, on_fail: quarantine}", "rules.0"),
    ("{name: T, kind: set, column: temperature_c, values: [1]}", "rules.0"),  # rule names are snake_case
])
def test_a_contract_that_breaks_the_format_is_rejected_with_the_place(rule_yaml, expected_in_message):
    with pytest.raises(ContractFormatError, match=expected_in_message):
        load_contract_text(MINIMAL + f"  - {rule_yaml}\n")


def test_a_rule_on_an_undeclared_column_is_rejected_naming_the_declared_columns():
    with pytest.raises(ContractFormatError, match=r"expected declared columns \['temperature_c'\], got \['temp'\]"):
        load_contract_text(MINIMAL + "  - {name: t, kind: range, column: temp, min: 0}\n")


def test_a_range_with_min_above_max_is_rejected():
    with pytest.raises(ContractFormatError, match="expected min <= max, got min=5 max=1"):
        load_contract_text(MINIMAL + "  - {name: t, kind: range, column: temperature_c, min: 5, max: 1}\n")


def test_a_drift_baseline_needs_one_fraction_per_bin():
    rule = ("{name: d, kind: drift, column: temperature_c, max_psi: 0.2, "
            "baseline: {edges: [0, 1, 2], fractions: [1.0]}}")
    with pytest.raises(ContractFormatError, match="expected 2 baseline fractions"):
        load_contract_text(MINIMAL + f"  - {rule}\n")


def test_invalid_yaml_is_a_format_error():
    with pytest.raises(ContractFormatError, match="expected YAML"):
        load_contract_text("contract: [unclosed")


def test_the_contract_file_validates_with_the_schema_alone():
    document = yaml.safe_load(SENSOR_CONTRACT_PATH.read_text())
    jsonschema.Draft202012Validator(contract_format_schema()).validate(document)
