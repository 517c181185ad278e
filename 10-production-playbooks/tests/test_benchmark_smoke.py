"""The diagnose benchmark's harness runs end to end on a tiny log and finds the incident it planted."""
from __future__ import annotations

import json

import pytest


@pytest.mark.bench
def test_the_benchmark_finds_the_planted_incident_and_writes_its_results(load_script, tmp_path):
    benchmark = load_script("benchmarks/diagnose_benchmark.py")

    summary = benchmark.main(["--size-mb", "0.5", "--runs", "1", "--results", str(tmp_path)])

    assert summary["streaming_answer"] == "kafka-sasl-wrong-password"
    written = json.loads((tmp_path / "diagnose_benchmark.json").read_text())
    assert {"benchmark", "measured_at", "machine", "summary", "rows"} <= set(written)
    assert (tmp_path / "diagnose_benchmark.png").is_file()
