"""Run the apply step as a Structured Streaming query over a Debezium topic."""
from __future__ import annotations

from delta.tables import DeltaTable
from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery

from enterprise_integration.cdc.apply import apply_change_batch
from enterprise_integration.cdc.errors import InvalidCdcOptionsError
from enterprise_integration.cdc.target import CdcTarget


def start_cdc_stream(
    spark: SparkSession,
    kafka_options: dict[str, str],
    topic: str,
    target: CdcTarget,
    checkpoint_location: str,
    trigger_seconds: float = 1.0,
    max_offsets_per_trigger: int | None = None,
    query_name: str | None = None,
) -> StreamingQuery:
    """Start a query that reads ``topic`` from the beginning and applies each micro-batch to ``target``.

    ``kafka_options`` are the Kafka source's connection options (``kafka.bootstrap.servers`` and,
    for a secured cluster, the ``kafka.security.protocol`` / ``kafka.sasl.*`` ones). The checkpoint
    keeps the Kafka offsets; a restarted query re-runs its last unfinished batch, which the apply
    step absorbs (every write is guarded by source position or keyed).

    Example::

        >>> query = start_cdc_stream(spark, {"kafka.bootstrap.servers": "broker:9092"},
        ...                          "mes.public.work_orders", CdcTarget("/lake/wo", ("id",)),
        ...                          "/chk/wo")  # doctest: +SKIP
    """
    if "kafka.bootstrap.servers" not in kafka_options:
        raise InvalidCdcOptionsError(
            f"expected 'kafka.bootstrap.servers' among kafka_options, got keys {sorted(kafka_options)}"
        )
    if trigger_seconds <= 0:
        raise InvalidCdcOptionsError(f"expected trigger_seconds > 0, got {trigger_seconds}")
    reader = (
        spark.readStream.format("kafka")
        .options(**kafka_options)
        .option("subscribe", topic)
        .option("startingOffsets", "earliest")
        .option("failOnDataLoss", "true")
    )
    if max_offsets_per_trigger:
        reader = reader.option("maxOffsetsPerTrigger", str(max_offsets_per_trigger))

    def apply(batch: DataFrame, batch_id: int) -> None:
        apply_change_batch(batch.sparkSession, batch, target, batch_id)

    writer = (
        reader.load()
        .writeStream.foreachBatch(apply)
        .option("checkpointLocation", checkpoint_location)
        .trigger(processingTime=f"{trigger_seconds} seconds")
    )
    if query_name:
        writer = writer.queryName(query_name)
    return writer.start()


def ledger_totals(spark: SparkSession, target: CdcTarget) -> dict[str, int]:
    """Sum the ledger's counts over every batch applied so far (zeros before the first batch).

    Example::

        >>> totals = ledger_totals(spark, target)  # doctest: +SKIP
        >>> totals["events_in"] == totals["applied"] + totals["stale"] + totals["tombstones"] + totals["quarantined"]
        True
    """
    names = ("events_in", "applied", "stale", "tombstones", "quarantined")
    # read, not DeltaTable.isDeltaTable: that caches "no table" for a path another process creates later
    try:
        spark.read.format("delta").load(target.ledger_path)
    except AnalysisException:
        if DeltaTable.isDeltaTable(spark, target.ledger_path):
            raise
        return dict.fromkeys(names, 0)
    # a re-run batch (a restarted query) appends its row again: count each batch id once, the last
    latest = Window.partitionBy("batch_id").orderBy(F.col("written_at").desc())
    ledger = (
        spark.read.format("delta").load(target.ledger_path)
        .withColumn("_n", F.row_number().over(latest)).where("_n = 1")
    )
    row = ledger.agg(*[F.coalesce(F.sum(n), F.lit(0)).alias(n) for n in names]).first()
    return {name: int(row[name]) for name in names}
