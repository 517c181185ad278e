"""Top-level structure: the keys Databricks' bundle schema allows, which the resource models do not check.

Example::

    >>> check_structure({"bundel": {"name": "x"}}, {}, "databricks.yml")[0].actual
    "'bundel'"
"""
from __future__ import annotations

from typing import Any

from databricks_bundle_deployment.findings import Finding

TOP_LEVEL_KEYS = frozenset({
    "artifacts", "bundle", "environments", "experimental", "include", "permissions", "presets", "python",
    "resources", "run_as", "scripts", "sync", "targets", "variables", "workspace",
})
TARGET_KEYS = frozenset({
    "artifacts", "bundle", "cluster_id", "compute_id", "default", "git", "mode", "permissions", "presets",
    "resources", "run_as", "sync", "variables", "workspace",
})
WORKSPACE_KEYS = frozenset({
    "artifact_path", "auth_type", "azure_client_id", "azure_environment", "azure_login_app_id",
    "azure_tenant_id", "azure_use_msi", "azure_workspace_resource_id", "client_id", "file_path",
    "google_service_account", "host", "profile", "resource_path", "root_path", "state_path",
})
VARIABLE_KEYS = frozenset({"default", "description", "lookup", "type"})
RESOURCE_TYPES = frozenset({
    "alerts", "apps", "clusters", "dashboards", "database_catalogs", "database_instances", "experiments",
    "jobs", "model_serving_endpoints", "models", "pipelines", "quality_monitors", "registered_models",
    "schemas", "secret_scopes", "sql_warehouses", "synced_database_tables", "volumes",
})
MODES = frozenset({"development", "production"})


def _unknown(keys: Any, allowed: frozenset[str], file: str, prefix: str, what: str) -> list[Finding]:
    if not isinstance(keys, dict):
        return [Finding("structure", "*", file, prefix or "(top)", f"a mapping of {what}",
                        type(keys).__name__)]
    return [
        Finding("structure", "*", file, f"{prefix}.{key}" if prefix else key,
                f"one of {sorted(allowed)}", repr(key))
        for key in keys if key not in allowed
    ]


def check_structure(document: dict[str, Any], targets: dict[str, Any], file: str) -> list[Finding]:
    """Keys at the top, in each target, in ``workspace``, in each variable, and resource type names."""
    findings = _unknown(document, TOP_LEVEL_KEYS, file, "", "top-level keys")
    if file == "databricks.yml" and not (document.get("bundle") or {}).get("name"):
        findings.append(Finding("structure", "*", file, "bundle.name", "a bundle name", "none"))
    findings += _unknown(document.get("workspace") or {}, WORKSPACE_KEYS, file, "workspace", "workspace keys")
    for name, variable in (document.get("variables") or {}).items():
        findings += _unknown(variable or {}, VARIABLE_KEYS, file, f"variables.{name}", "variable keys")
    findings += _unknown(document.get("resources") or {}, RESOURCE_TYPES, file, "resources", "resource types")
    for name, target in targets.items():
        findings += _unknown(target or {}, TARGET_KEYS, file, f"targets.{name}", "target keys")
        findings += _unknown((target or {}).get("workspace") or {}, WORKSPACE_KEYS, file,
                             f"targets.{name}.workspace", "workspace keys")
        mode = (target or {}).get("mode")
        if mode is not None and mode not in MODES:
            findings.append(Finding("structure", name, file, f"targets.{name}.mode", f"one of {sorted(MODES)}",
                                    repr(mode)))
    return findings
