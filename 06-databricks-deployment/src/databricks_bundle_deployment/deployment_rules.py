"""The deployment rules a team sets for its production targets, checked before any workspace sees them.

Production targets must: use ``mode: production``; run as a service principal; carry no
development presets and no personal (``/Users/...``) paths; run every task on a job cluster (or
serverless), never on an all-purpose cluster; set a timeout on every job and ``max_retries`` on
every task; tag every job for cost. Development targets must use ``mode: development`` and a
per-user root path, so two developers never overwrite each other's deployment.

Example::

    findings = check_deployment_rules(merged.document, "prod", DeploymentRules(), merged.file_for)
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from databricks_bundle_deployment.findings import Finding, document_path

DEVELOPMENT_PRESETS = ("name_prefix", "trigger_pause_status", "jobs_max_concurrent_runs", "source_linked_deployment")
WORKSPACE_PATH_KEYS = ("root_path", "file_path", "artifact_path", "state_path", "resource_path")


@dataclass(frozen=True)
class DeploymentRules:
    """Which targets are production or development, and which tags every production job carries."""

    production_targets: tuple[str, ...] = ("qa", "prod")
    development_targets: tuple[str, ...] = ("dev",)
    required_tags: tuple[str, ...] = ("cost_center",)


def _personal(value: Any) -> bool:
    return isinstance(value, str) and ("/Users/" in value or "current_user" in value)


def _production_findings(document: dict[str, Any], target: str, rules: DeploymentRules,
                         file_for: Callable[[tuple[str | int, ...]], str]) -> list[Finding]:
    findings: list[Finding] = []
    target_file = "databricks.yml"
    if document.get("mode") != "production":
        findings.append(Finding("deployment-rule", target, target_file, f"targets.{target}.mode",
                                "production", repr(document.get("mode"))))
    run_as = document.get("run_as") or {}
    if not run_as.get("service_principal_name"):
        actual = f"user_name {run_as['user_name']!r}" if run_as.get("user_name") else "no run_as (the deploying user)"
        findings.append(Finding("deployment-rule", target, target_file, f"targets.{target}.run_as",
                                "a service_principal_name", actual))
    for preset in DEVELOPMENT_PRESETS:
        value = (document.get("presets") or {}).get(preset)
        if value not in (None, False, "", "UNPAUSED"):
            findings.append(Finding("deployment-rule", target, target_file, f"targets.{target}.presets.{preset}",
                                    "no development preset", repr(value)))
    for key in WORKSPACE_PATH_KEYS:
        value = (document.get("workspace") or {}).get(key)
        if _personal(value):
            findings.append(Finding("deployment-rule", target, target_file, f"targets.{target}.workspace.{key}",
                                    "a shared path (no /Users/ or current_user)", repr(value)))
    resources = document.get("resources") or {}
    for path, value in _strings(resources, ("resources",)):
        if "/Users/" in value:
            findings.append(Finding("deployment-rule", target, file_for(path), document_path(path),
                                    "no path in a person's folder (/Users/...)", repr(value)))
    for name, pipeline in (resources.get("pipelines") or {}).items():
        if pipeline.get("development"):
            path = ("resources", "pipelines", name, "development")
            findings.append(Finding("deployment-rule", target, file_for(path), document_path(path), "false", "true"))
    for name, job in (resources.get("jobs") or {}).items():
        job_path = ("resources", "jobs", name)
        file = file_for(job_path)
        if not job.get("timeout_seconds"):
            findings.append(Finding("deployment-rule", target, file, document_path((*job_path, "timeout_seconds")),
                                    "a timeout in seconds > 0", repr(job.get("timeout_seconds"))))
        tags = job.get("tags") or {}
        for tag in rules.required_tags:
            if not tags.get(tag):
                findings.append(Finding("deployment-rule", target, file, document_path((*job_path, "tags", tag)),
                                        f"a {tag} tag for cost reporting", f"tags {sorted(tags)}"))
        for index, task in enumerate(job.get("tasks") or []):
            task_path = (*job_path, "tasks", index)
            if "existing_cluster_id" in task:
                findings.append(Finding("deployment-rule", target, file,
                                        document_path((*task_path, "existing_cluster_id")),
                                        "a job cluster (job_cluster_key) or serverless",
                                        f"all-purpose cluster {task['existing_cluster_id']!r}"))
            if "max_retries" not in task:
                findings.append(Finding("deployment-rule", target, file, document_path((*task_path, "max_retries")),
                                        "max_retries set on every task", "not set"))
    return findings


def _strings(value: Any, path: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, dict):
        return [item for key, child in value.items() for item in _strings(child, (*path, key))]
    if isinstance(value, list):
        return [item for index, child in enumerate(value) for item in _strings(child, (*path, index))]
    return [(path, value)] if isinstance(value, str) else []


def _development_findings(document: dict[str, Any], target: str) -> list[Finding]:
    findings: list[Finding] = []
    if document.get("mode") != "development":
        findings.append(Finding("deployment-rule", target, "databricks.yml", f"targets.{target}.mode", "development",
                                repr(document.get("mode"))))
    root = (document.get("workspace") or {}).get("root_path")
    if root is not None and not _personal(root):
        findings.append(Finding("deployment-rule", target, "databricks.yml", f"targets.{target}.workspace.root_path",
                                "a per-user root (${workspace.current_user.userName})", repr(root)))
    return findings


def check_deployment_rules(document: dict[str, Any], target: str, rules: DeploymentRules,
                           file_for: Callable[[tuple[str | int, ...]], str]) -> list[Finding]:
    """Findings for ``target`` under ``rules`` (empty when the target follows them)."""
    if target in rules.production_targets:
        return _production_findings(document, target, rules, file_for)
    if target in rules.development_targets:
        return _development_findings(document, target)
    return []
