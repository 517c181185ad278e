"""The alert rules, Prometheus and Alertmanager configs: generated from code, valid, unit-tested with promtool."""
from __future__ import annotations

import pytest
import yaml
from helpers import MONITORING, run_tool

from streaming_observability import AlertThresholds, ObservabilityInputError, alert_rules, alert_rules_yaml

ALERTS = [rule["alert"] for rule in alert_rules(AlertThresholds())["groups"][0]["rules"]]


def test_committed_rule_file_is_what_the_code_renders():
    assert (MONITORING / "alert_rules.yml").read_text() == alert_rules_yaml(AlertThresholds())


def test_the_seven_alerts_the_pipeline_needs_are_defined():
    assert ALERTS == [
        "StreamingQueryStalled", "StreamingQueryFallingBehind", "KafkaConsumerLagGrowing", "PlantSilent",
        "QuarantineRateHigh", "DeltaSmallFiles", "CheckpointNotAdvancing",
    ]


def test_thresholds_must_be_positive():
    with pytest.raises(ObservabilityInputError, match=r"expected every threshold > 0, got \{'stall_for_s': 0\}"):
        AlertThresholds(stall_for_s=0)


def test_short_thresholds_render_second_scale_durations():
    rules = alert_rules(AlertThresholds(stall_after_s=15, stall_for_s=5))["groups"][0]["rules"]
    assert rules[0]["for"] == "5s" and "> 15)" in rules[0]["expr"]


def test_promtool_accepts_the_rule_file_and_the_prometheus_config(prometheus_binaries):
    rules = run_tool(prometheus_binaries.promtool, "check", "rules", "alert_rules.yml")
    assert rules.returncode == 0 and "SUCCESS: 7 rules found" in rules.stdout, rules.stdout + rules.stderr
    config = run_tool(prometheus_binaries.promtool, "check", "config", "prometheus.yml")
    assert config.returncode == 0, config.stdout + config.stderr


def test_amtool_accepts_the_alertmanager_config(prometheus_binaries):
    result = run_tool(prometheus_binaries.path("amtool"), "check-config", "alertmanager.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_unit_tests_pass(prometheus_binaries):
    result = run_tool(prometheus_binaries.promtool, "test", "rules", "alert_rules_test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_has_a_firing_and_a_non_firing_promtool_case():
    cases = yaml.safe_load((MONITORING / "alert_rules_test.yml").read_text())["tests"]
    checks = [check for case in cases for check in case["alert_rule_test"]]
    firing = {c["alertname"] for c in checks if c["exp_alerts"]}
    silent = {c["alertname"] for c in checks if not c["exp_alerts"]}
    assert firing == set(ALERTS) and silent == set(ALERTS)


def test_a_broken_rule_fails_its_promtool_case(prometheus_binaries, tmp_path):
    """The unit tests are not vacuous: a stall threshold raised to an hour makes the firing case fail."""
    broken = alert_rules_yaml(AlertThresholds(stall_after_s=3600))
    (tmp_path / "alert_rules.yml").write_text(broken)
    (tmp_path / "alert_rules_test.yml").write_text((MONITORING / "alert_rules_test.yml").read_text())
    result = run_tool(prometheus_binaries.promtool, "test", "rules", "alert_rules_test.yml", cwd=tmp_path)
    assert result.returncode != 0 and "StreamingQueryStalled" in result.stdout + result.stderr
