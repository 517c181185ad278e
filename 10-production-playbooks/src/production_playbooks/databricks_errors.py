"""Databricks-only errors: what a log line carries, where the vendor documents it, what to do first.

These errors need a Databricks workspace (Unity Catalog, Auto Loader, Lakeflow Declarative Pipelines,
serverless compute, the Jobs and Clusters services), so no test here can make them happen.
``databricks_errors.yaml`` lists each one with only what a log line carries and the diagnoser
matches (the error class or termination code, its SQLSTATE, at most a short message fragment),
the documentation page it comes from, and what it means, its usual cause in a plant pipeline, the
first checks and the playbooks, runbooks or catalog folders that apply, in this project's words.

A log line names an entry when it holds an error class as Databricks prints it (``[NAME]``,
``[NAME.SUB_CLASS]`` or ``ErrorClass=NAME``) or a termination code as the Jobs and Clusters APIs
return it (the bare ``NAME``).

Example::

    >>> errors = load_databricks_errors()
    >>> errors["INSUFFICIENT_PERMISSIONS"].sqlstate
    '42501'
    >>> names_in_line("AnalysisException: [EXPECTATION_VIOLATION.VERBOSITY_ALL] ...",
    ...               databricks_error_regex(errors.values()))
    ['EXPECTATION_VIOLATION']
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

PAGE = "docs/error-reference/databricks.md"
CORPUS_FOLDER = "databricks-only"
ERROR_CLASS_KIND = "error class"
KINDS = (ERROR_CLASS_KIND, "job run termination code", "cluster termination code")
FIELDS = ("name", "kind", "sqlstate", "fragment", "source", "meaning", "plant_cause", "first_commands",
          "applies")
NAME = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?:\.[A-Z0-9_]+)?$")
SQLSTATE = re.compile(r"^[0-9A-Z]{5}$")
MAX_FRAGMENT_CHARS = 60
VENDOR_HOSTS = ("docs.databricks.com", "kb.databricks.com", "databricks.github.io", "learn.microsoft.com",
                "docs.azure.cn")


class DatabricksErrorFormatError(ValueError):
    """``databricks_errors.yaml`` does not follow the format this module documents."""


@dataclass(frozen=True)
class DatabricksError:
    """One Databricks-only error: its identifier, SQLSTATE, quoted fragment, source and our notes."""

    name: str
    kind: str
    sqlstate: str | None
    fragment: str | None
    source: str
    meaning: str
    plant_cause: str
    first_commands: tuple[str, ...]
    applies: tuple[str, ...]

    @property
    def anchor(self) -> str:
        """The heading anchor of this entry on the generated page (GitHub's rule: lower case, no dots)."""
        return self.name.lower().replace(".", "")

    @property
    def page(self) -> str:
        """The entry's place in the error reference, relative to the folder."""
        return f"{PAGE}#{self.anchor}"

    @property
    def corpus_file(self) -> str:
        """The quoted text's file under ``corpus/``: ``databricks-only/<name in kebab case>.log``."""
        return f"{CORPUS_FOLDER}/{self.name.lower().replace('_', '-').replace('.', '--')}.log"


def _fail(where: str, field: str, expected: str, found: Any) -> DatabricksErrorFormatError:
    return DatabricksErrorFormatError(f"{where}: field {field!r}: expected {expected}, found {found!r}")


def _text(where: str, raw: dict[str, Any], field: str) -> str:
    value = raw[field]
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, field, "a non-empty string", value)
    return " ".join(value.split())


def _texts(where: str, raw: dict[str, Any], field: str) -> tuple[str, ...]:
    value = raw[field]
    if not isinstance(value, list) or not value or not all(isinstance(item, str) and item.strip() for item in value):
        raise _fail(where, field, "a non-empty list of non-empty strings", value)
    return tuple(value)


