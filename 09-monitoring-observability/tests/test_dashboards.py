"""Dashboards as code: the committed JSON is what the code builds, and every panel query parses."""
from __future__ import annotations

import json

import yaml
from helpers import FOLDER, metric_names, run_tool

from streaming_observability import AlertThresholds, alert_rules
from streaming_observability.dashboards import DASHBOARDS, dashboards_json, panel_queries

DASHBOARD_DIR = FOLDER / "grafana-dashboards"


def test_committed_dashboards_are_what_the_code_builds():
    committed = {path.stem: path.read_text() for path in DASHBOARD_DIR.glob("*.json")}
    assert committed == dashboards_json()


def test_each_dashboard_reads_the_datasource_variable_with_unique_panel_ids():
    for uid, text in dashboards_json().items():
        board = json.loads(text)
        assert board["uid"] == f"iot-{uid}" and board["schemaVersion"] == 41  # Grafana 11.6
        ids = [panel["id"] for panel in board["panels"]]
        assert len(ids) == len(set(ids)) == len(DASHBOARDS[uid][1])
        assert {panel["datasource"]["uid"] for panel in board["panels"]} == {"${datasource}"}


def test_every_panel_query_passes_promtool(prometheus_binaries, tmp_path):
    """promtool has no bare query checker in 2.42: each query is wrapped as a recording rule."""
    rules = [{"record": f"panel:{i}", "expr": expr} for i, expr in enumerate(panel_queries().values())]
    (tmp_path / "panels.yml").write_text(yaml.safe_dump({"groups": [{"name": "panels", "rules": rules}]}))
    result = run_tool(prometheus_binaries.promtool, "check", "rules", "panels.yml", cwd=tmp_path)
    assert result.returncode == 0 and f"SUCCESS: {len(rules)} rules found" in result.stdout, result.stdout


def test_promtool_rejects_a_broken_panel_query(prometheus_binaries, tmp_path):
    rules = [{"record": "panel:broken", "expr": "sum by (table (rate(data_quality_rows_in_total[10m]))"}]
    (tmp_path / "panels.yml").write_text(yaml.safe_dump({"groups": [{"name": "panels", "rules": rules}]}))
    assert run_tool(prometheus_binaries.promtool, "check", "rules", "panels.yml", cwd=tmp_path).returncode != 0


def test_metric_names_are_read_out_of_promql():
    assert metric_names(
        'sum by (table) (rate(data_quality_rows_quarantined_total{reason!="x"}[10m]))'
        " / on (table) delta_table_files > 0.5 and time() - iot_plant_last_event_timestamp_seconds > 900"
    ) == {"data_quality_rows_quarantined_total", "delta_table_files", "iot_plant_last_event_timestamp_seconds"}


def test_provisioning_points_grafana_at_prometheus_and_the_dashboard_folder():
    datasources = yaml.safe_load((DASHBOARD_DIR / "provisioning/datasources/prometheus.yml").read_text())
    providers = yaml.safe_load((DASHBOARD_DIR / "provisioning/dashboards/iot-pipeline.yml").read_text())
    assert datasources["datasources"][0]["type"] == "prometheus"
    assert providers["providers"][0]["type"] == "file"


def test_dashboards_and_alerts_name_the_same_metric_families():
    """Every metric an alert fires on has a panel to look at when it fires."""
    alert_metrics = set().union(*(metric_names(rule["expr"])
                                  for rule in alert_rules(AlertThresholds())["groups"][0]["rules"]))
    panel_metrics = set().union(*(metric_names(expr) for expr in panel_queries().values()))
    assert alert_metrics <= panel_metrics


def test_render_example_writes_the_committed_files(load_script, tmp_path, capsys):
    for sub in ("grafana-dashboards", "prometheus-monitoring"):
        (tmp_path / sub).mkdir()
    load_script("examples/render_dashboards.py").main(["--folder", str(tmp_path)])
    for path in [*DASHBOARD_DIR.glob("*.json"), FOLDER / "prometheus-monitoring" / "alert_rules.yml"]:
        assert (tmp_path / path.parent.name / path.name).read_text() == path.read_text()
    assert "prometheus-monitoring/alert_rules.yml" in capsys.readouterr().out
