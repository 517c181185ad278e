"""Gates: turn a rule's failing count into an outcome (passed, warned, quarantined, blocked).

A rule passes while failing rows / rows checked <= ``max_failing_fraction`` (dataset rules: while
their measure is within bounds). A rule that does not pass takes its ``on_fail`` action. Rows that
fail a ``quarantine`` or ``block`` rule always go to quarantine, even under the threshold; rows that
fail only ``warn`` rules pass through.

Example::

    >>> from plant_data_quality.contract import Rule
    >>> rule = Rule("code_known", "set", column="code", params={"values": ["A"]},
    ...             on_fail="block", max_failing_fraction=0.01)
    >>> judge_row_rule(rule, rows_checked=1000, failing_rows=20, sample_values=("Z",)).outcome
    'blocked'
"""
from __future__ import annotations

from dataclasses import dataclass

from plant_data_quality.contract import Rule

OUTCOME_WHEN_FAILED = {"block": "blocked", "warn": "warned", "quarantine": "quarantined"}


@dataclass(frozen=True)
class RuleResult:
    """One rule's result in one run. ``measure`` is the completeness ratio or drift PSI, else None."""

    rule: str
    kind: str
    on_fail: str
    rows_checked: int
    failing_rows: int
    failing_fraction: float
    max_failing_fraction: float
    passed: bool
    outcome: str
    sample_values: tuple[str, ...] = ()
    measure: float | None = None

    def describe(self) -> str:
        """One line for logs and errors, e.g. ``code_known: 20 of 1000 rows failed (max 1.0 %)``."""
        if self.measure is not None:
            return f"{self.rule}: measure {self.measure:.4f} out of bounds ({self.kind})"
        return (f"{self.rule}: {self.failing_rows} of {self.rows_checked} rows failed "
                f"(max {self.max_failing_fraction:.1%}), e.g. {list(self.sample_values)}")


def judge_row_rule(rule: Rule, rows_checked: int, failing_rows: int, sample_values: tuple[str, ...]) -> RuleResult:
    """The result of a row rule from its counts."""
    fraction = failing_rows / rows_checked if rows_checked else 0.0
    passed = fraction <= rule.max_failing_fraction
    return RuleResult(rule.name, rule.kind, rule.on_fail, rows_checked, failing_rows, fraction,
                      rule.max_failing_fraction, passed, "passed" if passed else OUTCOME_WHEN_FAILED[rule.on_fail],
                      sample_values)


def judge_dataset_rule(rule: Rule, rows_checked: int, failing_rows: int, measure: float, passed: bool) -> RuleResult:
    """The result of a completeness or drift rule from its measure."""
    fraction = failing_rows / rows_checked if rows_checked else 0.0
    return RuleResult(rule.name, rule.kind, rule.on_fail, rows_checked, failing_rows, fraction,
                      rule.max_failing_fraction, passed, "passed" if passed else OUTCOME_WHEN_FAILED[rule.on_fail],
                      (), measure)
