"""Silver: one idempotent foreachBatch that sends every bronze row to exactly one place.

Each bronze row gets one ``disposition``:

* ``quarantine`` (not parseable or fails a rule) -> quarantine table, with the reason;
* ``duplicate_in_batch`` / ``duplicate_of_earlier`` (event id already seen within the dedup
  horizon, in this batch or in silver / late_events written by earlier batches) -> duplicates
  table, with its Kafka position (dropped from silver, kept for the ledger);
* ``late`` (older than the watermark) -> late_events table, never silently dropped;
* ``silver`` -> silver table.

The watermark of a row is ``max(event time committed by earlier batches, event time of earlier
offsets in the same Kafka partition) - allowed lateness``. Every write carries Delta's
``txnAppId``/``txnVersion`` (the batch id), so a batch replayed after a crash is skipped by Delta,
and every decision reads only what *earlier* batches wrote, so a replay classifies rows the same
way. Every batch commits to silver (an empty append when it has no silver rows) with its writer,
batch id and the watermark it used in the commit's ``userMetadata``: that is what a restart
recovers the watermark from (:mod:`iot_streaming_pipeline.silver_ledger`), and the ledger
``rows in = silver + quarantine + late + duplicates`` is read back from the four tables by batch id.

Example::

    >>> settings = SilverSettings(app_id="dev-silver", allowed_lateness_seconds=600,
    ...                           dedup_horizon_seconds=3600, metric_ranges={"temperature_c": (-40.0, 400.0)},
    ...                           extension_fields={"tool_id": "string"})
    >>> query = start_silver_stream(spark, paths, settings, "2 seconds")  # doctest: +SKIP
"""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field

from pyspark.sql import DataFrame, Observation, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery
from pyspark.sql.types import TimestampType

from iot_streaming_pipeline.errors import ConcurrentSilverWriterError, InvalidInputError
from iot_streaming_pipeline.layout import PipelinePaths
from iot_streaming_pipeline.recent_ids import RecentEventIds
from iot_streaming_pipeline.silver_ledger import DISPOSITIONS, committed_watermark_before, silver_commit_metadata
from iot_streaming_pipeline.validation import BRONZE_COLUMNS, parse_and_validate

DUPLICATE_DISPOSITIONS = ("duplicate_in_batch", "duplicate_of_earlier")
OBSERVATION_WAIT_S = 60.0  # after the append returned, its metrics arrive within milliseconds unless Delta skipped it


@dataclass(frozen=True)
class SilverSettings:
    """Rules of the silver step; ``app_id`` names the writer in Delta's transaction log."""

    app_id: str
    allowed_lateness_seconds: int
    dedup_horizon_seconds: int
    metric_ranges: dict[str, tuple[float, float]]
    extension_fields: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.app_id:
            raise InvalidInputError("app_id: expected a non-empty writer id, got ''")
        if self.allowed_lateness_seconds < 1 or self.dedup_horizon_seconds < self.allowed_lateness_seconds:
            raise InvalidInputError(
                "expected 1 <= allowed_lateness_seconds <= dedup_horizon_seconds, got "
                f"{self.allowed_lateness_seconds} and {self.dedup_horizon_seconds}"
            )


def _written_before(table: DataFrame, app_id: str, batch_id: int) -> DataFrame:
    """Rows written by any batch before ``batch_id`` of ``app_id`` (or by another writer)."""
    return table.where((F.col("silver_app_id") != app_id) | (F.col("silver_batch_id") < batch_id))


class CommittedWatermark:
    """What the last batch this process committed leaves for the next one: the running max event
    time and, optionally, the event ids silver and late_events hold within the dedup horizon
    (:class:`~iot_streaming_pipeline.recent_ids.RecentEventIds`).

    The next batch uses them instead of reading the silver table's commits and the two tables
    again; any other batch id (the first batch after a start, a replay after a crash) reads the
    tables (:func:`~iot_streaming_pipeline.silver_ledger.committed_watermark_before`,
    :func:`earlier_event_ids`). It assumes one silver writer per silver table while the stream
    runs, which is how :func:`start_silver_stream` is used.

    Example::

        >>> memory = CommittedWatermark()
        >>> memory.remember(4, None)
        >>> memory.recall(5), memory.recall(6)
        ((True, None), (False, None))
    """

    def __init__(self) -> None:
        self._next_batch_id: int | None = None
        self._max_event_time: dt.datetime | None = None
        self._recent_ids: RecentEventIds | None = None

    def recall(self, batch_id: int) -> tuple[bool, dt.datetime | None]:
        """``(True, max)`` when ``batch_id`` directly follows the remembered batch, else ``(False, None)``."""
        if self._next_batch_id == batch_id:
            return True, self._max_event_time
        return False, None

    def recent_ids(self, batch_id: int) -> RecentEventIds | None:
        """The remembered ids when ``batch_id`` directly follows the remembered batch, else None."""
        return self._recent_ids if self._next_batch_id == batch_id else None

    def remember(self, batch_id: int, max_event_time: dt.datetime | None,
                 recent_ids: RecentEventIds | None = None) -> None:
        """Record the running max (and the ids within the horizon) after ``batch_id`` was committed."""
        self._next_batch_id, self._max_event_time, self._recent_ids = batch_id + 1, max_event_time, recent_ids


