"""Shared by the test files: a writable copy of the bundle beside the pattern folders its tasks run."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

FOLDER = Path(__file__).resolve().parents[1]
REPO = FOLDER.parent
BUNDLE = FOLDER / "asset-bundles"
PATTERN_FOLDERS = ("03-streaming-architecture", "04-dimensional-modeling", "05-performance-optimization")


def copy_bundle(tmp_path: Path) -> Path:
    """Copy asset-bundles/ into tmp_path/repo/06-.../asset-bundles, with the pattern folders linked beside it."""
    repo = tmp_path / "repo"
    target = repo / FOLDER.name / "asset-bundles"
    shutil.copytree(BUNDLE, target, ignore=shutil.ignore_patterns("__pycache__"))
    for name in PATTERN_FOLDERS:
        (repo / name).symlink_to(REPO / name, target_is_directory=True)
    return target


def edit_yaml(path: Path, change: Any) -> None:
    """Load a YAML file, let ``change(document)`` edit it in place, write it back."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def replace_text(path: Path, old: str, new: str) -> None:
    """Replace one exact piece of text in a file (fails when it is not there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"expected {old!r} in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
