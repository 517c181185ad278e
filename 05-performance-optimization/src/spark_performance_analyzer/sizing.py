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
"""
from __future__ import annotations

import math
from dataclasses import dataclass

MIB = 1024 * 1024
GIB = 1024 * MIB
RESERVED_MIB = 300


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
