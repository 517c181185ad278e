"""Benchmark: Kafka -> bronze throughput against the batch ceiling, and produce -> silver latency at 5,000
events/s over repeated runs.

Run it from the repository root with ``make bench FOLDER=03-streaming-architecture``, or from this
folder with ``python benchmarks/streaming_throughput_latency.py``; benchmarks/README.md lists the
options and the measured run time.

1. Start the embedded Kafka broker (PLAINTEXT listener: this measures Spark and Delta, not TLS).
2. Throughput: pre-load ``--events`` generated sensor events into a ``--partitions`` topic, run one
   batch read of it as the JVM warm-up (dropped), then ``--throughput-repeats`` repetitions of: drain
   the topic into a fresh bronze table with ``spark.read`` (batch) -> ``to_bronze`` -> Delta (the batch
   ceiling, what a user would run instead) and with the pipeline's bronze query for each
   ``maxOffsetsPerTrigger`` x trigger setting (events/s = rows / first trigger start to last batch end,
   from ``BatchMetricsListener`` progress). The order rotates between repetitions, so no setting always
   runs first. Reported: per setting the median and the worst (lowest) events/s over the repetitions;
   the best streaming setting is the one with the highest median; the figure is its events/s over the
   batch read's in the same repetition, median and worst over the repetitions. Both share the two
   cores with the broker, so a ratio at or above 1 says "no worse than batch", not "faster than batch".
3. Latency: after one short warm-up run (not reported: the first silver batch of a fresh JVM
   spends most of its time compiling), each case runs ``--latency-repeats`` times (default: the
   configs' default case only, 5 times). In a run, bronze + silver run while a separate process
   produces ``--rate`` events/s for ``--seconds``; latency of an event = commit time of the silver
   batch that wrote it - its Kafka produce timestamp; p50/p95/max over the events produced after
   ``--warmup-s``. Reported: the median and the worst p95 over the runs, never the best.
4. Write ``benchmarks/results/streaming_throughput_latency.json`` (machine, load averages at the
   start and end of every run, versions, every run) and ``.png`` (p50 and p95 of each latency
   run), and print the runs as tables.
"""
from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from iot_pipeline_bench.kafka_load import preload_topic
from iot_pipeline_bench.measurements import (
    load_average,
    markdown_table,
    percentile,
    write_json,
)
from iot_pipeline_bench.workloads import (
    AVAILABLE_NOW,
    ProgressLog,
    SteadyCase,
    batch_backlog_to_bronze,
    pipeline_config,
    run_steady_pipeline,
    stream_backlog_to_bronze,
)

from catalog_tools.bench import machine_facts
from catalog_tools.kafka_broker import BrokerSettings, running_broker
from catalog_tools.kafka_io import create_topic
from catalog_tools.spark import local_spark
from iot_streaming_pipeline.monitoring import BatchMetricsListener

NAME = "streaming_throughput_latency"
HERE = Path(__file__).resolve().parent
THROUGHPUT_CASES = (  # (trigger, maxOffsetsPerTrigger); the row count is --events
    (AVAILABLE_NOW, 10_000),
    (AVAILABLE_NOW, 50_000),
    (AVAILABLE_NOW, 250_000),
    ("0 seconds", 250_000),
)
LATENCY_CASES = (
    SteadyCase("pt-0s-cap-50k", "0 seconds", 50_000),
    SteadyCase("pt-1s-cap-50k", "1 second", 50_000),
    SteadyCase("pt-5s-cap-50k", "5 seconds", 50_000),
    SteadyCase("pt-0s-cap-2k", "0 seconds", 2_000),
    SteadyCase("availableNow-loop-cap-50k", AVAILABLE_NOW, 50_000),
    # silver reads the topic beside bronze; bronze, off the latency path, triggers every 10 s
    SteadyCase("kafka-silver-pt-1s", "1 second", 50_000, silver_source="kafka", bronze_trigger="10 seconds"),
    SteadyCase("kafka-silver-pt-0s", "0 seconds", 50_000, silver_source="kafka", bronze_trigger="10 seconds"),
    # bronze every 30 s pays its fixed cost a third as often; its cap must admit 30 s x 5,000 events
    SteadyCase("kafka-silver-pt-1s-bronze-30s", "1 second", 200_000, silver_source="kafka",
               bronze_trigger="30 seconds"),
)
HEADLINE_LATENCY_CASE = "kafka-silver-pt-1s"  # the configs' default: silver reads Kafka beside bronze
WARM_UP_CASE = SteadyCase("warm-up", "1 second", 50_000)  # compiles silver's plan once; its figures are dropped


