"""Land a small batch of machine configuration changes where the dimensional load reads them.

The bundle's ``dimensional_load`` task reads JSON files under ``<storage root>/landing/machine_config_changes``
(on Databricks, a Volume an upstream export writes to). Run this before ``run-local end_to_end``::

    ../.venv/bin/python examples/land_machine_config_changes.py --root build/lake

One of the four changes has no change timestamp: the load sends it to the quarantine with its reason.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

CHANGES = [
    {"machine_id": "M1", "line_id": "L1", "firmware": "fw-1.0", "max_rpm": 1200, "change_ts": "2026-03-02T06:00:00"},
    {"machine_id": "M2", "line_id": "L1", "firmware": "fw-1.0", "max_rpm": 900, "change_ts": "2026-03-02T06:00:00"},
    {"machine_id": "M1", "line_id": "L1", "firmware": "fw-2.0", "max_rpm": 1200, "change_ts": "2026-03-05T06:00:00"},
    {"machine_id": "M3", "line_id": "L2", "firmware": "fw-1.0", "max_rpm": 1500, "change_ts": None},  # refused
]


def land_changes(root: Path) -> Path:
    """Write ``CHANGES`` as one JSON-lines file under ``root``'s landing folder; return the file."""
    folder = root / "landing" / "machine_config_changes"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "changes-0001.json"
    path.write_text("".join(json.dumps(change) + "\n" for change in CHANGES), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True, help="the storage root (IOT_STORAGE_ROOT)")
    print(land_changes(parser.parse_args(argv).root))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
