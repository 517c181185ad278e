"""Every deliberately bad job is found with the right cause; the healthy job has no findings."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from workloads.scenarios import (
    run_accidental_cartesian,
    run_explode_blow_up,
    run_few_keys_skewed_window,
    run_healthy_aggregation,
    run_many_small_files,
    run_shuffled_small_join,
    run_skewed_join,
)

from spark_performance_analyzer import analyze, load_from_event_log
from spark_performance_analyzer.analyzers import LAPTOP_THRESHOLDS
from spark_performance_analyzer.cli import main as analyze_cli

FOLDER = Path(__file__).resolve().parents[1]


def kinds(findings) -> set[str]:
    return {finding.kind for finding in findings}


def explain(findings) -> str:
    return "\n".join(f"{f.headline()}: {f.evidence}" for f in findings) or "no findings"


def assert_each_recommendation_names_metric_threshold_and_fix(findings) -> None:
    """The recommendation engine's contract: metric, the threshold it crossed, and the fix."""
    assert findings
    for finding in findings:
        assert finding.metric and finding.fix, finding
        assert finding.crossed(), f"{finding.headline()} does not cross its own threshold"
        assert f"{finding.metric} = " in finding.headline()
        assert f"threshold {finding.comparison} " in finding.headline()


@pytest.fixture(scope="module")
def spill_event_log(tmp_path_factory) -> Path:
    """Run examples/spill_job.py (512 MiB, memory.fraction 0.05) in its own process; return its event log."""
    completed = subprocess.run(
        [sys.executable, str(FOLDER / "examples" / "spill_job.py"),
         "--event-log-dir", str(tmp_path_factory.mktemp("events"))],
        capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return Path(completed.stdout.strip().splitlines()[-1])


def test_healthy_job_has_no_findings(spark, findings_for):
    run_healthy_aggregation(spark, group="warm-up")  # JIT warm-up, so first-run slowness is not mistaken for skew
    run_healthy_aggregation(spark, group="healthy")

    findings = findings_for("healthy")

    assert findings == [], explain(findings)


def test_skewed_join_is_reported_as_skew(spark, findings_for):
    run_skewed_join(spark)

    findings = findings_for("skewed-join")

    assert kinds(findings) == {"skew"}, explain(findings)
    assert_each_recommendation_names_metric_threshold_and_fix(findings)
    assert findings[0].value >= LAPTOP_THRESHOLDS.skew_ratio


def test_skew_over_few_keys_is_reported_even_when_most_tasks_read_nothing(spark, findings_for, job_metrics):
    """21 keys, 95 % of rows on one, 64 shuffle partitions: the median task reads 0 bytes.

    2M rows keep the hot task above the laptop thresholds' 300 ms minimum on a fast, idle machine
    (at 500,000 rows it once finished under it, and the rule rightly ignored the stage).
    """
    run_few_keys_skewed_window(spark, rows=2_000_000, keys=21, hot_share=0.95, partitions=64)
    (join_stage,) = [s for s in job_metrics("few-keys-skew").stages if s.total("shuffle_read_bytes") > 0]
    assert join_stage.num_tasks == 64 and join_stage.median("shuffle_read_bytes") == 0  # the shape that hid it
    assert join_stage.maximum("shuffle_read_bytes") > 0.9 * join_stage.total("shuffle_read_bytes")
    assert join_stage.maximum("duration_ms") >= LAPTOP_THRESHOLDS.skew_min_task_ms, "workload too small to judge"

    findings = findings_for("few-keys-skew")

    assert kinds(findings) == {"skew"}, explain(findings)
    assert_each_recommendation_names_metric_threshold_and_fix(findings)
    assert [f.stage_id for f in findings] == [join_stage.stage_id]


def test_shuffle_join_with_a_tiny_side_is_reported_as_avoidable_shuffle(spark, findings_for):
    run_shuffled_small_join(spark)

    findings = findings_for("shuffled-small-join")

    assert kinds(findings) == {"avoidable shuffle"}, explain(findings)
    assert_each_recommendation_names_metric_threshold_and_fix(findings)
    assert "broadcast" in findings[0].fix


def test_many_tiny_output_files_are_reported(spark, findings_for, tmp_path):
    run_many_small_files(spark, str(tmp_path / "tiny"), files=64)

    findings = findings_for("many-small-files")

    assert kinds(findings) == {"small files"}, explain(findings)
    assert_each_recommendation_names_metric_threshold_and_fix(findings)
    assert len(list((tmp_path / "tiny").glob("*.parquet"))) == 64


def test_explode_of_a_map_column_is_reported_as_blow_up(spark, findings_for, tmp_path):
    run_explode_blow_up(spark, str(tmp_path / "source"), str(tmp_path / "exploded"))

    findings = findings_for("explode")

    assert kinds(findings) == {"explode blow-up"}, explain(findings)
    assert_each_recommendation_names_metric_threshold_and_fix(findings)
    assert findings[0].value == 40.0  # 40 map keys: each row became 40


def test_forgotten_join_condition_is_reported_as_cartesian_product(spark, findings_for):
    assert run_accidental_cartesian(spark) == 4_000_000

    findings = findings_for("cartesian")

    assert kinds(findings) == {"cartesian product"}, explain(findings)
    assert_each_recommendation_names_metric_threshold_and_fix(findings)


def test_spill_under_small_memory_is_found_from_the_event_log(spill_event_log):
    findings = analyze(load_from_event_log(spill_event_log).for_job_group("spill"), LAPTOP_THRESHOLDS)

    assert kinds(findings) == {"spill"}, explain(findings)
    assert_each_recommendation_names_metric_threshold_and_fix(findings)


def test_cli_reports_the_spill_from_the_finished_application_event_log(spill_event_log, capsys):
    code = analyze_cli(["--event-log", str(spill_event_log), "--job-group", "spill", "--laptop"])

    report = capsys.readouterr().out
    assert code == 1  # findings
    assert "spill (disk bytes spilled = " in report and "threshold > 0)" in report
    assert "fix: give each task less data" in report
