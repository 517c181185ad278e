"""The contract model: columns with types and nullability, and named rules with their gate.

A contract is built by :func:`plant_data_quality.load_contract` from YAML; the classes here are
plain frozen dataclasses so a contract can also be written in Python.

Example::

    >>> rule = Rule(name="temperature_in_range", kind="range", column="temperature_c",
    ...             params={"min": -40, "max": 400}, on_fail="quarantine")
    >>> rule.is_row_rule
    True
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ROW_RULE_KINDS = ("not_null", "range", "set", "pattern", "freshness", "ordered", "unique", "reference", "in_house")
DATASET_RULE_KINDS = ("completeness", "drift")
ON_FAIL_ACTIONS = ("block", "warn", "quarantine")


@dataclass(frozen=True)
class ColumnSpec:
    """One declared column: its Spark SQL type name (``double``, ``timestamp``...) and nullability."""

    name: str
    type: str
    nullable: bool = True


@dataclass(frozen=True)
class Rule:
    """One named rule.

    ``kind`` selects the check; ``params`` holds its settings (``min``/``max``, ``values``,
    ``regex``...). ``on_fail`` is the gate: ``block`` stops the write, ``warn`` records and lets the
    rows through, ``quarantine`` moves the failing rows aside. ``max_failing_fraction`` is the
    threshold: the rule passes while failing rows / rows checked stays at or below it.
    """

    name: str
    kind: str
    column: str | None = None
    columns: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    on_fail: str = "quarantine"
    max_failing_fraction: float = 0.0

    @property
    def is_row_rule(self) -> bool:
        """True when the rule judges each row (it can quarantine rows); False for dataset rules."""
        return self.kind in ROW_RULE_KINDS

    @property
    def checked_columns(self) -> tuple[str, ...]:
        """The columns this rule reads, in the order its sample values show them."""
        return (self.column,) if self.column else self.columns


@dataclass(frozen=True)
class Contract:
    """A named, versioned data contract: the declared columns and the rules."""

    name: str
    version: int
    columns: tuple[ColumnSpec, ...]
    rules: tuple[Rule, ...]

    @property
    def row_rules(self) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if rule.is_row_rule)

    @property
    def dataset_rules(self) -> tuple[Rule, ...]:
        return tuple(rule for rule in self.rules if not rule.is_row_rule)

    def rule(self, name: str) -> Rule:
        """The rule called ``name``; KeyError names the rules that exist."""
        for rule in self.rules:
            if rule.name == name:
                return rule
        raise KeyError(f"expected one of {[r.name for r in self.rules]}, got {name!r}")
