"""Benchmark: embedded Kafka broker, process start to first successful metadata request.

Starts and stops the broker RUNS times (storage format, JVM start, PLAINTEXT and SASL_SSL
metadata checks) and writes results/broker_startup.json and .md.
Run it: ``make bench FOLDER=tools`` or ``python benchmarks/broker_startup.py --runs 5``.
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from catalog_tools.bench import write_results
from catalog_tools.kafka_broker import start_broker


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--results-dir", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args(argv)
    rows = []
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory() as work_dir:
            started = time.monotonic()
            broker = start_broker(work_dir)
            ready_s = time.monotonic() - started
            broker.stop()
        rows.append({"run": run, "start_to_ready_s": round(ready_s, 2)})
        print(f"run {run}: ready in {ready_s:.2f}s")
    seconds = [row["start_to_ready_s"] for row in rows]
    summary = {"runs": args.runs, "median_s": round(statistics.median(seconds), 2),
               "min_s": min(seconds), "max_s": max(seconds)}
    json_path, _ = write_results(args.results_dir, "broker_startup", summary, rows)
    print(f"median {summary['median_s']}s -> {json_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
