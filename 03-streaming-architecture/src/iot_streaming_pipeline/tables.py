"""Create every table of the pipeline up front, empty, with the schema the writers produce.

Streams that read a table (silver reads bronze, gold reads silver) need it to exist before they
start; MERGE needs its target. Schemas are derived from the transformations themselves applied to
an empty input, so they cannot drift from what the writers write.

Example::

    >>> ensure_pipeline_tables(spark, PipelinePaths.under(str(tmp_path)), {"tool_id": "string"})  # doctest: +SKIP
"""
from __future__ import annotations

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import (
    BinaryType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

from iot_streaming_pipeline.bronze import to_bronze
from iot_streaming_pipeline.gold import machine_window_aggregates
from iot_streaming_pipeline.layout import PipelinePaths
from iot_streaming_pipeline.silver import duplicate_columns, quarantine_columns, silver_columns
from iot_streaming_pipeline.validation import parse_and_validate

KAFKA_SOURCE_SCHEMA = StructType([
    StructField("key", BinaryType()), StructField("value", BinaryType()), StructField("topic", StringType()),
    StructField("partition", IntegerType()), StructField("offset", LongType()),
    StructField("timestamp", TimestampType()), StructField("timestampType", IntegerType()),
])


# Delta collects min/max/null-count statistics on the first 32 columns of every written file by default;
# silver's readers filter only by these, so statistics on the others are write cost without a reader
# (about a third of the silver write stage's CPU in benchmarks/silver_batch_cost.py).
SILVER_STATS_COLUMNS = ("event_id", "machine_id", "plant_id", "event_time", "silver_app_id", "silver_batch_id")


def _create(spark: SparkSession, path: str, empty: DataFrame, partition_by: tuple[str, ...] = (),
            stats_columns: tuple[str, ...] = ()) -> None:
    builder = DeltaTable.createIfNotExists(spark).location(path).addColumns(empty.schema)
    if stats_columns:
        builder = builder.property("delta.dataSkippingStatsColumns", ",".join(stats_columns))
    if partition_by:
        builder = builder.partitionedBy(*partition_by)
    builder.execute()


def ensure_pipeline_tables(spark: SparkSession, paths: PipelinePaths, extension_fields: dict[str, str]) -> None:
    """Create bronze, silver, quarantine, late_events, duplicates and gold if they do not exist."""
    bronze = to_bronze(spark.createDataFrame([], KAFKA_SOURCE_SCHEMA), "schema")
    checked = (parse_and_validate(bronze, {}, extension_fields)
               .withColumn("silver_app_id", F.lit("schema"))
               .withColumn("silver_batch_id", F.lit(0).cast("long"))
               .withColumn("disposition", F.lit("schema")))
    silver = silver_columns(checked)
    _create(spark, paths.bronze, bronze, ("ingest_date",))
    _create(spark, paths.silver, silver, ("event_date",), SILVER_STATS_COLUMNS)
    _create(spark, paths.late_events, silver, stats_columns=SILVER_STATS_COLUMNS)
    _create(spark, paths.quarantine, quarantine_columns(checked))
    _create(spark, paths.duplicates, duplicate_columns(checked))
    _create(spark, paths.gold, machine_window_aggregates(silver, "1 minute", 60))
