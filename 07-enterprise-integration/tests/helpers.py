"""Helpers shared by this folder's tests.

CDC: Debezium change events built as the Kafka Connect JSON converter writes them (schemas on), and a
DataFrame shaped like Spark's Kafka source output, so the apply step can be tested on tiny inline data.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

TOPIC = "mes.public.work_orders"

# The work_orders table as Debezium describes it with column.propagate.source.type on.
WORK_ORDER_FIELDS: list[dict[str, Any]] = [
    {"type": "int64", "optional": False, "field": "id"},
    {"type": "string", "optional": False, "field": "status"},
    {
        "type": "string",
        "optional": True,
        "field": "qty",
        "parameters": {
            "__debezium.source.column.type": "NUMERIC",
            "__debezium.source.column.length": "10",
            "__debezium.source.column.scale": "2",
        },
    },
]
SHIFT_FIELD = {"type": "string", "optional": True, "field": "shift"}

KAFKA_SCHEMA = T.StructType(
    [
        T.StructField("key", T.BinaryType()),
        T.StructField("value", T.BinaryType()),
        T.StructField("topic", T.StringType()),
        T.StructField("partition", T.IntegerType()),
        T.StructField("offset", T.LongType()),
    ]
)


def envelope_schema(fields: list[dict[str, Any]]) -> dict[str, Any]:
    """The Connect schema of a Debezium envelope whose before/after structs have ``fields``."""
    row = {"type": "struct", "fields": fields, "optional": True, "name": "mes.public.work_orders.Value"}
    return {
        "type": "struct",
        "name": "mes.public.work_orders.Envelope",
        "fields": [
            {**row, "field": "before"},
            {**row, "field": "after"},
            {"type": "struct", "field": "source", "fields": [
                {"type": "int64", "optional": True, "field": "lsn"},
                {"type": "string", "optional": True, "field": "snapshot"},
            ]},
            {"type": "string", "optional": False, "field": "op"},
        ],
    }


def change(
    op: str,
    key: int,
    lsn: int,
    row: dict[str, Any] | None = None,
    fields: list[dict[str, Any]] | None = None,
) -> tuple[str, str]:
    """One Debezium message (key JSON, value JSON). ``row`` is the after image (before for ``d``)."""
    fields = fields or WORK_ORDER_FIELDS
    image = {"id": key, **(row or {})}
    payload = {
        "op": op,
        "before": image if op in {"u", "d"} else None,
        "after": None if op == "d" else image,
        "source": {"lsn": lsn, "snapshot": "true" if op == "r" else "false"},
        "ts_ms": 0,
    }
    return json.dumps({"id": key}), json.dumps({"schema": envelope_schema(fields), "payload": payload})


def tombstone(key: int) -> tuple[str, None]:
    """The null-valued message Debezium sends after a delete."""
    return json.dumps({"id": key}), None


def kafka_rows(spark: SparkSession, messages: list[tuple[str | None, str | None]], first_offset: int = 0) -> DataFrame:
    """A DataFrame shaped like Spark's Kafka source, one row per message, offsets in list order."""
    rows = [
        (
            key.encode() if key is not None else None,
            value.encode() if value is not None else None,
            TOPIC,
            0,
            first_offset + index,
        )
        for index, (key, value) in enumerate(messages)
    ]
    return spark.createDataFrame(rows, KAFKA_SCHEMA)


def read_rows(spark: SparkSession, path: str, columns: list[str]) -> list[tuple]:
    """The table's rows as sorted tuples of ``columns`` (for comparing with an expected state)."""
    return sorted(tuple(row) for row in spark.read.format("delta").load(path).select(*columns).collect())


# SAP and OPP tests: settings for queries that check correctness on a few rows. AQE plans every
# shuffle stage as a job of its own, and compiling generated code costs more than interpreting a
# few rows; results are the same either way.
TINY_DATA_SETTINGS = {
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
}


@contextmanager
def tiny_data_settings(spark: SparkSession) -> Iterator[None]:
    """Apply ``TINY_DATA_SETTINGS`` for the block, then restore what the session had."""
    previous = {key: spark.conf.get(key, None) for key in TINY_DATA_SETTINGS}
    for key, value in TINY_DATA_SETTINGS.items():
        spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)