def versions() -> dict[str, str]:
    names = ("pyspark", "delta-spark", "confluent-kafka", "kafka-python")
    return {name: importlib.metadata.version(name) for name in names} | {"kafka_broker": "4.1.1 (KRaft)"}


BATCH_LABEL = "batch read"


def throughput_settings(cases: tuple[tuple[str, int], ...]) -> list[tuple[str, str, int]]:
    """(label, trigger, cap) for the batch read and every streaming setting, in their listed order."""
    return [(BATCH_LABEL, "", 0)] + [(f"stream {i}", trigger, cap) for i, (trigger, cap) in enumerate(cases, start=1)]


def rotated(items: list[Any], repetition: int) -> list[Any]:
    """The items shifted by ``repetition - 1`` places, so each repetition starts with a different one.

    Example::

        >>> rotated(["a", "b", "c"], 2)
        ['b', 'c', 'a']
    """
    shift = (repetition - 1) % len(items)
    return items[shift:] + items[:shift]


def measure_throughput(spark: Any, bootstrap: str, work: Path, events: int, partitions: int,
                       progress: ProgressLog, cases: tuple[tuple[str, int], ...],
                       repeats: int = 5) -> list[dict[str, Any]]:
    """One batch read as the warm-up (dropped), then ``repeats`` rotations of the batch read and every
    streaming setting, each draining the same pre-loaded topic into a fresh bronze table."""
    topic = "bench.backlog"
    create_topic(topic, {"bootstrap_servers": bootstrap}, partitions)
    started = time.monotonic()
    preload_topic(bootstrap, topic, events, seed=7)
    print(f"pre-loaded {events:,} events into {partitions} partitions in {time.monotonic() - started:.1f} s",
          flush=True)
    warm_up = batch_backlog_to_bronze(spark, pipeline_config(work / "throughput-warm-up", bootstrap, topic, events),
                                      events)
    print("warm-up (not reported):", warm_up, flush=True)
    rows = []
    for repeat in range(1, repeats + 1):
        for label, trigger, cap in rotated(throughput_settings(cases), repeat):
            load = load_average()["1m"]
            if label == BATCH_LABEL:
                config = pipeline_config(work / f"batch-{repeat}", bootstrap, topic, events)
                measured = batch_backlog_to_bronze(spark, config, events)
            else:
                config = pipeline_config(work / f"{label.replace(' ', '-')}-{repeat}", bootstrap, topic, cap)
                measured = stream_backlog_to_bronze(spark, config, trigger, progress, events)
            rows.append({"run": label, "repeat": repeat, **measured, "load_1m_start": load})
            print(rows[-1], flush=True)
    return rows


