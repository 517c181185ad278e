"""Helpers shared by the test modules: the folder's config files, promtool, polling, scraping."""
from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import requests
from prometheus_client.parser import text_string_to_metric_families

FOLDER = Path(__file__).resolve().parents[1]
MONITORING = FOLDER / "prometheus-monitoring"
T = TypeVar("T")


def run_tool(binary: Path, *args: str, cwd: Path = MONITORING) -> subprocess.CompletedProcess[str]:
    """Run promtool/amtool and return the finished process (never raises on a non-zero exit)."""
    return subprocess.run([str(binary), *args], cwd=cwd, capture_output=True, text=True, check=False)


def wait_for(condition: Callable[[], T], timeout_s: float, what: str, poll_s: float = 0.25) -> T:
    """Poll ``condition`` until it returns something truthy; fail naming ``what`` otherwise."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll_s)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")


def scrape(url: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Scrape ``url/metrics``: sample name -> [(labels, value)]."""
    text = requests.get(f"{url}/metrics", timeout=5).text
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((dict(sample.labels), sample.value))
    return samples


def prometheus_query(url: str, query: str) -> list[dict[str, Any]]:
    """Instant query against a running Prometheus; the ``result`` list."""
    body = requests.get(f"{url}/api/v1/query", params={"query": query}, timeout=5).json()
    assert body["status"] == "success", body
    return body["data"]["result"]


PROMQL_WORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
                "offset", "inf", "nan"}


def metric_names(promql: str) -> set[str]:
    """Metric names a PromQL expression reads (label matchers, grouping labels, functions removed)."""
    import re

    text = re.sub(r'"[^"]*"', "", promql)  # string literals
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)  # range selectors
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    text = re.sub(r"[a-zA-Z_][a-zA-Z0-9_]*\s*\(", "(", text)  # function calls
    return {t for t in re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", text) if t.lower() not in PROMQL_WORDS}
