"""Planning arithmetic for large jobs: partition counts and per-task execution memory, shown step by step.

The memory model is Spark's unified memory manager: usable = (heap - 300 MiB reserved) *
``spark.memory.fraction``; execution and storage share it; concurrently running tasks (one per
core) share the execution part.

Example::

    >>> plan = partition_plan(input_bytes=1_000 * GIB, target_partition_bytes=128 * MIB, total_cores=64)
    >>> plan.partitions
    8000
    >>> round(task_memory_plan(executor_memory_mib=512, cores=2, memory_fraction=0.05).per_task_mib, 1)
    5.3
    >>> target_file_plan(table_bytes=5 * TIB).target_file_bytes // MIB
    507
    >>> driver_memory_plan(largest_broadcast_mib=200, max_result_mib=1024).heap_mib
    2236
"""
from __future__ import annotations

import math
from dataclasses import dataclass

MIB = 1024 * 1024
GIB = 1024 * MIB
TIB = 1024 * GIB
RESERVED_MIB = 300
SMALL_TABLE_FILE_BYTES, LARGE_TABLE_FILE_BYTES = 256 * MIB, 1 * GIB
SMALL_TABLE_BYTES, LARGE_TABLE_BYTES = int(2.56 * TIB), 10 * TIB


class InvalidSizingInputError(ValueError):
    """A sizing input is outside the range the arithmetic is defined for."""


def _require_positive(**values: float) -> None:
    for name, value in values.items():
        if value <= 0:
            raise InvalidSizingInputError(f"{name}: expected a positive number, got {value!r}")


@dataclass(frozen=True)
class PartitionPlan:
    partitions: int
    waves: int
    steps: tuple[str, ...]


def partition_plan(input_bytes: int, target_partition_bytes: int = 128 * MIB, total_cores: int = 8) -> PartitionPlan:
    """Partitions so each holds about ``target_partition_bytes``, rounded up to whole waves of cores."""
    _require_positive(input_bytes=input_bytes, target_partition_bytes=target_partition_bytes, total_cores=total_cores)
    by_size = math.ceil(input_bytes / target_partition_bytes)
    waves = math.ceil(by_size / total_cores)
    partitions = waves * total_cores
    return PartitionPlan(partitions, waves, (
        f"{input_bytes:,} bytes / {target_partition_bytes:,} bytes per partition = {by_size:,} partitions",
        f"{by_size:,} partitions / {total_cores} cores = {waves:,} waves (rounded up)",
        f"{waves:,} waves x {total_cores} cores = {partitions:,} partitions, so the last wave is not half empty",
    ))


@dataclass(frozen=True)
class TaskMemoryPlan:
    usable_mib: float
    execution_mib: float
    per_task_mib: float
    steps: tuple[str, ...]


def task_memory_plan(executor_memory_mib: float, cores: int, memory_fraction: float = 0.6,
                     storage_fraction: float = 0.5, cached_mib: float = 0.0) -> TaskMemoryPlan:
    """Execution memory each concurrently running task can count on before it spills.

    Storage can borrow from execution and give it back, except ``storage_fraction`` of usable
    memory when that much is cached; ``cached_mib`` says how much is cached.
    """
    _require_positive(executor_memory_mib=executor_memory_mib, cores=cores, memory_fraction=memory_fraction)
    if executor_memory_mib <= RESERVED_MIB:
        raise InvalidSizingInputError(
            f"executor_memory_mib: expected more than the {RESERVED_MIB} MiB Spark reserves, got {executor_memory_mib}"
        )
    usable = (executor_memory_mib - RESERVED_MIB) * memory_fraction
    protected_storage = min(cached_mib, usable * storage_fraction)
    execution = usable - protected_storage
    per_task = execution / cores
    return TaskMemoryPlan(usable, execution, per_task, (
        f"({executor_memory_mib:g} MiB heap - {RESERVED_MIB} MiB reserved) x memory.fraction {memory_fraction:g}"
        f" = {usable:.1f} MiB usable",
        f"{usable:.1f} MiB - {protected_storage:.1f} MiB cached data storage keeps = {execution:.1f} MiB execution",
        f"{execution:.1f} MiB / {cores} concurrent tasks = {per_task:.1f} MiB per task before it spills",
    ))


