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
from enterprise_integration.opp import join_cycles_to_plan, planned_cycle_times, start_program_file_stream
from enterprise_integration.sap import (
    ODataV2Client,
    SapODataError,
    SapRetriesExhaustedError,
    extract_incremental,
    parse_metadata,
)

__all__ = [
    "ApplyCounts",
    "CdcError",
    "CdcTarget",
    "ColumnTypeChangedError",
    "InvalidCdcOptionsError",
    "MissingKeyColumnsError",
    "ODataV2Client",
    "SapODataError",
    "SapRetriesExhaustedError",
    "apply_change_batch",
    "extract_incremental",
    "join_cycles_to_plan",
    "ledger_totals",
    "parse_metadata",
    "planned_cycle_times",
    "start_cdc_stream",
    "start_program_file_stream",
]
