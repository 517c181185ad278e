"""Run Databricks' own resource models on a target's document, through the entry point the CLI calls.

``python -m databricks.bundles.build`` (from ``databricks-bundles``) has two phases: ``load_resources``
adds the resources defined in Python (``python.resources`` in databricks.yml), and ``apply_mutators``
loads every resource into its generated model class, which rejects unknown fields and wrong types.

Example::

    document, findings = load_python_resources(merged_document, bundle_root, target="dev")
    findings += check_with_databricks_models(resolved_document, bundle_root, target="dev")
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from databricks_bundle_deployment.findings import Finding, document_path

UNEXPECTED_FIELD = re.compile(r"Unexpected field '([^']+)' for class (\w+)")


def _run_build(phase: str, document: dict[str, Any], bundle_root: Path) -> tuple[dict[str, Any], list[dict], dict]:
    with tempfile.TemporaryDirectory(prefix="bundle-build-") as scratch:
        work = Path(scratch)
        (work / "in.json").write_text(json.dumps(document), encoding="utf-8")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(bundle_root),
                                                                         os.environ.get("PYTHONPATH")])))
        subprocess.run(
            [sys.executable, "-m", "databricks.bundles.build", "--phase", phase,
             "--input", str(work / "in.json"), "--output", str(work / "out.json"),
             "--diagnostics", str(work / "diag.jsonl"), "--locations", str(work / "locations.jsonl")],
            cwd=bundle_root, env=env, capture_output=True, text=True, check=False,
        )
        output = json.loads((work / "out.json").read_text(encoding="utf-8")) if (work / "out.json").exists() else {}
        diagnostics = [json.loads(line) for line in _lines(work / "diag.jsonl")]
        locations = {entry["path"]: entry for entry in map(json.loads, _lines(work / "locations.jsonl"))}
        return output, diagnostics, locations


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()] if path.exists() else []


def _model_input(document: dict[str, Any], variables: dict[str, Any]) -> dict[str, Any]:
    model_input = dict(document)
    model_input["variables"] = {name: {"value": value} for name, value in variables.items()}
    return model_input


def load_python_resources(document: dict[str, Any], variables: dict[str, Any], bundle_root: Path, target: str
                          ) -> tuple[dict[str, Any], dict[tuple[str, ...], str], list[Finding]]:
    """Add the Python-defined resources; return the document, their source files and any load errors."""
    if not (document.get("python") or {}).get("resources"):
        return document, {}, []
    output, diagnostics, locations = _run_build("load_resources", _model_input(document, variables), bundle_root)
    findings = [_finding(d, target, "python.resources", document) for d in diagnostics if d.get("severity") == "error"]
    if findings:
        return document, {}, findings
    merged = dict(document)
    merged["resources"] = output.get("resources", {})
    merged["resources"] = {kind: dict(items) for kind, items in merged["resources"].items()}
    sources: dict[tuple[str, ...], str] = {}
    for path, location in locations.items():
        parts = tuple(path.split("."))
        if len(parts) == 3:
            sources[parts] = Path(location.get("file", "python")).as_posix()
    for kind, items in output.get("resources", {}).items():
        for name in items:
            if name not in (document.get("resources") or {}).get(kind, {}):
                sources.setdefault(("resources", kind, name), "python.resources")
    return merged, sources, []


def check_with_databricks_models(document: dict[str, Any], variables: dict[str, Any], bundle_root: Path,
                                 target: str, file_for: Any = None) -> list[Finding]:
    """Load every resource into Databricks' generated models; one finding per rejected resource."""
    model_input = _model_input({k: v for k, v in document.items() if k not in ("python", "experimental")},
                               variables)
    _, diagnostics, _ = _run_build("apply_mutators", model_input, bundle_root)
    return [_finding(d, target, None, document, file_for) for d in diagnostics if d.get("severity") == "error"]


def _finding(diagnostic: dict[str, Any], target: str, default_path: str | None, document: dict[str, Any],
             file_for: Any = None) -> Finding:
    detail = (diagnostic.get("detail") or "").strip().splitlines()
    message = detail[-1] if detail else diagnostic.get("summary", "")
    path = diagnostic.get("path") or default_path or ""
    parts = tuple(path.split(".")) if path else ()
    unexpected = UNEXPECTED_FIELD.search(message)
    if unexpected:
        field_name, model = unexpected.groups()
        nested = _find_key(_at(document, parts), field_name)
        full = document_path((*parts, *nested)) if nested is not None else path
        location_file = (diagnostic.get("location") or {}).get("file")
        file = file_for(parts) if file_for and parts[:1] == ("resources",) else (location_file or "python.resources")
        return Finding("databricks-model", target, file, full, f"a field of {model} (Databricks' model)",
                       f"unexpected field {field_name!r}")
    location_file = (diagnostic.get("location") or {}).get("file")
    file = file_for(parts) if file_for and parts else (location_file or "python.resources")
    return Finding("databricks-model", target, file, path, f"{diagnostic.get('summary', 'a valid resource')} to pass",
                   message)


def _at(document: Any, parts: tuple[str, ...]) -> Any:
    for part in parts:
        if not isinstance(document, dict):
            return None
        document = document.get(part)
    return document


def _find_key(value: Any, key: str) -> tuple[str | int, ...] | None:
    if isinstance(value, dict):
        if key in value:
            return (key,)
        for name, child in value.items():
            found = _find_key(child, key)
            if found is not None:
                return (name, *found)
    if isinstance(value, list):
        for index, child in enumerate(value):
            found = _find_key(child, key)
            if found is not None:
                return (index, *found)
    return None
