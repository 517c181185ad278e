"""Analyzers: each looks at one symptom and returns findings that name metric, threshold and fix.

Thresholds default to production scale; :data:`LAPTOP_THRESHOLDS` scales the byte and time floors
down for the small jobs in this folder's tests and examples. Ratios stay the same.

Example::

    >>> findings = analyze(app, Thresholds(skew_ratio=4.0))  # doctest: +SKIP
"""
from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, replace

from spark_performance_analyzer.findings import COMPARISONS, Finding
from spark_performance_analyzer.model import ApplicationMetrics, StageMetrics

MIB = 1024 * 1024
SHUFFLE_JOINS = ("SortMergeJoin", "ShuffledHashJoin")
CARTESIAN_NODES = ("CartesianProduct", "BroadcastNestedLoopJoin")


@dataclass(frozen=True)
class Thresholds:
    skew_ratio: float = 5.0                 # largest task / median non-empty task, shuffle read (or input) bytes
    skew_share: float = 0.5                 # largest task's share of the stage's bytes (few keys, many partitions)
    skew_min_task_ms: float = 30_000        # ignore stages whose slowest task is shorter than this
    skew_min_tasks: int = 4
    broadcast_candidate_bytes: int = 64 * MIB   # a shuffle-join side this small could be broadcast
    spill_bytes: int = 0                    # any disk spill is reported
    gc_ratio: float = 0.10                  # GC time / executor run time
    gc_min_run_ms: float = 60_000
    small_file_bytes: int = 32 * MIB        # average output file smaller than this ...
    small_files_min_count: int = 200        # ... across at least this many files
    explode_ratio: float = 10.0             # rows out / rows in of a stage with a Generate node


LAPTOP_THRESHOLDS = replace(
    Thresholds(), skew_min_task_ms=300, broadcast_candidate_bytes=2 * MIB, gc_min_run_ms=2_000,
    small_file_bytes=1 * MIB, small_files_min_count=40,
)


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


SKEW_METRICS = ("shuffle_read_bytes", "input_bytes")


def skew_measures(stage: StageMetrics, metric: str, limits: Thresholds) -> list[tuple[str, float, float, str]]:
    """The skew measures of one byte metric of ``stage``: ``(name, value, threshold, comparison)`` each.

    The median of all tasks misses the worst skew: with fewer distinct keys than shuffle partitions
    most tasks read nothing, the median is 0, and max/median says nothing. So the two measures are:

    * the largest task over the median of the tasks that read anything (empty tasks are not typical);
    * the largest task's share of the stage's bytes: one task carrying more than half of a stage
      is skew however many tasks are empty.

    A stage whose tasks all read nothing has no measures.

    Example::

        >>> from spark_performance_analyzer import StageMetrics, TaskMetrics, Thresholds
        >>> tasks = [TaskMetrics(duration_ms=1, shuffle_read_bytes=b) for b in [0] * 62 + [95, 5]]
        >>> skew_measures(StageMetrics(1, 0, "join", tasks), "shuffle_read_bytes", Thresholds())
        [('max/median non-empty task shuffle read bytes', 1.9, 5.0, '>='), ('largest task share of shuffle read bytes', 0.95, 0.5, '>')]
    """  # noqa: E501
    non_empty = [value for value in (getattr(task, metric) for task in stage.tasks) if value > 0]
    if not non_empty:
        return []
    label = metric.replace("_", " ")
    largest = max(non_empty)
    return [
        (f"max/median non-empty task {label}", round(largest / statistics.median(non_empty), 1),
         limits.skew_ratio, ">="),
        (f"largest task share of {label}", round(largest / sum(non_empty), 2), limits.skew_share, ">"),
    ]


def skew(app: ApplicationMetrics, limits: Thresholds) -> list[Finding]:
    """Data skew: one task reads many times a typical task's data, or most of the stage's, and is slow.

    Slow tasks without more data (class loading, a slow disk) are stragglers, not skew, and are
    not reported here. At most one finding per stage: the first measure of :func:`skew_measures`
    (shuffle read bytes, then input bytes) that crosses its threshold.

    Example::

        >>> skew(app, LAPTOP_THRESHOLDS)  # doctest: +SKIP
        [Finding(kind='skew', stage_id=4, metric='largest task share of shuffle read bytes', value=0.95, ...)]
    """
    findings = []
    for stage in app.stages:
        if stage.num_tasks < max(2, limits.skew_min_tasks) or stage.maximum("duration_ms") < limits.skew_min_task_ms:
            continue
        crossed = [
            (name, value, threshold, comparison)
            for metric in SKEW_METRICS
            for name, value, threshold, comparison in skew_measures(stage, metric, limits)
            if COMPARISONS[comparison](value, threshold)
        ]
        if not crossed:
            continue
        name, value, threshold, comparison = crossed[0]
        empty = sum(1 for task in stage.tasks if task.shuffle_read_bytes == 0 and task.input_bytes == 0)
        findings.append(Finding(
            "skew", stage.stage_id, name, value, threshold,
            f"slowest task {stage.maximum('duration_ms'):.0f} ms vs median {stage.median('duration_ms'):.0f} ms "
            f"over {stage.num_tasks} tasks, {empty} of which read nothing",
            "a few keys hold most rows: enable AQE skew join (spark.sql.adaptive.skewJoin.enabled), "
            "broadcast the small side, or salt the hot keys; find them with groupBy(key).count()", comparison,
        ))
    return findings


