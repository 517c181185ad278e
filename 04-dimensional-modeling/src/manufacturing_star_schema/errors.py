"""Named exceptions. Every message shows what was expected and what was found.

Example::

    >>> raise MissingColumnsError("source", expected=["machine_id"], actual=["plant_id"])
    Traceback (most recent call last):
    MissingColumnsError: source: expected columns ['machine_id'], missing ['machine_id'] (actual: ['plant_id'])
"""

from __future__ import annotations

from collections.abc import Sequence


class StarSchemaError(Exception):
    """Base class of every error this package raises."""


class MissingColumnsError(StarSchemaError):
    """A DataFrame or table lacks columns the operation needs."""

    def __init__(self, what: str, expected: Sequence[str], actual: Sequence[str]):
        missing = [c for c in expected if c not in actual]
        super().__init__(
            f"{what}: expected columns {list(expected)}, missing {missing} (actual: {list(actual)})"
        )
        self.missing = missing


class ColumnTypeDriftError(StarSchemaError):
    """A source column's type differs from the dimension column of the same name."""

    def __init__(self, drifted: dict[str, tuple[str, str]]):
        details = ", ".join(
            f"{name}: expected {want}, actual {got}" for name, (want, got) in sorted(drifted.items())
        )
        super().__init__(f"source column types differ from the dimension: {details}")
        self.drifted = drifted


class InvalidSpecError(StarSchemaError):
    """A spec (key columns, strategy name, calendar option) is not usable."""


class OutOfOrderChangeError(StarSchemaError):
    """A change is older than the current version of its key and the spec says to reject such changes."""

    def __init__(self, count: int, examples: Sequence[str]):
        super().__init__(
            f"expected every change to be newer than the current version of its key, "
            f"found {count} older change(s), e.g. {list(examples)}"
        )
        self.count = count


class ScdInvariantError(StarSchemaError):
    """A dimension breaks a slowly-changing-dimension invariant (see invariants.py)."""

    def __init__(self, violations: dict[str, int], examples: Sequence[str]):
        broken = {name: n for name, n in violations.items() if n}
        super().__init__(
            f"expected 0 violations of every invariant, found {broken}; examples: {list(examples)}"
        )
        self.violations = violations