@dataclass(frozen=True)
class TargetFilePlan:
    target_file_bytes: int
    files: int
    steps: tuple[str, ...]


def target_file_plan(table_bytes: int) -> TargetFilePlan:
    """Target file size for a Delta table of ``table_bytes``, and the file count it gives.

    The rule is Databricks' documented autotuning by table size: 256 MB up to 2.56 TB, then
    growing linearly to 1 GB at 10 TB, 1 GB above. Set the result as ``delta.targetFileSize`` on
    Databricks, or as ``spark.databricks.delta.optimize.maxFileSize`` for open-source OPTIMIZE.
    """
    _require_positive(table_bytes=table_bytes)
    if table_bytes <= SMALL_TABLE_BYTES:
        target, rule = SMALL_TABLE_FILE_BYTES, f"table <= {SMALL_TABLE_BYTES:,} bytes (2.56 TiB): 256 MiB files"
    elif table_bytes >= LARGE_TABLE_BYTES:
        target, rule = LARGE_TABLE_FILE_BYTES, f"table >= {LARGE_TABLE_BYTES:,} bytes (10 TiB): 1 GiB files"
    else:
        share = (table_bytes - SMALL_TABLE_BYTES) / (LARGE_TABLE_BYTES - SMALL_TABLE_BYTES)
        target = round(SMALL_TABLE_FILE_BYTES + share * (LARGE_TABLE_FILE_BYTES - SMALL_TABLE_FILE_BYTES))
        rule = (f"table between 2.56 and 10 TiB, {share:.3f} of the way: 256 MiB + {share:.3f} x (1024 - 256) MiB"
                f" = {target / MIB:,.0f} MiB files")
    files = math.ceil(table_bytes / target)
    return TargetFilePlan(target, files, (
        rule, f"{table_bytes:,} bytes / {target:,} bytes per file = {files:,} files after OPTIMIZE"))


@dataclass(frozen=True)
class DriverMemoryPlan:
    heap_mib: int
    steps: tuple[str, ...]


def driver_memory_plan(largest_broadcast_mib: float, max_result_mib: float = 1024,
                       scheduler_mib: float = 512) -> DriverMemoryPlan:
    """Driver heap for a job that broadcasts tables and collects results, with the sum shown.

    What the driver holds at once: Spark's 300 MiB reserve; the largest broadcast table twice
    (the collected rows and the hash relation built from them before they are sent out); up to
    ``spark.driver.maxResultSize`` of collected results (1 GiB by default); and ``scheduler_mib``
    for task and stage bookkeeping, an allowance to raise for jobs with hundreds of thousands
    of tasks.
    """
    _require_positive(max_result_mib=max_result_mib, scheduler_mib=scheduler_mib)
    if largest_broadcast_mib < 0:
        raise InvalidSizingInputError(f"largest_broadcast_mib: expected 0 or more, got {largest_broadcast_mib!r}")
    broadcast = 2 * largest_broadcast_mib
    heap = math.ceil(RESERVED_MIB + broadcast + max_result_mib + scheduler_mib)
    return DriverMemoryPlan(heap, (
        f"{RESERVED_MIB} MiB reserved + 2 x {largest_broadcast_mib:g} MiB largest broadcast (rows + hash relation)"
        f" + {max_result_mib:g} MiB spark.driver.maxResultSize + {scheduler_mib:g} MiB scheduler allowance"
        f" = {heap:,} MiB driver heap",
        f"set spark.driver.memory={heap}m and spark.driver.maxResultSize={max_result_mib:g}m",
    ))
