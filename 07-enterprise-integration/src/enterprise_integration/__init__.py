"""Change data capture, SAP extraction, offline-programming files and orchestration for plant data.

Example::

    >>> from enterprise_integration import CdcTarget, start_cdc_stream
    >>> target = CdcTarget("/lake/mes/work_orders", key_columns=("id",))
    >>> query = start_cdc_stream(spark, {"kafka.bootstrap.servers": "broker:9092"},
    ...                          "mes.public.work_orders", target, "/chk/work_orders")  # doctest: +SKIP
"""
from enterprise_integration.cdc import (
    ApplyCounts,
    CdcError,
    CdcTarget,
    ColumnTypeChangedError,
    InvalidCdcOptionsError,
    MissingKeyColumnsError,
    apply_change_batch,
    ledger_totals,
    start_cdc_stream,
)

__all__ = [
    "ApplyCounts",
    "CdcError",
    "CdcTarget",
    "ColumnTypeChangedError",
    "InvalidCdcOptionsError",
    "MissingKeyColumnsError",
    "apply_change_batch",
    "ledger_totals",
    "start_cdc_stream",
]
