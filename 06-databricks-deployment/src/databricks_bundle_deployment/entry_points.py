"""Every task points at code that exists: script files in the repo, wheel packages and their entry points.

Paths in YAML resolve against the directory of the file that defines the resource; paths in
Python-defined resources against the bundle root (as the Databricks CLI resolves them).

Example::

    findings = check_entry_points(merged, bundle_root)   # [] when every task's code exists
"""
from __future__ import annotations

import ast
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from databricks_bundle_deployment.findings import Finding, document_path

REMOTE_PREFIXES = ("/", "dbfs:", "s3:", "abfss:", "gs:", "file:", "${")


def _base_dir(bundle_root: Path, source_file: str) -> Path:
    if source_file.endswith((".yml", ".yaml")):
        return (bundle_root / source_file).parent
    return bundle_root


def _declared_entry_points(project: Path) -> tuple[dict[str, str], set[str]]:
    """Console scripts (name -> ``module:function``) and top-level packages (src layout) a pyproject declares."""
    data = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    scripts = dict((data.get("project") or {}).get("scripts") or {})
    for group in ((data.get("project") or {}).get("entry-points") or {}).values():
        scripts.update(group)
    packages = {p.name for p in (project / "src").iterdir() if (p / "__init__.py").exists()} \
        if (project / "src").is_dir() else set()
    return scripts, packages


def missing_entry_function(project: Path, target: str) -> tuple[str, str] | None:
    """``(expected, actual)`` when ``module:function`` has no module file under ``src/`` or no top-level ``def``.

    The module is parsed with ``ast``, never imported: the check needs none of the package's dependencies.

    Example::

        missing_entry_function(Path("05-performance-optimization"), "spark_performance_analyzer.cli:main")  # None
    """
    module, _, function = target.partition(":")
    function = function.split(".")[0].strip()
    relative = Path(*module.strip().split("."))
    candidates = [project / "src" / relative.with_suffix(".py"), project / "src" / relative / "__init__.py"]
    source = next((path for path in candidates if path.is_file()), None)
    if source is None:
        return (f"a module {module} (src/{relative.as_posix()}.py) for {target!r}", "no such file")
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    defined = sorted(node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef))
    if function not in defined:
        return (f"a function {function}() in src/{source.relative_to(project / 'src').as_posix()} for {target!r}",
                f"functions {defined}")
    return None


def _check_wheel_task(task: dict[str, Any], path: tuple[str | int, ...], base: Path, target: str, file: str
                      ) -> list[Finding]:
    wheel_task = task["python_wheel_task"]
    package, entry_point = wheel_task.get("package_name"), wheel_task.get("entry_point")
    wheels = [(index, lib["whl"]) for index, lib in enumerate(task.get("libraries") or [])
              if isinstance(lib, dict) and "whl" in lib]
    local = [(index, w) for index, w in wheels if not w.startswith(REMOTE_PREFIXES)]
    if not local:
        return [Finding("entry-point", target, file, document_path((*path, "libraries")),
                        "a whl library built from a pattern folder (path/dist/*.whl)",
                        f"{[w for _, w in wheels] or 'none'}")]
    findings: list[Finding] = []
    for index, wheel in local:
        project = (base / wheel).parent.parent
        if not (project / "pyproject.toml").is_file():
            findings.append(Finding("entry-point", target, file, document_path((*path, "libraries", index, "whl")),
                                    "a wheel built from a folder with a pyproject.toml", f"no project for {wheel!r}"))
            continue
        scripts, packages = _declared_entry_points(project)
        if package not in packages:
            findings.append(Finding("entry-point", target, file,
                                    document_path((*path, "python_wheel_task", "package_name")),
                                    f"a package of {project.name} ({sorted(packages)})", repr(package)))
        entry_path = document_path((*path, "python_wheel_task", "entry_point"))
        if entry_point not in scripts:
            findings.append(Finding("entry-point", target, file, entry_path,
                                    f"an entry point in {project.name}/pyproject.toml ({sorted(scripts)})",
                                    repr(entry_point)))
            continue
        missing = missing_entry_function(project, scripts[entry_point])
        if missing is not None:
            findings.append(Finding("entry-point", target, file, entry_path, f"{project.name}: {missing[0]}",
                                    missing[1]))
    return findings


