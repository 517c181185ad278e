"""Small, medium and large cluster configurations, each derived from :mod:`sizing` with its arithmetic.

A profile says what the cluster has (workers, cores and heap per executor) and how much a run
reads; :func:`cluster_config` turns it into Spark settings plus the steps that produced every
number, so a reviewer can check them. The ``write-cluster-configs`` entry point
(:mod:`cluster_configs_job`) writes the three profiles as JSON; ``tests/test_cluster_configs.py``
loads the committed files and checks they are what the arithmetic gives today.

Example::

    >>> config = cluster_config(PROFILES["small"])
    >>> config["spark_conf"]["spark.sql.shuffle.partitions"]
    '400'
    >>> config["arithmetic"]["partitions"][0]
    '53,687,091,200 bytes / 134,217,728 bytes per partition = 400 partitions'
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from spark_performance_analyzer.sizing import GIB, MIB, InvalidSizingInputError, partition_plan, task_memory_plan

OVERHEAD_FRACTION = 0.10
MIN_OVERHEAD_MIB = 384


@dataclass(frozen=True)
class ClusterProfile:
    """What a cluster has and what one run of the job reads."""

    name: str
    workers: int
    cores_per_executor: int
    executor_heap_mib: int
    driver_heap_mib: int
    input_bytes_per_run: int
    target_partition_bytes: int = 128 * MIB
    target_file_bytes: int = 128 * MIB


PROFILES = {
    "small": ClusterProfile("small", workers=2, cores_per_executor=4, executor_heap_mib=12 * 1024,
                            driver_heap_mib=8 * 1024, input_bytes_per_run=50 * GIB),
    "medium": ClusterProfile("medium", workers=8, cores_per_executor=8, executor_heap_mib=24 * 1024,
                             driver_heap_mib=16 * 1024, input_bytes_per_run=1024 * GIB),
    "large": ClusterProfile("large", workers=32, cores_per_executor=16, executor_heap_mib=48 * 1024,
                            driver_heap_mib=32 * 1024, input_bytes_per_run=10 * 1024 * GIB,
                            target_file_bytes=256 * MIB),
}


def cluster_config(profile: ClusterProfile, min_task_execution_mib: float = 512) -> dict[str, Any]:
    """Spark settings for ``profile`` and the arithmetic behind them.

    Raises :class:`InvalidSizingInputError` when a task would get less than
    ``min_task_execution_mib`` of execution memory: such a profile spills on ordinary sorts.
    """
    total_cores = profile.workers * profile.cores_per_executor
    partitions = partition_plan(profile.input_bytes_per_run, profile.target_partition_bytes, total_cores)
    memory = task_memory_plan(profile.executor_heap_mib, profile.cores_per_executor)
    if memory.per_task_mib < min_task_execution_mib:
        raise InvalidSizingInputError(
            f"{profile.name}: expected at least {min_task_execution_mib} MiB execution memory per task,"
            f" got {memory.per_task_mib:.1f}")
    overhead = max(MIN_OVERHEAD_MIB, round(profile.executor_heap_mib * OVERHEAD_FRACTION))
    return {
        "profile": asdict(profile),
        "spark_conf": {
            "spark.executor.instances": str(profile.workers),
            "spark.executor.cores": str(profile.cores_per_executor),
            "spark.executor.memory": f"{profile.executor_heap_mib}m",
            "spark.executor.memoryOverhead": f"{overhead}m",
            "spark.driver.memory": f"{profile.driver_heap_mib}m",
            "spark.sql.shuffle.partitions": str(partitions.partitions),
            "spark.sql.adaptive.enabled": "true",
            "spark.sql.adaptive.advisoryPartitionSizeInBytes": str(profile.target_partition_bytes),
            "spark.sql.files.maxPartitionBytes": str(profile.target_partition_bytes),
            "spark.databricks.delta.optimize.maxFileSize": str(profile.target_file_bytes),
        },
        "arithmetic": {
            "partitions": list(partitions.steps),
            "memory_per_task": list(memory.steps),
            "container": [f"max({MIN_OVERHEAD_MIB} MiB, {OVERHEAD_FRACTION:g} x {profile.executor_heap_mib} MiB heap)"
                          f" = {overhead} MiB overhead; {profile.executor_heap_mib + overhead} MiB per executor"],
        },
    }
