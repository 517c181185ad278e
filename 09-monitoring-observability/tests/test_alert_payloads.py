"""Slack and PagerDuty messages from real Alertmanager notifications, sent to servers checking the documented shapes."""
from __future__ import annotations

import datetime as dt
import secrets

import pytest
import requests
from fake_alert_endpoints import FakeAlertEndpoints
from helpers import wait_for
from webhook_receiver import WebhookReceiver

from streaming_observability import (
    AlertDeliveryError,
    ObservabilityInputError,
    pagerduty_acknowledge,
    pagerduty_events,
    relay_notification,
    slack_message,
)

ALERT_LABELS = {"alertname": "StreamingQueryStalled", "query": "bronze", "severity": "critical"}
ANNOTATIONS = {"summary": "Query bronze has reported no progress for 5m 12s", "runbook": "docs/runbooks.md#x"}


def alertmanager_config(webhook_url: str) -> str:
    return f"""
route:
  receiver: relay
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1s
receivers:
  - name: relay
    webhook_configs:
      - url: {webhook_url}/alerts
        send_resolved: true
"""


@pytest.fixture(scope="module")
def firing_and_resolved(tmp_path_factory, prometheus_binaries):
    """One real Alertmanager's firing, then resolved, webhook notification for one alert."""
    from catalog_tools.prometheus_stack import PrometheusStack

    stack = PrometheusStack(prometheus_binaries, tmp_path_factory.mktemp("alertmanager"))
    try:
        with WebhookReceiver() as hook:
            alertmanager = stack.alertmanager(alertmanager_config(hook.url))
            now = dt.datetime.now(dt.UTC)
            alert = {"labels": ALERT_LABELS, "annotations": ANNOTATIONS, "startsAt": now.isoformat()}
            requests.post(f"{alertmanager.url}/api/v2/alerts", json=[alert], timeout=5).raise_for_status()
            firing = wait_for(lambda: hook.notifications("StreamingQueryStalled", "firing"), 30, "firing")[0][1]
            alert["endsAt"] = dt.datetime.now(dt.UTC).isoformat()
            requests.post(f"{alertmanager.url}/api/v2/alerts", json=[alert], timeout=5).raise_for_status()
            resolved = wait_for(lambda: hook.notifications("StreamingQueryStalled", "resolved"), 30, "resolved")[0][1]
    finally:
        stack.stop_all()
    return firing, resolved


def test_firing_then_resolved_open_and_close_the_same_pagerduty_incident(firing_and_resolved):
    firing, resolved = firing_and_resolved
    routing_key = secrets.token_hex(16)
    with FakeAlertEndpoints() as endpoints:
        pagerduty = f"{endpoints.url}/v2/enqueue"
        sent = relay_notification(firing, f"{endpoints.url}/slack", routing_key, pagerduty)
        assert sent == {"slack": 1, "pagerduty": 1}
        fingerprint = firing["alerts"][0]["fingerprint"]
        requests.post(pagerduty, json=pagerduty_acknowledge(fingerprint, routing_key), timeout=5).raise_for_status()
        relay_notification(resolved, f"{endpoints.url}/slack", routing_key, pagerduty)
    actions = [(e["event_action"], e["dedup_key"]) for e in endpoints.received["pagerduty"]]
    dedup = f"iot-pipeline-{fingerprint}"
    assert actions == [("trigger", dedup), ("acknowledge", dedup), ("resolve", dedup)]
    trigger = endpoints.received["pagerduty"][0]["payload"]
    assert (trigger["summary"], trigger["severity"]) == (ANNOTATIONS["summary"], "critical")
    assert trigger["source"] == "bronze"
    assert [m["text"] for m in endpoints.received["slack"]] == [
        ":red_circle: StreamingQueryStalled firing (1 alert)",
        ":large_green_circle: StreamingQueryStalled resolved (1 alert)",
    ]
    assert "Runbook: docs/runbooks.md#x" in endpoints.received["slack"][0]["blocks"][1]["text"]["text"]


def test_a_rejected_event_raises_with_the_status_and_without_the_routing_key(firing_and_resolved):
    firing, _ = firing_and_resolved
    routing_key = secrets.token_hex(16)
    event = pagerduty_events(firing, routing_key)[0]
    event["payload"]["severity"] = "sev1"  # not one of PagerDuty's four severities
    with FakeAlertEndpoints() as endpoints:
        from streaming_observability.alert_payloads import post_json

        with pytest.raises(AlertDeliveryError, match="expected HTTP 202, got 400") as error:
            post_json(f"{endpoints.url}/v2/enqueue", event, 202)
    assert routing_key not in str(error.value)


def test_notifications_and_keys_are_checked_before_anything_is_sent(firing_and_resolved):
    firing, _ = firing_and_resolved
    with pytest.raises(ObservabilityInputError, match="32-character"):
        pagerduty_events(firing, "short-key")
    with pytest.raises(ObservabilityInputError, match="version '4', got '3'"):
        slack_message({**firing, "version": "3"})
