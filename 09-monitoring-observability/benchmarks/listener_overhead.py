"""What the Prometheus listener and exporter add to the mean micro-batch duration.

Run from the folder:  python benchmarks/listener_overhead.py   (or: make bench FOLDER=09-monitoring-observability)

One Spark session, one source Delta table (``--files`` files of ``--rows`` rows). Each run streams
the whole table, one file per micro-batch, through a small aggregation into a Delta sink, with a
fresh checkpoint, and takes the mean ``triggerExecution`` over its batches. Three arms run
interleaved in every round, in the same session on the same data:

* ``bare``: no listener (the floor: what the query costs without monitoring);
* ``listener``: PrometheusQueryListener + the exporter, scraped every second by a thread standing in
  for Prometheus;
* ``builtin``: Spark's own streaming metrics source (``spark.sql.streaming.metricsEnabled``), what a
  user would switch on instead.

The overhead of an arm is its round's mean over the bare run's mean, minus one; the JSON reports
the median and the worst over the rounds. Writes benchmarks/results/listener_overhead.{json,md,png}.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import urllib.request
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from catalog_tools.bench import write_results
from catalog_tools.spark import local_spark
from streaming_observability import PrometheusQueryListener, StreamingQueryMetrics, serve_metrics

RESULTS = Path(__file__).resolve().parent / "results"
ARMS = ("bare", "listener", "builtin")


def write_source(spark: SparkSession, path: str, files: int, rows: int) -> None:
    """``files`` appends of ``rows`` readings each (one file per append)."""
    for i in range(files):
        (
            spark.range(i * rows, (i + 1) * rows, numPartitions=1)
            .select((F.col("id") % 50).alias("machine_id"), (F.rand(i) * 100).alias("temperature"))
            .write.format("delta").mode("append").save(path)
        )


def scrape_every_second(url: str, stop: threading.Event) -> None:
    while not stop.wait(1.0):
        urllib.request.urlopen(f"{url}/metrics", timeout=5).read()


def mean_batch_seconds(spark: SparkSession, source: str, work: Path, arm: str) -> float:
    """Stream the source once under ``arm``; the mean triggerExecution of its micro-batches (s)."""
    spark.conf.set("spark.sql.streaming.metricsEnabled", str(arm == "builtin").lower())
    listener = server = None
    stop = threading.Event()
    if arm == "listener":
        registry = CollectorRegistry()
        listener = PrometheusQueryListener(StreamingQueryMetrics.create(registry))
        spark.streams.addListener(listener)
        server = serve_metrics(registry, port=0)
        threading.Thread(target=scrape_every_second, args=(server.url, stop), daemon=True).start()
    try:
        query = (
            spark.readStream.format("delta").option("maxFilesPerTrigger", 1).load(source)
            .groupBy("machine_id").agg(F.avg("temperature").alias("avg_temperature"), F.count("*").alias("n"))
            .writeStream.format("delta").outputMode("complete")
            .option("checkpointLocation", str(work / "chk")).trigger(availableNow=True).start(str(work / "sink"))
        )
        query.awaitTermination()
        durations = [p["durationMs"]["triggerExecution"] / 1000 for p in query.recentProgress if p["numInputRows"]]
    finally:
        stop.set()
        if listener is not None:
            spark.streams.removeListener(listener)
        if server is not None:
            server.stop()
        spark.conf.set("spark.sql.streaming.metricsEnabled", "false")
    return statistics.fmean(durations)


def run(spark: SparkSession, base: Path, rounds: int, files: int, rows: int) -> dict[str, Any]:
    """Measure ``rounds`` rounds of the three arms; returns summary and one row per run."""
    source = str(base / "source")
    write_source(spark, source, files, rows)
    mean_batch_seconds(spark, source, base / "warm-up", "bare")  # JIT and caches, not measured
    rows_out: list[dict[str, Any]] = []
    for round_no in range(rounds):
        order = ARMS[round_no % 3:] + ARMS[:round_no % 3]  # rotate, so no arm always runs first
        means = {arm: mean_batch_seconds(spark, source, base / f"r{round_no}-{arm}", arm) for arm in order}
        rows_out += [{"round": round_no, "arm": arm, "mean_batch_s": round(means[arm], 4),
                      "overhead_pct": round(100 * (means[arm] / means["bare"] - 1), 2)} for arm in ARMS]

    def per_arm(arm: str, key: str) -> list[float]:
        return [row[key] for row in rows_out if row["arm"] == arm]

    summary: dict[str, Any] = {
        "rounds": rounds, "batches_per_run": files, "rows_per_batch": rows,
        "bare_mean_batch_median_s": round(statistics.median(per_arm("bare", "mean_batch_s")), 4),
        "listener_mean_batch_median_s": round(statistics.median(per_arm("listener", "mean_batch_s")), 4),
        "builtin_mean_batch_median_s": round(statistics.median(per_arm("builtin", "mean_batch_s")), 4),
        "listener_overhead_median_pct": round(statistics.median(per_arm("listener", "overhead_pct")), 2),
        "listener_overhead_worst_pct": max(per_arm("listener", "overhead_pct")),
        "builtin_overhead_median_pct": round(statistics.median(per_arm("builtin", "overhead_pct")), 2),
        "builtin_overhead_worst_pct": max(per_arm("builtin", "overhead_pct")),
    }
    return {"summary": summary, "rows": rows_out}


def draw(rows: list[dict[str, Any]], png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    for x, arm in enumerate(ARMS):
        values = [row["mean_batch_s"] for row in rows if row["arm"] == arm]
        ax.scatter([x] * len(values), values, alpha=0.7)
        ax.hlines(statistics.median(values), x - 0.25, x + 0.25, colors="black")
    ax.set_xticks(range(len(ARMS)), ["no listener", "listener + exporter", "Spark metrics source"])
    ax.set_ylabel("mean micro-batch duration per run (s)")
    ax.set_title("Per-run mean micro-batch duration (line: median)")
    fig.tight_layout()
    fig.savefig(png, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--files", type=int, default=20, help="files in the source = micro-batches per run")
    parser.add_argument("--rows", type=int, default=20000, help="rows per file")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="listener-overhead-") as tmp:
        spark = local_spark(Path(tmp) / "spark", app_name="listener-overhead", shuffle_partitions=2)
        result = run(spark, Path(tmp), args.rounds, args.files, args.rows)
    write_results(args.results, "listener_overhead", result["summary"], result["rows"])
    draw(result["rows"], args.results / "listener_overhead.png")
    print(result["summary"])
    return result


if __name__ == "__main__":
    main()
