"""The measured jobs, each built from the pipeline's own functions (``iot_streaming_pipeline``).

* :func:`stream_backlog_to_bronze`: a pre-loaded topic drained by the bronze streaming query
  (``start_bronze_stream``) with a given ``maxOffsetsPerTrigger`` and trigger;
* :func:`batch_backlog_to_bronze`: the same topic read once with ``spark.read`` -> ``to_bronze``
  -> Delta (the ceiling);
* :func:`run_steady_pipeline`: bronze + silver (``start_bronze_stream``, ``start_silver_stream``)
  while a separate process produces at a steady rate; latency from the silver tables.

Example::

    >>> row = stream_backlog_to_bronze(spark, options, "/tmp/run1", "availableNow", progress, 300_000)  # doctest: +SKIP
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession
from pyspark.sql.streaming import StreamingQuery

from catalog_tools.kafka_io import create_topic
from iot_pipeline_bench.kafka_load import SteadyProducer
from iot_pipeline_bench.measurements import (
    MeasurementError,
    batch_duration_summary,
    batch_window,
    data_batches,
    latency_summary,
    load_average,
)
from iot_streaming_pipeline.bronze import start_bronze_stream, to_bronze
from iot_streaming_pipeline.config import PipelineConfig, kafka_source_options, load_environment_config
from iot_streaming_pipeline.layout import PipelinePaths
from iot_streaming_pipeline.monitoring import BatchMetricsListener
from iot_streaming_pipeline.pipeline import kafka_stream, silver_settings, silver_source
from iot_streaming_pipeline.silver import start_silver_stream
from iot_streaming_pipeline.silver_ledger import ledger_totals, visibility_latency
from iot_streaming_pipeline.tables import ensure_pipeline_tables

AVAILABLE_NOW = "availableNow"
STREAM_ONLY_OPTIONS = ("maxOffsetsPerTrigger", "minOffsetsPerTrigger", "maxTriggerDelay")


class BenchmarkRunError(RuntimeError):
    """A measured run did not finish or did not account for every produced row."""


class ProgressLog:
    """Everything a :class:`BatchMetricsListener` has recorded, kept (the listener hands rows over once)."""

    def __init__(self, listener: BatchMetricsListener) -> None:
        self.listener = listener
        self.rows: list[dict[str, Any]] = []

    def of_query(self, query_name: str) -> list[dict[str, Any]]:
        self.rows += self.listener.take_pending()
        return [r for r in self.rows if r["query_name"] == query_name]

    def rows_read(self, query_name: str) -> int:
        return sum(r["input_rows"] for r in self.of_query(query_name))

    def wait_for_rows(self, query_name: str, expected: int, timeout_s: float) -> bool:
        """Poll until the query's batches have read ``expected`` rows; False on timeout."""
        deadline = time.monotonic() + timeout_s
        while self.rows_read(query_name) < expected:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.25)
        return True


def pipeline_config(root: Path, bootstrap: str, topic: str, max_offsets_per_trigger: int) -> PipelineConfig:
    """The dev config (PLAINTEXT) pointed at the benchmark broker, topic and a fresh storage root."""
    return load_environment_config("dev", overrides={
        "storage": {"root": str(root)},
        "kafka": {"bootstrap_servers": bootstrap, "topic": topic, "max_offsets_per_trigger": max_offsets_per_trigger},
    })


def _trigger_interval(trigger: str) -> str | None:
    return None if trigger == AVAILABLE_NOW else trigger


def stream_backlog_to_bronze(spark: SparkSession, config: PipelineConfig, trigger: str, progress: ProgressLog,
                             expected_rows: int, min_partitions: int | None = None,
                             timeout_s: float = 600.0) -> dict[str, Any]:
    """Drain the topic into a fresh bronze table with the bronze streaming query; rates from listener progress."""
    paths = PipelinePaths.under(config.storage_root)
    options = kafka_source_options(config.kafka, None)
    if min_partitions:
        options["minPartitions"] = str(min_partitions)
    name = f"bronze-{Path(config.storage_root).name}"
    started = time.monotonic()
    query = start_bronze_stream(spark.readStream.format("kafka").options(**options).load(), paths, "bench",
                                _trigger_interval(trigger), query_name=name)
    try:
        drained = progress.wait_for_rows(name, expected_rows, timeout_s)
        if trigger == AVAILABLE_NOW:
            query.awaitTermination(timeout_s)
    finally:
        query.stop()
    wall_s = time.monotonic() - started
    if not drained:
        raise BenchmarkRunError(f"{name}: expected {expected_rows} rows within {timeout_s:.0f} s, "
                                f"read {progress.rows_read(name)}")
    rows = progress.of_query(name)
    window, durations = batch_window(rows), batch_duration_summary(rows)
    written = spark.read.format("delta").load(paths.bronze).count()
    if written != expected_rows:
        raise BenchmarkRunError(f"{name}: expected {expected_rows} bronze rows, found {written}")
    return {"mode": "streaming", "trigger": trigger, "max_offsets_per_trigger": config.kafka.max_offsets_per_trigger,
            "min_partitions": min_partitions or "", "rows": written, "batches": window.batches,
            "mean_batch_s": durations["mean_s"], "seconds": round(window.seconds, 2),
            "events_per_s": round(window.events_per_second), "wall_incl_start_s": round(wall_s, 2)}


