"""A sort that spills to disk because execution memory is small, logged to a Spark event log.

Run it::

    python examples/spill_job.py --event-log-dir events
    spark-perf-analyze --event-log events/eventlog_v2_<app-id> --laptop

The driver gets 512 MiB and spark.memory.fraction 0.05, so each task has a few MiB of execution
memory; sorting 1.5 million rows of 64-character strings in one partition must spill.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from pyspark.sql import functions as F

from catalog_tools.spark import local_spark


def run_spill_job(event_log_dir: Path, rows: int = 1_500_000) -> str:
    """Run the spilling sort in a new session and return the application id."""
    event_log_dir.mkdir(parents=True, exist_ok=True)
    spark = local_spark(
        Path(tempfile.mkdtemp(prefix="spill-job-")), app_name="spill-job", shuffle_partitions=1,
        extra_conf={
            "spark.driver.memory": "512m",
            "spark.memory.fraction": "0.05",
            "spark.sql.adaptive.enabled": "false",
            "spark.eventLog.enabled": "true",
            "spark.eventLog.dir": str(event_log_dir),
            "spark.eventLog.rolling.enabled": "true",
        },
    )
    try:
        spark.sparkContext.setJobGroup("spill", "spill")
        (spark.range(rows).select(F.sha2(F.col("id").cast("string"), 256).alias("payload"))
         .repartition(1).sortWithinPartitions("payload").write.format("noop").mode("overwrite").save())
        return spark.sparkContext.applicationId
    finally:
        spark.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--event-log-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    app_id = run_spill_job(args.event_log_dir)
    print(args.event_log_dir / f"eventlog_v2_{app_id}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
