"""Each fix, measured by the analyzer itself on the same data as the bad job it fixes."""
from __future__ import annotations

from spark_performance_analyzer.scenarios import (
    run_broadcast_small_join,
    run_compacted_write,
    run_explode_blow_up,
    run_get_item_flattening,
    run_many_small_files,
    run_salted_join,
    run_shuffled_small_join,
    run_skewed_join,
)


def total_shuffle_bytes(app) -> float:
    return sum(stage.total("shuffle_write_bytes") for stage in app.stages)


def worst_read_skew(app) -> float:
    return max(stage.maximum("shuffle_read_bytes") / stage.median("shuffle_read_bytes")
               for stage in app.stages if stage.median("shuffle_read_bytes") > 0)


def test_broadcasting_the_small_side_removes_every_shuffle_byte(spark, job_metrics, findings_for):
    run_shuffled_small_join(spark, group="join-before")
    run_broadcast_small_join(spark, group="join-after")

    assert total_shuffle_bytes(job_metrics("join-before")) > 1_000_000
    assert total_shuffle_bytes(job_metrics("join-after")) == 0
    assert findings_for("join-after") == []


def test_salting_the_hot_key_at_least_halves_the_read_skew(spark, job_metrics, findings_for):
    run_skewed_join(spark, group="skew-before")
    run_salted_join(spark, group="skew-after")

    before, after = worst_read_skew(job_metrics("skew-before")), worst_read_skew(job_metrics("skew-after"))

    assert after <= before / 2, f"max/median shuffle read: before {before:.1f}, after {after:.1f}"
    assert "skew" not in {f.kind for f in findings_for("skew-after")}


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