def _horizon_start(settings: SilverSettings, running_max: dt.datetime | None) -> F.Column:
    """Rows at or after ``running_max - dedup horizon`` (all rows before any event time is committed)."""
    if running_max is None:
        return F.lit(True)
    return F.col("event_time") >= F.lit(running_max) - F.expr(f"INTERVAL {settings.dedup_horizon_seconds} SECONDS")


def earlier_event_ids(spark: SparkSession, paths: PipelinePaths, settings: SilverSettings, batch_id: int,
                      previous_max: dt.datetime | None) -> DataFrame:
    """``(event_id, event_time)`` of silver and late_events rows written before ``batch_id``, within the horizon.

    Read back to ``previous_max - dedup horizon`` only: an event older than that is older than the
    watermark too (lateness <= horizon), so it is ``late`` whether or not it was seen before, and it
    lands in late_events, not in silver.
    """
    recent = _horizon_start(settings, previous_max)
    return (_written_before(spark.read.format("delta").load(paths.silver), settings.app_id, batch_id)
            .where(recent).select("event_id", "event_time")
            .unionByName(_written_before(spark.read.format("delta").load(paths.late_events), settings.app_id, batch_id)
                         .where(recent).select("event_id", "event_time")))


def checked_batch(bronze_batch: DataFrame, settings: SilverSettings) -> DataFrame:
    """The batch parsed and validated once, tagged with the writer (persist it; :func:`with_batch_id` follows)."""
    return (parse_and_validate(bronze_batch, settings.metric_ranges, settings.extension_fields)
            .withColumn("silver_app_id", F.lit(settings.app_id)))


def with_batch_id(rows: DataFrame, batch_id: int) -> DataFrame:
    """``rows`` with ``silver_batch_id`` right after ``silver_app_id``.

    Added to the cached classification, not while parsing: Spark compiles a number literal into
    the generated code, so a batch id inside the parsing projection would make every batch compile
    (and the JIT warm up) that large class anew.
    """
    columns: list = []
    for name in rows.columns:
        columns.append(name)
        if name == "silver_app_id":
            columns.append(F.lit(batch_id).cast("long").alias("silver_batch_id"))
    return rows.select(*columns)


def classify_batch(checked: DataFrame, earlier_ids: DataFrame, settings: SilverSettings,
                   previous_max: dt.datetime | None) -> DataFrame:
    """Return the checked rows, each with its ``disposition`` (see the module docstring); no action runs.

    ``earlier_ids`` are the ``(event_id, event_time)`` rows earlier batches wrote to silver and
    late_events within the dedup horizon (:func:`earlier_event_ids`, or remembered);
    ``previous_max`` is the max event time committed by earlier batches.
    """
    valid = checked.where(F.col("quarantine_reason").isNull()).drop("value")  # raw bytes: quarantine rows only
    # Cut from the silver and late_events tables (a local checkpoint, filled by the first action):
    # the cached classification must not reference a table this batch writes, or Delta's write
    # re-plans every cached plan that reads it (about 0.5 s per batch, silver_batch_cost.py).
    seen_ids = (earlier_ids.select("event_id").join(valid.select("event_id"), "event_id", "left_semi").distinct()
                .withColumn("_seen_before", F.lit(True)).localCheckpoint(eager=False))

    by_event = Window.partitionBy("event_id").orderBy("kafka_topic", "kafka_partition", "kafka_offset")
    by_offset = (Window.partitionBy("kafka_topic", "kafka_partition").orderBy("kafka_offset")
                 .rowsBetween(Window.unboundedPreceding, -1))
    lateness = F.expr(f"INTERVAL {settings.allowed_lateness_seconds} SECONDS")
    watermark_base = F.greatest(F.lit(previous_max).cast("timestamp"), F.max("event_time").over(by_offset))
    classified_valid = (
        valid.withColumn("_seen", F.row_number().over(by_event))
        .join(seen_ids, "event_id", "left")
        .withColumn("_watermark", watermark_base - lateness)
        .withColumn("disposition",
                    F.when(F.col("_seen") > 1, F.lit("duplicate_in_batch"))
                    .when(F.col("_seen_before").isNotNull(), F.lit("duplicate_of_earlier"))
                    .when(F.col("event_time") < F.col("_watermark"), F.lit("late"))
                    .otherwise(F.lit("silver")))
        .drop("_seen", "_seen_before", "_watermark")
    )
    quarantined = checked.where(F.col("quarantine_reason").isNotNull()).withColumn("disposition", F.lit("quarantine"))
    return quarantined.unionByName(classified_valid, allowMissingColumns=True)


