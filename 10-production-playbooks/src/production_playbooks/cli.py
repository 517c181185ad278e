"""Command line: ``diagnose LOGFILE`` (``-`` reads stdin) and ``errors build`` (the error reference).

``diagnose`` exits 0 when an incident is named, 1 when the log is unknown, 2 on a usage error,
3 when the log shows a known Databricks-only error (a reference page, no reproduced playbook).
``errors build`` reads ``corpus/`` and writes ``docs/error-reference/`` (paths relative to the
folder it runs in unless given); ``--jar-dir`` names where ``delta-spark_*.jar`` is.

Example::

    $ python -m production_playbooks diagnose driver.log
    incident: kafka-sasl-wrong-password (...)
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from production_playbooks.diagnoser import diagnose_file, diagnose_lines, format_diagnosis
from production_playbooks.error_catalogs import DELTA_JAR, SPARK_JAR, find_jar, jar_dirs, read_error_catalog
from production_playbooks.error_reference import build_error_reference, write_pages
from production_playbooks.incident_format import load_incidents

EXIT_NAMED = 0
EXIT_UNKNOWN = 1
EXIT_KNOWN_DATABRICKS_ERROR = 3


def _diagnose(args: argparse.Namespace) -> int:
    if args.logfile == "-":
        diagnosis = diagnose_lines(sys.stdin)
    else:
        diagnosis = diagnose_file(args.logfile)
    sys.stdout.write(format_diagnosis(diagnosis))
    if diagnosis.incident is not None:
        return EXIT_NAMED
    return EXIT_KNOWN_DATABRICKS_ERROR if diagnosis.known_error is not None else EXIT_UNKNOWN


def _errors_build(args: argparse.Namespace) -> int:
    folders = jar_dirs(args.jar_dir)
    pages = build_error_reference(
        Path(args.corpus), load_incidents(),
        read_error_catalog(find_jar(SPARK_JAR, folders)), read_error_catalog(find_jar(DELTA_JAR, folders)))
    for path in write_pages(Path(args.out), pages):
        sys.stdout.write(f"wrote {path}\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m production_playbooks",
                                     description="Name the incident a log shows and the playbook to open.")
    commands = parser.add_subparsers(dest="command", required=True)
    diagnose = commands.add_parser("diagnose", help="read a log or a pasted stack trace and name the incident")
    diagnose.add_argument("logfile", help="a driver log, job output, Kafka client log; '-' reads stdin")
    diagnose.set_defaults(handler=_diagnose)
    errors = commands.add_parser("errors", help="the error reference")
    errors_commands = errors.add_subparsers(dest="errors_command", required=True)
    build = errors_commands.add_parser(
        "build", help="generate docs/error-reference from corpus/ and the jars' catalogs")
    build.add_argument("--corpus", default="corpus", help="captured texts, one folder per incident")
    build.add_argument("--out", default="docs/error-reference", help="where the pages go")
    build.add_argument("--jar-dir", action="append", default=[],
                       help="a folder holding delta-spark_*.jar (pyspark's own jars folder is searched too)")
    build.set_defaults(handler=_errors_build)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    return args.handler(args)
