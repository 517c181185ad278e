"""One hot machine makes one join task dominate its stage; salting the key spreads it out.

The stage's task metrics come from Spark's own status store (what the Spark UI and its REST
API's taskList show). The test compares shuffle records read per task: that is what makes the
busiest task slow, and unlike task time it does not depend on the machine's load, so it can be
asserted. Results are compared whole with chispa: salting must not change a single row.
"""
from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

from chispa import assert_df_equality
from helpers import capture_incident_log
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from production_playbooks import diagnose_text
from production_playbooks.skew_report import stage_skew

PARTITIONS = 8
SALT_BUCKETS = 8
HOT_MACHINE_READINGS = 1900  # press-00 reports every second
OTHER_MACHINES, OTHER_READINGS = 20, 5  # the rest report now and then


@contextmanager
def sort_merge_joins_without_aqe(spark: SparkSession) -> Iterator[None]:
    """A shuffle join with a fixed partition count: what a cluster without AQE skew handling runs."""
    settings = {"spark.sql.autoBroadcastJoinThreshold": "-1", "spark.sql.adaptive.enabled": "false",
                "spark.sql.shuffle.partitions": str(PARTITIONS)}
    before = {key: spark.conf.get(key) for key in settings}
    for key, value in settings.items():
        spark.conf.set(key, value)
    try:
        yield
    finally:
        for key, value in before.items():
            spark.conf.set(key, value)


def readings(spark: SparkSession) -> DataFrame:
    hot = [(n, "press-00", 70.0) for n in range(HOT_MACHINE_READINGS)]
    others = [(HOT_MACHINE_READINGS + m * OTHER_READINGS + k, f"press-{m + 1:02d}", 60.0)
              for m in range(OTHER_MACHINES) for k in range(OTHER_READINGS)]
    return spark.createDataFrame(hot + others, "reading_id long, machine string, temperature_c double")


def machines(spark: SparkSession) -> DataFrame:
    return spark.createDataFrame([(f"press-{m:02d}", f"line-{m % 3}") for m in range(OTHER_MACHINES + 1)],
                                 "machine string, line string")


def salted_join(facts: DataFrame, dimension: DataFrame) -> DataFrame:
    """The fix: each reading gets a salt; the dimension row is repeated once per salt value."""
    salted_facts = facts.withColumn("salt", F.col("reading_id") % SALT_BUCKETS)
    salted_dimension = dimension.withColumn("salt", F.explode(F.sequence(F.lit(0), F.lit(SALT_BUCKETS - 1))))
    return salted_facts.join(salted_dimension, ["machine", "salt"]).drop("salt")


def shuffle_task_lists(spark: SparkSession, job_group: str) -> dict[int, list[dict]]:
    """Each stage of the job group that read shuffle data, with its tasks in the REST taskList shape."""
    tracker = spark.sparkContext.statusTracker()
    store = spark.sparkContext._jsc.sc().statusStore()  # the store behind the UI's REST API
    stages = {}
    for job_id in tracker.getJobIdsForGroup(job_group):
        for stage_id in tracker.getJobInfo(job_id).stageIds:
            info = tracker.getStageInfo(stage_id)
            deadline = time.monotonic() + 30
            while True:  # the listener bus fills the store asynchronously
                tasks = store.taskList(stage_id, 0, 100_000)
                finished = [tasks.apply(i) for i in range(tasks.length()) if tasks.apply(i).taskMetrics().isDefined()]
                if info is None or len(finished) >= info.numCompletedTasks or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            rows = [{"status": task.status(), "taskMetrics": {
                "executorRunTime": task.taskMetrics().get().executorRunTime(),
                "shuffleReadMetrics": {"recordsRead": task.taskMetrics().get().shuffleReadMetrics().recordsRead()}}}
                for task in finished]
            if sum(row["taskMetrics"]["shuffleReadMetrics"]["recordsRead"] for row in rows):
                stages[stage_id] = rows
    return stages


def run_join(spark: SparkSession, joined: DataFrame, job_group: str) -> tuple[int, list[dict]]:
    """Run the join to the end (noop sink) and return its join stage: the one reading most shuffle records."""
    spark.sparkContext.setJobGroup(job_group, job_group)
    try:
        joined.write.format("noop").mode("overwrite").save()
    finally:
        spark.sparkContext.setLocalProperty("spark.jobGroup.id", None)
    stages = shuffle_task_lists(spark, job_group)
    return max(stages.items(), key=lambda item: sum(t["taskMetrics"]["shuffleReadMetrics"]["recordsRead"]
                                                      for t in item[1]))


def test_data_skew_is_reproduced_diagnosed_and_fixed_by_salting_with_equal_results(spark):
    facts, dimension = readings(spark), machines(spark)
    with sort_merge_joins_without_aqe(spark):
        plain = facts.join(dimension, "machine")
        stage_id, tasks = run_join(spark, plain, "skewed-join")
        skew = stage_skew(stage_id, tasks)

        # 1. One task reads press-00's 1,900 readings; the median task a handful.
        assert skew.skewed and skew.busiest >= HOT_MACHINE_READINGS
        line = re.sub(r"stage \d+", "stage <n>", skew.report_line())
        log = capture_incident_log("data-skew", "skewed-join-task-metrics", line + "\n")
        assert diagnose_text(log).incident_id == "data-skew"

        # 2. Salted: the hot machine's readings spread over the salt buckets' tasks.
        salted = salted_join(facts, dimension)
        salted_stage, salted_tasks = run_join(spark, salted, "salted-join")
        after = stage_skew(salted_stage, salted_tasks)
        assert not after.skewed and after.ratio < skew.ratio / 10
        assert after.busiest < HOT_MACHINE_READINGS / 2

        # 3. Nothing changed in the result: every reading joined once, to the same line.
        assert_df_equality(plain, salted.select(*plain.columns), ignore_row_order=True)
        assert plain.count() == HOT_MACHINE_READINGS + OTHER_MACHINES * OTHER_READINGS
