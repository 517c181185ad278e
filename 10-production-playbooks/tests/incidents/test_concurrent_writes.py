"""Two real writers race on one Delta table; each conflict is reproduced, diagnosed, then fixed.

The race is made deterministic without mocking Delta: the slow writer's MERGE source passes
through a Python UDF (a :class:`CommitGate`) that signals "snapshot taken" and then waits until
the table's next commit file exists. The fast writer commits in that window, so the MERGE
commits second and Delta's own conflict checker decides what happens.
"""
from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

from chispa import assert_df_equality
from delta.tables import DeltaTable
from helpers import capture_incident_log, failure_text
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from production_playbooks import diagnose_text
from production_playbooks.delta_retry import RetryPolicy, run_with_conflict_retry

READINGS_SCHEMA = "reading_id int, plant string, temperature_c double"
GATE_TIMEOUT_S = 60.0


class CommitGate:
    """A UDF that marks the slow writer's snapshot as taken, then holds it until ``version`` is committed."""

    def __init__(self, table_path: str, version: int, folder: Path):
        self.commit_file = Path(table_path) / "_delta_log" / f"{version:020d}.json"
        self.started_file = folder / f"gate-{version}-started"

    def udf(self):
        commit_file, started_file = str(self.commit_file), str(self.started_file)

        def hold(value: int) -> int:
            import os
            import time as worker_time

            open(started_file, "w").close()
            deadline = worker_time.monotonic() + GATE_TIMEOUT_S
            while not os.path.exists(commit_file):
                if worker_time.monotonic() > deadline:
                    raise TimeoutError(f"expected {commit_file} within {GATE_TIMEOUT_S} s, it never appeared")
                worker_time.sleep(0.05)
            return value

        return F.udf(hold, "int")

    def wait_until_started(self) -> None:
        deadline = time.monotonic() + GATE_TIMEOUT_S
        while not self.started_file.exists():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the slow writer did not start within {GATE_TIMEOUT_S} s")
            time.sleep(0.05)


def seed_readings(spark: SparkSession, path: str) -> None:
    """Two commits (versions 0 and 1): plant A ends up with two small files, plant B with one."""
    spark.createDataFrame(
        [
            (1, "A", 70.0),  # plant A, corrected by the late MERGE below
            (3, "B", 180.0),  # plant B
        ],
        READINGS_SCHEMA,
    ).coalesce(1).write.format("delta").partitionBy("plant").save(path)
    # plant A's second file, holding reading 2 alone
    spark.createDataFrame([(2, "A", 71.0)], READINGS_SCHEMA).write.format("delta").mode("append").save(path)


def late_correction(spark: SparkSession, gate: CommitGate) -> DataFrame:
    """Plant A's corrected reading 1, held by the gate while the other writer commits."""
    source = spark.createDataFrame([(1, "A", 70.5)], READINGS_SCHEMA).coalesce(1)
    return source.withColumn("reading_id", gate.udf()("reading_id"))


def merge_correction(spark: SparkSession, path: str, source: DataFrame, condition: str) -> None:
    target = DeltaTable.forPath(spark, path)
    target.alias("t").merge(source.alias("s"), condition).whenMatchedUpdateAll().execute()


def race(slow_writer: Callable[[], None], gate: CommitGate, fast_writer: Callable[[], None]) -> BaseException | None:
    """Start the slow writer, commit the fast one inside its window, return the slow writer's error."""
    outcome: dict[str, BaseException | None] = {"error": None}

    def run_slow() -> None:
        try:
            slow_writer()
        except BaseException as error:  # handed back to the test thread
            outcome["error"] = error

    thread = threading.Thread(target=run_slow)
    thread.start()
    gate.wait_until_started()
    fast_writer()
    thread.join(GATE_TIMEOUT_S * 2)
    assert not thread.is_alive(), "the slow writer never finished"
    return outcome["error"]


def conflict_text(error: BaseException) -> str:
    """The job output for a lost commit, with the winning commit's timings and clock time held constant."""
    text = re.sub(r'"timestamp":\d+', '"timestamp":<time>', failure_text(error))
    return re.sub(r'"(\w+TimeMs)":"\d+"', r'"\1":"<ms>"', text)


def table_rows(spark: SparkSession, path: str) -> DataFrame:
    return spark.read.format("delta").load(path).select("reading_id", "plant", "temperature_c")


def expected(spark: SparkSession, rows: list[tuple[int, str, float]]) -> DataFrame:
    return spark.createDataFrame(rows, READINGS_SCHEMA)