def _append_once(rows: DataFrame, path: str, app_id: str, batch_id: int, user_metadata: str | None = None) -> None:
    """Append with Delta's idempotent-write options: a second write of the same batch is skipped."""
    writer = rows.write.format("delta").mode("append").option("txnAppId", app_id).option("txnVersion", batch_id)
    if user_metadata is not None:
        writer = writer.option("userMetadata", user_metadata)
    writer.save(path)


def silver_columns(classified: DataFrame) -> DataFrame:
    """The silver table's columns (bronze bytes dropped, event date added for partitioning)."""
    return classified.drop("value", "quarantine_reason", "disposition").withColumn(
        "event_date", F.to_date("event_time"))


def quarantine_columns(classified: DataFrame) -> DataFrame:
    """The quarantine table's columns: raw bytes, Kafka position and the reason."""
    return classified.select(F.col("value").cast("string").alias("raw_value"), *BRONZE_COLUMNS[1:],
                             "quarantine_reason", "silver_app_id", "silver_batch_id")


def duplicate_columns(classified: DataFrame) -> DataFrame:
    """The duplicates table's columns: which event, where in Kafka, and which kind of duplicate."""
    return classified.select("event_id", "event_time", *BRONZE_COLUMNS[1:], F.col("disposition").alias("duplicate_of"),
                             "silver_app_id", "silver_batch_id")


def _disposition_metrics() -> list:
    """Per-disposition row counts and the silver rows' max event time (epoch microseconds), as aggregates."""
    return [*(F.sum(F.when(F.col("disposition") == d, 1).otherwise(0)).alias(d) for d in DISPOSITIONS),
            F.max(F.when(F.col("disposition") == "silver", F.unix_micros("event_time"))).alias("max_silver_micros")]


def _from_metrics(metrics: dict) -> tuple[dict[str, int], dt.datetime | None]:
    micros = metrics["max_silver_micros"]  # converted as PySpark converts a timestamp column
    max_time = None if micros is None else TimestampType().fromInternal(micros)
    return {d: int(metrics[d] or 0) for d in DISPOSITIONS}, max_time


def _observed(observation: Observation, settings: SilverSettings, batch_id: int) -> dict:
    """The observed metrics of an append that ran; a named error if Delta skipped it (nothing ran to observe)."""
    outcome: dict = {}

    def wait() -> None:  # Observation.get has no timeout: wait in a daemon thread
        try:
            outcome["metrics"] = observation.get
        except Exception as error:  # noqa: BLE001 - re-raised below, in the batch's thread
            outcome["error"] = error

    waiter = threading.Thread(target=wait, name=f"observe-silver-{batch_id}", daemon=True)
    waiter.start()
    waiter.join(OBSERVATION_WAIT_S)
    if "error" in outcome:
        raise outcome["error"]
    if "metrics" not in outcome:
        raise ConcurrentSilverWriterError(
            f"silver batch {batch_id}: expected the append of app id {settings.app_id!r} to run, but Delta "
            "skipped it as already committed; another writer uses the same app id")
    return outcome["metrics"]


def disposition_summary(classified: DataFrame) -> tuple[dict[str, int], dt.datetime | None]:
    """Rows per disposition and the max event time of the silver rows, from one aggregation."""
    return _from_metrics(classified.agg(*_disposition_metrics()).first().asDict())


