"""Read a contract from YAML, validate it against the contract format's JSON Schema, build it.

The format itself is ``contract_format.schema.json`` beside this module (JSON Schema 2020-12), so
editors and CI (``check-jsonschema``) can check contract files without this package.

Example::

    >>> contract = load_contract_text('''
    ... contract: sensor_readings
    ... version: 1
    ... columns:
    ...   - {name: temperature_c, type: double, nullable: false}
    ... rules:
    ...   - {name: temperature_in_range, kind: range, column: temperature_c, min: -40, max: 400}
    ... ''')
    >>> [rule.name for rule in contract.rules]
    ['temperature_c_not_null', 'temperature_in_range']
"""
from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from plant_data_quality.contract import ColumnSpec, Contract, Rule
from plant_data_quality.errors import ContractFormatError

_GATE_KEYS = {"name", "kind", "description", "on_fail", "max_failing_fraction", "column", "columns"}


@cache
def contract_format_schema() -> dict[str, Any]:
    """The JSON Schema every contract file must follow."""
    text = resources.files("plant_data_quality").joinpath("contract_format.schema.json").read_text()
    return json.loads(text)


def validate_contract_document(document: Any) -> None:
    """Raise ContractFormatError listing every place where ``document`` breaks the format."""
    validator = jsonschema.Draft202012Validator(contract_format_schema())
    problems = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
    if problems:
        lines = [f"{'.'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}"
                 for error in problems]
        raise ContractFormatError("contract does not follow the contract format:\n  " + "\n  ".join(lines))


def contract_from_document(document: dict[str, Any]) -> Contract:
    """Build a Contract from an already parsed document (validated first)."""
    validate_contract_document(document)
    columns = tuple(ColumnSpec(c["name"], c["type"], c.get("nullable", True)) for c in document["columns"])
    declared = {column.name for column in columns}
    rules = [Rule(name=f"{c['name']}_not_null", kind="not_null", column=c["name"],
                  on_fail=c.get("on_fail", "quarantine"))
             for c in document["columns"] if not c.get("nullable", True)]
    for entry in document["rules"]:
        rules.append(Rule(
            name=entry["name"],
            kind=entry["kind"],
            column=entry.get("column"),
            columns=tuple(entry.get("columns", ())),
            params={key: value for key, value in entry.items() if key not in _GATE_KEYS},
            on_fail=entry.get("on_fail", "warn" if entry["kind"] in ("completeness", "drift") else "quarantine"),
            max_failing_fraction=float(entry.get("max_failing_fraction", 0.0)),
        ))
    _check_consistency(document["contract"], rules, declared)
    return Contract(document["contract"], document["version"], columns, tuple(rules))


def _check_consistency(contract_name: str, rules: list[Rule], declared: set[str]) -> None:
    names = [rule.name for rule in rules]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ContractFormatError(f"{contract_name}: expected unique rule names, got duplicates {duplicates}")
    for rule in rules:
        unknown = [column for column in rule.checked_columns if column not in declared]
        if unknown:
            raise ContractFormatError(
                f"{contract_name}: rule {rule.name!r} expected declared columns {sorted(declared)}, got {unknown}")
        if rule.kind == "range" and {"min", "max"} <= rule.params.keys() and rule.params["min"] > rule.params["max"]:
            raise ContractFormatError(f"{contract_name}: rule {rule.name!r} expected min <= max, "
                                      f"got min={rule.params['min']} max={rule.params['max']}")
        if rule.kind == "drift":
            baseline = rule.params["baseline"]
            if len(baseline["fractions"]) != len(baseline["edges"]) - 1:
                raise ContractFormatError(
                    f"{contract_name}: rule {rule.name!r} expected {len(baseline['edges']) - 1} baseline "
                    f"fractions (one per bin), got {len(baseline['fractions'])}")


def load_contract_text(text: str) -> Contract:
    """Parse YAML text into a validated Contract."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ContractFormatError(f"expected YAML, got a parse error: {error}") from error
    return contract_from_document(document)


def load_contract(path: str | Path) -> Contract:
    """Read and validate the contract file at ``path``."""
    return load_contract_text(Path(path).read_text())
