"""Merge the bundle's files and one target's overrides into the document Databricks would deploy.

Target overrides merge into the top-level definitions: mappings key by key, ``tasks`` by
``task_key``, ``job_clusters`` by ``job_cluster_key`` (as the Databricks CLI does).

Example::

    merged = merge_target(load_bundle_files(Path("asset-bundles")), "prod")
    merged.document["workspace"]["root_path"], merged.file_for(("resources", "jobs", "end_to_end"))
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from databricks_bundle_deployment.bundle_files import MAIN_FILE, BundleFiles
from databricks_bundle_deployment.findings import Finding, UnknownTargetError

LIST_KEYS = {"tasks": "task_key", "job_clusters": "job_cluster_key", "environments": "environment_key"}
TARGET_REPLACED = ("run_as", "permissions", "git", "sync", "presets")


@dataclass
class TargetDocument:
    """One target's merged document, the target's variable values and the file behind each part."""

    target: str
    document: dict[str, Any]
    target_variables: dict[str, Any]
    sources: dict[tuple[str, ...], str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def file_for(self, path: tuple[str | int, ...]) -> str:
        """The file that defined ``path`` (longest recorded prefix; databricks.yml by default)."""
        for length in range(len(path), 0, -1):
            source = self.sources.get(tuple(path[:length]))
            if source:
                return source
        return MAIN_FILE


def deep_merge(base: Any, override: Any) -> Any:
    """Merge ``override`` into a copy of ``base``; keyed lists merge item by item."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            if key in merged and key in LIST_KEYS and isinstance(value, list) and isinstance(merged[key], list):
                merged[key] = _merge_keyed_list(merged[key], value, LIST_KEYS[key])
            elif key in merged:
                merged[key] = deep_merge(merged[key], value)
            else:
                merged[key] = copy.deepcopy(value)
        return merged
    return copy.deepcopy(override)


def _merge_keyed_list(base: list[Any], override: list[Any], key: str) -> list[Any]:
    merged = [copy.deepcopy(item) for item in base]
    positions = {item.get(key): index for index, item in enumerate(merged) if isinstance(item, dict)}
    for item in override:
        name = item.get(key) if isinstance(item, dict) else None
        if name in positions:
            merged[positions[name]] = deep_merge(merged[positions[name]], item)
        else:
            merged.append(copy.deepcopy(item))
    return merged


def merge_target(files: BundleFiles, target: str) -> TargetDocument:
    """The document for ``target``: all files' resources, variables and artifacts, then the target's overrides."""
    targets = files.main.get("targets") or {}
    if target not in targets:
        raise UnknownTargetError(target, list(targets))
    document = {key: copy.deepcopy(value) for key, value in files.main.items() if key not in ("targets", "include")}
    sources: dict[tuple[str, ...], str] = {}
    findings: list[Finding] = []
    for file_name, included in files.documents.items():
        for resource_type, resources in (included.get("resources") or {}).items():
            for name, definition in (resources or {}).items():
                bucket = document.setdefault("resources", {}).setdefault(resource_type, {})
                if name in bucket and file_name != MAIN_FILE:
                    findings.append(Finding("duplicate-resource", target, file_name,
                                            f"resources.{resource_type}.{name}", "a name defined once",
                                            f"also defined in {sources.get(('resources', resource_type, name))}"))
                    continue
                if file_name != MAIN_FILE:
                    bucket[name] = copy.deepcopy(definition)
                sources[("resources", resource_type, name)] = file_name
        if file_name != MAIN_FILE:
            for section in ("variables", "artifacts"):
                for name, definition in (included.get(section) or {}).items():
                    document.setdefault(section, {})[name] = copy.deepcopy(definition)
                    sources[(section, name)] = file_name
    override = targets[target] or {}
    target_variables = dict(override.get("variables") or {})
    for file_name, included in files.documents.items():
        if file_name == MAIN_FILE:
            continue
        extra = ((included.get("targets") or {}).get(target) or {})
        for resource_type, resources in (extra.get("resources") or {}).items():
            bucket = document.setdefault("resources", {}).setdefault(resource_type, {})
            for name, definition in (resources or {}).items():
                bucket[name] = deep_merge(bucket.get(name, {}), definition)
        target_variables.update(extra.get("variables") or {})
    for key, value in override.items():
        if key in ("variables", "default"):
            continue
        if key in TARGET_REPLACED:
            document[key] = copy.deepcopy(value)
        elif key == "mode":
            document["mode"] = value
        else:
            document[key] = deep_merge(document.get(key, {}), value)
        sources.setdefault((key,), MAIN_FILE)
    document.setdefault("bundle", {})["target"] = target
    return TargetDocument(target, document, target_variables, sources, findings)
