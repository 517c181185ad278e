"""Find imports in a folder's tests, examples and benchmarks that its pyproject does not declare.

`make setup` installs each folder as ``-e './NN-topic[dev]'`` on a clean machine, so a test that
imports a package a developer happened to have installed by hand passes locally and fails in CI
with ``ModuleNotFoundError``. This check catches that before CI does: every third-party module
imported under ``tests/``, ``examples/`` or ``benchmarks/`` must come from a distribution the
folder declares (dependencies or any extra), that ``catalog-tools`` declares, or that one of those
requires in turn.

Example::

    >>> undeclared_imports(Path("03-streaming-architecture"), Path("tools"))  # doctest: +SKIP
    ["03-streaming-architecture/benchmarks/load.py imports 'confluent_kafka' (distribution confluent-kafka), ..."]
"""
from __future__ import annotations

import ast
import re
import sys
import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path

CHECKED_DIRS = ("tests", "examples", "benchmarks")
REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def normalized(distribution: str) -> str:
    """PEP 503 name: ``Confluent_Kafka`` -> ``confluent-kafka``."""
    return re.sub(r"[-_.]+", "-", distribution).lower()


def declared_distributions(pyproject: Path) -> set[str]:
    """Every distribution a pyproject names: dependencies plus all optional extras (none if it is absent)."""
    if not pyproject.is_file():
        return set()
    project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    names = {project.get("name", "")} | {m.group(1) for r in requirements if (m := REQUIREMENT_NAME.match(r))}
    return {normalized(n) for n in names if n}


@cache
def _requirements_of(distribution: str) -> frozenset[str]:
    try:
        requirements = metadata.requires(distribution) or []
    except metadata.PackageNotFoundError:
        return frozenset()
    return frozenset(normalized(m.group(1)) for r in requirements if (m := REQUIREMENT_NAME.match(r)))


def with_requirements(distributions: set[str]) -> set[str]:
    """The distributions plus everything they require, transitively, as installed here."""
    closure, pending = set(distributions), list(distributions)
    while pending:
        for required in _requirements_of(pending.pop()) - closure:
            closure.add(required)
            pending.append(required)
    return closure


def imported_modules(py_file: Path) -> set[str]:
    """Top-level names of absolute imports in a file (``from x.y import z`` gives ``x``)."""
    tree = ast.parse(py_file.read_text(encoding="utf-8"), filename=str(py_file))
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    return modules


def local_module_names(folder: Path) -> set[str]:
    """Modules the folder itself provides: packages under src/ and any .py file or package inside it."""
    names = {p.stem for p in folder.rglob("*.py")}
    return names | {p.parent.name for p in folder.rglob("__init__.py")}


def undeclared_imports(folder: Path, tools_folder: Path) -> list[str]:
    """One line per import under tests/, examples/ or benchmarks/ that a clean install would lack."""
    available = with_requirements(declared_distributions(folder / "pyproject.toml")
                                  | declared_distributions(tools_folder / "pyproject.toml"))
    providers = metadata.packages_distributions()
    ignored = set(sys.stdlib_module_names) | local_module_names(folder) | {"catalog_tools", "__future__"}
    findings = []
    for directory in CHECKED_DIRS:
        for py_file in sorted((folder / directory).rglob("*.py")):
            for module in sorted(imported_modules(py_file) - ignored):
                dists = {normalized(d) for d in providers.get(module, [])}
                if not dists:
                    findings.append(f"{py_file} imports {module!r}, which no installed distribution provides; "
                                    f"add its distribution to the folder's `dev` extra")
                elif not dists & available:
                    findings.append(f"{py_file} imports {module!r} (distribution {', '.join(sorted(dists))}) "
                                    f"that pyproject.toml does not declare; add it to the `dev` extra")
    return findings
