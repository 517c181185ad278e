"""Spark types for the columns of a Debezium event, read from the Kafka Connect schema it carries.

With ``value.converter.schemas.enable=true`` every event names its columns' Connect types, and with
``column.propagate.source.type`` also PostgreSQL's own type, length and scale. That is how a column
added at the source reaches the Delta table with a real type instead of a string.
"""
from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql import types as T

SOURCE_TYPE = "__debezium.source.column.type"
SOURCE_LENGTH = "__debezium.source.column.length"
SOURCE_SCALE = "__debezium.source.column.scale"

# Connect primitive types Spark's JSON reader can parse directly.
PRIMITIVES: dict[str, T.DataType] = {
    "int8": T.ByteType(),
    "int16": T.ShortType(),
    "int32": T.IntegerType(),
    "int64": T.LongType(),
    "float32": T.FloatType(),
    "float64": T.DoubleType(),
    "boolean": T.BooleanType(),
    "string": T.StringType(),
}
MICROS_TIMESTAMPS = {"io.debezium.time.MicroTimestamp"}
MILLIS_TIMESTAMPS = {"io.debezium.time.Timestamp", "org.apache.kafka.connect.data.Timestamp"}
ISO_TIMESTAMPS = {"io.debezium.time.ZonedTimestamp"}
DAY_DATES = {"io.debezium.time.Date", "org.apache.kafka.connect.data.Date"}


def spark_type_for(field: dict) -> T.DataType:
    """Return the Delta column type for one Connect schema field of the ``after`` struct.

    Example::

        >>> spark_type_for({"field": "qty", "type": "string", "parameters": {
        ...     "__debezium.source.column.type": "NUMERIC",
        ...     "__debezium.source.column.length": "10", "__debezium.source.column.scale": "2"}})
        DecimalType(10,2)
    """
    logical = field.get("name") or ""
    parameters = field.get("parameters") or {}
    source_type = str(parameters.get(SOURCE_TYPE, "")).upper()
    if source_type in {"NUMERIC", "DECIMAL"} and SOURCE_LENGTH in parameters:
        precision = int(parameters[SOURCE_LENGTH])
        scale = int(parameters.get(SOURCE_SCALE, "0"))
        if 0 < precision <= 38:
            return T.DecimalType(precision, scale)
    if logical in MICROS_TIMESTAMPS | MILLIS_TIMESTAMPS | ISO_TIMESTAMPS:
        return T.TimestampType()
    if logical in DAY_DATES:
        return T.DateType()
    return PRIMITIVES.get(field.get("type", ""), T.StringType())


def json_read_type_for(field: dict) -> T.DataType:
    """The type to read a field's JSON value as, before :func:`typed_value` converts it."""
    return PRIMITIVES.get(field.get("type", ""), T.StringType())


def typed_value(raw: Column, field: dict) -> Column:
    """Convert the value read with :func:`json_read_type_for` to :func:`spark_type_for`'s type.

    Returns null where the text does not convert (the caller quarantines such rows).
    """
    logical = field.get("name") or ""
    target = spark_type_for(field)
    if logical in MICROS_TIMESTAMPS:
        return F.timestamp_micros(raw)
    if logical in MILLIS_TIMESTAMPS:
        return F.timestamp_millis(raw)
    if logical in DAY_DATES:
        return F.date_from_unix_date(raw)
    if isinstance(target, (T.DecimalType, T.TimestampType)):
        return raw.try_cast(target)
    return raw
