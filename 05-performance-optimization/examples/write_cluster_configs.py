"""Write the small, medium and large cluster configurations as JSON, with their arithmetic.

Run it (from the folder)::

    ../.venv/bin/python examples/write_cluster_configs.py --out configs

Each file holds the profile, the Spark settings, and the steps behind every number
(``spark_performance_analyzer.cluster_configs``).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from spark_performance_analyzer.cluster_configs import PROFILES, cluster_config


def write_configs(out: Path) -> list[Path]:
    """Write ``cluster-<name>.json`` for every profile into ``out``; return the paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, profile in PROFILES.items():
        path = out / f"cluster-{name}.json"
        path.write_text(json.dumps(cluster_config(profile), indent=2) + "\n")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder to write cluster-<size>.json into")
    args = parser.parse_args(argv)
    for path in write_configs(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