def batch_backlog_to_bronze(spark: SparkSession, config: PipelineConfig, expected_rows: int,
                            min_partitions: int | None = None) -> dict[str, Any]:
    """The ceiling: the whole topic with ``spark.read`` (batch) -> ``to_bronze`` -> the same Delta layout."""
    paths = PipelinePaths.under(config.storage_root)
    options = {k: v for k, v in kafka_source_options(config.kafka, None).items() if k not in STREAM_ONLY_OPTIONS}
    options.update({"startingOffsets": "earliest", "endingOffsets": "latest"})
    if min_partitions:
        options["minPartitions"] = str(min_partitions)
    started = time.monotonic()
    (to_bronze(spark.read.format("kafka").options(**options).load(), "bench")
     .write.format("delta").mode("append").partitionBy("ingest_date").save(paths.bronze))
    seconds = time.monotonic() - started
    written = spark.read.format("delta").load(paths.bronze).count()
    if written != expected_rows:
        raise BenchmarkRunError(f"batch ceiling: expected {expected_rows} bronze rows, found {written}")
    return {"mode": "batch (ceiling)", "trigger": "", "max_offsets_per_trigger": "",
            "min_partitions": min_partitions or "", "rows": written, "batches": 1, "mean_batch_s": round(seconds, 3),
            "seconds": round(seconds, 2), "events_per_s": round(written / seconds),
            "wall_incl_start_s": round(seconds, 2)}


@dataclass(frozen=True)
class SteadyCase:
    """One latency run: silver's trigger (``'1 second'``, ``'0 seconds'``, ``availableNow`` = re-run back
    to back), what silver reads (``bronze`` or ``kafka``) and bronze's trigger (None: the same as silver's)."""

    label: str
    trigger: str
    max_offsets_per_trigger: int
    silver_source: str = "bronze"
    bronze_trigger: str | None = None


class _AvailableNowLoop(threading.Thread):
    """Bronze then silver with ``availableNow``, again and again: a scheduled job run back to back."""

    def __init__(self, spark: SparkSession, config: PipelineConfig, names: tuple[str, str]) -> None:
        super().__init__(daemon=True)
        self.spark, self.config, self.names = spark, config, names
        self.stop_requested = threading.Event()
        self.error: BaseException | None = None
        self.cycles = 0

    def run(self) -> None:
        paths = PipelinePaths.under(self.config.storage_root)
        try:
            while not self.stop_requested.is_set():
                start_bronze_stream(kafka_stream(self.spark, self.config, None), paths, "bench", None,
                                    query_name=self.names[0]).awaitTermination()
                start_silver_stream(self.spark, paths, silver_settings(self.config), None, query_name=self.names[1],
                                    source=silver_source(self.spark, self.config, None)).awaitTermination()
                self.cycles += 1
        except BaseException as error:  # noqa: BLE001 - re-raised by the caller after join()
            self.error = error


