"""Planning arithmetic: every number comes with the steps that produced it."""
from __future__ import annotations

import pytest

from spark_performance_analyzer.sizing import (
    GIB,
    MIB,
    TIB,
    InvalidSizingInputError,
    driver_memory_plan,
    partition_plan,
    target_file_plan,
    task_memory_plan,
)


def test_partitions_follow_target_size_rounded_to_whole_waves():
    plan = partition_plan(input_bytes=1_000 * GIB, target_partition_bytes=128 * MIB, total_cores=48)

    assert plan.partitions == 8016  # 8000 by size, 167 waves of 48
    assert plan.waves == 167
    assert plan.steps[0].startswith("1,073,741,824,000 bytes / 134,217,728")


def test_the_spill_jobs_memory_setting_leaves_five_mib_per_task():
    # the example spill job: 512 MiB driver, memory.fraction 0.05, 2 cores
    plan = task_memory_plan(executor_memory_mib=512, cores=2, memory_fraction=0.05)

    assert round(plan.usable_mib, 1) == 10.6
    assert round(plan.per_task_mib, 1) == 5.3
    assert plan.steps[-1] == "10.6 MiB / 2 concurrent tasks = 5.3 MiB per task before it spills"


def test_cached_data_protects_part_of_usable_memory_from_execution():
    plan = task_memory_plan(executor_memory_mib=8300, cores=4, memory_fraction=0.6, cached_mib=4000)

    assert plan.usable_mib == 4800
    assert plan.execution_mib == 2400  # storage keeps at most storageFraction (0.5) of usable
    assert plan.per_task_mib == 600


@pytest.mark.parametrize("kwargs, message", [
    ({"executor_memory_mib": 256, "cores": 2}, "expected more than the 300 MiB Spark reserves, got 256"),
    ({"executor_memory_mib": 4096, "cores": 0}, "cores: expected a positive number, got 0"),
])
def test_impossible_inputs_raise_a_named_error(kwargs, message):
    with pytest.raises(InvalidSizingInputError, match=message):
        task_memory_plan(**kwargs)


@pytest.mark.parametrize("table_bytes, target_mib, files", [
    (500 * GIB, 256, 2_000),        # small table: 256 MiB files
    (5 * TIB, 508, 10_324),         # 2.56..10 TiB: linear between 256 MiB and 1 GiB
    (20 * TIB, 1024, 20_480),       # large table: 1 GiB files
])
def test_target_file_size_grows_with_the_table(table_bytes, target_mib, files):
    plan = target_file_plan(table_bytes)

    assert round(plan.target_file_bytes / MIB) == target_mib
    assert plan.files == files
    assert plan.steps[-1].endswith(f"= {files:,} files after OPTIMIZE")


def test_driver_heap_is_the_sum_of_what_it_holds_at_once():
    plan = driver_memory_plan(largest_broadcast_mib=200, max_result_mib=1024, scheduler_mib=512)

    assert plan.heap_mib == 300 + 2 * 200 + 1024 + 512
    assert plan.steps[0].endswith("= 2,236 MiB driver heap")
    assert plan.steps[1] == "set spark.driver.memory=2236m and spark.driver.maxResultSize=1024m"


def test_a_negative_broadcast_size_is_refused():
    with pytest.raises(InvalidSizingInputError, match="largest_broadcast_mib: expected 0 or more, got -1"):
        driver_memory_plan(largest_broadcast_mib=-1)
