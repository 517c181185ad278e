"""Restart a Kafka stream from the offsets its sink recorded, and find the offsets the sink never got.

When a streaming checkpoint is lost or corrupted, Spark no longer knows where the query stopped.
Restarting from ``earliest`` writes everything again (duplicates); from ``latest`` skips what
arrived while the query was down (loss). If the sink table stores each row's Kafka partition and
offset (a bronze table should), the sink itself knows: the next offset per partition is the
highest one it holds plus one. :func:`starting_offsets_from_sink` turns that into the
``startingOffsets`` JSON Spark's Kafka source takes; :func:`offset_gaps` lists the ranges missing
between the offsets a sink holds (what retention deleted before the query read it).

Only DataFrame methods with SQL expressions are used, so this module imports no pyspark itself.

Example::

    offsets = starting_offsets_from_sink(spark.read.format("delta").load(bronze), "plant.readings", [0, 1])
    # '{"plant.readings": {"0": 10, "1": 7}}'
    stream = spark.readStream.format("kafka").option("subscribe", "plant.readings") \\
        .option("startingOffsets", offsets)  # with a NEW checkpoint location
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

EARLIEST = -2  # Spark's Kafka source: "start this partition from its earliest offset"


class MissingOffsetColumnsError(ValueError):
    """The sink lacks the Kafka partition or offset column; the message lists what it has."""


def _check_columns(sink: Any, partition_column: str, offset_column: str) -> None:
    missing = [name for name in (partition_column, offset_column) if name not in sink.columns]
    if missing:
        raise MissingOffsetColumnsError(
            f"expected the sink to hold columns {[partition_column, offset_column]}, "
            f"missing {missing} (actual: {list(sink.columns)})"
        )


def next_offsets_in_sink(
    sink: Any, partition_column: str = "kafka_partition", offset_column: str = "kafka_offset"
) -> dict[int, int]:
    """Map each Kafka partition found in ``sink`` to its highest recorded offset plus one."""
    _check_columns(sink, partition_column, offset_column)
    rows = sink.groupBy(partition_column).agg({offset_column: "max"}).collect()
    return {int(row[0]): int(row[1]) + 1 for row in rows}


def starting_offsets_from_sink(
    sink: Any,
    topic: str,
    partitions: Iterable[int],
    partition_column: str = "kafka_partition",
    offset_column: str = "kafka_offset",
) -> str:
    """Return ``startingOffsets`` JSON for ``topic``: the sink's next offset, or earliest for unseen partitions.

    ``partitions`` are all of the topic's partition numbers; one the sink never saw starts at
    ``-2`` (earliest), because nothing from it was written.

    Example::

        >>> starting_offsets_from_sink(bronze_df, "plant.readings", [0, 1])  # doctest: +SKIP
        '{"plant.readings": {"0": 10, "1": -2}}'
    """
    if not topic:
        raise ValueError(f"topic: expected a topic name, got {topic!r}")
    wanted = sorted(set(partitions))
    if not wanted or any(p < 0 for p in wanted):
        raise ValueError(f"partitions: expected the topic's partition numbers (>= 0), got {wanted}")
    found = next_offsets_in_sink(sink, partition_column, offset_column)
    unknown = sorted(set(found) - set(wanted))
    if unknown:
        raise ValueError(f"partitions: expected to include every partition in the sink, missing {unknown}")
    return json.dumps({topic: {str(p): found.get(p, EARLIEST) for p in wanted}})


def offset_gaps(
    sink: Any, partition_column: str = "kafka_partition", offset_column: str = "kafka_offset"
) -> list[tuple[int, int, int]]:
    """List ``(partition, first_missing, last_missing)`` for every run of offsets absent between two held ones.

    Gaps before a partition's first held offset are not reported (the sink may have started
    later on purpose). Compacted topics and transaction markers also leave gaps: read them as
    "not in the sink", then check the topic.

    Example::

        >>> offset_gaps(bronze_df)  # offsets 0-9 and 15-19 held  # doctest: +SKIP
        [(0, 10, 14)]
    """
    _check_columns(sink, partition_column, offset_column)
    window = f"OVER (PARTITION BY {partition_column} ORDER BY {offset_column})"
    rows = (
        sink.select(partition_column, offset_column).distinct()
        .selectExpr(f"{partition_column} AS p", f"{offset_column} AS o", f"lag({offset_column}) {window} AS previous")
        .where("previous IS NOT NULL AND o > previous + 1")
        .orderBy("p", "o")
        .collect()
    )
    return [(int(row["p"]), int(row["previous"]) + 1, int(row["o"]) - 1) for row in rows]
