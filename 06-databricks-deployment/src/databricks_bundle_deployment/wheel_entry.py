"""Find and call a wheel's entry point the way a ``python_wheel_task`` does: by package and entry-point name.

The entry point is looked up in the installed distributions' metadata (console scripts or any
group) among those whose module lives in the package. It is called as Databricks' wheel task runner
calls it: ``sys.argv`` set to the entry point's name plus the task's parameters, no arguments, so
the function reads its parameters from argv. ``python -m databricks_bundle_deployment.wheel_entry
PACKAGE ENTRY_POINT [PARAMETERS...]`` does the same from a shell.

Example::

    python -m databricks_bundle_deployment.wheel_entry spark_performance_analyzer spark-perf-analyze --help
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from importlib.metadata import distributions

from databricks_bundle_deployment.findings import BundleError


class EntryPointNotFoundError(BundleError):
    def __init__(self, package: str, name: str, found: list[str]):
        super().__init__(f"{package}: expected an installed entry point {name!r}, found {found}")


def find_entry_point(package: str, name: str) -> Callable[[], object]:
    """The installed entry point ``name`` whose module lives in ``package``, loaded (imports its module)."""
    candidates = [ep for dist in distributions() for ep in dist.entry_points if ep.module.split(".")[0] == package]
    matching = [ep for ep in candidates if ep.name == name]
    if not matching:
        raise EntryPointNotFoundError(package, name, sorted({ep.name for ep in candidates}))
    return matching[0].load()


def call_entry_point(function: Callable[[], object], name: str, parameters: list[str]) -> int:
    """Call ``function`` with ``sys.argv = [name, *parameters]`` (restored after); its int result, else 0."""
    saved = sys.argv
    sys.argv = [name, *parameters]
    try:
        result = function()
    finally:
        sys.argv = saved
    return result if isinstance(result, int) else 0


def run_entry_point(package: str, name: str, parameters: list[str]) -> int:
    """Call the entry point ``name`` whose module lives in ``package``; return its exit code."""
    return call_entry_point(find_entry_point(package, name), name, parameters)


def main() -> int:
    if len(sys.argv) < 3:
        print("usage: python -m databricks_bundle_deployment.wheel_entry PACKAGE ENTRY_POINT [PARAMETERS...]",
              file=sys.stderr)
        return 2
    return run_entry_point(sys.argv[1], sys.argv[2], sys.argv[3:])


if __name__ == "__main__":
    sys.exit(main())
