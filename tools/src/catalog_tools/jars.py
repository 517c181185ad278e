"""Locate the JVM jars that ``make setup`` resolved from Maven Central.

The jars live in a git-ignored folder (``.jars/`` at the repository root by default) with one
subfolder per classpath: ``spark`` (Delta Lake, Spark's Kafka source, the PostgreSQL JDBC driver),
``kafka`` (the broker) and ``connect`` (Kafka Connect with Debezium's PostgreSQL connector).
Set ``CATALOG_JARS_DIR`` to use another folder.

Example::

    >>> spark_jars = jar_files("spark")  # doctest: +SKIP
"""
from __future__ import annotations

import os
from pathlib import Path

JARS_DIR_ENV = "CATALOG_JARS_DIR"
_REPO_ROOT = Path(__file__).resolve().parents[3]


class JarsNotResolvedError(RuntimeError):
    """The jars ``make setup`` resolves are missing: setup has not run, or ran elsewhere."""


def jars_dir() -> Path:
    """Return the folder holding one subfolder of jars per classpath."""
    configured = os.environ.get(JARS_DIR_ENV)
    return Path(configured) if configured else _REPO_ROOT / ".jars"


def jar_files(classpath: str) -> list[Path]:
    """Return the sorted jar files of one classpath (``"spark"``, ``"kafka"`` or ``"connect"``).

    Raises JarsNotResolvedError, naming the folder looked in and the command that fills it.
    """
    folder = jars_dir() / classpath
    jars = sorted(folder.glob("*.jar"))
    if not jars:
        raise JarsNotResolvedError(
            f"expected the '{classpath}' jars in {folder}, found none: run `make setup` "
            f"(or set {JARS_DIR_ENV} to the folder that holds them)"
        )
    return jars