def test_delta_concurrent_append_is_reproduced_diagnosed_and_fixed_by_disjoint_predicates(spark, tmp_path):
    path = str(tmp_path / "readings")
    seed_readings(spark, path)

    def append_plant_b() -> None:
        spark.createDataFrame([(4, "B", 181.0)], READINGS_SCHEMA).write.format("delta").mode("append").save(path)

    # 1. The MERGE's condition says nothing about the plant, so it read every partition; the
    #    concurrent append to plant B lands in what it read.
    gate = CommitGate(path, 2, tmp_path)
    error = race(lambda: merge_correction(spark, path, late_correction(spark, gate), "t.reading_id = s.reading_id"),
                 gate, append_plant_b)
    assert error is not None and "ConcurrentAppendException" in str(error)
    assert "Files were added to partition [plant=B]" in str(error)
    log = capture_incident_log("delta-concurrent-append", "merge-vs-append", conflict_text(error), tmp_path)
    assert diagnose_text(log).incident_id == "delta-concurrent-append"
    # the losing MERGE wrote nothing: the append committed, reading 1 is unchanged
    assert_df_equality(table_rows(spark, path), expected(spark, [(1, "A", 70.0), (2, "A", 71.0), (3, "B", 180.0),
                                                                (4, "B", 181.0)]), ignore_row_order=True)

    # 2. Fix: the MERGE names its partition (t.plant = 'A'); an append to plant B is disjoint from it.
    gate = CommitGate(path, 3, tmp_path)

    def append_another_plant_b() -> None:
        spark.createDataFrame([(5, "B", 182.0)], READINGS_SCHEMA).write.format("delta").mode("append").save(path)

    error = race(
        lambda: merge_correction(spark, path, late_correction(spark, gate),
                                 "t.plant = 'A' AND t.reading_id = s.reading_id"),
        gate, append_another_plant_b,
    )
    assert error is None
    assert_df_equality(
        table_rows(spark, path),
        expected(spark, [(1, "A", 70.5), (2, "A", 71.0), (3, "B", 180.0), (4, "B", 181.0), (5, "B", 182.0)]),
        ignore_row_order=True,
    )


def test_delta_concurrent_delete_read_is_reproduced_diagnosed_and_fixed_by_retry_with_backoff(spark, tmp_path):
    path = str(tmp_path / "readings")
    seed_readings(spark, path)

    def quality_job_deletes(reading_id: int) -> Callable[[], None]:
        return lambda: DeltaTable.forPath(spark, path).delete(f"plant = 'A' AND reading_id = {reading_id}")

    # 1. The MERGE read both of plant A's files; a quality job deleted reading 2, which removed
    #    the whole file that held it, and committed first. The MERGE wrote nothing.
    gate = CommitGate(path, 2, tmp_path)
    partition_a = "t.plant = 'A' AND t.reading_id = s.reading_id"
    error = race(lambda: merge_correction(spark, path, late_correction(spark, gate), partition_a),
                 gate, quality_job_deletes(2))
    assert error is not None and "ConcurrentDeleteReadException" in str(error)
    log = capture_incident_log("delta-concurrent-delete-read", "merge-vs-delete", conflict_text(error), tmp_path)
    assert diagnose_text(log).incident_id == "delta-concurrent-delete-read"
    assert_df_equality(table_rows(spark, path), expected(spark, [(1, "A", 70.0), (3, "B", 180.0)]),
                       ignore_row_order=True)

    # 2. Fix: the same race again (reading 6 arrives in a file of its own and is deleted), with the MERGE
    #    wrapped in a retry: attempt 1 loses, attempt 2 reads the new snapshot and commits.
    spark.createDataFrame([(6, "A", 72.0)], READINGS_SCHEMA).write.format("delta").mode("append").save(path)
    gate = CommitGate(path, 4, tmp_path)
    waits: list[float] = []
    outcomes = []

    def merge_with_retry() -> None:
        outcomes.append(run_with_conflict_retry(
            lambda: merge_correction(spark, path, late_correction(spark, gate), partition_a),
            RetryPolicy(max_attempts=3, base_delay_s=0.2, jitter=0.0),
            sleep=lambda seconds: (waits.append(seconds), time.sleep(seconds)),
        ))

    assert race(merge_with_retry, gate, quality_job_deletes(6)) is None
    assert (outcomes[0].attempts, outcomes[0].conflicts, waits) == (2, ("ConcurrentDeleteReadException",), [0.2])
    assert_df_equality(
        table_rows(spark, path),
        expected(spark, [(1, "A", 70.5), (3, "B", 180.0)]),
        ignore_row_order=True,
    )
