"""A finding: which stage, which metric, the value, the threshold it crossed, and the fix.

Example::

    >>> Finding("skew", 4, "max/median task duration", 9.5, 5.0, "one task ran 9.5x the median",
    ...         "salt the join key or enable AQE skew join").headline()
    'stage 4: skew (max/median task duration = 9.5, threshold 5.0)'
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    kind: str
    stage_id: int | None
    metric: str
    value: float
    threshold: float
    evidence: str
    fix: str

    def headline(self) -> str:
        where = f"stage {self.stage_id}" if self.stage_id is not None else "plan"
        return f"{where}: {self.kind} ({self.metric} = {_number(self.value)}, threshold {_number(self.threshold)})"


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"
