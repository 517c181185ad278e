"""The job definitions a target deploys: resolved bundle jobs with local paths moved under the workspace.

Relative script and wheel paths become paths under ``<workspace.root_path>/files``, relative to the
sync root (the common folder of the bundle root and its ``sync.paths``), as the bundle's file sync
lays them out. A wheel glob (``dist/*.whl``) becomes the newest wheel it matches, when one is built:
the Jobs API takes file names, not globs.

Example::

    definitions = job_definitions(resolve_target(Path("asset-bundles"), "prod"), Path("asset-bundles"))
    definitions["end_to_end"]["tasks"][0]["libraries"]   # [{"whl": "<root>/files/04-dimensional-modeling/dist/..."}]
"""
from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

from databricks_bundle_deployment.validator import ResolvedTarget

LOCAL_PATH_FIELDS = (("spark_python_task", "python_file"),)


def _normalized(path: Path) -> Path:
    """``..`` removed without following symbolic links (the sync layout is the repository's)."""
    return Path(os.path.normpath(path))


def _is_local(path: str) -> bool:
    return not path.startswith(("/", "dbfs:", "s3:", "abfss:", "gs:", "${"))


def job_definitions(resolved: ResolvedTarget, bundle_root: Path) -> dict[str, dict[str, Any]]:
    """Job settings (Jobs API shape) per bundle job key, with local paths rewritten for the workspace."""
    bundle_root = _normalized(Path(bundle_root).absolute())
    document = resolved.document
    sync_paths = [_normalized(bundle_root / p) for p in (document.get("sync") or {}).get("paths") or []]
    sync_root = Path(os.path.commonpath([bundle_root, *sync_paths]))
    files_root = (document.get("workspace") or {}).get("root_path", "").rstrip("/") + "/files"
    definitions: dict[str, dict[str, Any]] = {}
    for key, job in ((document.get("resources") or {}).get("jobs") or {}).items():
        source = resolved.merged.file_for(("resources", "jobs", key))
        base = (bundle_root / source).parent if source.endswith((".yml", ".yaml")) else bundle_root
        settings = copy.deepcopy({k: v for k, v in job.items() if k != "permissions"})

        def workspace_path(path: str, base: Path = base) -> str:
            local = base / path
            if "*" in local.name:
                built = sorted(local.parent.glob(local.name), key=lambda p: p.stat().st_mtime)
                local = built[-1] if built else local
            return f"{files_root}/{_normalized(local).relative_to(sync_root).as_posix()}"

        for task in settings.get("tasks") or []:
            for task_type, field in LOCAL_PATH_FIELDS:
                spec = task.get(task_type) or {}
                if isinstance(spec.get(field), str) and _is_local(spec[field]):
                    spec[field] = workspace_path(spec[field])
            for library in task.get("libraries") or []:
                if isinstance(library.get("whl"), str) and _is_local(library["whl"]):
                    library["whl"] = workspace_path(library["whl"])
        definitions[key] = settings
    return definitions
