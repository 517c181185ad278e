"""Helpers shared by the flattening tests."""
from __future__ import annotations

from pathlib import Path

from delta_schema_evolution import FlatteningTables

READINGS_SCHEMA = "reading_id INT, machine_type STRING, customExtension MAP<STRING,STRING>"


def flattening_tables(base: Path) -> FlatteningTables:
    """The four Delta tables of ``progressive_flatten`` under one folder."""
    return FlatteningTables(registry=str(base / "registry"), flat=str(base / "flat"),
                            quarantine=str(base / "quarantine"), dynamic=str(base / "dynamic"))
