"""Command line: ``validate [--bundle DIR] [--target T]``.

Example::

    python -m databricks_bundle_deployment validate --bundle asset-bundles --target prod
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from databricks_bundle_deployment.findings import BundleError
from databricks_bundle_deployment.validator import validate_bundle


def _validate(args: argparse.Namespace) -> int:
    report = validate_bundle(args.bundle, [args.target] if args.target else None)
    for finding in report.findings:
        print(finding)
    for name, result in report.targets.items():
        resources = result.document.get("resources") or {}
        counts = ", ".join(f"{len(items)} {kind}" for kind, items in sorted(resources.items()))
        status = "ok" if not result.findings else f"{len(result.findings)} finding(s)"
        print(f"{name}: {counts}: {status}")
    return 0 if report.ok else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m databricks_bundle_deployment",
                                     description="Validate a Databricks bundle offline and run its jobs locally")
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check every target (or --target) offline")
    validate.add_argument("--bundle", type=Path, default=Path("asset-bundles"), help="folder with databricks.yml")
    validate.add_argument("--target", help="one target (default: all)")
    validate.set_defaults(handler=_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except BundleError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
