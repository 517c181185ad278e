"""Write the Grafana dashboards and the alert rule file from code.

Run from the folder:  python examples/render_dashboards.py
Writes grafana-dashboards/*.json and prometheus-monitoring/alert_rules.yml; the tests fail when the
committed files differ from what this produces.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from streaming_observability import AlertThresholds, alert_rules_yaml
from streaming_observability.dashboards import dashboards_json


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=Path(__file__).resolve().parents[1],
                        help="the pattern folder to write into")
    folder = parser.parse_args(argv).folder
    for name, text in dashboards_json().items():
        (folder / "grafana-dashboards" / f"{name}.json").write_text(text)
        print(f"grafana-dashboards/{name}.json")
    (folder / "prometheus-monitoring" / "alert_rules.yml").write_text(alert_rules_yaml(AlertThresholds()))
    print("prometheus-monitoring/alert_rules.yml")


if __name__ == "__main__":
    main()
