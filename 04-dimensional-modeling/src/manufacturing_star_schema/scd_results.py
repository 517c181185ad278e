"""What every ``merge_scd*`` call returns: Delta's MERGE metrics, one outcome per source row, the quarantine.

Example::

    >>> result = merge_scd2(spark, "/lake/dim_machine", changes_df, spec)  # doctest: +SKIP
    >>> result.metrics["num_inserted_rows"], result.path  # doctest: +SKIP
    (150000, 'fast')
"""

from __future__ import annotations

from dataclasses import dataclass, field

from delta.tables import DeltaTable
from pyspark.sql import DataFrame

NO_CHANGE_METRICS = {"num_affected_rows": 0, "num_updated_rows": 0, "num_deleted_rows": 0, "num_inserted_rows": 0}


@dataclass
class ScdMergeResult:
    """Delta's MERGE metrics, the per-source-row outcomes and the quarantine (both pinned to the read version).

    ``path`` is ``"general"``, ``"fast"`` (a simple Type 2 batch, one MERGE with no staging), or
    ``"general_after_fallback"`` (the fast path's MERGE aborted: the batch was not simple or a change
    was not newer than its key's current version; see ``scd_type2_fast_path``).
    ``outcomes`` and ``quarantine`` are lazy: only a caller who reads them pays.
    """

    metrics: dict[str, int]
    outcomes: DataFrame
    quarantine: DataFrame
    added_columns: list[str] = field(default_factory=list)
    path: str = "general"


def no_change_metrics() -> dict[str, int]:
    """The metrics of a batch that needed no MERGE (a rerun): every count is zero."""
    return dict(NO_CHANGE_METRICS)


def merge_metrics(execute_result: DataFrame | None, table: DeltaTable) -> dict[str, int]:
    """Delta's MERGE metrics as ints: from ``execute()``'s result row, else from the last commit."""
    if execute_result is not None:
        row = execute_result.first()
        if row is not None:
            return {k: int(v) for k, v in row.asDict().items()}
    last = table.history(1).select("operationMetrics").first()[0] or {}
    return {
        "num_affected_rows": int(last.get("numOutputRows", 0)),
        "num_updated_rows": int(last.get("numTargetRowsUpdated", 0)),
        "num_inserted_rows": int(last.get("numTargetRowsInserted", 0)),
        "num_deleted_rows": int(last.get("numTargetRowsDeleted", 0)),
    }
