"""Our engine, Great Expectations and DQX on the same data: failing rows per rule, side by side.

Where the counts can differ by design, the row says why (``note``); everything else must agree.

Example::

    rows = compare_engines(df, contract, now=batch_time, dimensions=dims, dqx_host=host)
    print(comparison_table(rows))
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from pyspark.sql import DataFrame

from plant_data_quality.contract import Contract
from plant_data_quality.evaluation import evaluate_contract
from plant_data_quality.peer_engines.dqx_translation import UNTRANSLATED as DQX_UNTRANSLATED
from plant_data_quality.peer_engines.dqx_translation import dqx_engine, dqx_failing_rows
from plant_data_quality.peer_engines.gx_translation import UNTRANSLATED as GX_UNTRANSLATED
from plant_data_quality.peer_engines.gx_translation import gx_failing_rows


@dataclass(frozen=True)
class EngineComparison:
    rule: str
    kind: str
    ours: int
    great_expectations: int | None
    dqx: int | None
    note: str = ""

    @property
    def agree(self) -> bool:
        """True when every engine that could run the rule counted the same failing rows."""
        return all(count == self.ours for count in (self.great_expectations, self.dqx) if count is not None)


def compare_engines(
    df: DataFrame, contract: Contract, *, now: dt.datetime, dqx_host: str,
    dimensions: Mapping[str, DataFrame] | None = None,
) -> list[EngineComparison]:
    """Run the three engines on ``df``; one row per rule."""
    ours = evaluate_contract(df, contract, now=now, dimensions=dimensions)
    gx_counts = gx_failing_rows(df, contract, now=now, dimensions=dimensions)
    dqx_counts = dqx_failing_rows(dqx_engine(df.sparkSession, dqx_host), df, contract, now=now, dimensions=dimensions)
    rows = []
    for result in ours.results:
        notes = [f"GX: {GX_UNTRANSLATED[result.kind]}"] if result.kind in GX_UNTRANSLATED else []
        notes += [f"DQX: {DQX_UNTRANSLATED[result.kind]}"] if result.kind in DQX_UNTRANSLATED else []
        rows.append(EngineComparison(result.rule, result.kind, result.failing_rows, gx_counts[result.rule],
                                     dqx_counts[result.rule], "; ".join(notes)))
    return rows


def comparison_table(rows: list[EngineComparison]) -> str:
    """A Markdown table of the comparison."""
    lines = ["| rule | kind | ours | GX | DQX | agree | note |", "|---|---|---|---|---|---|---|"]
    for row in rows:
        cells = [row.rule, row.kind, row.ours, "n/a" if row.great_expectations is None else row.great_expectations,
                 "n/a" if row.dqx is None else row.dqx, "yes" if row.agree else "NO", row.note]
        lines.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    return "\n".join(lines) + "\n"
