"""Silver's first step: parse bronze bytes with the explicit schema and name what is wrong with each row.

The JSON is parsed once, in Spark's PERMISSIVE mode with a corrupt-record field: a value that is
not a JSON object of the schema's types (cut off, not an object, a string where a number belongs)
is ``malformed_json``. A row is valid when ``quarantine_reason`` is null. Reasons, checked in this
order: ``malformed_json``, ``missing_event_id``, ``missing_machine_id``,
``missing_or_invalid_event_time``, ``out_of_range:<metric>`` (a metric present but outside its
configured range; absent metrics are allowed). Registered customExtension keys become typed
``ext_<key>`` columns (a value that does not convert becomes null, it never fails the batch); the
full map is kept.

Example::

    >>> ranges = {"temperature_c": (-40.0, 400.0)}
    >>> checked = parse_and_validate(bronze_df, ranges, {"tool_id": "string"})  # doctest: +SKIP
    >>> checked.where("quarantine_reason IS NULL").count()  # doctest: +SKIP
"""
from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from iot_streaming_pipeline.errors import InvalidInputError
from iot_streaming_pipeline.schema import EVENT_TIME_FORMAT, SENSOR_EVENT_SCHEMA

BRONZE_COLUMNS = ("value", "kafka_topic", "kafka_partition", "kafka_offset", "kafka_timestamp", "ingested_at")
CORRUPT_FIELD = "_corrupt_record"
PARSE_SCHEMA = StructType([*SENSOR_EVENT_SCHEMA.fields, StructField(CORRUPT_FIELD, StringType())])
EVENT_COLUMNS = ("event_id", "machine_id", "machine_type", "plant_id", "line_id", "firmware_version",
                 "temperature_c", "vibration_mm_s", "pressure_bar", "spindle_speed_rpm")


def extension_column_name(key: str) -> str:
    """``spindle_load_pct`` -> ``ext_spindle_load_pct``."""
    return f"ext_{key}"


def parse_and_validate(bronze: DataFrame, metric_ranges: dict[str, tuple[float, float]],
                       extension_fields: dict[str, str]) -> DataFrame:
    """Return bronze rows parsed into event columns plus ``event_time`` and ``quarantine_reason``."""
    missing = [c for c in BRONZE_COLUMNS if c not in bronze.columns]
    if missing:
        raise InvalidInputError(f"expected bronze columns {list(BRONZE_COLUMNS)}, missing {missing}")
    unknown = sorted(set(metric_ranges) - set(EVENT_COLUMNS))
    if unknown:
        raise InvalidInputError(f"expected metric_ranges over event columns {list(EVENT_COLUMNS)}, got {unknown}")
    parsed = F.from_json(F.col("value").cast("string"), PARSE_SCHEMA, {"mode": "PERMISSIVE",
                                                                         "columnNameOfCorruptRecord": CORRUPT_FIELD})
    with_event = bronze.select(*BRONZE_COLUMNS, parsed.alias("_event"))
    event_time = F.try_to_timestamp(F.col("_event.event_time"), F.lit(EVENT_TIME_FORMAT))
    reason = (
        F.when(F.col("_event").isNull() | F.col(f"_event.{CORRUPT_FIELD}").isNotNull(), F.lit("malformed_json"))
        .when(F.col("_event.event_id").isNull() | (F.col("_event.event_id") == ""), F.lit("missing_event_id"))
        .when(F.col("_event.machine_id").isNull() | (F.col("_event.machine_id") == ""), F.lit("missing_machine_id"))
        .when(event_time.isNull(), F.lit("missing_or_invalid_event_time"))
    )
    for metric, (low, high) in sorted(metric_ranges.items()):
        value = F.col(f"_event.{metric}")
        reason = reason.when(value.isNotNull() & ((value < low) | (value > high)), F.lit(f"out_of_range:{metric}"))
    extension = F.col("_event.customExtension")
    extension_columns = [
        F.expr(f"try_cast(_event.customExtension['{key}'] AS {kind})").alias(extension_column_name(key))
        if kind != "string" else extension[key].alias(extension_column_name(key))
        for key, kind in sorted(extension_fields.items())
    ]
    return with_event.select(
        *[F.col(f"_event.{name}").alias(name) for name in EVENT_COLUMNS],
        event_time.alias("event_time"),
        extension.alias("custom_extension"),
        *extension_columns,
        *BRONZE_COLUMNS,
        reason.alias("quarantine_reason"),
    )
