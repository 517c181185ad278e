"""The overhead benchmark's harness, on tiny data (figures come only from the full run)."""
from __future__ import annotations

import pytest


@pytest.mark.bench
def test_harness_runs_every_arm_in_each_round_and_draws_them(spark, tmp_path, load_script):
    bench = load_script("benchmarks/listener_overhead.py")
    result = bench.run(spark, tmp_path, rounds=1, files=2, rows=50)
    assert sorted(row["arm"] for row in result["rows"]) == sorted(bench.ARMS)
    assert next(r for r in result["rows"] if r["arm"] == "bare")["overhead_pct"] == 0.0
    assert spark.conf.get("spark.sql.streaming.metricsEnabled") == "false"  # the session is left as found
    bench.draw(result["rows"], tmp_path / "overhead.png")
    assert (tmp_path / "overhead.png").stat().st_size > 0