def measure_latency(spark: Any, bootstrap: str, work: Path, partitions: int, rate: int, seconds: float,
                    warmup_s: float, progress: ProgressLog, cases: tuple[SteadyCase, ...], repeats: int = 5,
                    drain_timeout_s: float = 45.0) -> list[dict[str, Any]]:
    """One warm-up run (dropped), then every case ``repeats`` times, each run on a fresh topic and tables."""
    warm_up = pipeline_config(work / "steady-warm-up", bootstrap, "bench.steady-warm-up",
                              WARM_UP_CASE.max_offsets_per_trigger)
    print("warm-up (not reported):", run_steady_pipeline(spark, warm_up, partitions, WARM_UP_CASE, rate, 15.0, 5.0,
                                                          seed=99, progress=progress,
                                                          drain_timeout_s=drain_timeout_s), flush=True)
    rows = []
    for index, case in enumerate(cases, start=1):
        for repeat in range(1, repeats + 1):
            name = f"steady-{index}-{repeat}"
            config = pipeline_config(work / name, bootstrap, f"bench.{name}", case.max_offsets_per_trigger)
            row = run_steady_pipeline(spark, config, partitions, case, rate, seconds, warmup_s,
                                      seed=100 * index + repeat, progress=progress, drain_timeout_s=drain_timeout_s,
                                      run_label=f"{case.label}-run-{repeat}")
            rows.append({"repeat": repeat, **row})
            print(rows[-1], flush=True)
    return rows


def selected_cases(labels: str) -> tuple[SteadyCase, ...]:
    wanted = [label for label in labels.split(",") if label]
    unknown = sorted(set(wanted) - {case.label for case in LATENCY_CASES})
    if unknown:
        raise SystemExit(f"--latency-cases: expected labels from {[c.label for c in LATENCY_CASES]}, got {unknown}")
    return tuple(case for case in LATENCY_CASES if not wanted or case.label in wanted)


def setting_of(row: dict[str, Any]) -> str:
    """The throughput setting a run measured: ``batch read`` or ``<trigger>, maxOffsetsPerTrigger=<cap>``."""
    if row["mode"].startswith("batch"):
        return BATCH_LABEL
    return f"{row['trigger']}, maxOffsetsPerTrigger={row['max_offsets_per_trigger']}"


def summarize_throughput(throughput: list[dict[str, Any]]) -> dict[str, Any]:
    """Per setting the median and worst events/s over the repetitions; the best streaming setting (highest
    median) over the batch read of the same repetition, median and worst over the repetitions."""
    by_setting: dict[str, list[dict[str, Any]]] = {}
    for row in throughput:
        by_setting.setdefault(setting_of(row), []).append(row)
    medians = {setting: percentile([r["events_per_s"] for r in rows], 0.5) for setting, rows in by_setting.items()}
    best = max((setting for setting in by_setting if setting != BATCH_LABEL), key=lambda setting: medians[setting])
    batch_by_repeat = {r.get("repeat", 1): r["events_per_s"] for r in by_setting[BATCH_LABEL]}
    ratios = [r["events_per_s"] / batch_by_repeat[r.get("repeat", 1)] for r in by_setting[best]
              if r.get("repeat", 1) in batch_by_repeat]
    summary: dict[str, Any] = {
        "throughput_repeats": min(len(rows) for rows in by_setting.values()),
        "batch_median_events_per_s": round(medians[BATCH_LABEL]),
        "batch_worst_events_per_s": min(r["events_per_s"] for r in by_setting[BATCH_LABEL]),
        "streaming_best_setting": best,
        "streaming_best_median_events_per_s": round(medians[best]),
        "streaming_best_worst_events_per_s": min(r["events_per_s"] for r in by_setting[best]),
        "streaming_to_batch_median": round(percentile(ratios, 0.5), 2),
        "streaming_to_batch_worst": round(min(ratios), 2),
    }
    streaming = [setting for setting in by_setting if setting != BATCH_LABEL]
    for number, setting in enumerate(streaming, start=1):
        summary[f"streaming_setting_{number}"] = setting
        summary[f"streaming_setting_{number}_median_events_per_s"] = round(medians[setting])
        summary[f"streaming_setting_{number}_worst_events_per_s"] = min(r["events_per_s"] for r in by_setting[setting])
    return summary


