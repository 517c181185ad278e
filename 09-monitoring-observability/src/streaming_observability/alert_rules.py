"""The alert rules, as code: one function renders the Prometheus rule file from thresholds.

The committed ``prometheus-monitoring/alert_rules.yml`` is ``alert_rules_yaml(AlertThresholds())``
(a test regenerates and compares it); the end-to-end test renders the same rules with second-scale
thresholds so an alert fires within a test.

Example::

    >>> text = alert_rules_yaml(AlertThresholds(stall_after_s=600))
    >>> "StreamingQueryStalled" in text
    True
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import yaml

from streaming_observability.errors import ObservabilityInputError

RULE_GROUP = "streaming-pipeline"
RUNBOOK_BASE = "docs/runbooks.md"


def _duration(seconds: int) -> str:
    """Prometheus duration text: 900 -> '15m', 90 -> '90s'."""
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{seconds}s"


@dataclass(frozen=True)
class AlertThresholds:
    """Every threshold and ``for`` duration the rules use, in seconds or plain numbers."""

    stall_after_s: int = 300
    stall_for_s: int = 120
    behind_window_s: int = 600
    behind_ratio: float = 1.1
    behind_for_s: int = 600
    lag_window_s: int = 900
    lag_min_messages: int = 10000
    lag_for_s: int = 900
    plant_silent_after_s: int = 900
    plant_silent_for_s: int = 300
    quarantine_window_s: int = 600
    quarantine_ratio: float = 0.05
    quarantine_for_s: int = 600
    small_file_ratio: float = 0.5
    small_file_min_files: int = 100
    small_file_for_s: int = 1800
    checkpoint_window_s: int = 900
    checkpoint_for_s: int = 300

    def __post_init__(self) -> None:
        bad = {k: v for k, v in asdict(self).items() if not isinstance(v, int | float) or v <= 0}
        if bad:
            raise ObservabilityInputError(f"expected every threshold > 0, got {bad}")


def _rule(name: str, expr: str, for_s: int, severity: str, summary: str, anchor: str) -> dict[str, Any]:
    return {
        "alert": name,
        "expr": expr,
        "for": _duration(for_s),
        "labels": {"severity": severity},
        "annotations": {"summary": summary, "runbook": f"{RUNBOOK_BASE}#{anchor}"},
    }


def alert_rules(t: AlertThresholds) -> dict[str, Any]:
    """The rule file as a dict: one group, seven alerts."""
    behind = _duration(t.behind_window_s)
    return {"groups": [{"name": RULE_GROUP, "rules": [
        _rule("StreamingQueryStalled",
              f"(time() - spark_streaming_last_progress_timestamp_seconds > {t.stall_after_s})"
              " and on (query) spark_streaming_query_active == 1",
              t.stall_for_s, "critical",
              "Query {{ $labels.query }} has reported no progress for {{ $value | humanizeDuration }}",
              "streamingquerystalled"),
        _rule("StreamingQueryFallingBehind",
              f"avg_over_time(spark_streaming_input_rows_per_second[{behind}])"
              f" > {t.behind_ratio} * avg_over_time(spark_streaming_processed_rows_per_second[{behind}])",
              t.behind_for_s, "warning",
              "Query {{ $labels.query }} receives rows faster than it processes them",
              "streamingqueryfallingbehind"),
        _rule("KafkaConsumerLagGrowing",
              f"deriv(streaming_consumer_lag_messages[{_duration(t.lag_window_s)}]) > 0"
              f" and streaming_consumer_lag_messages > {t.lag_min_messages}",
              t.lag_for_s, "warning",
              "Lag of {{ $labels.checkpoint }} on {{ $labels.topic }}/{{ $labels.partition }} keeps growing",
              "kafkaconsumerlaggrowing"),
        _rule("PlantSilent",
              f"time() - iot_plant_last_event_timestamp_seconds > {t.plant_silent_after_s}",
              t.plant_silent_for_s, "warning",
              "No readings from plant {{ $labels.plant }} for {{ $value | humanizeDuration }}",
              "plantsilent"),
        _rule("QuarantineRateHigh",
              f"sum by (table) (rate(data_quality_rows_quarantined_total[{_duration(t.quarantine_window_s)}]))"
              f" / sum by (table) (rate(data_quality_rows_in_total[{_duration(t.quarantine_window_s)}]))"
              f" > {t.quarantine_ratio}",
              t.quarantine_for_s, "warning",
              "{{ $value | humanizePercentage }} of the rows into {{ $labels.table }} are quarantined",
              "quarantineratehigh"),
        _rule("DeltaSmallFiles",
              f"delta_table_small_file_ratio > {t.small_file_ratio}"
              f" and on (table) delta_table_files > {t.small_file_min_files}",
              t.small_file_for_s, "info",
              "{{ $value | humanizePercentage }} of the files of {{ $labels.table }} are small",
              "deltasmallfiles"),
        _rule("CheckpointNotAdvancing",
              f"changes(streaming_checkpoint_latest_batch_id[{_duration(t.checkpoint_window_s)}]) == 0"
              " and on (checkpoint) sum by (checkpoint) (streaming_consumer_lag_messages) > 0",
              t.checkpoint_for_s, "critical",
              "Checkpoint {{ $labels.checkpoint }} has committed no batch while messages wait",
              "checkpointnotadvancing"),
    ]}]}


def alert_rules_yaml(thresholds: AlertThresholds | None = None) -> str:
    """The rule file's text (a header comment, then YAML in rule order)."""
    header = "# Generated by streaming_observability.alert_rules.alert_rules_yaml(); edit the code, not this file.\n"
    return header + yaml.safe_dump(alert_rules(thresholds or AlertThresholds()), sort_keys=False, width=200)
