"""Analyze a running application (its UI URL) or a finished one (its event log) and print a report.

Run it::

    spark-perf-analyze --url http://localhost:4040
    spark-perf-analyze --event-log /tmp/spark-events/eventlog_v2_local-1795383123200 --laptop

Exits 0 when nothing crossed a threshold, 1 when there are findings, 2 on a usage or input error.
"""
from __future__ import annotations

import argparse
import sys

from spark_performance_analyzer.analyzers import LAPTOP_THRESHOLDS, Thresholds, analyze
from spark_performance_analyzer.event_log import EventLogError, load_from_event_log
from spark_performance_analyzer.report import format_report
from spark_performance_analyzer.rest_client import SparkRestApiError, load_from_rest_api


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="spark-perf-analyze", description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--url", help="Spark UI or History Server base URL, e.g. http://localhost:4040")
    source.add_argument("--event-log", help="event log file or eventlog_v2_* folder")
    parser.add_argument("--app-id", help="application id (default: the first one the API lists)")
    parser.add_argument("--job-group", help="only stages of jobs run under this job group")
    parser.add_argument("--laptop", action="store_true", help="thresholds scaled for small local jobs")
    args = parser.parse_args(argv)
    try:
        app = load_from_event_log(args.event_log) if args.event_log else load_from_rest_api(args.url, args.app_id)
    except (SparkRestApiError, EventLogError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.job_group:
        app = app.for_job_group(args.job_group)
    findings = analyze(app, LAPTOP_THRESHOLDS if args.laptop else Thresholds())
    print(format_report(app, findings))
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
