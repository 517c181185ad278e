"""Named errors: each message says what was expected and what arrived.

Example::

    >>> raise ContractFormatError("rules[0].kind: expected one of range, set; got 'rnage'")
    Traceback (most recent call last):
    ...
    plant_data_quality.errors.ContractFormatError: rules[0].kind: expected one of range, set; got 'rnage'
"""
from __future__ import annotations


class DataQualityError(Exception):
    """Base class of every error this package raises."""


class ContractFormatError(DataQualityError):
    """The contract file does not follow the contract format (its JSON Schema or its own rules)."""


class ContractSchemaError(DataQualityError):
    """The data's columns or types differ from what the contract declares."""


class MissingDimensionError(DataQualityError):
    """A reference rule names a dimension that was not passed in."""


class GateBlockedError(DataQualityError):
    """A rule with ``on_fail: block`` failed beyond its threshold: nothing was written."""

    def __init__(self, contract: str, blocked_rules: list[str], details: list[str]) -> None:
        self.contract = contract
        self.blocked_rules = blocked_rules
        super().__init__(f"contract {contract!r} blocked the write: " + "; ".join(details))


class PayloadContractError(DataQualityError):
    """A topic contract (JSON Schema or Avro) itself is invalid."""


class BreakingSchemaChangeError(DataQualityError):
    """A new topic contract version breaks producers or consumers of the old one."""