def _check_libraries(task: dict[str, Any], path: tuple[str | int, ...], base: Path, target: str, file: str
                     ) -> list[Finding]:
    """Each local wheel library is built from a folder with a pyproject.toml."""
    findings: list[Finding] = []
    for index, library in enumerate(task.get("libraries") or []):
        wheel = library.get("whl") if isinstance(library, dict) else None
        if wheel and not wheel.startswith(REMOTE_PREFIXES) and not ((base / wheel).parent.parent /
                                                                    "pyproject.toml").is_file():
            findings.append(Finding("entry-point", target, file, document_path((*path, "libraries", index, "whl")),
                                    "a wheel built from a folder with a pyproject.toml", f"no project for {wheel!r}"))
    return findings


def check_entry_points(document: dict[str, Any], bundle_root: Path, target: str,
                       file_for: Callable[[tuple[str | int, ...]], str]) -> list[Finding]:
    """Scripts, wheels, artifacts, sync paths and pipeline sources exist; cluster keys and ``depends_on`` resolve."""
    findings: list[Finding] = []
    resources = document.get("resources") or {}
    for job_name, job in (resources.get("jobs") or {}).items():
        job_path = ("resources", "jobs", job_name)
        file = file_for(job_path)
        base = _base_dir(bundle_root, file)
        clusters = {c.get("job_cluster_key") for c in job.get("job_clusters") or []}
        task_keys = {t.get("task_key") for t in job.get("tasks") or []}
        for index, task in enumerate(job.get("tasks") or []):
            path = (*job_path, "tasks", index)
            script = (task.get("spark_python_task") or {}).get("python_file")
            if script and not script.startswith(REMOTE_PREFIXES) and not (base / script).is_file():
                findings.append(Finding("entry-point", target, file,
                                        document_path((*path, "spark_python_task", "python_file")),
                                        "a script file in the repo", f"no file at {script!r}"))
            if "python_wheel_task" in task:
                findings += _check_wheel_task(task, path, base, target, file)
            else:
                findings += _check_libraries(task, path, base, target, file)
            key = task.get("job_cluster_key")
            if key is not None and key not in clusters:
                findings.append(Finding("reference", target, file, document_path((*path, "job_cluster_key")),
                                        f"one of the job's clusters {sorted(filter(None, clusters))}", repr(key)))
            for d_index, dependency in enumerate(task.get("depends_on") or []):
                if dependency.get("task_key") not in task_keys:
                    findings.append(Finding("reference", target, file,
                                            document_path((*path, "depends_on", d_index, "task_key")),
                                            f"a task of this job {sorted(filter(None, task_keys))}",
                                            repr(dependency.get("task_key"))))
    for index, sync_path in enumerate((document.get("sync") or {}).get("paths") or []):
        if not (bundle_root / sync_path).exists():
            findings.append(Finding("entry-point", target, file_for(("sync",)), f"sync.paths[{index}]",
                                    "a folder to sync", f"nothing at {sync_path!r}"))
    for name, artifact in (document.get("artifacts") or {}).items():
        folder = bundle_root / str((artifact or {}).get("path", "."))
        if (artifact or {}).get("type") == "whl" and not (folder / "pyproject.toml").is_file():
            findings.append(Finding("entry-point", target, file_for(("artifacts", name)), f"artifacts.{name}.path",
                                    "a folder with a pyproject.toml to build the wheel from",
                                    f"none at {artifact.get('path')!r}"))
    for name, pipeline in (resources.get("pipelines") or {}).items():
        pipeline_path = ("resources", "pipelines", name)
        file = file_for(pipeline_path)
        base = _base_dir(bundle_root, file)
        for index, library in enumerate(pipeline.get("libraries") or []):
            for kind in ("file", "notebook"):
                source = (library.get(kind) or {}).get("path")
                if source and not source.startswith(REMOTE_PREFIXES) and not (base / source).is_file():
                    findings.append(Finding("entry-point", target, file,
                                            document_path((*pipeline_path, "libraries", index, kind, "path")),
                                            "a pipeline source file in the repo", f"no file at {source!r}"))
    return findings