def avoidable_shuffle(app: ApplicationMetrics, limits: Thresholds) -> list[Finding]:
    """A shuffle join where one side (a stage reading source data, not a shuffle) is small enough to broadcast."""
    if not any(node.name in SHUFFLE_JOINS for node in app.sql_nodes):
        return []
    join_sides = [s for s in app.stages if s.total("shuffle_write_bytes") > 0 and s.total("shuffle_read_bytes") == 0]
    if len(join_sides) < 2:
        return []
    smallest = min(join_sides, key=lambda s: s.total("shuffle_write_bytes"))
    small_bytes = smallest.total("shuffle_write_bytes")
    if small_bytes > limits.broadcast_candidate_bytes:
        return []
    total = sum(s.total("shuffle_write_bytes") for s in join_sides)
    return [Finding(
        "avoidable shuffle", smallest.stage_id, "smallest shuffle-join side bytes", small_bytes,
        limits.broadcast_candidate_bytes,
        f"a shuffle join moves {total:.0f} bytes although one side is only {small_bytes:.0f} bytes",
        "broadcast the small side: F.broadcast(small_df) or raise spark.sql.autoBroadcastJoinThreshold above it",
        "<=",
    )]


def spill(app: ApplicationMetrics, limits: Thresholds) -> list[Finding]:
    return [
        Finding(
            "spill", stage.stage_id, "disk bytes spilled", stage.total("disk_spilled_bytes"), limits.spill_bytes,
            f"{stage.total('memory_spilled_bytes'):.0f} bytes spilled from memory, "
            f"{stage.total('disk_spilled_bytes'):.0f} written to disk",
            "give each task less data (more shuffle partitions, spark.sql.adaptive.advisoryPartitionSizeInBytes) "
            "or more execution memory (spark.executor.memory, spark.memory.fraction)", ">",
        )
        for stage in app.stages if stage.total("disk_spilled_bytes") > limits.spill_bytes
    ]


def garbage_collection(app: ApplicationMetrics, limits: Thresholds) -> list[Finding]:
    """GC pressure: the stage, and its median task, spend at least ``gc_ratio`` of run time in GC.

    The median-task condition keeps out one long pause that landed on a few tasks (on a busy
    machine, GC threads wait for a core, and every task running at that moment records the pause).
    """
    findings = []
    for stage in app.stages:
        run_time = stage.total("run_time_ms")
        ratio = _ratio(stage.total("gc_time_ms"), run_time)
        median_task_ratio = statistics.median(_ratio(t.gc_time_ms, t.run_time_ms) for t in stage.tasks) \
            if stage.tasks else 0.0
        if run_time >= limits.gc_min_run_ms and ratio >= limits.gc_ratio and median_task_ratio >= limits.gc_ratio:
            findings.append(Finding(
                "gc pressure", stage.stage_id, "GC time / run time", round(ratio, 2), limits.gc_ratio,
                f"{stage.total('gc_time_ms'):.0f} ms of {run_time:.0f} ms in garbage collection; "
                f"the median task spent {median_task_ratio:.0%} of its run time in GC",
                "reduce objects per task (avoid Python UDFs and collect_list on large groups), "
                "use more partitions, or give executors more memory", ">=",
            ))
    return findings


def small_files(app: ApplicationMetrics, limits: Thresholds) -> list[Finding]:
    findings = []
    for stage in app.stages:
        writers = [t for t in stage.tasks if t.output_bytes > 0]
        average = _ratio(sum(t.output_bytes for t in writers), len(writers))
        if len(writers) >= limits.small_files_min_count and average < limits.small_file_bytes:
            findings.append(Finding(
                "small files", stage.stage_id, "average bytes per written file", round(average),
                limits.small_file_bytes, f"{len(writers)} tasks wrote files of {average:.0f} bytes on average",
                "coalesce before writing or let Delta size files: OPTIMIZE, "
                "delta.autoOptimize.optimizeWrite / autoCompact (delta.targetFileSize on Databricks only)", "<",
            ))
    return findings


def explode_blow_up(app: ApplicationMetrics, limits: Thresholds) -> list[Finding]:
    if not any(node.name == "Generate" for node in app.sql_nodes):
        return []
    findings = []
    for stage in app.stages:
        rows_in = stage.total("input_records") + stage.total("shuffle_read_records")
        rows_out = stage.total("output_records") + stage.total("shuffle_write_records")
        ratio = _ratio(rows_out, rows_in)
        if ratio >= limits.explode_ratio:
            findings.append(Finding(
                "explode blow-up", stage.stage_id, "rows out / rows in", round(ratio, 1), limits.explode_ratio,
                f"{rows_in:.0f} rows became {rows_out:.0f} after a Generate (explode) node",
                "extract known map keys with getItem instead of explode; if explode is needed, filter to the few "
                "keys you need first", ">=",
            ))
    return findings


def cartesian_product(app: ApplicationMetrics, limits: Thresholds) -> list[Finding]:
    found = sorted({node.name for node in app.sql_nodes if node.name in CARTESIAN_NODES})
    return [
        Finding(
            "cartesian product", None, f"{name} operators in the plan",
            sum(1 for n in app.sql_nodes if n.name == name), 0,
            f"the physical plan contains {name}: every row of one side meets every row of the other",
            "add the missing equi-join condition; use crossJoin only on purpose and only with a tiny side", ">",
        )
        for name in found
    ]


ANALYZERS: tuple[Callable[[ApplicationMetrics, Thresholds], list[Finding]], ...] = (
    skew, avoidable_shuffle, spill, garbage_collection, small_files, explode_blow_up, cartesian_product,
)


def analyze(app: ApplicationMetrics, limits: Thresholds | None = None) -> list[Finding]:
    """Run every analyzer; an empty list means nothing crossed a threshold."""
    limits = limits or Thresholds()
    return [finding for analyzer in ANALYZERS for finding in analyzer(app, limits)]
