"""A finding: which stage, which metric, the value, the threshold it crossed (and which way), and the fix.

Example::

    >>> finding = Finding("skew", 4, "max/median task duration", 9.5, 5.0, "one task ran 9.5x the median",
    ...                   "salt the join key or enable AQE skew join")
    >>> finding.headline()
    'stage 4: skew (max/median task duration = 9.5, threshold >= 5)'
    >>> finding.crossed()
    True
"""
from __future__ import annotations

import operator
from dataclasses import dataclass

COMPARISONS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}


@dataclass(frozen=True)
class Finding:
    kind: str
    stage_id: int | None
    metric: str
    value: float
    threshold: float
    evidence: str
    fix: str
    comparison: str = ">="  # how ``value`` crossed ``threshold``: one of COMPARISONS

    def crossed(self) -> bool:
        """True when ``value`` is on the bad side of ``threshold``, the rule that raised the finding."""
        return COMPARISONS[self.comparison](self.value, self.threshold)

    def headline(self) -> str:
        where = f"stage {self.stage_id}" if self.stage_id is not None else "plan"
        return (f"{where}: {self.kind} ({self.metric} = {_number(self.value)}, "
                f"threshold {self.comparison} {_number(self.threshold)})")


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"
