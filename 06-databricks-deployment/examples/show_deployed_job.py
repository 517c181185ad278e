"""Validate the bundle for one target and print one job exactly as `deploy` would send it to the Jobs API.

Run it (from the folder, after `make setup` at the repo root)::

    ../.venv/bin/python examples/show_deployed_job.py --target prod --job end_to_end

Every `${...}` is resolved for the target, the job clusters come from the complex cluster variables,
and the wheel libraries point at the synced files under the target's workspace root.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from databricks_bundle_deployment.cicd.job_definitions import job_definitions
from databricks_bundle_deployment.validator import validate_target

FOLDER = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=FOLDER / "asset-bundles")
    parser.add_argument("--target", default="prod")
    parser.add_argument("--job", default="end_to_end")
    args = parser.parse_args(argv)
    resolved = validate_target(args.bundle, args.target)
    if resolved.findings:
        print(*resolved.findings, sep="\n", file=sys.stderr)
        return 1
    print(json.dumps(job_definitions(resolved, args.bundle)[args.job], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
