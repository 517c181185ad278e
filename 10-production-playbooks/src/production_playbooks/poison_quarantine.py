"""Split a micro-batch of Kafka JSON records into typed rows and quarantined rows with their reason.

A stream that parses strictly (an ANSI ``CAST``, ``from_json`` in FAILFAST mode) fails the whole
micro-batch on one malformed record. The checkpoint does not advance, so every restart reads the
same record and fails again: the stream is stalled behind a poison message. Parsing with
``try_parse_json`` and ``try_cast`` instead turns each bad record into a row with a reason,
written to a quarantine table in the same batch, and the stream advances.

Only DataFrame methods with SQL expressions are used (Spark 4.0 / Databricks Runtime 15.3+ for
``try_parse_json``), so this module imports no pyspark itself.

Example::

    def write_batch(batch, batch_id):
        good, quarantined = split_poison_records(batch, {"reading_id": "INT", "temperature_c": "DOUBLE"})
        good.write.format("delta").mode("append").save(silver)
        quarantined.write.format("delta").mode("append").save(quarantine)

    kafka_stream.writeStream.foreachBatch(write_batch).start()
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
KAFKA_COLUMNS = ("value", "partition", "offset")


class PoisonQuarantineInputError(ValueError):
    """The batch or the field specification cannot be used; the message shows expected vs actual."""


def _check_inputs(batch: Any, fields: Mapping[str, str]) -> None:
    missing = [name for name in KAFKA_COLUMNS if name not in batch.columns]
    if missing:
        raise PoisonQuarantineInputError(
            f"expected Kafka source columns {list(KAFKA_COLUMNS)}, missing {missing} (actual: {list(batch.columns)})"
        )
    if not fields:
        raise PoisonQuarantineInputError("fields: expected at least one field name -> SQL type, got none")
    bad_names = [name for name in fields if not FIELD_NAME.match(name)]
    if bad_names:
        raise PoisonQuarantineInputError(f"fields: expected plain identifiers as field names, got {bad_names}")


def split_poison_records(batch: Any, fields: Mapping[str, str]) -> tuple[Any, Any]:
    """Return ``(typed, quarantined)`` for a batch read from Kafka; every input row is in exactly one.

    ``fields`` maps each required JSON field to its SQL type (``{"reading_id": "INT"}``). A row is
    quarantined when its value is not JSON, a field is missing, or a field does not cast; its
    ``reason`` names each problem (``temperature_c: 'n/a' is not a DOUBLE``). Both outputs keep
    ``kafka_partition`` and ``kafka_offset``, so rows in = typed + quarantined can be checked per
    offset. The quarantined rows keep the raw value as a string.

    Example::

        >>> typed, quarantined = split_poison_records(batch, {"reading_id": "INT"})  # doctest: +SKIP
        >>> quarantined.select("kafka_offset", "reason").collect()  # doctest: +SKIP
        [Row(kafka_offset=3, reason="reading_id: 'three' is not a INT")]
    """
    _check_inputs(batch, fields)
    raw_field = {name: f"variant_get(_json, '$.{name}', 'STRING')" for name in fields}
    problems = ["CASE WHEN _json IS NULL THEN 'value is not JSON' END"]
    for name, sql_type in fields.items():
        raw = raw_field[name]
        problems.append(
            f"CASE WHEN _json IS NULL THEN NULL WHEN {raw} IS NULL THEN '{name}: missing' "
            f"WHEN try_cast({raw} AS {sql_type}) IS NULL "
            f"THEN concat('{name}: \\'', {raw}, '\\' is not a {sql_type}') END"
        )
    checked = batch.selectExpr(
        "CAST(value AS STRING) AS raw_value",
        "partition AS kafka_partition",
        "offset AS kafka_offset",
        "try_parse_json(CAST(value AS STRING)) AS _json",
    ).selectExpr(
        "*",
        *[f"try_cast({raw_field[name]} AS {sql_type}) AS {name}" for name, sql_type in fields.items()],
        f"nullif(concat_ws('; ', {', '.join(problems)}), '') AS reason",
    )
    typed = checked.where("reason IS NULL").select(*fields, "kafka_partition", "kafka_offset")
    quarantined = checked.where("reason IS NOT NULL").select("raw_value", "kafka_partition", "kafka_offset", "reason")
    return typed, quarantined
