"""Command line: ``validate``, ``run-local JOB`` and ``config show``.

Example::

    python -m databricks_bundle_deployment validate --bundle asset-bundles --target prod
    python -m databricks_bundle_deployment run-local end_to_end --target dev --config hocon-configurations
    python -m databricks_bundle_deployment config show --env prod
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from databricks_bundle_deployment.configuration.loader import ENVIRONMENTS, load_settings
from databricks_bundle_deployment.configuration.rendering import bundle_variables, render_settings
from databricks_bundle_deployment.findings import BundleError
from databricks_bundle_deployment.local_run import run_local_job
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


def _variables(args: argparse.Namespace) -> dict[str, str]:
    values = bundle_variables(load_settings(args.config, args.target)) if args.config else {}
    for item in args.var:
        name, separator, value = item.partition("=")
        if not separator:
            raise BundleError(f"--var: expected NAME=VALUE, found {item!r}")
        values[name] = value
    return values


def _run_local(args: argparse.Namespace) -> int:
    result = run_local_job(args.bundle, args.job, args.target, _variables(args), echo=True)
    for run in result.runs:
        print(f"{run.task_key}: {run.state}")
        if run.state == "FAILED":
            print(run.output[-4000:], file=sys.stderr)
    return 0 if result.ok else 1


def _config_show(args: argparse.Namespace) -> int:
    print(render_settings(load_settings(args.config, args.env)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m databricks_bundle_deployment",
                                     description="Validate a Databricks bundle offline and run its jobs locally")
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check every target (or --target) offline")
    validate.add_argument("--bundle", type=Path, default=Path("asset-bundles"), help="folder with databricks.yml")
    validate.add_argument("--target", help="one target (default: all)")
    validate.set_defaults(handler=_validate)
    run_local = commands.add_parser("run-local", help="run a job's tasks here, in dependency order")
    run_local.add_argument("job")
    run_local.add_argument("--target", default="dev")
    run_local.add_argument("--bundle", type=Path, default=Path("asset-bundles"))
    run_local.add_argument("--config", type=Path, help="HOCON folder whose <target>.conf gives the variables")
    run_local.add_argument("--var", action="append", default=[], help="NAME=VALUE, after --config")
    run_local.set_defaults(handler=_run_local)
    config = commands.add_parser("config", help="the HOCON configuration")
    config_commands = config.add_subparsers(dest="config_command", required=True)
    show = config_commands.add_parser("show", help="print the merged configuration, secrets redacted")
    show.add_argument("--env", required=True, choices=ENVIRONMENTS)
    show.add_argument("--config", type=Path, default=Path("hocon-configurations"))
    show.set_defaults(handler=_config_show)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except BundleError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