# The tables besides silver: which dispositions go there, and in which columns.
OTHER_TABLES = ((("quarantine",), "quarantine", quarantine_columns), (("late",), "late_events", silver_columns),
                (DUPLICATE_DISPOSITIONS, "duplicates", duplicate_columns))


def write_silver_batch(spark: SparkSession, bronze_batch: DataFrame, batch_id: int, paths: PipelinePaths,
                       settings: SilverSettings, memory: CommittedWatermark | None = None) -> dict[str, int]:
    """Classify one bronze micro-batch and write each disposition once; return the batch's counts.

    The batch is parsed once and kept in memory. When ``memory`` holds the previous batch (the
    steady state of a running stream), the watermark and the ids within the dedup horizon come
    from it, not from the tables, and the counts are observed while the silver append runs, so
    classifying, counting and writing silver is one Spark job. Otherwise the batch may be a replay
    that Delta will skip, so the counts come from an aggregation first. Quarantine, late_events and
    duplicates get a commit only when they have rows; silver gets one every batch.
    """
    remembered, previous_max = memory.recall(batch_id) if memory is not None else (False, None)
    if not remembered:
        previous_max = committed_watermark_before(spark, paths.silver, settings.app_id, batch_id)
    recent = memory.recent_ids(batch_id) if remembered else None
    if recent is None and memory is not None:  # a start or a replay: read the tables once, keep what they held
        recent = RecentEventIds.starting_from(earlier_event_ids(spark, paths, settings, batch_id, previous_max),
                                              previous_max, dt.timedelta(seconds=settings.dedup_horizon_seconds))
    earlier_ids = (recent.within(previous_max) if recent is not None
                   else earlier_event_ids(spark, paths, settings, batch_id, previous_max))
    checked = checked_batch(bronze_batch, settings).persist()
    cached = classify_batch(checked, earlier_ids, settings, previous_max).persist()
    classified = with_batch_id(cached, batch_id)
    metadata = silver_commit_metadata(settings.app_id, batch_id, previous_max)
    try:
        if remembered:
            observation = Observation(f"silver-{settings.app_id}-{batch_id}")
            observed = classified.observe(observation, *_disposition_metrics())
            _append_once(silver_columns(observed.where(F.col("disposition") == "silver")), paths.silver,
                         settings.app_id, batch_id, metadata)
            counts, max_event_time = _from_metrics(_observed(observation, settings, batch_id))
        else:
            counts, max_event_time = disposition_summary(classified)
            _append_once(silver_columns(classified.where(F.col("disposition") == "silver")), paths.silver,
                         settings.app_id, batch_id, metadata)
        for dispositions, table, columns in OTHER_TABLES:
            if sum(counts[d] for d in dispositions):
                _append_once(columns(classified.where(F.col("disposition").isin(*dispositions))), paths.table(table),
                             settings.app_id, batch_id)
        if memory is not None:
            running_max = max((t for t in (previous_max, max_event_time) if t is not None), default=None)
            written = classified.where(F.col("disposition").isin("silver", "late")).select("event_id", "event_time")
            memory.remember(batch_id, running_max, recent.adding(written, running_max))
    finally:
        cached.unpersist()
        checked.unpersist()
    return {"batch_id": batch_id, "rows_in": sum(counts.values()), **counts}


def start_silver_stream(spark: SparkSession, paths: PipelinePaths, settings: SilverSettings,
                        trigger_interval: str | None, query_name: str = "silver",
                        source: DataFrame | None = None) -> StreamingQuery:
    """Start silver as a foreachBatch query; ``trigger_interval=None`` means availableNow.

    ``source`` is a streaming DataFrame in the bronze layout: by default the bronze table; pass
    ``to_bronze(kafka_stream)`` to read Kafka beside bronze, which takes bronze's micro-batch out of
    the produce-to-silver latency (see ``streaming.silver_source`` in the configs).
    """
    memory = CommittedWatermark()

    def process(batch: DataFrame, batch_id: int) -> None:
        write_silver_batch(spark, batch, batch_id, paths, settings, memory)

    rows = source if source is not None else spark.readStream.format("delta").load(paths.bronze)
    writer = (rows.writeStream.queryName(query_name).foreachBatch(process)
              .option("checkpointLocation", paths.checkpoint(query_name)))
    writer = writer.trigger(availableNow=True) if trigger_interval is None else writer.trigger(
        processingTime=trigger_interval)
    return writer.start()
