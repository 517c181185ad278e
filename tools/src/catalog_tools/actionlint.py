"""actionlint for the catalog's GitHub workflow tests: found on PATH or in a cache, else built with Go.

``python -m catalog_tools.actionlint install`` (what ``make setup`` runs) builds
``github.com/rhysd/actionlint/cmd/actionlint@v1.7.12`` from the Go module proxy into the cache
directory (``$CATALOG_TOOLS_CACHE/bin``, default ``~/.cache/catalog-tools/bin``). Tests use the
``actionlint`` fixture, which skips with the reason when neither actionlint nor ``go`` is available.

Example::

    binary = ensure_actionlint()
    completed = run_actionlint(binary, [Path("workflows/deploy.yml")])
    assert completed.returncode == 0, completed.stdout
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ACTIONLINT_MODULE = "github.com/rhysd/actionlint/cmd/actionlint"
ACTIONLINT_VERSION = "v1.7.12"
CACHE_ENV = "CATALOG_TOOLS_CACHE"


class ActionlintUnavailableError(RuntimeError):
    """Neither an actionlint binary nor a Go toolchain to build one was found."""


def cache_bin_dir() -> Path:
    """Where ``install`` puts the binary: ``$CATALOG_TOOLS_CACHE/bin`` or ``~/.cache/catalog-tools/bin``."""
    base = os.environ.get(CACHE_ENV)
    return (Path(base) if base else Path.home() / ".cache" / "catalog-tools") / "bin"


def find_actionlint(bin_dir: Path | None = None) -> Path | None:
    """actionlint on PATH, else in ``bin_dir`` (default: the cache), else None."""
    on_path = shutil.which("actionlint")
    if on_path:
        return Path(on_path)
    candidate = (bin_dir or cache_bin_dir()) / "actionlint"
    return candidate if candidate.is_file() and os.access(candidate, os.X_OK) else None


def unavailable_reason(bin_dir: Path | None = None) -> str | None:
    """Why actionlint cannot be had here, or None when it is found or can be built."""
    if find_actionlint(bin_dir) or shutil.which("go"):
        return None
    return (f"expected actionlint on PATH or in {bin_dir or cache_bin_dir()}, or a Go toolchain (go) on PATH "
            f"to build {ACTIONLINT_MODULE}@{ACTIONLINT_VERSION}; found neither")


def ensure_actionlint(bin_dir: Path | None = None) -> Path:
    """Return the actionlint binary, building it with ``go install`` into ``bin_dir`` when missing."""
    found = find_actionlint(bin_dir)
    if found:
        return found
    reason = unavailable_reason(bin_dir)
    if reason:
        raise ActionlintUnavailableError(reason)
    target = bin_dir or cache_bin_dir()
    target.mkdir(parents=True, exist_ok=True)
    completed = subprocess.run(
        ["go", "install", f"{ACTIONLINT_MODULE}@{ACTIONLINT_VERSION}"],
        env=dict(os.environ, GOBIN=str(target)), capture_output=True, text=True, check=False,
    )
    binary = target / "actionlint"
    if completed.returncode != 0 or not binary.is_file():
        raise ActionlintUnavailableError(
            f"go install {ACTIONLINT_MODULE}@{ACTIONLINT_VERSION}: expected exit 0 and {binary}, "
            f"found exit {completed.returncode}: {completed.stderr.strip()[-2000:]}")
    return binary


def run_actionlint(binary: Path, workflow_files: Sequence[Path]) -> subprocess.CompletedProcess[str]:
    """Lint the given workflow files (passed explicitly, so no .github folder is needed)."""
    return subprocess.run([str(binary), "-no-color", *map(str, workflow_files)],
                          capture_output=True, text=True, check=False)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args != ["install"]:
        print("usage: python -m catalog_tools.actionlint install", file=sys.stderr)
        return 2
    try:
        print(ensure_actionlint())
    except ActionlintUnavailableError as error:
        print(f"actionlint: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
