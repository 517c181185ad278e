"""Run each deliberately bad job and its fix on a local Spark with the UI on, and print the analyzer's report.

Run it: ``.venv/bin/python 05-performance-optimization/examples/diagnose_scenarios.py``
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the folder root, where workloads/ lives

from workloads import scenarios

from catalog_tools.spark import local_spark
from spark_performance_analyzer import analyze, format_report, load_from_rest_api
from spark_performance_analyzer.analyzers import LAPTOP_THRESHOLDS


def main() -> int:
    spark = local_spark(Path(tempfile.mkdtemp(prefix="diagnose-")), ui=True, app_name="diagnose-scenarios")
    jobs = {
        "skewed-join": lambda: scenarios.run_skewed_join(spark),
        "salted-join": lambda: scenarios.run_salted_join(spark),
        "few-keys-skew": lambda: scenarios.run_few_keys_skewed_window(spark),  # most tasks read nothing
        "shuffled-small-join": lambda: scenarios.run_shuffled_small_join(spark),
        "broadcast-small-join": lambda: scenarios.run_broadcast_small_join(spark),
        "cartesian": lambda: scenarios.run_accidental_cartesian(spark),
    }
    for group, run in jobs.items():
        run()
        app = load_from_rest_api(spark.sparkContext.uiWebUrl, spark.sparkContext.applicationId)
        job = app.for_job_group(group)
        print(f"\n===== {group} =====\n{format_report(job, analyze(job, LAPTOP_THRESHOLDS))}")
    spark.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
