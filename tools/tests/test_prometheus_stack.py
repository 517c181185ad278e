"""The Prometheus stack fixture: Debian's binaries unpacked into a cache and started on free ports."""
from __future__ import annotations

import subprocess
import time

import pytest
import requests

from catalog_tools.prometheus_stack import (
    ALERTMANAGER_TEMPLATE_DIR,
    PrometheusStack,
    StackBinaries,
    alertmanager_launcher,
)

ALERTMANAGER_CONFIG = """
route:
  receiver: nowhere
receivers:
  - name: nowhere
"""


def test_promtool_is_unpacked_and_checks_a_rule_file(prometheus_binaries: StackBinaries, tmp_path):
    rules = tmp_path / "rules.yml"
    rules.write_text("groups:\n  - name: g\n    rules:\n      - record: up:sum\n        expr: sum(up)\n")
    result = subprocess.run([str(prometheus_binaries.promtool), "check", "rules", str(rules)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 1 rules found" in result.stdout


def test_debian_alertmanager_runs_unmodified_and_nothing_is_written_to_the_system(
    prometheus_stack: PrometheusStack,
):
    installed_before = ALERTMANAGER_TEMPLATE_DIR.exists()
    launcher = alertmanager_launcher(prometheus_stack.binaries)
    alertmanager = prometheus_stack.alertmanager(ALERTMANAGER_CONFIG)
    # Alertmanager exits at start-up when its default templates are missing: running means found
    assert alertmanager.is_running()
    assert launcher == [] if installed_before else launcher[:4] == ["unshare", "--user", "--map-root-user", "--mount"]
    assert ALERTMANAGER_TEMPLATE_DIR.exists() == installed_before


def test_alertmanager_starts_and_accepts_an_alert(prometheus_stack: PrometheusStack):
    alertmanager = prometheus_stack.alertmanager(ALERTMANAGER_CONFIG)
    alert = [{"labels": {"alertname": "FixtureCheck"}}]
    assert requests.post(f"{alertmanager.url}/api/v2/alerts", json=alert, timeout=5).status_code == 200
    listed = requests.get(f"{alertmanager.url}/api/v2/alerts", timeout=5).json()
    assert [a["labels"]["alertname"] for a in listed] == ["FixtureCheck"]


def test_prometheus_scrapes_a_pushgateway_and_the_services_stop(prometheus_stack: PrometheusStack):
    gateway = prometheus_stack.pushgateway()
    requests.put(f"{gateway.url}/metrics/job/fixture_check", data="fixture_value 42\n", timeout=5).raise_for_status()
    config = f"""
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: pushgateway
    honor_labels: true
    static_configs:
      - targets: ["{gateway.url.removeprefix('http://')}"]
"""
    prometheus = prometheus_stack.prometheus(config)
    deadline, result = time.monotonic() + 30, []
    while time.monotonic() < deadline and not result:
        result = requests.get(f"{prometheus.url}/api/v1/query", params={"query": "fixture_value"},
                              timeout=5).json()["data"]["result"]
        time.sleep(0.5)
    assert result and result[0]["metric"]["job"] == "fixture_check" and result[0]["value"][1] == "42"
    prometheus_stack.stop_all()
    assert not prometheus.is_running() and not gateway.is_running()


def test_without_apt_get_the_stack_is_unavailable_and_says_why(tmp_path, monkeypatch):
    from catalog_tools.prometheus_stack import PrometheusStackUnavailable, unpacked_binaries

    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(PrometheusStackUnavailable, match="expected `apt-get` \\(a Debian-based system\\)"):
        unpacked_binaries(tmp_path / "cache")
