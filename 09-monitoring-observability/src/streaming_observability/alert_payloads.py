"""Slack and PagerDuty (Events API v2) messages built from an Alertmanager webhook notification.

Alertmanager posts one JSON notification per alert group (``version: "4"``: ``status``,
``commonLabels``, ``alerts`` each with ``status``, ``labels``, ``annotations``, ``startsAt``,
``fingerprint``). One alert becomes one PagerDuty event whose ``dedup_key`` is the alert's
fingerprint, so the firing notice opens an incident and the resolved notice closes the same one.

Example::

    >>> events = pagerduty_events(notification, routing_key)  # doctest: +SKIP
    >>> [e["event_action"] for e in events]  # doctest: +SKIP
    ['trigger']
"""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from streaming_observability.errors import ObservabilityInputError

PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"
PAGERDUTY_SEVERITIES = {"critical": "critical", "error": "error", "warning": "warning", "info": "info"}
DEDUP_PREFIX = "iot-pipeline-"


class AlertDeliveryError(RuntimeError):
    """Slack or PagerDuty did not accept a message; the message names the status, never a secret."""


def _check_notification(notification: dict[str, Any]) -> list[dict[str, Any]]:
    if not isinstance(notification, dict) or notification.get("version") != "4":
        got = notification.get("version") if isinstance(notification, dict) else type(notification).__name__
        raise ObservabilityInputError(f"expected an Alertmanager webhook notification with version '4', got {got!r}")
    alerts = notification.get("alerts")
    if not alerts:
        raise ObservabilityInputError("expected at least one alert in the notification, got none")
    return alerts


def slack_message(notification: dict[str, Any]) -> dict[str, Any]:
    """A Slack incoming-webhook body: ``text`` (the notification fallback) plus Block Kit blocks."""
    alerts = _check_notification(notification)
    status = notification["status"]
    name = notification.get("commonLabels", {}).get("alertname", "alert")
    icon = ":red_circle:" if status == "firing" else ":large_green_circle:"
    title = f"{icon} {name} {status} ({len(alerts)} alert{'s' if len(alerts) != 1 else ''})"
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": title[:150]}}]
    for alert in alerts[:20]:  # Slack allows 50 blocks per message
        summary = alert.get("annotations", {}).get("summary", name)
        runbook = alert.get("annotations", {}).get("runbook")
        text = f"*{alert['status']}*: {summary}" + (f"\nRunbook: {runbook}" if runbook else "")
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}})
    return {"text": title, "blocks": blocks}


def pagerduty_events(notification: dict[str, Any], routing_key: str) -> list[dict[str, Any]]:
    """One Events API v2 event per alert: ``trigger`` while firing, ``resolve`` once resolved."""
    alerts = _check_notification(notification)
    if not isinstance(routing_key, str) or len(routing_key) != 32:
        raise ObservabilityInputError("expected a 32-character PagerDuty integration (routing) key")
    events = []
    for alert in alerts:
        event: dict[str, Any] = {
            "routing_key": routing_key,
            "event_action": "trigger" if alert["status"] == "firing" else "resolve",
            "dedup_key": DEDUP_PREFIX + alert["fingerprint"],
        }
        if event["event_action"] == "trigger":
            labels = alert.get("labels", {})
            event["payload"] = {
                "summary": alert.get("annotations", {}).get("summary", labels.get("alertname", "alert"))[:1024],
                "source": labels.get("instance") or labels.get("query") or labels.get("checkpoint") or "iot-pipeline",
                "severity": PAGERDUTY_SEVERITIES.get(labels.get("severity", ""), "error"),
                "timestamp": alert.get("startsAt"),
                "component": labels.get("query") or labels.get("checkpoint") or labels.get("table"),
                "class": labels.get("alertname"),
                "custom_details": {"labels": labels, "runbook": alert.get("annotations", {}).get("runbook")},
            }
            event["payload"] = {k: v for k, v in event["payload"].items() if v is not None}
        events.append(event)
    return events


def pagerduty_acknowledge(fingerprint: str, routing_key: str) -> dict[str, Any]:
    """The ``acknowledge`` event for the incident an alert opened (e.g. from a chat-ops button)."""
    if not fingerprint:
        raise ObservabilityInputError("expected the alert's fingerprint, got an empty string")
    return {"routing_key": routing_key, "event_action": "acknowledge", "dedup_key": DEDUP_PREFIX + fingerprint}


def post_json(url: str, body: dict[str, Any], expected_status: int, timeout_s: float = 10.0) -> bytes:
    """POST ``body``; raise AlertDeliveryError (status and response, no URL or key) on any other status."""
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            status, text = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, text = exc.code, exc.read()
    except urllib.error.URLError as exc:
        raise AlertDeliveryError(
            f"expected HTTP {expected_status}, the endpoint was unreachable: {exc.reason}"
        ) from None
    if status != expected_status:
        raise AlertDeliveryError(f"expected HTTP {expected_status}, got {status}: {text[:300]!r}")
    return text


def relay_notification(
    notification: dict[str, Any], slack_webhook_url: str | None = None, pagerduty_routing_key: str | None = None,
    pagerduty_url: str = PAGERDUTY_EVENTS_URL,
) -> dict[str, int]:
    """Send one Alertmanager notification to Slack (200 expected) and/or PagerDuty (202 expected)."""
    sent = {"slack": 0, "pagerduty": 0}
    if slack_webhook_url:
        post_json(slack_webhook_url, slack_message(notification), 200)
        sent["slack"] = 1
    if pagerduty_routing_key:
        for event in pagerduty_events(notification, pagerduty_routing_key):
            post_json(pagerduty_url, event, 202)
            sent["pagerduty"] += 1
    return sent
