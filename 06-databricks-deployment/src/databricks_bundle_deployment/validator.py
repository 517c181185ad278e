"""Validate a bundle offline for each target: structure, references, Databricks' models, code, rules.

Example::

    report = validate_bundle(Path("asset-bundles"))
    assert report.ok, "\\n".join(map(str, report.findings))
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from databricks_bundle_deployment.bundle_files import MAIN_FILE, load_bundle_files
from databricks_bundle_deployment.databricks_models import check_with_databricks_models, load_python_resources
from databricks_bundle_deployment.deployment_rules import DeploymentRules, check_deployment_rules
from databricks_bundle_deployment.entry_points import check_entry_points
from databricks_bundle_deployment.findings import Finding, UnknownTargetError, document_path
from databricks_bundle_deployment.interpolation import resolve_references, variable_values
from databricks_bundle_deployment.structure import check_structure
from databricks_bundle_deployment.target_merge import TargetDocument, merge_target


@dataclass
class ResolvedTarget:
    """One target after merging, Python resources, and reference resolution."""

    target: str
    document: dict[str, Any]
    variables: dict[str, Any]
    merged: TargetDocument
    findings: list[Finding] = field(default_factory=list)


@dataclass
class ValidationReport:
    """Findings per target; ``ok`` when there are none."""

    targets: dict[str, ResolvedTarget]
    findings: list[Finding]

    @property
    def ok(self) -> bool:
        return not self.findings


def resolve_target(bundle_root: Path, target: str, overrides: dict[str, Any] | None = None) -> ResolvedTarget:
    """Merge ``target``, load Python-defined resources and resolve every ``${...}`` reference."""
    files = load_bundle_files(bundle_root)
    merged = merge_target(files, target)
    findings = list(merged.findings)
    declared = merged.document.get("variables") or {}
    for name in merged.target_variables:
        if name not in declared:
            findings.append(Finding("unresolved-reference", target, MAIN_FILE, f"targets.{target}.variables.{name}",
                                    f"a declared variable ({sorted(declared)})", repr(name)))
    raw_values = variable_values(declared, merged.target_variables, overrides)
    context = {"bundle": merged.document.get("bundle") or {}, "workspace": merged.document.get("workspace") or {}}
    values, unresolved_in_values = resolve_references(raw_values, raw_values, context)
    for name, value in values.items():
        if value is None:
            findings.append(Finding("unresolved-reference", target, MAIN_FILE, f"variables.{name}",
                                    f"a default or a value in targets.{target}.variables", "no value"))
    document, python_sources, python_findings = load_python_resources(merged.document, values, bundle_root, target)
    merged.sources.update(python_sources)
    findings += python_findings
    context = {"bundle": document.get("bundle") or {}, "resources": document.get("resources") or {}}
    workspace, unresolved = resolve_references(document.get("workspace") or {}, values, context)
    context["workspace"] = workspace
    resolved, more = resolve_references({k: v for k, v in document.items() if k != "variables"}, values, context)
    resolved["variables"] = {name: {"value": value} for name, value in values.items()}
    for item in [*unresolved_in_values, *unresolved, *more]:
        if item.reason.startswith("a variable with no value"):
            continue  # reported once above, at the variable
        prefix = ("workspace",) if item in unresolved else ()
        path = (*prefix, *item.path)
        findings.append(Finding("unresolved-reference", target, merged.file_for(path), document_path(path),
                                f"a reference that resolves for {target}", f"${{{item.reference}}} ({item.reason})"))
    return ResolvedTarget(target, resolved, values, merged, findings)


def validate_target(bundle_root: Path, target: str, rules: DeploymentRules | None = None,
                    overrides: dict[str, Any] | None = None) -> ResolvedTarget:
    """All checks for one target; the findings are on the returned ``ResolvedTarget``."""
    resolved = resolve_target(bundle_root, target, overrides)
    resolved.findings += check_with_databricks_models(resolved.document, resolved.variables, bundle_root, target,
                                                      resolved.merged.file_for)
    resolved.findings += check_entry_points(resolved.document, bundle_root, target, resolved.merged.file_for)
    resolved.findings += check_deployment_rules(resolved.document, target, rules or DeploymentRules(),
                                                resolved.merged.file_for)
    return resolved


def validate_bundle(bundle_root: Path, targets: list[str] | None = None, rules: DeploymentRules | None = None
                    ) -> ValidationReport:
    """Validate ``bundle_root`` for ``targets`` (default: every target it defines).

    Raises ``UnknownTargetError`` for a target the bundle does not define.
    """
    bundle_root = Path(bundle_root)
    files = load_bundle_files(bundle_root)
    findings = list(files.findings)
    for file_name, document in files.documents.items():
        targets_section = (document.get("targets") or {}) if file_name == MAIN_FILE else {}
        findings += check_structure(document, targets_section, file_name)
    names = targets or files.target_names
    for name in names:
        if name not in files.target_names:
            raise UnknownTargetError(name, files.target_names)
    # Each target waits on its own databricks.bundles.build processes; checking them side by side overlaps the waits.
    with ThreadPoolExecutor(max_workers=max(1, len(names))) as pool:
        checked = list(pool.map(lambda name: validate_target(bundle_root, name, rules), names))
    results = dict(zip(names, checked, strict=True))
    for result in results.values():
        findings += result.findings
    return ValidationReport(results, findings)
