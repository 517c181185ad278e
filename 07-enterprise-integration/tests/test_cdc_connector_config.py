"""The committed connector configuration: every setting explained, and the settings the apply step needs."""
from __future__ import annotations

import json
import re
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[1]
CONFIG = json.loads((FOLDER / "change-data-capture" / "postgres-connector.json").read_text())["config"]
SETTINGS_DOC = (FOLDER / "docs" / "cdc-connector-settings.md").read_text()


def explained_settings() -> dict[str, str]:
    """Setting -> value column of the doc's table (rows look like ``| `name` | value | why |``)."""
    rows = re.findall(r"^\| `([^`]+)` \| ([^|]*) \|", SETTINGS_DOC, flags=re.MULTILINE)
    return {name: value.strip() for name, value in rows}


def test_every_connector_setting_is_explained_and_nothing_else():
    assert sorted(explained_settings()) == sorted(CONFIG)


def test_the_explained_values_are_the_configured_ones():
    for name, value in explained_settings().items():
        shown = value.strip("`")
        assert shown == CONFIG[name] or (shown == "empty" and CONFIG[name] == ""), name


def test_events_carry_their_schema_and_exact_decimals_for_the_apply_step():
    assert CONFIG["value.converter.schemas.enable"] == "true"
    assert CONFIG["decimal.handling.mode"] == "string"
    assert CONFIG["column.propagate.source.type"] == ".*"
    assert CONFIG["plugin.name"] == "pgoutput"
    assert CONFIG["slot.drop.on.stop"] == "false"
