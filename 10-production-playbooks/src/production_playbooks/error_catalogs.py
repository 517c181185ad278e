"""Read the error classes Spark and Delta ship inside their jars, instead of retyping them.

Spark's SQL error conditions are ``error/error-conditions.json`` in ``spark-common-utils_*.jar``
(pip's pyspark ships it under ``pyspark/jars``); Delta's are ``error/delta-error-classes.json`` in
``delta-spark_*.jar``. Each maps a class name to its message template, SQLSTATE and sub-classes.

Example::

    >>> spark_classes = read_error_catalog(find_jar("spark-common-utils_*.jar", jar_dirs()))  # doctest: +SKIP
    >>> spark_classes["DIVIDE_BY_ZERO"]["sqlState"]  # doctest: +SKIP
    '22012'
"""
from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SPARK_JAR = "spark-common-utils_*.jar"
DELTA_JAR = "delta-spark_*.jar"
CATALOG_ENTRIES = ("error/error-conditions.json", "error/delta-error-classes.json")


class ErrorCatalogNotFoundError(FileNotFoundError):
    """A jar, or the error catalog inside it, is not where it was looked for."""


def jar_dirs(extra: Iterable[str | Path] = ()) -> list[Path]:
    """The folders searched for jars: ``extra`` first, then pyspark's own ``jars`` folder if installed."""
    folders = [Path(folder) for folder in extra]
    try:
        import pyspark
    except ImportError:
        return folders
    return folders + [Path(pyspark.__file__).parent / "jars"]


def find_jar(pattern: str, folders: Iterable[Path]) -> Path:
    """The newest jar matching ``pattern`` in the first folder that holds one."""
    folders = list(folders)
    for folder in folders:
        found = sorted(folder.glob(pattern))
        if found:
            return found[-1]
    raise ErrorCatalogNotFoundError(f"expected a jar {pattern} in one of {[str(f) for f in folders]}, found none")


def read_error_catalog(jar: Path) -> dict[str, Any]:
    """The error-class JSON inside ``jar``, by class name."""
    with zipfile.ZipFile(jar) as archive:
        names = set(archive.namelist())
        for entry in CATALOG_ENTRIES:
            if entry in names:
                return json.loads(archive.read(entry))
    raise ErrorCatalogNotFoundError(f"expected one of {list(CATALOG_ENTRIES)} inside {jar.name}, found neither")


def message_template(entry: dict[str, Any], sub_class: str | None = None) -> str:
    """The message template of a class (and of its sub-class, appended as Spark does)."""
    text = " ".join(entry.get("message", []))
    if sub_class and sub_class in entry.get("subClass", {}):
        text += " " + " ".join(entry["subClass"][sub_class].get("message", []))
    return text
