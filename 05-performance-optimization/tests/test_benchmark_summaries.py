"""The benchmark summaries publish what the docs render: the scaling curve's extrapolation as flat figures,
each size's bytes, and the rows each layout's query scanned (no Spark: the summaries are built from rows)."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

pytestmark = pytest.mark.bench


@pytest.fixture(autouse=True)
def benchmarks_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The scripts import their sibling ``repeated_runs`` as they do when run from benchmarks/."""
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / "benchmarks"))


def scaling_row(rows: int, repetition: int, job_s: float) -> dict:
    return {"repetition": repetition, "rows": rows, "fact_write_s": rows / 1e6, "fact_bytes": rows * 5,
            "job_s": job_s, "job_input_bytes": rows * 3, "job_shuffle_bytes": rows // 10,
            "job_spill_bytes": 0 if repetition == 1 else 7, "output_files": 1}


def test_scaling_summary_gives_each_sizes_bytes_and_the_extrapolation_as_flat_figures(load_script):
    scaling = load_script("benchmarks/scaling_curve.py")
    rows = [scaling_row(size, repetition, 2.0 + size / 1e6)
            for repetition in (1, 2) for size in (1_000_000, 10_000_000)]
    summary = scaling.summary_of(rows, SimpleNamespace(warm_up_rows=1_000_000), load_1m=1.0)
    summary.update(scaling.extrapolation_summary(scaling.extrapolations(scaling.median_rows(rows))))

    assert summary["rows_10m_fact_bytes"] == 50_000_000
    assert summary["rows_10m_job_input_bytes"] == 30_000_000
    assert summary["rows_10m_job_spill_bytes"] == 7  # the largest spill of any repetition
    assert summary["extrapolated_job_fixed_s"] == 2.0
    assert summary["extrapolated_job_r_squared"] == "1.0000"  # text, so a rendered table does not round 0.9997 to 1
    assert summary["extrapolated_job_s_per_million_rows"] == 1.0
    assert summary["extrapolated_job_s_2_cores"] == 1002  # 2 s + 1 s per million x 1,000 million
    assert summary["extrapolated_fact_write_s_2_cores"] == 1000
    assert summary["extrapolated_job_shuffle_bytes_at_1e9_rows"] == 100_000_000
    assert summary["extrapolated_target_cores"] == 64


def test_scaling_summary_has_no_extrapolation_from_one_size(load_script):
    scaling = load_script("benchmarks/scaling_curve.py")
    rows = [scaling_row(1_000_000, 1, 3.0)]

    assert scaling.extrapolation_summary(scaling.extrapolations(scaling.median_rows(rows))) == {}


def test_layout_summary_gives_the_rows_each_query_scanned(load_script):
    layout = load_script("benchmarks/zorder_vs_liquid.py")
    layouts = [{"layout": "z-order", "files": 18, "table_bytes": 100, "optimize_s": 5.0}]
    results = [{"layout": "z-order", "query": "one machine, all time", "files_read": 13, "bytes_read": 60,
                "rows_scanned": 1_564_203, "wall_s_runs": [1.0, 2.0]}]
    args = SimpleNamespace(rows=3_000_000, records_per_file=50_000, max_file_mib=1.0, repetitions=1, repeats=2)

    summary = layout.summary_of(layouts, results, args, (1.0, 1.0, 1.0))

    assert summary["zorder_one_machine_all_time_rows_scanned"] == 1_564_203
    assert summary["zorder_one_machine_all_time_files_read"] == 13
