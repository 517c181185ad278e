"""The plug point for a team's own validator: its checks run through the same pass and gates.

An in-house framework implements :class:`InHouseValidator`: a name, its checks (each with a gate),
and for each check a boolean Spark Column that is true when a row fails. The checks are added to
the contract as rules named ``<validator>.<check>`` and evaluated in the same single pass, so they
quarantine, warn or block like any contract rule and land in the same results table and JUnit XML.
The in-house framework itself is not part of this package.

Example::

    class SpindleLimits:                      # an adapter around the team's framework
        name = "spindle_limits"
        def checks(self):
            return [InHouseCheck("rpm_within_rating", on_fail="block", sample_columns=("spindle_speed_rpm",))]
        def failure_column(self, check_name):
            return F.col("spindle_speed_rpm") > F.col("rated_rpm")

    contract = with_in_house_checks(load_contract(path), [SpindleLimits()])
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol, runtime_checkable

from pyspark.sql import Column

from plant_data_quality.contract import ON_FAIL_ACTIONS, Contract, Rule
from plant_data_quality.errors import ContractFormatError


@dataclass(frozen=True)
class InHouseCheck:
    """One check of an in-house validator, with the gate it runs through and the columns its sample shows."""

    name: str
    on_fail: str = "quarantine"
    max_failing_fraction: float = 0.0
    sample_columns: tuple[str, ...] = ()


@runtime_checkable
class InHouseValidator(Protocol):
    """What an in-house validation framework implements to run through the gates."""

    name: str

    def checks(self) -> Sequence[InHouseCheck]:
        """The checks, in the order reports show them."""
        ...

    def failure_column(self, check_name: str) -> Column:
        """A boolean Column, true when a row fails ``check_name`` (null counts as passing)."""
        ...


def with_in_house_checks(contract: Contract, validators: Sequence[InHouseValidator]) -> Contract:
    """The contract plus one ``in_house`` rule per check of each validator."""
    rules = list(contract.rules)
    for validator in validators:
        if not isinstance(validator, InHouseValidator):
            raise TypeError(f"expected an InHouseValidator (name, checks(), failure_column()), "
                            f"got {type(validator).__name__}")
        for check in validator.checks():
            if check.on_fail not in ON_FAIL_ACTIONS or not 0 <= check.max_failing_fraction <= 1:
                raise ContractFormatError(
                    f"{validator.name}.{check.name}: expected on_fail in {ON_FAIL_ACTIONS} and a fraction in "
                    f"[0, 1], got {check.on_fail!r} and {check.max_failing_fraction}")
            rules.append(Rule(name=f"{validator.name}.{check.name}", kind="in_house", columns=check.sample_columns,
                              params={"failure": validator.failure_column(check.name)},
                              on_fail=check.on_fail, max_failing_fraction=check.max_failing_fraction))
    names = [rule.name for rule in rules]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ContractFormatError(f"{contract.name}: expected unique rule names, got duplicates {duplicates}")
    return replace(contract, rules=tuple(rules))
