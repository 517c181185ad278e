"""How long does each diagnosis take, and is the cause right? Every scenario, against real brokers.

Run it from the repo root with ``make bench FOLDER=01-authentication-security``, or from the folder
with ``../.venv/bin/python benchmarks/diagnosis_latency.py`` (about 2 minutes; starts four brokers).

Writes benchmarks/results/diagnosis_latency.json and .md: per scenario the cause found in each run,
the median and the slowest diagnosis; in the summary the median and the worst over every run.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

from catalog_tools.bench import write_results

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
from capture_error_texts import scenarios, start_brokers  # noqa: E402

from kafka_auth_patterns.diagnoser import diagnose_connection  # noqa: E402

REPEATS = 5


def measure(repeats: int = REPEATS) -> list[dict]:
    """Diagnose every scenario ``repeats`` times; one row per scenario."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        brokers = start_brokers(Path(folder))
        try:
            for scenario in scenarios(brokers, Path(folder)):
                seconds, causes = [], set()
                for _ in range(repeats):
                    diagnosis = diagnose_connection(scenario.config, topic=scenario.topic,
                                                    admin_config=scenario.admin)
                    seconds.append(diagnosis.seconds)
                    causes.add(diagnosis.cause.name if diagnosis.cause else "ok")
                rows.append({
                    "scenario": scenario.name,
                    "diagnosed_cause": ", ".join(sorted(causes)),
                    "right_cause": causes == {scenario.name},
                    "median_s": round(statistics.median(seconds), 3),
                    "max_s": round(max(seconds), 3),
                    "runs_s": seconds,
                })
        finally:
            for broker in brokers.values():
                broker.stop()
    return rows


def main() -> None:
    rows = measure()
    every_run = [seconds for row in rows for seconds in row["runs_s"]]
    summary = {
        "scenarios": len(rows),
        "right_cause": sum(row["right_cause"] for row in rows),
        "median_diagnosis_s": round(statistics.median(every_run), 3),
        "slowest_diagnosis_s": max(every_run),
        "repeats_per_scenario": REPEATS,
    }
    json_path, _ = write_results(Path(__file__).resolve().parent / "results", "diagnosis_latency", summary, rows)
    print(f"wrote {json_path}: {summary}")


if __name__ == "__main__":
    main()
