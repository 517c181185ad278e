"""Read Debezium JSON change events (as Spark's Kafka source delivers them) into one row per event.

Every input row comes out exactly once, with ``_cdc_kind`` saying what it is:

* ``change``: a create (``c``), update (``u``), delete (``d``) or snapshot read (``r``) with its
  source position (``_cdc_snapshot``, ``_cdc_lsn``);
* ``tombstone``: the null-valued message Debezium sends after a delete so that log compaction can
  drop the key; it carries no change of its own;
* ``malformed``: anything else, with ``_cdc_reason`` saying what was wrong.
"""
from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from enterprise_integration.cdc.target import LSN_COLUMN, OP_COLUMN, SNAPSHOT_COLUMN

KIND_COLUMN = "_cdc_kind"
REASON_COLUMN = "_cdc_reason"
KAFKA_COLUMNS = ("key", "value", "topic", "partition", "offset")
OPS = ("c", "u", "d", "r")

# Only what the apply step reads. before/after stay JSON text until their column types are known, and
# so does the Connect field list of each struct: one string per event, with a few distinct values per
# batch that the driver decodes (parsed into structs with a parameter map, it slowed the whole pass).
ENVELOPE_SCHEMA = T.StructType(
    [
        T.StructField(
            "schema",
            T.StructType(
                [
                    T.StructField(
                        "fields",
                        T.ArrayType(
                            T.StructType(
                                [
                                    T.StructField("field", T.StringType()),
                                    T.StructField("fields", T.StringType()),
                                ]
                            )
                        ),
                    )
                ]
            ),
        ),
        T.StructField(
            "payload",
            T.StructType(
                [
                    T.StructField("op", T.StringType()),
                    T.StructField("before", T.StringType()),
                    T.StructField("after", T.StringType()),
                    T.StructField(
                        "source",
                        T.StructType(
                            [
                                T.StructField("lsn", T.LongType()),
                                T.StructField("snapshot", T.StringType()),
                            ]
                        ),
                    ),
                ]
            ),
        ),
    ]
)


def _reason(envelope: Column, key_text: Column, key_columns: tuple[str, ...]) -> Column:
    payload = envelope["payload"]
    missing_key = [
        F.when(F.get_json_object(key_text, f"$.{name}").isNull(), F.lit(name)) for name in key_columns
    ]
    return (
        F.when(payload.isNull() | payload["op"].isNull(),
               F.lit("value is not a Debezium JSON envelope (no payload.op)"))
        .when(~payload["op"].isin(*OPS),
              F.concat(F.lit("unknown op '"), payload["op"], F.lit(f"', expected one of {list(OPS)}")))
        .when(payload["source"]["lsn"].isNull(), F.lit("payload.source.lsn is missing"))
        .when(envelope["schema"].isNull(),
              F.lit("envelope has no schema: expected value.converter.schemas.enable=true"))
        .when(key_text.isNull(), F.lit("message has no key"))
        .when(F.concat_ws(",", *missing_key) != "",
              F.concat(F.lit("key lacks column(s) "), F.concat_ws(",", *missing_key)))
        .when(payload["op"].isin("c", "u", "r") & payload["after"].isNull(),
              F.concat(F.lit("op '"), payload["op"], F.lit("' without an after image")))
    )


def read_change_events(kafka_rows: DataFrame, key_columns: tuple[str, ...]) -> DataFrame:
    """One row per Kafka message: kind, reason, op, position, key/before/after JSON and Kafka origin.

    ``_cdc_fields`` is the ``after`` struct's Connect field list as JSON text; ``_cdc_value`` is the
    message text of malformed events (null for the others).

    Example::

        >>> events = read_change_events(batch_df, key_columns=("id",))  # doctest: +SKIP
        >>> events.groupBy("_cdc_kind").count().show()  # doctest: +SKIP
    """
    missing = [name for name in KAFKA_COLUMNS if name not in kafka_rows.columns]
    if missing:
        raise ValueError(f"expected Kafka source columns {list(KAFKA_COLUMNS)}, missing {missing}")
    key_text = F.col("key").cast("string")
    value_text = F.col("value").cast("string")
    envelope = F.from_json(value_text, ENVELOPE_SCHEMA)
    after_fields = F.filter(envelope["schema"]["fields"], lambda f: f["field"] == "after")[0]["fields"]
    reason = _reason(envelope, key_text, key_columns)
    kind = (
        F.when(F.col("value").isNull(), F.lit("tombstone"))
        .when(reason.isNotNull(), F.lit("malformed"))
        .otherwise(F.lit("change"))
    )
    return kafka_rows.select(
        kind.alias(KIND_COLUMN),
        F.when(F.col("value").isNotNull(), reason).alias(REASON_COLUMN),
        envelope["payload"]["op"].alias(OP_COLUMN),
        (envelope["payload"]["op"] == "r").alias(SNAPSHOT_COLUMN),
        envelope["payload"]["source"]["lsn"].alias(LSN_COLUMN),
        key_text.alias("_cdc_key"),
        envelope["payload"]["before"].alias("_cdc_before"),
        envelope["payload"]["after"].alias("_cdc_after"),
        after_fields.alias("_cdc_fields"),
        # the message text only where its quarantine row needs it: a batch's text is megabytes to cache
        F.when(kind == "malformed", value_text).alias("_cdc_value"),
        "topic",
        "partition",
        "offset",
    )
