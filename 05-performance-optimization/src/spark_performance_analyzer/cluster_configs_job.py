"""Job entry point ``write-cluster-configs``: write the small, medium and large cluster configurations as JSON.

A ``python_wheel_task`` (or a shell) runs it with the output folder as its only parameter; each
``cluster-<size>.json`` holds the profile, the Spark settings and the arithmetic behind every number
(:func:`spark_performance_analyzer.cluster_configs.cluster_config`). It needs no Spark session.

Example::

    write-cluster-configs --out /Volumes/iot_dev/manufacturing/lake/cluster-configs
    # cluster configs: 3 written to /Volumes/iot_dev/manufacturing/lake/cluster-configs (large, medium, small)
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from spark_performance_analyzer.cluster_configs import PROFILES, cluster_config


def write_cluster_configs(out: Path) -> list[Path]:
    """Write ``cluster-<name>.json`` for every profile into ``out`` (created if missing); return the paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, profile in PROFILES.items():
        path = out / f"cluster-{name}.json"
        path.write_text(json.dumps(cluster_config(profile), indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """``--out FOLDER``; a missing or empty value is an argparse error (exit 2) naming the option."""
    parser = argparse.ArgumentParser(prog="write-cluster-configs", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=_folder, required=True, help="folder to write cluster-<size>.json into")
    return parser.parse_args(argv)


def _folder(value: str) -> Path:
    if not value.strip():
        raise argparse.ArgumentTypeError(f"expected a folder path, found {value!r}")
    path = Path(value)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"expected a folder, found a file at {value!r}")
    return path


def main(argv: list[str] | None = None) -> int:
    """Entry point: parameters from ``argv`` (``sys.argv[1:]`` when None), one summary line, exit code 0."""
    args = parse_arguments(argv)
    written = write_cluster_configs(args.out)
    names = ", ".join(sorted(path.stem.removeprefix("cluster-") for path in written))
    print(f"cluster configs: {len(written)} written to {args.out} ({names})", flush=True)
    return 0
