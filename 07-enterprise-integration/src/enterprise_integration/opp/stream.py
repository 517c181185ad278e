"""The landing-folder stream: each new file in the folder is read whole, parsed with an explicit
schema and applied to the history or the quarantine table, micro-batch by micro-batch.

Example::

    query = start_program_file_stream(spark, "/landing/opp", history_path, quarantine_path, checkpoint)
    query.awaitTermination()   # availableNow: every file present now, then stop
"""
from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery

from enterprise_integration.opp.history import apply_program_versions
from enterprise_integration.opp.parse import parse_program_files


def start_program_file_stream(
    spark: SparkSession, landing_dir: str, history_path: str, quarantine_path: str, checkpoint_path: str,
    available_now: bool = True, max_files_per_trigger: int = 1000,
) -> StreamingQuery:
    """Start the stream (``availableNow`` by default: a scheduled job's run; False: every 30 s)."""
    raw = (
        spark.readStream.format("text")
        .option("wholetext", True)
        .option("maxFilesPerTrigger", max_files_per_trigger)
        .load(landing_dir)
        .select("value", F.col("_metadata.file_path").alias("source_file"))
    )

    def apply_batch(batch: DataFrame, batch_id: int) -> None:
        apply_program_versions(spark, parse_program_files(batch), history_path, quarantine_path, batch_id)

    writer = raw.writeStream.foreachBatch(apply_batch).option("checkpointLocation", checkpoint_path)
    writer = writer.trigger(availableNow=True) if available_now else writer.trigger(processingTime="30 seconds")
    return writer.start()
