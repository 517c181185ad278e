"""Each fix, measured by the analyzer itself on the same data as the bad job it fixes."""
from __future__ import annotations

from workloads.partition_scenarios import (
    run_aggregation_with_aqe_coalescing,
    run_aggregation_with_fixed_partitions,
    run_coalesce_before_write,
    run_repartition_before_write,
)
from workloads.scenarios import (
    run_broadcast_by_threshold,
    run_broadcast_small_join,
    run_compacted_write,
    run_explode_blow_up,
    run_get_item_flattening,
    run_many_small_files,
    run_salted_join,
    run_shuffled_small_join,
    run_skewed_join,
)

from spark_performance_analyzer import SparkRestClient
from spark_performance_analyzer.task_distribution import load_task_distribution


def total_shuffle_bytes(app) -> float:
    return sum(stage.total("shuffle_write_bytes") for stage in app.stages)


def reduce_stages(app) -> list:
    """Stages that read shuffle data: the join or aggregation side of an exchange."""
    return [stage for stage in app.stages if stage.total("shuffle_read_bytes") > 0]


def plan_nodes(app) -> set[str]:
    return {node.name for node in app.sql_nodes}


def worst_read_skew(app) -> float:
    return max(stage.maximum("shuffle_read_bytes") / stage.median("shuffle_read_bytes")
               for stage in reduce_stages(app) if stage.median("shuffle_read_bytes") > 0)


def join_stage_task_time_ratio(spark, app) -> float:
    """Max over median task duration of the join stage, from the REST API's taskSummary quantiles."""
    (join_stage,) = reduce_stages(app)
    client = SparkRestClient(spark.sparkContext.uiWebUrl)
    tasks = load_task_distribution(client, app.app_id, join_stage.stage_id, join_stage.attempt_id)
    return tasks.max_over_median("duration")


def test_broadcasting_the_small_side_takes_the_join_stage_shuffle_to_zero(spark, job_metrics, findings_for):
    run_shuffled_small_join(spark, group="join-before")
    run_broadcast_small_join(spark, group="join-after")
    before, after = job_metrics("join-before"), job_metrics("join-after")

    (join_stage,) = reduce_stages(before)
    assert "SortMergeJoin" in plan_nodes(before)
    assert join_stage.total("shuffle_read_bytes") > 1_000_000  # the join stage read both shuffled sides
    assert "BroadcastHashJoin" in plan_nodes(after)
    assert reduce_stages(after) == []  # the join runs in the scan stage: no stage reads shuffle data
    assert total_shuffle_bytes(after) == 0
    assert findings_for("join-after") == []


def test_a_broadcast_threshold_above_the_small_side_removes_the_shuffle_without_a_hint(
        spark, job_metrics, findings_for):
    run_broadcast_by_threshold(spark, group="join-by-threshold", threshold="10m")

    after = job_metrics("join-by-threshold")

    assert "BroadcastHashJoin" in plan_nodes(after) and "SortMergeJoin" not in plan_nodes(after)
    assert total_shuffle_bytes(after) == 0
    assert findings_for("join-by-threshold") == []


def test_salting_the_hot_key_at_least_halves_the_join_stage_task_time_ratio(spark, job_metrics, findings_for):
    run_skewed_join(spark, group="skew-before")
    run_salted_join(spark, group="skew-after")
    before, after = job_metrics("skew-before"), job_metrics("skew-after")

    time_before, time_after = join_stage_task_time_ratio(spark, before), join_stage_task_time_ratio(spark, after)
    read_before, read_after = worst_read_skew(before), worst_read_skew(after)

    assert time_after <= time_before / 2, f"max/median task time: before {time_before:.2f}, after {time_after:.2f}"
    assert read_after <= read_before / 2, f"max/median shuffle read: before {read_before:.1f}, after {read_after:.1f}"
    assert "skew" not in {f.kind for f in findings_for("skew-after")}


def test_aqe_coalesces_200_tiny_shuffle_partitions_into_a_few_tasks(spark, job_metrics):
    run_aggregation_with_fixed_partitions(spark, group="partitions-fixed", partitions=200)
    run_aggregation_with_aqe_coalescing(spark, group="partitions-coalesced", partitions=200)

    (fixed,) = reduce_stages(job_metrics("partitions-fixed"))
    (coalesced,) = reduce_stages(job_metrics("partitions-coalesced"))

    assert fixed.num_tasks == 200
    assert coalesced.num_tasks <= 8
    assert coalesced.total("shuffle_read_bytes") == fixed.total("shuffle_read_bytes")  # same data, fewer tasks


def test_coalesce_writes_as_many_files_as_repartition_without_a_shuffle(spark, job_metrics, tmp_path):
    run_repartition_before_write(spark, str(tmp_path / "repartitioned"), group="write-repartition", files=4)
    run_coalesce_before_write(spark, str(tmp_path / "coalesced"), group="write-coalesce", files=4)

    assert len(list((tmp_path / "repartitioned").glob("*.parquet"))) == 4
    assert len(list((tmp_path / "coalesced").glob("*.parquet"))) == 4
    assert total_shuffle_bytes(job_metrics("write-repartition")) > 1_000_000  # every row went through a shuffle
    assert total_shuffle_bytes(job_metrics("write-coalesce")) == 0
    assert spark.read.parquet(str(tmp_path / "coalesced")).count() == 200_000


def test_get_item_keeps_one_row_per_row_where_explode_made_forty(spark, findings_for, tmp_path):
    source = str(tmp_path / "source")
    run_explode_blow_up(spark, source, str(tmp_path / "exploded"), group="explode-before")
    run_get_item_flattening(spark, source, str(tmp_path / "flat"), group="explode-after")

    assert spark.read.parquet(str(tmp_path / "exploded")).count() == 400_000
    assert spark.read.parquet(str(tmp_path / "flat")).count() == 10_000
    assert findings_for("explode-after") == []


def test_coalescing_before_the_write_leaves_one_file_and_no_finding(spark, findings_for, tmp_path):
    run_many_small_files(spark, str(tmp_path / "before"), group="files-before")
    run_compacted_write(spark, str(tmp_path / "after"), group="files-after")

    assert len(list((tmp_path / "after").glob("*.parquet"))) == 1
    # only the file finding is this fix's claim: GC time of the 64 tiny write tasks depends on how
    # busy the machine's cores are (seen as a gc-pressure finding at load average 16 on 2 cores)
    assert "small files" in {f.kind for f in findings_for("files-before")}
    assert findings_for("files-after") == []
