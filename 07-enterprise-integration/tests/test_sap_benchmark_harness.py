"""The SAP extraction benchmark's harness on tiny data: every approach lands every entity and the
results JSON has the figures the README renders."""
from __future__ import annotations

import json

import pytest


@pytest.mark.bench
def test_the_benchmark_harness_times_every_approach_and_writes_its_figures(load_script, tmp_path):
    benchmark = load_script("benchmarks/sap_extraction_benchmark.py")
    summary = benchmark.main(["--entities", "150", "--page-size", "100", "--runs", "1", "--results-dir", str(tmp_path)])
    written = json.loads((tmp_path / "sap_extraction_benchmark.json").read_text())
    assert written["summary"] == summary
    for approach in ("extractor", "next_links_one_write", "fetch_only_floor"):
        assert summary[f"{approach}_median_s"] > 0 and summary[f"{approach}_worst_s"] >= summary[f"{approach}_median_s"]
    assert (tmp_path / "sap_extraction_benchmark.png").stat().st_size > 0
