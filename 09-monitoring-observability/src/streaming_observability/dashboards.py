"""Four Grafana dashboards as code (grafana-foundation-sdk, Grafana 11.6 schema), from the metrics we publish.

``grafana-dashboards/*.json`` is what :func:`dashboards_json` returns (a test rebuilds and
compares); every panel query names only metrics the exporters publish (a test scrapes them).

Example::

    >>> sorted(dashboards_json())
    ['data-quality', 'kafka', 'spark-performance', 'streaming-pipeline']
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from grafana_foundation_sdk.builders import dashboard, prometheus, stat, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import DataSourceRef

DATASOURCE = DataSourceRef(type_val="prometheus", uid="${datasource}")
TAGS = ["iot", "streaming", "generated"]


@dataclass(frozen=True)
class PanelSpec:
    """One panel: title, PromQL, legend, unit, and whether it is a single-value stat."""

    title: str
    expr: str
    legend: str
    unit: str
    single_value: bool = False


STREAMING_PIPELINE = [
    PanelSpec("Seconds since last progress", "time() - spark_streaming_last_progress_timestamp_seconds",
              "{{query}}", "s", single_value=True),
    PanelSpec("Query running", "spark_streaming_query_active", "{{query}}", "bool_on_off", single_value=True),
    PanelSpec("Rows in per second", "spark_streaming_input_rows_per_second", "{{query}}", "rowsps"),
    PanelSpec("Rows processed per second", "spark_streaming_processed_rows_per_second", "{{query}}", "rowsps"),
    PanelSpec("Event-time watermark lag", "spark_streaming_watermark_lag_seconds", "{{query}}", "s"),
    PanelSpec("Seconds since last checkpoint commit",
              "time() - streaming_checkpoint_last_commit_timestamp_seconds", "{{checkpoint}}", "s"),
    PanelSpec("Batches committed to the checkpoint (15m)", "changes(streaming_checkpoint_latest_batch_id[15m])",
              "{{checkpoint}}", "short"),
    PanelSpec("Seconds since each batch job last succeeded",
              "time() - batch_job_last_success_timestamp_seconds", "{{job}}", "s"),
]
KAFKA = [
    PanelSpec("Consumer lag per checkpoint", "sum by (checkpoint) (streaming_consumer_lag_messages)",
              "{{checkpoint}}", "short"),
    PanelSpec("Consumer lag per partition", "streaming_consumer_lag_messages",
              "{{checkpoint}} {{topic}}/{{partition}}", "short"),
    PanelSpec("Offsets behind latest at batch start", "spark_streaming_kafka_offsets_behind_latest",
              "{{query}} {{topic}}/{{partition}}", "short"),
    PanelSpec("Messages produced per second", "sum by (topic) (rate(kafka_partition_end_offset[5m]))",
              "{{topic}}", "short"),
    PanelSpec("Lag exporter reading checkpoint and broker", "streaming_consumer_lag_up", "{{checkpoint}}",
              "bool_on_off", single_value=True),
]
SPARK_PERFORMANCE = [
    PanelSpec("Micro-batch duration", "spark_streaming_batch_duration_seconds", "{{query}}", "s"),
    PanelSpec("Micro-batches per minute", "rate(spark_streaming_batches_total[5m]) * 60", "{{query}}", "short"),
    PanelSpec("Rows read per second (5m)", "rate(spark_streaming_input_rows_total[5m])", "{{query}}", "rowsps"),
    PanelSpec("State store rows", "spark_streaming_state_rows", "{{query}}", "short"),
    PanelSpec("Latest batch id", "spark_streaming_latest_batch_id", "{{query}}", "none", single_value=True),
]
DATA_QUALITY = [
    PanelSpec("Share of rows quarantined",
              "sum by (table) (rate(data_quality_rows_quarantined_total[10m]))"
              " / sum by (table) (rate(data_quality_rows_in_total[10m]))", "{{table}}", "percentunit"),
    PanelSpec("Rows quarantined per second, by reason",
              "sum by (table, reason) (rate(data_quality_rows_quarantined_total[10m]))",
              "{{table}} {{reason}}", "rowsps"),
    PanelSpec("Rows written per second", "sum by (table) (rate(data_quality_rows_written_total[10m]))",
              "{{table}}", "rowsps"),
    PanelSpec("Seconds since each plant's newest reading", "time() - iot_plant_last_event_timestamp_seconds",
              "{{plant}}", "s"),
    PanelSpec("Delta small-file ratio", "delta_table_small_file_ratio", "{{table}}", "percentunit"),
    PanelSpec("Delta live files", "delta_table_files", "{{table}}", "short"),
    PanelSpec("Delta table size", "delta_table_size_bytes", "{{table}}", "bytes"),
    PanelSpec("Delta commits in the last hour", "delta_table_versions_last_hour", "{{table}}", "short"),
    PanelSpec("Seconds since last Delta commit", "time() - delta_table_last_commit_timestamp_seconds",
              "{{table}}", "s"),
]
DASHBOARDS: dict[str, tuple[str, list[PanelSpec]]] = {
    "streaming-pipeline": ("IoT streaming pipeline", STREAMING_PIPELINE),
    "kafka": ("IoT Kafka ingestion", KAFKA),
    "spark-performance": ("IoT Spark micro-batches", SPARK_PERFORMANCE),
    "data-quality": ("IoT data quality and Delta health", DATA_QUALITY),
}


def _panel(spec: PanelSpec, panel_id: int) -> stat.Panel | timeseries.Panel:
    builder = stat.Panel() if spec.single_value else timeseries.Panel()
    query = prometheus.Dataquery().expr(spec.expr).legend_format(spec.legend).ref_id("A")
    return (
        builder.id(panel_id).title(spec.title).unit(spec.unit).datasource(DATASOURCE)
        .with_target(query).height(8).span(12)
    )


def build_dashboard(uid: str) -> dict:
    """The dashboard ``uid`` (a key of DASHBOARDS) as the dict Grafana imports."""
    if uid not in DASHBOARDS:
        raise KeyError(f"expected one of {sorted(DASHBOARDS)}, got {uid!r}")
    title, specs = DASHBOARDS[uid]
    board = (
        dashboard.Dashboard(title).uid(f"iot-{uid}").tags(TAGS).refresh("30s").time("now-6h", "now")
        .timezone("utc").editable()
        .with_variable(dashboard.DatasourceVariable("datasource").type("prometheus").label("Prometheus"))
    )
    for panel_id, spec in enumerate(specs, start=1):
        board = board.with_panel(_panel(spec, panel_id))
    return json.loads(json.dumps(board.build(), cls=JSONEncoder))


def dashboards_json() -> dict[str, str]:
    """File stem -> JSON text (sorted keys, 2-space indent, trailing newline) for every dashboard."""
    return {uid: json.dumps(build_dashboard(uid), indent=2, sort_keys=True) + "\n" for uid in DASHBOARDS}


def panel_queries() -> dict[str, str]:
    """``"<dashboard>/<panel title>"`` -> PromQL, for checks that every query parses and its metrics exist."""
    return {f"{uid}/{spec.title}": spec.expr for uid, (_, specs) in DASHBOARDS.items() for spec in specs}
