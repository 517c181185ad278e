"""``make copy-check FOLDER=NN-topic``: copy one pattern folder out of the repo, as a user does, and test it.

1. copy the folder and ``constraints.txt`` into a new temporary directory outside the repository;
2. make a fresh virtualenv there;
3. install the folder with its ``dev`` extra, and ``tools`` from a copy of the repository's (not
   editable), all pinned by the constraints;
4. run the folder's tests in the copy, with ``CATALOG_JARS_DIR`` pointing at the repository's jars.

A test that reaches into the repository (``../tools/...``), an import missing from the folder's
``dev`` extra, or a module only an editable install finds fails here, as it would for a user.
The temporary directory is removed afterwards unless ``--keep`` is given.

Example::

    python -m catalog_tools.copy_check 01-authentication-security
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from catalog_tools.catalog_shape import COMPOSING_FOLDERS
from catalog_tools.jars import JARS_DIR_ENV, jars_dir

RUN_TIME_NAMES = shutil.ignore_patterns(
    "__pycache__", "*.pyc", ".pytest_cache", ".ruff_cache", "*.egg-info", "build", "target",
    "spark-warehouse", "metastore_db", "derby.log",
)


def copy_ignored(directory: str, names: list[str]) -> set[str]:
    """What a user would not copy: caches, build output, run-time state, benchmark scratch data."""
    ignored = set(RUN_TIME_NAMES(directory, names))
    if Path(directory).name == "benchmarks":
        ignored |= {"data"} & set(names)
    return ignored


class CopyCheckError(RuntimeError):
    """A step before the tests failed (copy, virtualenv, install); the message names the step."""


@dataclass(frozen=True)
class CopyCheckResult:
    """Where the copy ran and what its test run returned."""

    folder: str
    work_dir: Path
    exit_code: int
    seconds: float

    @property
    def passed(self) -> bool:
        return self.exit_code == 0


def run_step(description: str, command: list[str], cwd: Path, env: dict[str, str]) -> None:
    """Run one setup step; raise CopyCheckError naming it and showing its output when it fails."""
    print(f"[copy-check] {description}", flush=True)
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise CopyCheckError(f"{description}: expected exit 0, got {result.returncode}:\n"
                             f"{(result.stdout + result.stderr).strip()[-4000:]}")


def clean_environment(venv: Path, jars: Path) -> dict[str, str]:
    """The environment of a user's shell with only the fresh virtualenv active and the repo's jars."""
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])
    env["VIRTUAL_ENV"] = str(venv)
    env[JARS_DIR_ENV] = str(jars)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def copy_check(folder: Path, repo_root: Path, tools_dir: Path | None = None, jars: Path | None = None,
               keep: bool = False, pytest_args: list[str] | None = None) -> CopyCheckResult:
    """Copy ``folder`` and the constraints out of the repo, install it fresh, and run its tests there."""
    folder, repo_root = folder.resolve(), repo_root.resolve()
    if folder.name in COMPOSING_FOLDERS:
        raise CopyCheckError(
            f"expected a pattern folder that is copied alone, got {folder.name}: it composes the other folders' "
            "packages (installed from this repository) and its README says so; copy-check the folders it names")
    tools_dir = (tools_dir or repo_root / "tools").resolve()
    jars = (jars or jars_dir()).resolve()
    constraints = repo_root / "constraints.txt"
    for needed in (folder / "pyproject.toml", constraints, tools_dir / "pyproject.toml"):
        if not needed.is_file():
            raise CopyCheckError(f"expected {needed} to exist, found no such file")
    work = Path(tempfile.mkdtemp(prefix=f"copy-check-{folder.name}-"))
    if work.is_relative_to(repo_root):
        raise CopyCheckError(f"expected a temporary directory outside {repo_root}, got {work}")
    started = time.monotonic()
    try:
        project = work / "my-project"
        project.mkdir()
        print(f"[copy-check] copying {folder.name} and constraints.txt to {project}", flush=True)
        shutil.copytree(folder, project / folder.name, ignore=copy_ignored)
        shutil.copy(constraints, project / "constraints.txt")
        # pip builds a local project in place; a copy keeps the repository's tools/ untouched
        shutil.copytree(tools_dir, work / "catalog-tools", ignore=copy_ignored)
        venv = work / "venv"
        env = clean_environment(venv, jars)
        run_step("creating a fresh virtualenv", [sys.executable, "-m", "venv", str(venv)], project, env)
        run_step(f"installing {folder.name}[dev] and tools (not editable), pinned by constraints.txt",
                 [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-c", "constraints.txt",
                  f"./{folder.name}[dev]", str(work / "catalog-tools")], project, env)
        print(f"[copy-check] running {folder.name}'s tests in the copy (jars from {jars})", flush=True)
        exit_code = subprocess.call(
            [str(venv / "bin" / "python"), "-m", "pytest", "-p", "no:cacheprovider", *(pytest_args or ["-q"])],
            cwd=project / folder.name, env=env)
        return CopyCheckResult(folder.name, work, exit_code, time.monotonic() - started)
    finally:
        if keep:
            print(f"[copy-check] kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="the pattern folder to copy, e.g. 01-authentication-security")
    parser.add_argument("--repo-root", type=Path, default=Path.cwd(), help="where constraints.txt and tools/ are")
    parser.add_argument("--jars-dir", type=Path, help=f"the jars folder (default: ${JARS_DIR_ENV} or the repo's)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy and its virtualenv")
    parser.add_argument("--pytest-args", default="-q", help="pytest arguments, one string")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        parser.error(f"expected a pattern folder, {args.folder} is not a directory")
    try:
        result = copy_check(args.folder, args.repo_root, jars=args.jars_dir, keep=args.keep,
                            pytest_args=args.pytest_args.split())
    except CopyCheckError as error:
        print(f"[copy-check] {args.folder.name}: FAILED before the tests ran: {error}")
        return 1
    verdict = "passed" if result.passed else f"FAILED (pytest exit {result.exit_code})"
    print(f"[copy-check] {result.folder}: {verdict} in a copy outside the repo, {result.seconds:.0f} s")
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
