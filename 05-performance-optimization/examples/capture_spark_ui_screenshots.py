"""Screenshots of the real Spark UI for the skew example, taken with headless Chromium.

Runs the skewed join and its AQE fix on a local Spark session with the UI on, finds each join
stage through the REST API, and has Chromium render the stage page (summary metrics and the
task table) to PNG files. Run it (needs a ``chromium`` binary, e.g. the Debian package)::

    .venv/bin/python 05-performance-optimization/examples/capture_spark_ui_screenshots.py \\
        --out-dir 05-performance-optimization/docs/images
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the folder root, where workloads/ lives

from workloads import scenarios

from catalog_tools.spark import local_spark
from spark_performance_analyzer import load_from_rest_api


def join_stage_id(spark, group: str) -> int:
    """The stage of ``group`` that read the most shuffle bytes: the join."""
    app = load_from_rest_api(spark.sparkContext.uiWebUrl, spark.sparkContext.applicationId).for_job_group(group)
    return max(app.stages, key=lambda stage: stage.total("shuffle_read_bytes")).stage_id


def screenshot(chromium: str, url: str, path: Path, width: int = 1400, height: int = 1350) -> None:
    """Render ``url`` after its JavaScript ran (the stage page fills its tables from the REST API)."""
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--window-size={width},{height}", "--virtual-time-budget=15000", f"--screenshot={path}", url],
        check=True, capture_output=True, timeout=120,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser"))
    args = parser.parse_args(argv)
    if not args.chromium:
        parser.error("expected a chromium binary on PATH (Debian: apt-get install chromium), found none")
    args.out_dir.mkdir(parents=True, exist_ok=True)
    print(f"1-minute load average at start: {os.getloadavg()[0]:.2f}")
    scratch = Path(tempfile.mkdtemp(prefix="spark-ui-shots-"))
    spark = local_spark(scratch, ui=True, app_name="skew-screenshots")
    try:
        scenarios.run_healthy_aggregation(spark, group="warm-up")
        scenarios.run_skewed_join(spark, group="skewed-join", rows=args.rows)
        scenarios.run_aqe_skew_join(spark, group="aqe-skew-join", rows=args.rows)
        ui = spark.sparkContext.uiWebUrl
        for group, name in (("skewed-join", "skewed-join-stage.png"), ("aqe-skew-join", "aqe-skew-join-stage.png")):
            stage = join_stage_id(spark, group)
            screenshot(args.chromium, f"{ui}/stages/stage/?id={stage}&attempt=0", args.out_dir / name)
            print(args.out_dir / name, f"(stage {stage})")
    finally:
        spark.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
