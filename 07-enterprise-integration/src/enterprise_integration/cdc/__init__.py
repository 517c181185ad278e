"""Change data capture apply step: Debezium events from Kafka -> a Delta table that equals its source.

Example::

    >>> from enterprise_integration.cdc import CdcTarget, start_cdc_stream
    >>> target = CdcTarget("/lake/mes/work_orders", key_columns=("id",), delete_mode="hard")
    >>> query = start_cdc_stream(spark, {"kafka.bootstrap.servers": "broker:9092"},
    ...                          "mes.public.work_orders", target, "/chk/work_orders")  # doctest: +SKIP
"""
from enterprise_integration.cdc.apply import ApplyCounts, apply_change_batch
from enterprise_integration.cdc.errors import (
    CdcError,
    ColumnTypeChangedError,
    InvalidCdcOptionsError,
    MissingKeyColumnsError,
)
from enterprise_integration.cdc.stream import ledger_totals, start_cdc_stream
from enterprise_integration.cdc.target import CdcTarget

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