def summarize(throughput: list[dict[str, Any]], latency: list[dict[str, Any]]) -> dict[str, Any]:
    """The published figures: throughput per setting over the repetitions, latency over the headline case's runs.

    Throughput: see :func:`summarize_throughput`. Latency figures are the median and the worst over
    the repeated runs of :data:`HEADLINE_LATENCY_CASE`; a run that did not keep up counts with its
    p95 (it is not dropped), and ``latency_runs_kept_up`` says how many did.
    """
    summary: dict[str, Any] = summarize_throughput(throughput) if throughput else {}
    loads = [r[key] for r in throughput + latency for key in ("load_1m_start", "load_1m_end") if r.get(key) is not None]
    if loads:
        summary["load_1m_highest"] = max(loads)
    runs = [r for r in latency if r["case"] == HEADLINE_LATENCY_CASE]
    p95s = [r["p95_s"] for r in runs if r["p95_s"] is not None]
    if runs and p95s:
        p50s = [r["p50_s"] for r in runs if r["p50_s"] is not None]
        summary.update({
            "latency_case": HEADLINE_LATENCY_CASE, "latency_runs": len(runs),
            "latency_runs_kept_up": sum(1 for r in runs if r["kept_up"]),
            "latency_achieved_rate_median_per_s": round(percentile([r["achieved_rate"] for r in runs], 0.5)),
            "latency_p50_median_s": round(percentile(p50s, 0.5), 2),
            "latency_p95_median_s": round(percentile(p95s, 0.5), 2),
            "latency_p95_worst_s": round(max(p95s), 2),
            "latency_max_worst_s": round(max(r["max_s"] for r in runs if r["max_s"] is not None), 2),
        })
    return summary