def run_steady_pipeline(spark: SparkSession, config: PipelineConfig, partitions: int, case: SteadyCase,
                        rate: int, seconds: float, warmup_s: float, seed: int, progress: ProgressLog,
                        settle_s: float = 8.0, drain_timeout_s: float = 45.0,
                        run_label: str | None = None) -> dict[str, Any]:
    """Bronze + silver under ``rate`` events/s for ``seconds``; latency over the events after ``warmup_s``.

    ``run_label`` names the run's queries (default: the case's label); repeated runs of one case need
    distinct names, since the progress log counts rows per query name.
    """
    config = replace(config, streaming=replace(config.streaming, silver_source=case.silver_source))
    paths = PipelinePaths.under(config.storage_root)
    bootstrap, topic = config.kafka.bootstrap_servers, config.kafka.topic
    create_topic(topic, {"bootstrap_servers": bootstrap}, partitions)
    ensure_pipeline_tables(spark, paths, config.extension_fields)
    producer = SteadyProducer(bootstrap, topic, rate, seconds, seed)
    names = (f"bronze-{run_label or case.label}", f"silver-{run_label or case.label}")
    load_start = load_average()
    queries: list[StreamingQuery] = []
    loop: _AvailableNowLoop | None = None
    if case.trigger == AVAILABLE_NOW:
        loop = _AvailableNowLoop(spark, config, names)
        loop.start()
    else:
        queries = [start_bronze_stream(kafka_stream(spark, config, None), paths, "bench",
                                       case.bronze_trigger or case.trigger, query_name=names[0]),
                   start_silver_stream(spark, paths, silver_settings(config), case.trigger, query_name=names[1],
                                       source=silver_source(spark, config, None))]
    try:
        time.sleep(settle_s)  # both queries started and through their first (empty) trigger
        producer.wait_ready()
        producer.go()
        production = producer.result(timeout_s=seconds + 120)
        ended = time.monotonic()
        backlog_at_end = production.sent - progress.rows_read(names[1])
        caught_up = progress.wait_for_rows(names[1], production.sent, drain_timeout_s)
        drain_s = time.monotonic() - ended
        if caught_up:  # a bronze with a slower trigger than silver's finishes its last batch too
            caught_up = progress.wait_for_rows(names[0], production.sent, drain_timeout_s)
    finally:
        for query in queries:
            query.stop()
        if loop is not None:
            loop.stop_requested.set()
            loop.join(timeout=drain_timeout_s + 60)
    if loop is not None and loop.error is not None:
        raise BenchmarkRunError(f"{case.label}: availableNow loop failed: {loop.error}") from loop.error
    load_end = load_average()
    steady_from = dt.datetime.fromtimestamp(production.first_send_epoch_s + warmup_s, dt.UTC)
    steady_to = dt.datetime.fromtimestamp(production.last_send_epoch_s, dt.UTC)
    try:
        latency = latency_summary(visibility_latency(spark, paths.silver), steady_from, steady_to)
    except MeasurementError:  # silver fell so far behind that no steady-part event reached it
        latency = {"events": 0, "p50_s": None, "p95_s": None, "max_s": None}
    ledger = _ledger(spark, paths)
    if ledger["silver_rows_in"] != progress.rows_read(names[1]):
        raise BenchmarkRunError(f"{case.label}: expected every row silver read stored once in silver, quarantine, "
                                f"late_events or duplicates ({progress.rows_read(names[1])}), got {ledger}")
    if caught_up and not ledger["bronze"] == ledger["silver_rows_in"] == production.sent:
        raise BenchmarkRunError(f"{case.label}: expected produced = bronze = silver rows in = {production.sent}, "
                                f"got {ledger}")
    bronze_batches, silver_batches = (batch_duration_summary(progress.of_query(n)) for n in names)
    return {
        "case": case.label, "trigger": case.trigger, "max_offsets_per_trigger": case.max_offsets_per_trigger,
        "silver_source": case.silver_source, "bronze_trigger": case.bronze_trigger or case.trigger,
        "requested_rate": rate, "achieved_rate": round(production.achieved_rate), "produced": production.sent,
        "bronze_batches": bronze_batches["batches"], "bronze_mean_batch_s": bronze_batches["mean_s"],
        "bronze_mean_rows": bronze_batches["mean_rows"],
        "silver_batches": silver_batches["batches"], "silver_mean_batch_s": silver_batches["mean_s"],
        "silver_p95_batch_s": silver_batches["p95_s"], "silver_mean_rows": silver_batches["mean_rows"],
        "silver_batch_s": [round(r["batch_duration_ms"] / 1000, 2) for r in data_batches(progress.of_query(names[1]))],
        "latency_events": latency["events"], "p50_s": latency["p50_s"], "p95_s": latency["p95_s"],
        "max_s": latency["max_s"], "backlog_at_end": backlog_at_end, "kept_up": caught_up,
        "drain_after_end_s": round(drain_s, 1), "silver_rows": ledger["silver"],
        "load_1m_start": load_start["1m"], "load_1m_end": load_end["1m"],
        **({"available_now_cycles": loop.cycles} if loop is not None else {}),
    }


def _ledger(spark: SparkSession, paths: PipelinePaths) -> dict[str, Any]:
    """Bronze rows, and what silver stored (``silver_rows_in`` = silver + quarantine + late + duplicates)."""
    totals = ledger_totals(spark, paths)
    return {"bronze": spark.read.format("delta").load(paths.bronze).count(), "silver": totals["silver"],
            "silver_rows_in": totals["rows_in"]}
