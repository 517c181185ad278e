"""Command line: ``validate``, ``run-local JOB``, ``config show``, ``grants``, ``deploy`` / ``smoke`` / ``rollback``.

``deploy``, ``smoke`` and ``rollback`` talk to the workspace in ``DATABRICKS_HOST`` with the
credentials databricks-sdk finds (``DATABRICKS_TOKEN``, or OAuth M2M client id and secret).

Example::

    python -m databricks_bundle_deployment validate --bundle asset-bundles --target prod
    python -m databricks_bundle_deployment run-local end_to_end --target dev --config hocon-configurations \
        --jars ../.jars/spark
    python -m databricks_bundle_deployment config show --env prod
    python -m databricks_bundle_deployment deploy --target qa --record deployment-record.json
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from databricks_bundle_deployment.configuration.loader import ENVIRONMENTS, load_settings
from databricks_bundle_deployment.configuration.rendering import bundle_variables, render_settings
from databricks_bundle_deployment.findings import BundleError, UnknownJobError
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
    from databricks_bundle_deployment.local_spark_session import local_delta_session, spark_jars

    variables = _variables(args)
    spark_jars(args.jars)  # a missing jars folder is reported before Spark starts
    result = run_local_job(args.bundle, args.job, args.target, variables, echo=True,
                           spark=local_delta_session(args.jars))
    for run in result.runs:
        print(f"{run.task_key}: {run.state}")
        if run.state == "FAILED":
            print(run.output[-4000:], file=sys.stderr)
    return 0 if result.ok else 1


def _config_show(args: argparse.Namespace) -> int:
    print(render_settings(load_settings(args.config, args.env)))
    return 0


def _deploy(args: argparse.Namespace) -> int:
    from databricks.sdk import WorkspaceClient

    from databricks_bundle_deployment.cicd.deploy import deploy_jobs
    from databricks_bundle_deployment.cicd.job_definitions import job_definitions
    from databricks_bundle_deployment.validator import validate_target

    resolved = validate_target(args.bundle, args.target)
    if resolved.findings:
        print(*resolved.findings, sep="\n", file=sys.stderr)
        return 1
    record = deploy_jobs(WorkspaceClient(), job_definitions(resolved, args.bundle), args.target)
    args.record.write_text(json.dumps(record.as_dict(), indent=2), encoding="utf-8")
    for key, job in record.jobs.items():
        print(f"{key}: job {job.job_id} {'created' if job.created else 'replaced (previous settings recorded)'}")
    return 0


def _smoke(args: argparse.Namespace) -> int:
    from databricks.sdk import WorkspaceClient

    from databricks_bundle_deployment.cicd.deploy import find_job_id
    from databricks_bundle_deployment.cicd.smoke import smoke_run
    from databricks_bundle_deployment.validator import resolve_target

    jobs = resolve_target(args.bundle, args.target).document["resources"]["jobs"]
    if args.job not in jobs:
        raise UnknownJobError(args.job, sorted(jobs))
    client = WorkspaceClient()
    job_id = find_job_id(client, jobs[args.job]["name"])
    if job_id is None:
        raise BundleError(f"{args.job}: expected a deployed job named {jobs[args.job]['name']!r}, found none")
    try:
        outcome = smoke_run(client, job_id, args.timeout_seconds, args.poll_seconds)
    except BundleError as error:
        print(f"smoke: {error}", file=sys.stderr)
        return 1
    print(f"{args.job}: run {outcome.run_id} succeeded")
    return 0


def _rollback(args: argparse.Namespace) -> int:
    from databricks.sdk import WorkspaceClient

    from databricks_bundle_deployment.cicd.deploy import DeploymentRecord
    from databricks_bundle_deployment.cicd.rollback import rollback_jobs

    record = DeploymentRecord.from_dict(json.loads(args.record.read_text(encoding="utf-8")))
    for key, action in rollback_jobs(WorkspaceClient(), record).items():
        print(f"{key}: {action}")
    return 0


def _grants(args: argparse.Namespace) -> int:
    import yaml

    from databricks_bundle_deployment.grants import grant_statements

    model = yaml.safe_load(args.model.read_text(encoding="utf-8"))
    print("\n".join(grant_statements(model, args.env)))
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
    run_local.add_argument("--jars", type=Path, help="folder of Spark jars with Delta Lake for the local session "
                           "(default: $IOT_SPARK_JARS)")
    run_local.set_defaults(handler=_run_local)
    config = commands.add_parser("config", help="the HOCON configuration")
    config_commands = config.add_subparsers(dest="config_command", required=True)
    show = config_commands.add_parser("show", help="print the merged configuration, secrets redacted")
    show.add_argument("--env", required=True, choices=ENVIRONMENTS)
    show.add_argument("--config", type=Path, default=Path("hocon-configurations"))
    show.set_defaults(handler=_config_show)
    deploy = commands.add_parser("deploy", help="validate, create or reset the jobs, record what they replace")
    deploy.add_argument("--target", required=True)
    deploy.add_argument("--bundle", type=Path, default=Path("asset-bundles"))
    deploy.add_argument("--record", type=Path, default=Path("deployment-record.json"))
    deploy.set_defaults(handler=_deploy)
    smoke = commands.add_parser("smoke", help="run a deployed job now and wait for success, with a timeout")
    smoke.add_argument("--target", required=True)
    smoke.add_argument("--job", required=True)
    smoke.add_argument("--bundle", type=Path, default=Path("asset-bundles"))
    smoke.add_argument("--timeout-seconds", type=float, default=3600)
    smoke.add_argument("--poll-seconds", type=float, default=30)
    smoke.set_defaults(handler=_smoke)
    rollback = commands.add_parser("rollback", help="restore the job definitions a deploy recorded")
    rollback.add_argument("--record", type=Path, default=Path("deployment-record.json"))
    rollback.set_defaults(handler=_rollback)
    grants = commands.add_parser("grants", help="Unity Catalog GRANT statements from the access model")
    grants.add_argument("--env", required=True)
    grants.add_argument("--model", type=Path, default=Path("workspace-organization/access-model.yml"))
    grants.set_defaults(handler=_grants)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except BundleError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
