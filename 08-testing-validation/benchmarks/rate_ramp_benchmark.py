"""Benchmark: ramp the input rate of a Kafka -> contract gate (foreachBatch) -> Delta stream through
steps, measure end-to-end latency per step, and report the capacity: the highest rate at which the
latency target holds.

Run from the folder (one benchmark at a time on a shared machine)::

    python benchmarks/rate_ramp_benchmark.py --rates 1000 2000 4000 6000 8000 10000 12000 --repeats 3

Each repeat starts a fresh topic, tables and query on the embedded Kafka broker from tools. A
producer sends sensor events at each step's rate for ``--step-seconds`` (about 1 % fail a
quarantine rule); the stream parses them, runs the sensor contract in ``foreachBatch`` and appends
passed and quarantined rows to Delta. Latency is per row: the Kafka record's timestamp (set when
the producer sent it) to the Delta commit that made the row visible (the change data feed's
``_commit_timestamp``), over the silver and quarantine tables together. Between steps the stream
drains; a step whose rows are not all committed within ``--drain-seconds`` after its last send did
not keep up, and the ramp stops at the first step that breaks the target. The producer runs on the
same machine: a step whose rate it could not reach says so (``achieved_rate``), and a ramp that never
broke the target reports its capacity as a lower bound.

Writes benchmarks/results/rate_ramp.json (+ .md, + .png: p50 and p95 latency per step).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kafka import KafkaProducer
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType, IntegerType, StringType, StructField, StructType, TimestampType

from catalog_tools.bench import write_results
from catalog_tools.kafka_io import create_topic
from catalog_tools.spark import local_spark
from plant_data_quality import WriteSummary, contract_gate_for_each_batch, load_contract

FOLDER = Path(__file__).resolve().parents[1]
CONTRACT_PATH = FOLDER / "contracts" / "sensor_readings.yaml"
RESULTS_DIR = FOLDER / "benchmarks" / "results"
NAME = "rate_ramp"
MACHINES = 500
BAD_EVERY = 100  # one event in a hundred has an impossible temperature and is quarantined
SEND_TICK_SECONDS = 0.05
CHANGE_FEED_DEFAULT = "spark.databricks.delta.properties.defaults.enableChangeDataFeed"

EVENT_SCHEMA = StructType([
    StructField("event_id", StringType()),
    StructField("machine_id", StringType()),
    StructField("event_time", TimestampType()),
    StructField("temperature_c", DoubleType()),
    StructField("vibration_mm_s", DoubleType()),
    StructField("pressure_bar", DoubleType()),
    StructField("status", StringType()),
    StructField("firmware_version", StringType()),
    StructField("step", IntegerType()),
])


@dataclass(frozen=True)
class StepResult:
    """One step of one ramp: the rate asked for and reached, and the latency of its rows."""

    repeat: int
    step: int
    target_rate: int
    sent: int
    achieved_rate: float
    committed: int
    quarantined: int
    kept_up: bool
    p50_seconds: float | None
    p95_seconds: float | None
    max_seconds: float | None
    meets_target: bool


def sensor_event(number: int, step: int, sent_at: dt.datetime) -> bytes:
    """One sensor event as JSON; every BAD_EVERY-th one has an out-of-range temperature."""
    return json.dumps({
        "event_id": f"s{step}-{number}", "machine_id": f"M-{number % MACHINES:04d}",
        "event_time": sent_at.isoformat(), "temperature_c": 999.0 if number % BAD_EVERY == 0 else 60.0 + number % 20,
        "vibration_mm_s": 2.5, "pressure_bar": 6.0, "status": "running", "firmware_version": "2.1.0", "step": step,
    }).encode()


def send_at_rate(producer: KafkaProducer, topic: str, step: int, rate: int, seconds: float) -> tuple[int, float]:
    """Send ``rate`` events per second for ``seconds``, in ticks; return (sent, achieved rate)."""
    per_tick = max(1, round(rate * SEND_TICK_SECONDS))
    start = time.perf_counter()
    sent = 0
    while (elapsed := time.perf_counter() - start) < seconds:
        due = min(int(elapsed / SEND_TICK_SECONDS) + 1, int(seconds / SEND_TICK_SECONDS)) * per_tick
        now = dt.datetime.now(dt.UTC)
        now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # Kafka timestamps are whole milliseconds
        while sent < due:
            producer.send(topic, value=sensor_event(sent, step, now), timestamp_ms=int(now.timestamp() * 1000))
            sent += 1
        time.sleep(max(0.0, (int(elapsed / SEND_TICK_SECONDS) + 1) * SEND_TICK_SECONDS - (time.perf_counter() - start)))
    producer.flush()
    return sent, sent / (time.perf_counter() - start)


def parsed_stream(spark: SparkSession, kafka_options: dict[str, str], topic: str) -> DataFrame:
    """The topic's events as contract columns; ``ingested_at`` is the Kafka record's timestamp."""
    return (spark.readStream.format("kafka").options(**kafka_options).option("subscribe", topic)
            .option("startingOffsets", "earliest").load()
            .select(F.from_json(F.col("value").cast("string"), EVENT_SCHEMA).alias("event"),
                    F.col("timestamp").alias("ingested_at"))
            .select("event.event_id", "event.machine_id", "event.event_time", "ingested_at", "event.temperature_c",
                    "event.vibration_mm_s", "event.pressure_bar", "event.status", "event.firmware_version",
                    "event.step"))


def step_latencies(spark: SparkSession, table_paths: Sequence[str]) -> DataFrame:
    """Per step: rows committed, rows quarantined, and p50/p95/max seconds from send to commit."""
    changes = None
    for path in table_paths:
        rows = (spark.read.format("delta").option("readChangeFeed", "true").option("startingVersion", 0).load(path)
                .where(F.col("_change_type") == "insert")
                .select("step", (F.col("_commit_timestamp").cast("double") - F.col("ingested_at").cast("double"))
                        .alias("latency"), F.lit("quarantine" in Path(path).name).alias("quarantined")))
        changes = rows if changes is None else changes.unionByName(rows)
    return changes.groupBy("step").agg(
        F.count(F.lit(1)).alias("committed"), F.count(F.when(F.col("quarantined"), 1)).alias("quarantined"),
        F.percentile(F.col("latency"), 0.5).alias("p50"), F.percentile(F.col("latency"), 0.95).alias("p95"),
        F.max("latency").alias("max"))


def run_ramp(
    spark: SparkSession,
    kafka_client_config: dict[str, Any],
    kafka_spark_options: dict[str, str],
    workdir: Path,
    *,
    rates: Sequence[int],
    step_seconds: float,
    latency_target_p95_seconds: float,
    drain_seconds: float,
    warmup_rate: int,
    warmup_seconds: float,
    repeat: int = 1,
) -> list[StepResult]:
    """One ramp on a fresh topic and fresh tables; step 0 is a warm-up that is not reported."""
    contract = load_contract(CONTRACT_PATH)
    topic = f"rate-ramp-{uuid.uuid4().hex[:8]}"
    create_topic(topic, kafka_client_config)
    base = workdir / topic
    silver, quarantine, results = (str(base / name) for name in ("silver", "quarantine", "results"))
    machines = spark.range(MACHINES).select(F.format_string("M-%04d", F.col("id").cast("int")).alias("machine_id"))
    rows_in = [0]

    def count_rows(batch_id: int, summary: WriteSummary) -> None:
        rows_in[0] += summary.rows_in

    gate = contract_gate_for_each_batch(contract, silver, quarantine, results, app_id=topic,
                                        dimensions={"machines": machines}, on_batch=count_rows)
    previous_feed_default = spark.conf.get(CHANGE_FEED_DEFAULT, None)
    spark.conf.set(CHANGE_FEED_DEFAULT, "true")  # the tables the gate creates carry _commit_timestamp per row
    query = (parsed_stream(spark, kafka_spark_options, topic).writeStream.foreachBatch(gate)
             .option("checkpointLocation", str(base / "checkpoint")).start())
    producer = KafkaProducer(acks=1, linger_ms=5, **kafka_client_config)
    sent_per_step: dict[int, tuple[int, float, bool]] = {}
    try:
        total_sent = 0
        for step, rate in enumerate([warmup_rate, *rates]):
            sent, achieved = send_at_rate(producer, topic, step, rate, warmup_seconds if step == 0 else step_seconds)
            total_sent += sent
            deadline = time.monotonic() + drain_seconds
            while rows_in[0] < total_sent and time.monotonic() < deadline and query.exception() is None:
                time.sleep(0.1)
            if query.exception() is not None:
                raise RuntimeError(f"expected the stream to keep running, got {query.exception()}")
            kept_up = rows_in[0] >= total_sent
            sent_per_step[step] = (sent, achieved, kept_up)
            if not kept_up:
                break
            if step > 0 and not _step_meets_target(spark, (silver, quarantine), step, latency_target_p95_seconds):
                break
    finally:
        producer.close()
        query.stop()
        if previous_feed_default is None:
            spark.conf.unset(CHANGE_FEED_DEFAULT)
        else:
            spark.conf.set(CHANGE_FEED_DEFAULT, previous_feed_default)
    latencies = {row.step: row for row in step_latencies(spark, (silver, quarantine)).collect()}
    results_out = []
    for step, (sent, achieved, kept_up) in sent_per_step.items():
        if step == 0:
            continue
        row = latencies.get(step)
        p95 = None if row is None else round(row.p95, 3)
        results_out.append(StepResult(
            repeat=repeat, step=step, target_rate=rates[step - 1], sent=sent, achieved_rate=round(achieved, 1),
            committed=0 if row is None else row.committed, quarantined=0 if row is None else row.quarantined,
            kept_up=kept_up, p50_seconds=None if row is None else round(row.p50, 3), p95_seconds=p95,
            max_seconds=None if row is None else round(row.max, 3),
            meets_target=kept_up and p95 is not None and p95 <= latency_target_p95_seconds))
    return results_out


def _step_meets_target(spark: SparkSession, table_paths: Sequence[str], step: int, target: float) -> bool:
    row = step_latencies(spark, table_paths).where(F.col("step") == step).first()
    return row is not None and row.p95 <= target


def capacity(steps: Sequence[StepResult]) -> float:
    """The highest achieved rate of a step that met the target, below the first step that did not."""
    best = 0.0
    for step in sorted(steps, key=lambda s: s.step):
        if not step.meets_target:
            break
        best = step.achieved_rate
    return best


def summarise(steps: list[StepResult], target: float, rates: Sequence[int]) -> dict[str, Any]:
    repeats = sorted({s.repeat for s in steps})
    capacities = [capacity([s for s in steps if s.repeat == r]) for r in repeats]
    ramps_within_target = [r for r in repeats if all(s.meets_target for s in steps if s.repeat == r)]
    summary: dict[str, Any] = {
        "latency_target_p95_seconds": target, "repeats": len(repeats),
        "capacity_median_events_per_second": round(statistics.median(capacities), 1),
        "capacity_worst_events_per_second": round(min(capacities), 1),
        "ramps_that_never_broke_the_target": len(ramps_within_target),
        "highest_rate_reached_events_per_second": round(max(s.achieved_rate for s in steps), 1),
        "rows_in_equals_written_plus_quarantined": all(s.committed == s.sent for s in steps if s.kept_up),
    }
    for rate in rates:
        p95s = [s.p95_seconds for s in steps if s.target_rate == rate and s.p95_seconds is not None]
        if p95s:
            summary[f"p95_seconds_at_{rate}_median"] = round(statistics.median(p95s), 2)
            summary[f"p95_seconds_at_{rate}_worst"] = round(max(p95s), 2)
    return summary


def draw(steps: list[StepResult], target: float, png_path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(7, 3.6))
    for repeat in sorted({s.repeat for s in steps}):
        mine = sorted((s for s in steps if s.repeat == repeat and s.p95_seconds is not None), key=lambda s: s.step)
        rates = [s.achieved_rate for s in mine]
        axis.plot(rates, [s.p95_seconds for s in mine], marker="o", color="tab:red", alpha=0.7,
                  label="p95" if repeat == 1 else None)
        axis.plot(rates, [s.p50_seconds for s in mine], marker=".", color="tab:blue", alpha=0.7,
                  label="p50" if repeat == 1 else None)
    axis.axhline(target, color="black", linestyle="--", label=f"target p95 {target:g} s")
    axis.set_xscale("log")
    axis.set_xlabel("input rate reached (events/s), one line per repeat")
    axis.set_ylabel("produced -> committed (s)")
    axis.set_ylim(bottom=0)
    axis.legend(loc="upper left")
    figure.tight_layout()
    figure.savefig(png_path, dpi=110)
    plt.close(figure)


def run_benchmark(
    spark: SparkSession,
    kafka_client_config: dict[str, Any],
    kafka_spark_options: dict[str, str],
    workdir: Path,
    results_dir: Path,
    *,
    rates: Sequence[int],
    step_seconds: float,
    latency_target_p95_seconds: float,
    repeats: int,
    drain_seconds: float = 60.0,
    warmup_rate: int = 100,
    warmup_seconds: float = 10.0,
) -> dict[str, Any]:
    """Ramp ``repeats`` times; write the results JSON, markdown and PNG; return the summary."""
    steps: list[StepResult] = []
    for repeat in range(1, repeats + 1):
        steps += run_ramp(spark, kafka_client_config, kafka_spark_options, workdir, rates=rates,
                          step_seconds=step_seconds, latency_target_p95_seconds=latency_target_p95_seconds,
                          drain_seconds=drain_seconds, warmup_rate=warmup_rate, warmup_seconds=warmup_seconds,
                          repeat=repeat)
        for step in steps[-len(rates):]:
            if step.repeat == repeat:
                print(f"repeat {repeat} step {step.step}: {step.achieved_rate:.0f}/s p95 {step.p95_seconds} s "
                      f"kept up {step.kept_up}", flush=True)
    summary = summarise(steps, latency_target_p95_seconds, rates)
    summary.update({"step_seconds": step_seconds, "rates_asked": " ".join(str(r) for r in rates)})
    json_path, _ = write_results(results_dir, NAME, summary, [asdict(step) for step in steps])
    draw(steps, latency_target_p95_seconds, json_path.with_suffix(".png"))
    return summary


def main() -> None:
    from catalog_tools.kafka_broker import running_broker

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", type=int, nargs="+", default=[1000, 2000, 4000, 6000, 8000, 10000, 12000])
    parser.add_argument("--step-seconds", type=float, default=15.0)
    parser.add_argument("--latency-target-p95", type=float, default=10.0)
    parser.add_argument("--drain-seconds", type=float, default=60.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rate-ramp-") as workdir, running_broker(Path(workdir) / "kafka") as broker:
        spark = local_spark(Path(workdir) / "spark", app_name=NAME)
        try:
            summary = run_benchmark(spark, broker.client_config(), broker.spark_options(), Path(workdir),
                                    RESULTS_DIR, rates=args.rates, step_seconds=args.step_seconds,
                                    latency_target_p95_seconds=args.latency_target_p95, repeats=args.repeats,
                                    drain_seconds=args.drain_seconds)
        finally:
            spark.stop()
    for key, value in summary.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
