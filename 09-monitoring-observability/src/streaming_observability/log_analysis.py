"""Read JSON-lines logs (Python's JsonLogFormatter and the JVM's log4j2 JSON layout) with Spark.

Example::

    >>> logs = read_json_logs(spark, "/logs/*.jsonl")  # doctest: +SKIP
    >>> slowest_batches(logs, 5).show()  # doctest: +SKIP
"""
from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from streaming_observability.errors import ObservabilityInputError

LOG_SCHEMA = (
    "timestamp string, level string, logger string, message string, error_class string, "
    "plant string, query_id string, batch_id string, run_id string, duration_ms double, rows long"
)


def read_json_logs(spark: SparkSession, path: str) -> DataFrame:
    """JSON lines from both sides in one schema (fields a line lacks are null)."""
    return spark.read.schema(LOG_SCHEMA).json(path).withColumn("timestamp", F.to_timestamp("timestamp"))


def _require(logs: DataFrame, columns: list[str]) -> None:
    missing = [c for c in columns if c not in logs.columns]
    if missing:
        raise ObservabilityInputError(f"expected log columns {columns}, missing {missing}")


def slowest_batches(logs: DataFrame, limit: int = 10) -> DataFrame:
    """Batches with a logged ``duration_ms``, slowest first: query_id, batch_id, plant, duration_ms."""
    _require(logs, ["query_id", "batch_id", "duration_ms"])
    return (
        logs.where(F.col("duration_ms").isNotNull() & F.col("batch_id").isNotNull())
        .select("query_id", "batch_id", "plant", "duration_ms")
        .orderBy(F.col("duration_ms").desc(), "query_id", "batch_id")
        .limit(limit)
    )


def errors_by_class(logs: DataFrame) -> DataFrame:
    """ERROR lines counted by exception class (``none`` when the line had no exception), most first."""
    _require(logs, ["level", "error_class"])
    return (
        logs.where(F.col("level") == "ERROR")
        .groupBy(F.coalesce("error_class", F.lit("none")).alias("error_class"))
        .count()
        .orderBy(F.col("count").desc(), "error_class")
    )
