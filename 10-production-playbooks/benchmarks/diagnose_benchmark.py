"""Benchmark: the streaming diagnoser on a 100 MB driver log, against the obvious approach and the floor.

Run from the folder: ``python benchmarks/diagnose_benchmark.py [--size-mb 100] [--runs 5]``
(``make bench FOLDER=10-production-playbooks`` runs it under the shared benchmark lock).

The log is generated once per run of this script: Spark-, Delta- and Kafka-shaped INFO lines with
one WARN in twenty (seeded, so every run gets the same bytes), and one captured incident from
``corpus/`` (the wrong-password Spark Kafka source failure) in the middle. Timed, each ``--runs`` times, in
rotating order:

* ``streaming``: ``diagnose_file`` (one pass, line by line, compiled signatures and the
  Databricks-only identifiers on candidate lines);
* ``whole_file_regex``: the obvious approach: read the whole file into memory, then run every
  incident's every signature over all of it (``re.search`` with ``re.MULTILINE``) and look for
  each Databricks-only identifier as a substring: it finds the same incident but has no line
  numbers, no cause chains, no confidence;
* ``grep``: ``grep -c -E`` with every signature that ERE can express and every Databricks-only
  identifier, one process over the file, what a person at a shell would do (no root cause, no ranking);
* ``floor_read_lines``: only reading the file line by line in Python: no diagnoser that reads the
  log in Python can be faster.

Writes ``benchmarks/results/diagnose_benchmark.{json,md,png}`` with the median and worst of each.
"""
from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from catalog_tools.bench import write_results
from production_playbooks import diagnose_file, load_databricks_errors, load_incidents

FOLDER = Path(__file__).resolve().parents[1]
RESULTS = FOLDER / "benchmarks" / "results"
INCIDENT_IN_THE_LOG = "kafka-sasl-wrong-password"
APPROACHES = ("streaming", "whole_file_regex", "grep", "floor_read_lines")

NOISE = [
    "{ts} INFO MicroBatchExecution: Streaming query made progress: batchId={n}, numInputRows={m}",
    "{ts} INFO DAGScheduler: Job {n} finished: start at NativeMethodAccessorImpl.java:0, took {m}.0 ms",
    "{ts} INFO TaskSetManager: Finished task 0.0 in stage {n}.0 (TID {m}) in 12 ms on 127.0.0.1 (executor driver)",
    "{ts} INFO DeltaLog: Loading version {n}.",
    "{ts} INFO OptimisticTransaction: [tableId=plant-a-bronze] Committed delta #{n} to file:/data/bronze/_delta_log",
    "{ts} INFO KafkaConsumer: [Consumer clientId=consumer-{n}, groupId=spark-kafka-source] "
    "Seeking to offset {m} for partition readings-0",
    "{ts} INFO CheckpointFileManager: Renamed temp file to file:/chk/offsets/{n}",
    "{ts} INFO BlockManagerInfo: Removed broadcast_{n}_piece0 on 127.0.0.1:41000 in memory (size: {m}.0 B)",
    "{ts} INFO CodeGenerator: Code generated in {m}.1 ms",
    "{ts} INFO FileScanRDD: Reading File path: file:/data/bronze/part-{n}.snappy.parquet, range: 0-{m}",
]
WARN_NOISE = [
    "{ts} WARN ProcessingTimeExecutor: Current batch is falling behind. The trigger interval is 1000 "
    "milliseconds, but spent {m} milliseconds",
    "{ts} WARN KafkaDataConsumer: KafkaDataConsumer is not running in UninterruptibleThread. It may hang "
    "when KafkaDataConsumer's methods are interrupted",
    "{ts} WARN NetworkClient: [Consumer clientId=consumer-{n}] Node -1 disconnected.",
]


def generate_log(path: Path, size_mb: float, seed: int = 7) -> int:
    """Write ``size_mb`` MB of driver-log noise with the captured incident in the middle; return its size."""
    rng = random.Random(seed)
    incident = next((FOLDER / "corpus" / INCIDENT_IN_THE_LOG).glob("*.log")).read_text(encoding="utf-8")
    target = int(size_mb * 1024 * 1024)
    written = 0
    incident_written = False
    with open(path, "w", encoding="utf-8") as log:
        while written < target:
            lines = []
            for _ in range(1000):
                template = rng.choice(WARN_NOISE) if rng.random() < 0.05 else rng.choice(NOISE)
                lines.append(template.format(ts=f"26/12/06 07:{rng.randrange(60):02d}:{rng.randrange(60):02d}",
                                             n=rng.randrange(100_000), m=rng.randrange(10_000)))
            chunk = "\n".join(lines) + "\n"
            if not incident_written and written >= target // 2:
                chunk += incident
                incident_written = True
            log.write(chunk)
            written += len(chunk)
    return path.stat().st_size