def draw_latency_runs(latency: list[dict[str, Any]], path: Path) -> Path:
    """A PNG of p50 and p95 per latency run, one group of bars per case, with the load average at each run's start."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [f"{r['case']}\nrun {r.get('repeat', 1)}\nload {r['load_1m_start']}" for r in latency]
    positions = range(len(latency))
    figure, axes = plt.subplots(figsize=(max(6.0, 1.3 * len(latency)), 4.2))
    axes.bar([x - 0.2 for x in positions], [r["p50_s"] or 0 for r in latency], width=0.4, label="p50")
    axes.bar([x + 0.2 for x in positions], [r["p95_s"] or 0 for r in latency], width=0.4, label="p95")
    axes.set_xticks(list(positions), labels, fontsize=7)
    axes.set_ylabel("produce -> silver commit (s)")
    axes.set_title("Latency per run at a steady input rate (every run shown, none dropped)")
    axes.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


THROUGHPUT_COLUMNS = ("run", "repeat", "mode", "trigger", "max_offsets_per_trigger", "rows", "batches", "mean_batch_s",
                      "seconds", "events_per_s", "wall_incl_start_s", "load_1m_start")
LATENCY_COLUMNS = ("case", "repeat", "silver_source", "trigger", "bronze_trigger", "max_offsets_per_trigger",
                   "achieved_rate", "bronze_mean_batch_s",
                   "bronze_mean_rows", "silver_mean_batch_s", "silver_p95_batch_s", "silver_mean_rows",
                   "p50_s", "p95_s", "max_s", "backlog_at_end", "kept_up", "drain_after_end_s",
                   "load_1m_start", "load_1m_end")


def report(document: dict[str, Any]) -> str:
    """The runs as markdown tables (printed at the end): the settings, every run, the summary."""
    machine, settings = document["machine"], document["settings"]
    lines = [
        f"Measured {document['measured_at']} on {machine['cores']} cores, {machine['memory_gib']} GiB, "
        f"{machine['cpu']}, {machine['os']}; load average (1/5/15 min) {document['load_average_start']} at the "
        f"start, {document['load_average_end']} at the end. Versions: "
        + ", ".join(f"{k} {v}" for k, v in document["versions"].items()) + ".",
        "",
        f"Settings: {settings}.",
        "",
    ]
    if document["throughput_runs"]:
        lines += ["Kafka -> bronze, a pre-loaded backlog (events/s = rows / first trigger start to last batch end):",
                  "", markdown_table(document["throughput_runs"], THROUGHPUT_COLUMNS)]
    if document["latency_runs"]:
        lines += [f"Bronze + silver at a steady {settings['rate']:,} events/s for {settings['seconds']} s "
                  f"(latency = silver batch commit - Kafka produce time, events after the first "
                  f"{settings['warmup_s']} s):", "", markdown_table(document["latency_runs"], LATENCY_COLUMNS)]
    lines += ["Summary:", ""] + [f"- {key}: {value}" for key, value in document["summary"].items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=150_000, help="backlog size for the throughput runs")
    parser.add_argument("--partitions", type=int, default=2, help="partitions of every benchmark topic")
    parser.add_argument("--rate", type=int, default=5_000, help="steady input rate of the latency runs")
    parser.add_argument("--seconds", type=float, default=45.0, help="how long each latency run produces")
    parser.add_argument("--warmup-s", type=float, default=15.0,
                        help="latency ignores events produced before this (the cold first batches and their backlog)")
    parser.add_argument("--throughput-repeats", type=int, default=5,
                        help="repetitions of the batch read and every streaming setting")
    parser.add_argument("--only", choices=("throughput", "latency"), help="run one half (development)")
    parser.add_argument("--latency-cases", default=HEADLINE_LATENCY_CASE,
                        help="comma-separated case labels, '' for all (default: the configs' default case)")
    parser.add_argument("--latency-repeats", type=int, default=5, help="runs per latency case (at least 5 to publish)")
    parser.add_argument("--drain-timeout-s", type=float, default=45.0,
                        help="after production stops, wait this long for silver to catch up")
    parser.add_argument("--results-dir", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    repeats = {"--latency-repeats": args.latency_repeats, "--throughput-repeats": args.throughput_repeats}
    for option, value in repeats.items():
        if value < 1:
            raise SystemExit(f"{option}: expected at least 1, got {value}")
    work = Path(tempfile.mkdtemp(prefix="bench-03-"))
    load_start = load_average()
    measured_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with running_broker(work / "kafka", BrokerSettings(heap="1g")) as broker:
        spark = local_spark(work / "spark", app_name="bench-03-streaming")
        listener = BatchMetricsListener()
        spark.streams.addListener(listener)
        progress = ProgressLog(listener)
        bootstrap = broker.plaintext_bootstrap
        throughput = ([] if args.only == "latency" else
                      measure_throughput(spark, bootstrap, work, args.events, args.partitions, progress,
                                         THROUGHPUT_CASES, args.throughput_repeats))
        latency = ([] if args.only == "throughput" else
                   measure_latency(spark, bootstrap, work, args.partitions, args.rate, args.seconds, args.warmup_s,
                                   progress, selected_cases(args.latency_cases), args.latency_repeats,
                                   args.drain_timeout_s))
        spark.stop()
    document = {
        "benchmark": NAME, "measured_at": measured_at, "machine": machine_facts(), "versions": versions(),
        "load_average_start": load_start, "load_average_end": load_average(),
        "settings": {"events": args.events, "partitions": args.partitions, "rate": args.rate,
                     "seconds": args.seconds, "warmup_s": args.warmup_s, "drain_timeout_s": args.drain_timeout_s,
                     "latency_repeats": args.latency_repeats, "throughput_repeats": args.throughput_repeats,
                     "spark": "local[2], 2 shuffle partitions",
                     "kafka_listener": "PLAINTEXT"},
        "summary": summarize(throughput, latency), "throughput_runs": throughput, "latency_runs": latency,
    }
    markdown = report(document)
    json_path = write_json(args.results_dir / f"{NAME}.json", document)
    if latency:
        draw_latency_runs(latency, args.results_dir / f"{NAME}.png")
    print(f"\n{markdown}\nwrote {json_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
