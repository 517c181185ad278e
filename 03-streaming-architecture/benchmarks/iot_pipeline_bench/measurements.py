"""Figures from what the pipeline itself reports: listener progress rows and the silver tables.

Every rate comes from :class:`iot_streaming_pipeline.monitoring.BatchMetricsListener` rows (one per
micro-batch: trigger start ``progress_timestamp``, ``batch_duration_ms``, ``input_rows``); every
latency from
:func:`iot_streaming_pipeline.silver_ledger.visibility_latency` (silver rows and the commit of their batch).

Example::

    >>> percentile([1.0, 2.0, 3.0, 4.0], 0.5)
    2.5
    >>> rows = [{"progress_timestamp": "2026-01-05T06:00:00.000Z", "batch_duration_ms": 1000, "input_rows": 500},
    ...         {"progress_timestamp": "2026-01-05T06:00:01.000Z", "batch_duration_ms": 1000, "input_rows": 500}]
    >>> batch_window(rows).events_per_second
    500.0
"""
from __future__ import annotations

import datetime as dt
import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F


class MeasurementError(ValueError):
    """A figure was asked of data that cannot give it (no batches, empty sample, bad quantile)."""


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) with linear interpolation between ranks (Spark's ``percentile``)."""
    if not 0.0 <= q <= 1.0:
        raise MeasurementError(f"q: expected a fraction in [0, 1], got {q}")
    if not values:
        raise MeasurementError("values: expected at least one value, got none")
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _instant(progress_timestamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(progress_timestamp.replace("Z", "+00:00"))


@dataclass(frozen=True)
class BatchWindow:
    """The micro-batches that read data: how many rows, from the first batch's start to the last one's end."""

    rows: int
    batches: int
    started_at: dt.datetime
    ended_at: dt.datetime

    @property
    def seconds(self) -> float:
        return (self.ended_at - self.started_at).total_seconds()

    @property
    def events_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


def data_batches(progress_rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Progress rows of batches that read at least one row, in batch order."""
    return sorted((r for r in progress_rows if r["input_rows"] > 0), key=lambda r: r["progress_timestamp"])


def batch_window(progress_rows: Iterable[Mapping[str, Any]]) -> BatchWindow:
    """Rows read, and first trigger start to last batch end, over the batches that read data."""
    batches = data_batches(progress_rows)
    if not batches:
        raise MeasurementError("progress_rows: expected at least one batch with input rows, got none")
    ends = [_instant(r["progress_timestamp"]) + dt.timedelta(milliseconds=r["batch_duration_ms"]) for r in batches]
    return BatchWindow(rows=sum(int(r["input_rows"]) for r in batches), batches=len(batches),
                       started_at=_instant(batches[0]["progress_timestamp"]), ended_at=max(ends))


def batch_duration_summary(progress_rows: Iterable[Mapping[str, Any]]) -> dict[str, float]:
    """Mean, p50, p95 and max batch duration (seconds) and mean rows per batch, over data batches."""
    batches = data_batches(progress_rows)
    if not batches:
        raise MeasurementError("progress_rows: expected at least one batch with input rows, got none")
    seconds = [r["batch_duration_ms"] / 1000 for r in batches]
    return {"batches": len(batches), "mean_s": round(sum(seconds) / len(seconds), 3),
            "p50_s": round(percentile(seconds, 0.5), 3), "p95_s": round(percentile(seconds, 0.95), 3),
            "max_s": round(max(seconds), 3),
            "mean_rows": round(sum(r["input_rows"] for r in batches) / len(batches), 1)}


def latency_summary(latencies: DataFrame, produced_from: dt.datetime, produced_to: dt.datetime) -> dict[str, Any]:
    """p50 / p95 / max latency of the events produced in ``[produced_from, produced_to)`` (the steady part)."""
    steady = latencies.where((F.col("kafka_timestamp") >= F.lit(produced_from))
                             & (F.col("kafka_timestamp") < F.lit(produced_to)))
    count, p50, p95, worst = steady.agg(F.count("*"), F.percentile("latency_s", 0.5),
                                        F.percentile("latency_s", 0.95), F.max("latency_s")).first()
    if not count:
        raise MeasurementError(f"expected silver events produced in [{produced_from}, {produced_to}), found none")
    return {"events": int(count), "p50_s": round(p50, 3), "p95_s": round(p95, 3), "max_s": round(worst, 3)}


def load_average() -> dict[str, float]:
    """The 1, 5 and 15 minute load averages, as ``os.getloadavg()`` reports them."""
    one, five, fifteen = os.getloadavg()
    return {"1m": round(one, 2), "5m": round(five, 2), "15m": round(fifteen, 2)}


def markdown_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """A GitHub markdown table of ``rows`` (the keys of the first row, or ``columns``)."""
    if not rows:
        raise MeasurementError("rows: expected at least one row for a table, got none")
    names = list(columns or rows[0].keys())
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join(_cell(row.get(name)) for name in names) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def write_json(path: Path, document: Mapping[str, Any]) -> Path:
    """Write ``document`` as indented JSON (parents created); return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    return path
