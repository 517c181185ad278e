"""A streaming query's progress, published for Prometheus by the listener, then scraped.

Run from the folder:  python examples/exporter_on_a_stream.py
Streams a small readings table (three files, one per micro-batch) through a windowed count with
the listener on the session, then prints one progress event as Spark reports it and the
``/metrics`` lines Prometheus would scrape from the driver.
"""
from __future__ import annotations

import datetime as dt
import json
import tempfile
import urllib.request
from pathlib import Path

from prometheus_client import CollectorRegistry
from pyspark.sql import functions as F

from catalog_tools.spark import local_spark
from streaming_observability import PrometheusQueryListener, StreamingQueryMetrics, serve_metrics


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="exporter-example-") as tmp:
        spark = local_spark(Path(tmp) / "spark", app_name="exporter-example")
        spark.sparkContext.setLogLevel("ERROR")
        source = str(Path(tmp) / "readings")
        start = dt.datetime.now().replace(microsecond=0) - dt.timedelta(minutes=3)
        for minute in range(3):  # one file of 100 readings per minute of plant time
            spark.createDataFrame(
                [(f"plant-0{i % 2 + 1}", start + dt.timedelta(minutes=minute, seconds=i % 60)) for i in range(100)],
                "plant_id string, event_time timestamp",
            ).coalesce(1).write.format("delta").mode("append").save(source)

        registry = CollectorRegistry()
        listener = PrometheusQueryListener(StreamingQueryMetrics.create(registry))
        spark.streams.addListener(listener)  # the one call
        server = serve_metrics(registry, port=0)
        query = (
            spark.readStream.format("delta").option("maxFilesPerTrigger", 1).load(source)
            .withWatermark("event_time", "30 seconds")
            .groupBy(F.window("event_time", "1 minute"), "plant_id").count()
            .writeStream.format("delta").outputMode("append").queryName("readings_per_minute")
            .option("checkpointLocation", str(Path(tmp) / "chk")).trigger(availableNow=True)
            .start(str(Path(tmp) / "counts"))
        )
        query.awaitTermination()
        last = [p for p in query.recentProgress if p["numInputRows"]][-1]
        print("== progress of the last batch that read rows (abridged) ==")
        print(json.dumps({k: last[k] for k in ("name", "batchId", "numInputRows", "inputRowsPerSecond",
                                                  "processedRowsPerSecond")}, indent=1))
        spark.streams.removeListener(listener)
        print("== scraped from /metrics ==")
        text = urllib.request.urlopen(f"{server.url}/metrics", timeout=5).read().decode()
        for line in text.splitlines():
            if line.startswith("spark_streaming_") and "_created" not in line:
                print(line)
        server.stop()
        spark.stop()


if __name__ == "__main__":
    main()