def run_streaming(path: Path) -> str | None:
    return diagnose_file(path).incident_id


def run_whole_file_regex(path: Path) -> str | None:
    text = path.read_text(encoding="utf-8", errors="replace")
    scores: dict[str, float] = {}
    for incident in load_incidents().values():
        for signature in incident.signatures:
            if re.search(signature.pattern, text, flags=re.MULTILINE):
                scores[incident.id] = scores.get(incident.id, 0.0) + signature.weight
    if any(name in text for name in load_databricks_errors()):  # literal identifiers: a substring search
        scores["databricks-only error"] = 1.0
    best = max(scores, key=scores.get, default=None)
    return best if best is not None and scores[best] >= 1.0 else None


def _ere_patterns() -> list[str]:
    # grep's ERE has no lookahead and no \S/\b in every build: keep the signatures it can express
    return [s.pattern for i in load_incidents().values() for s in i.signatures
            if "(?" not in s.pattern and "\\S" not in s.pattern and "\\b" not in s.pattern] + [
        re.escape(name) for name in load_databricks_errors()]


def run_grep(path: Path) -> str | None:
    command = ["grep", "-c", "-E"] + [arg for pattern in _ere_patterns() for arg in ("-e", pattern)] + [str(path)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    return "matched" if result.stdout.strip() not in ("", "0") else None


def run_floor_read_lines(path: Path) -> str | None:
    with open(path, encoding="utf-8", errors="replace") as log:
        for _ in log:
            pass
    return None


RUNNERS: dict[str, Callable[[Path], str | None]] = {
    "streaming": run_streaming,
    "whole_file_regex": run_whole_file_regex,
    "grep": run_grep,
    "floor_read_lines": run_floor_read_lines,
}


def measure(path: Path, runs: int) -> tuple[dict[str, list[float]], list[dict]]:
    """Time every approach ``runs`` times in rotating order; return seconds per approach and raw rows."""
    seconds: dict[str, list[float]] = {name: [] for name in APPROACHES}
    rows = []
    approaches = list(APPROACHES)
    for run in range(1, runs + 1):
        for name in approaches:
            started = time.perf_counter()
            answer = RUNNERS[name](path)
            elapsed = time.perf_counter() - started
            seconds[name].append(elapsed)
            rows.append({"run": run, "approach": name, "seconds": round(elapsed, 3), "answer": answer})
        approaches = approaches[1:] + approaches[:1]
    return seconds, rows


def summarise(seconds: dict[str, list[float]], size_bytes: int, answers: dict[str, str | None]) -> dict:
    summary: dict[str, float | int | str] = {"log_megabytes": round(size_bytes / 1024 / 1024, 1),
                                             "runs": len(seconds["streaming"]),
                                             "streaming_answer": str(answers["streaming"])}
    for name, values in seconds.items():
        summary[f"{name}_median_s"] = round(statistics.median(values), 3)
        summary[f"{name}_worst_s"] = round(max(values), 3)
    summary["streaming_megabytes_per_s_median"] = round(
        summary["log_megabytes"] / summary["streaming_median_s"], 1)
    return summary


def draw(seconds: dict[str, list[float]], png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(7, 3.2))
    for row, name in enumerate(APPROACHES):
        axis.scatter(seconds[name], [row] * len(seconds[name]), alpha=0.7)
        axis.plot([statistics.median(seconds[name])] * 2, [row - 0.3, row + 0.3], color="black")
    axis.set_yticks(range(len(APPROACHES)), APPROACHES)
    axis.set_xlabel("seconds per run (dots), median (bar)")
    axis.set_xlim(left=0)
    axis.set_title("Reading a generated driver log with one incident")
    figure.tight_layout()
    figure.savefig(png, dpi=110)
    plt.close(figure)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=100.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="diagnose-bench-"))
    try:
        log = work / "driver.log"
        size = generate_log(log, args.size_mb)
        answers = {name: RUNNERS[name](log) for name in ("streaming", "whole_file_regex")}
        if answers["streaming"] != INCIDENT_IN_THE_LOG:
            raise AssertionError(f"expected the diagnoser to name {INCIDENT_IN_THE_LOG}, got {answers['streaming']}")
        seconds, rows = measure(log, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary = summarise(seconds, size, answers)
    write_results(args.results, "diagnose_benchmark", summary, rows)
    draw(seconds, args.results / "diagnose_benchmark.png")
    print(summary)
    return summary


if __name__ == "__main__":
    main()