def parse_databricks_error(raw: Any, where: str) -> DatabricksError:
    """Validate one entry of the yaml list and return the :class:`DatabricksError`.

    Example::

        >>> parse_databricks_error({"name": "X"}, "entry 1")
        Traceback (most recent call last):
        ...
        production_playbooks.databricks_errors.DatabricksErrorFormatError: entry 1: field 'fields': ...
    """
    if not isinstance(raw, dict):
        raise _fail(where, "(entry)", "a mapping", type(raw).__name__)
    if sorted(raw) != sorted(FIELDS):
        raise _fail(where, "fields", f"exactly {sorted(FIELDS)}", sorted(raw))
    name = raw["name"]
    if not isinstance(name, str) or not NAME.match(name):
        raise _fail(where, "name", "an upper-case identifier such as INSUFFICIENT_PERMISSIONS", name)
    where = f"{where} ({name})"
    if raw["kind"] not in KINDS:
        raise _fail(where, "kind", f"one of {list(KINDS)}", raw["kind"])
    sqlstate = raw["sqlstate"]
    if sqlstate is not None and (not isinstance(sqlstate, str) or not SQLSTATE.match(sqlstate)):
        raise _fail(where, "sqlstate", "null or five digits/upper-case letters", sqlstate)
    fragment = raw["fragment"]
    if fragment is not None and (not isinstance(fragment, str) or not 0 < len(fragment) <= MAX_FRAGMENT_CHARS):
        raise _fail(where, "fragment", f"null or a quoted fragment of at most {MAX_FRAGMENT_CHARS} characters",
                    fragment)
    source = raw["source"]
    host = urlparse(source).hostname if isinstance(source, str) else None
    if not isinstance(source, str) or not source.startswith("https://") or host not in VENDOR_HOSTS:
        raise _fail(where, "source", f"an https URL on the vendor's documentation ({', '.join(VENDOR_HOSTS)})",
                    source)
    return DatabricksError(
        name=name, kind=raw["kind"], sqlstate=sqlstate, fragment=fragment, source=source,
        meaning=_text(where, raw, "meaning"), plant_cause=_text(where, raw, "plant_cause"),
        first_commands=_texts(where, raw, "first_commands"), applies=_texts(where, raw, "applies"),
    )


def load_databricks_errors(path: str | Path | None = None) -> dict[str, DatabricksError]:
    """Load and validate the entries (default: ``databricks_errors.yaml`` shipped with the package), by name."""
    if path is None:
        text = (resources.files("production_playbooks") / "databricks_errors.yaml").read_text(encoding="utf-8")
        source_name = "databricks_errors.yaml"
    else:
        text, source_name = Path(path).read_text(encoding="utf-8"), Path(path).name
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise DatabricksErrorFormatError(f"{source_name}: expected valid yaml, found a parse error: {error}") from error
    if not isinstance(raw, list) or not raw:
        raise _fail(source_name, "(document)", "a non-empty list of entries", type(raw).__name__)
    errors: dict[str, DatabricksError] = {}
    for index, item in enumerate(raw, start=1):
        error = parse_databricks_error(item, f"{source_name} entry {index}")
        if error.name in errors:
            raise _fail(source_name, "name", "each name once", error.name)
        errors[error.name] = error
    return errors


def databricks_error_regex(errors: Iterable[DatabricksError]) -> re.Pattern[str]:
    """One pattern naming every entry: error classes as Databricks prints them, codes as bare words.

    The name is captured in group ``name`` (an error class) or ``code`` (a termination code).
    """
    errors = list(errors)
    classes = "|".join(re.escape(e.name) for e in errors if e.kind == ERROR_CLASS_KIND) or r"(?!x)x"
    codes = "|".join(re.escape(e.name) for e in errors if e.kind != ERROR_CLASS_KIND) or r"(?!x)x"
    return re.compile(rf"(?:\[|ErrorClass=)(?P<name>{classes})(?![A-Z0-9_])|\b(?P<code>{codes})\b")


def names_in_line(line: str, regex: re.Pattern[str]) -> list[str]:
    """The entries a line names, in order of appearance."""
    return [found.group("name") or found.group("code") for found in regex.finditer(line)]


def applies_link(target: str, from_folder: str = PAGE.rsplit("/", 1)[0]) -> str:
    """A folder-relative path (``docs/runbooks/x.md``, ``../06-x/README.md``) as a link from ``from_folder``.

    Example::

        >>> applies_link("docs/runbooks/pipeline-restart.md")
        '../runbooks/pipeline-restart.md'
        >>> applies_link("../06-databricks-deployment/README.md")
        '../../../06-databricks-deployment/README.md'
    """
    depth = len(Path(from_folder).parts)
    parts = Path(target).parts
    common = 0
    for own, theirs in zip(Path(from_folder).parts, parts, strict=False):
        if own != theirs:
            break
        common += 1
    return "/".join([".."] * (depth - common) + list(parts[common:]))


def by_kind(errors: Mapping[str, DatabricksError]) -> dict[str, list[DatabricksError]]:
    """The entries grouped by kind, in :data:`KINDS` order, each group sorted by name."""
    return {kind: sorted((e for e in errors.values() if e.kind == kind), key=lambda e: e.name) for kind in KINDS}
