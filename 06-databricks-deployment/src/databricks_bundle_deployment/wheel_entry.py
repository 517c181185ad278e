"""Run a wheel's entry point the way a ``python_wheel_task`` does: by package and entry-point name.

``python -m databricks_bundle_deployment.wheel_entry PACKAGE ENTRY_POINT [PARAMETERS...]`` looks the
entry point up in the installed distributions' metadata (console scripts or any group), sets
``sys.argv`` to the entry point's name plus the parameters, and calls it.

Example::

    python -m databricks_bundle_deployment.wheel_entry spark_performance_analyzer spark-perf-analyze --help
"""
from __future__ import annotations

import sys
from importlib.metadata import distributions

from databricks_bundle_deployment.findings import BundleError


class EntryPointNotFoundError(BundleError):
    def __init__(self, package: str, name: str, found: list[str]):
        super().__init__(f"{package}: expected an installed entry point {name!r}, found {found}")


def run_entry_point(package: str, name: str, parameters: list[str]) -> int:
    """Call the entry point ``name`` whose module lives in ``package``; return its exit code."""
    candidates = [ep for dist in distributions() for ep in dist.entry_points if ep.module.split(".")[0] == package]
    matching = [ep for ep in candidates if ep.name == name]
    if not matching:
        raise EntryPointNotFoundError(package, name, sorted({ep.name for ep in candidates}))
    sys.argv = [name, *parameters]
    result = matching[0].load()()
    return result if isinstance(result, int) else 0


def main() -> int:
    if len(sys.argv) < 3:
        print("usage: python -m databricks_bundle_deployment.wheel_entry PACKAGE ENTRY_POINT [PARAMETERS...]",
              file=sys.stderr)
        return 2
    return run_entry_point(sys.argv[1], sys.argv[2], sys.argv[3:])


if __name__ == "__main__":
    sys.exit(main())
