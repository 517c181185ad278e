"""A stage's task distribution from the REST API's ``taskSummary`` endpoint: quantiles per metric.

The Spark UI's "Summary Metrics for N Completed Tasks" table (min, 25th percentile, median, 75th
percentile, max) comes from ``/applications/<app>/stages/<stage>/<attempt>/taskSummary?quantiles=...``.
Its JSON holds ``quantiles`` and, per metric, one value per quantile, some nested by group
(``shuffleReadMetrics.readBytes``). :class:`TaskDistribution` keeps them under those dotted names,
so the skew of a stage is one call: ``max_over_median("duration")``.

Example::

    >>> summary = {"quantiles": [0.0, 0.5, 1.0], "duration": [40.0, 50.0, 500.0],
    ...            "shuffleReadMetrics": {"readBytes": [1e3, 2e3, 4e4]}}
    >>> tasks = distribution_from_api(stage_id=3, attempt_id=0, summary=summary)
    >>> tasks.max_over_median("duration"), tasks.at("shuffleReadMetrics.readBytes", 0.5)
    (10.0, 2000.0)
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from spark_performance_analyzer.rest_client import SparkRestClient

DEFAULT_QUANTILES = (0.0, 0.25, 0.5, 0.75, 1.0)


class TaskDistributionError(ValueError):
    """A metric or quantile that the ``taskSummary`` answer does not hold."""


@dataclass(frozen=True)
class TaskDistribution:
    """Quantiles of every task metric of one stage attempt, keyed by the API's (dotted) field names."""

    stage_id: int
    attempt_id: int
    quantiles: tuple[float, ...]
    metrics: dict[str, tuple[float, ...]]

    def at(self, metric: str, quantile: float) -> float:
        """The value of ``metric`` at ``quantile`` (one of the requested quantiles)."""
        if metric not in self.metrics:
            raise TaskDistributionError(
                f"stage {self.stage_id}: expected one of {sorted(self.metrics)}, got metric {metric!r}")
        if quantile not in self.quantiles:
            raise TaskDistributionError(
                f"stage {self.stage_id}: expected a requested quantile {list(self.quantiles)}, got {quantile}")
        return self.metrics[metric][self.quantiles.index(quantile)]

    def max_over_median(self, metric: str) -> float:
        """Largest task's value over the median task's; 0.0 when the median is 0."""
        median = self.at(metric, 0.5)
        return self.at(metric, 1.0) / median if median else 0.0


def _flatten(values: dict[str, Any], count: int, prefix: str = "") -> dict[str, tuple[float, ...]]:
    flat: dict[str, tuple[float, ...]] = {}
    for name, value in values.items():
        if isinstance(value, dict):
            flat |= _flatten(value, count, f"{prefix}{name}.")
        elif isinstance(value, list) and len(value) == count and name != "quantiles":
            flat[f"{prefix}{name}"] = tuple(float(v) for v in value)
    return flat


def distribution_from_api(stage_id: int, attempt_id: int, summary: dict[str, Any]) -> TaskDistribution:
    """Turn one ``taskSummary`` JSON answer into a :class:`TaskDistribution`."""
    quantiles = tuple(float(q) for q in summary.get("quantiles", []))
    if not quantiles:
        raise TaskDistributionError(f"stage {stage_id}: expected 'quantiles' in the taskSummary answer, got none")
    return TaskDistribution(stage_id, attempt_id, quantiles, _flatten(summary, len(quantiles)))


def load_task_distribution(client: SparkRestClient, app_id: str, stage_id: int, attempt_id: int = 0,
                           quantiles: Sequence[float] = DEFAULT_QUANTILES) -> TaskDistribution:
    """Ask the REST API for a stage's task quantiles (min, quartiles and max by default)."""
    if not quantiles or not all(0.0 <= q <= 1.0 for q in quantiles):
        raise TaskDistributionError(f"expected quantiles in [0, 1], got {list(quantiles)}")
    summary = client.task_summary(app_id, stage_id, attempt_id, ",".join(str(q) for q in quantiles))
    return distribution_from_api(stage_id, attempt_id, summary)
