"""The two out-of-memory jobs, run by tests/incidents/test_out_of_memory.py in a Spark JVM of their own.

A real OutOfMemoryError can kill the JVM, so these jobs never run in the test session's Spark.
Usage (what the test runs; one JVM start for both incidents)::

    python tests/incidents/out_of_memory_jobs.py <work dir>

It runs, in order: the driver incident (collect of a large result), its fix, the exploding-row
fix, and last the exploding-row incident, which may end the JVM. Each step prints a
``RESULT <json>`` line the test reads; Spark's own log goes to stderr.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

# Small enough to fail in seconds on a laptop, large enough for Spark to start.
DRIVER_HEAP = "600m"
MAX_RESULT_SIZE = "1m"
REPORT_ROWS = 100_000  # a few MiB of serialized rows: more than the driver's result limit
HOT_MACHINE_READINGS = 3_000_000  # one machine's readings, each with a 200-byte payload


def session(work_dir: Path):
    from catalog_tools.spark import local_spark

    return local_spark(work_dir / "spark", app_name="oom-jobs", shuffle_partitions=2, extra_conf={
        "spark.driver.memory": DRIVER_HEAP, "spark.driver.maxResultSize": MAX_RESULT_SIZE,
    })


def report(spark):
    """A shift report: one row per reading with a text column, as a dashboard export would build it."""
    return spark.range(REPORT_ROWS).selectExpr("id AS reading_id", "CAST(id % 40 AS INT) AS machine_id",
                                               "sha2(CAST(id AS STRING), 256) AS checksum")


def hot_machine(spark):
    return spark.range(HOT_MACHINE_READINGS).selectExpr("'press-00' AS machine", "id AS reading_id",
                                                        "repeat('p', 200) AS payload")


def print_result(**values) -> None:
    print("RESULT " + json.dumps(values), flush=True)


def driver_collect(spark, work_dir: Path) -> None:
    try:
        report(spark).collect()  # the incident: every row to the driver
        print_result(step="collect", ok=True)
    except Exception as error:  # the test reads the text
        print_result(step="collect", ok=False, error=f"{type(error).__module__}.{type(error).__qualname__}: {error}")
    # the fix: the rows go to a table, the driver only gets the count
    path = str(work_dir / "shift_report")
    report(spark).write.format("delta").save(path)
    print_result(step="write-instead", ok=True, rows=spark.read.format("delta").load(path).count())


def exploding_row(spark) -> None:
    # the fix first (the incident may end the JVM): aggregate what the report needs
    row = hot_machine(spark).groupBy("machine").agg({"reading_id": "count", "payload": "max"}).first()
    print_result(step="aggregate-instead", ok=True, readings=row["count(reading_id)"])
    # the incident: every reading of the machine in one array, in one row
    row = hot_machine(spark).groupBy("machine").agg({"payload": "collect_list"}).first()
    print_result(step="collect_list", ok=True, size=len(row[1]))


def main(work_dir: Path) -> None:
    spark = session(work_dir)
    driver_collect(spark, work_dir)
    exploding_row(spark)
    spark.stop()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
