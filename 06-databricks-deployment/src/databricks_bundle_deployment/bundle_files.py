"""Read ``databricks.yml`` and the files its ``include`` globs name, remembering which file said what.

Example::

    files = load_bundle_files(Path("asset-bundles"))
    files.documents["resources/dimensional_load.yml"]["resources"]["jobs"]
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from databricks_bundle_deployment.findings import BundleLoadError, Finding

MAIN_FILE = "databricks.yml"


@dataclass
class BundleFiles:
    """The bundle root, its parsed files (relative path -> document) and problems met while reading."""

    root: Path
    documents: dict[str, dict[str, Any]]
    findings: list[Finding] = field(default_factory=list)

    @property
    def main(self) -> dict[str, Any]:
        return self.documents[MAIN_FILE]

    @property
    def target_names(self) -> list[str]:
        return list((self.main.get("targets") or {}).keys())


def _read_yaml(path: Path, root: Path) -> dict[str, Any]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise BundleLoadError(f"{path.relative_to(root)}: expected valid YAML, found: {error}") from error
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise BundleLoadError(
            f"{path.relative_to(root)}: expected a mapping at the top, found {type(document).__name__}"
        )
    return document


def load_bundle_files(root: Path) -> BundleFiles:
    """Parse ``root/databricks.yml`` and every file matched by its ``include`` globs."""
    root = Path(root)
    main_path = root / MAIN_FILE
    if not main_path.is_file():
        raise BundleLoadError(f"{root}: expected a {MAIN_FILE} file, found none")
    documents = {MAIN_FILE: _read_yaml(main_path, root)}
    findings: list[Finding] = []
    includes = documents[MAIN_FILE].get("include") or []
    for index, pattern in enumerate(includes):
        matches = sorted(root.glob(pattern))
        if not matches:
            findings.append(Finding("include", "*", MAIN_FILE, f"include[{index}]",
                                    "at least one file matching the glob", f"no file for {pattern!r}"))
        for match in matches:
            documents[match.relative_to(root).as_posix()] = _read_yaml(match, root)
    return BundleFiles(root=root, documents=documents, findings=findings)
