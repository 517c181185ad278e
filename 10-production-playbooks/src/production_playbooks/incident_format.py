"""Load and validate incident definitions (one yaml file per incident).

The format is described in ``docs/incident-format.md``. A file that breaks it raises
:class:`IncidentFormatError` naming the file, the field, what was expected and what was found.

Example::

    >>> incidents = load_incidents()  # the files shipped in production_playbooks/incidents
    >>> incidents["kafka-sasl-wrong-password"].playbook
    'docs/playbooks/kafka-sasl-wrong-password.md'
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

KEBAB_CASE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
REPRODUCED_BY = re.compile(r"^tests/incidents/[A-Za-z0-9_/]+\.py::[A-Za-z_][A-Za-z0-9_]*$")
ROLES = ("cause", "context")
FIELDS = ("id", "title", "playbook", "signatures", "first_commands", "reproduced_by")
SIGNATURE_FIELDS = ("pattern", "role", "weight")


class IncidentFormatError(ValueError):
    """An incident file does not follow docs/incident-format.md."""


@dataclass(frozen=True)
class Signature:
    """A compiled regex matched against single log lines, its role and its weight."""

    pattern: str
    role: str
    weight: float
    regex: re.Pattern[str]


@dataclass(frozen=True)
class Incident:
    """What the diagnoser knows about one incident."""

    id: str
    title: str
    playbook: str
    signatures: tuple[Signature, ...]
    first_commands: tuple[str, ...]
    reproduced_by: str

    @property
    def test_file(self) -> str:
        """The reproducing test's file, relative to the folder."""
        return self.reproduced_by.split("::", 1)[0]

    @property
    def test_name(self) -> str:
        return self.reproduced_by.split("::", 1)[1]


def _fail(source: str, field: str, expected: str, found: Any) -> IncidentFormatError:
    return IncidentFormatError(f"{source}: field {field!r}: expected {expected}, found {found!r}")


def _signature(source: str, index: int, raw: Any) -> Signature:
    where = f"signatures[{index}]"
    if not isinstance(raw, dict):
        raise _fail(source, where, "a mapping with pattern, role, weight", raw)
    if sorted(raw) != sorted(SIGNATURE_FIELDS):
        raise _fail(source, where, f"exactly the keys {list(SIGNATURE_FIELDS)}", sorted(raw))
    pattern, role, weight = raw["pattern"], raw["role"], raw["weight"]
    if not isinstance(pattern, str) or not pattern:
        raise _fail(source, f"{where}.pattern", "a non-empty string", pattern)
    try:
        regex = re.compile(pattern)
    except re.error as error:
        raise _fail(source, f"{where}.pattern", f"a regex that compiles ({error})", pattern) from error
    if role not in ROLES:
        raise _fail(source, f"{where}.role", f"one of {list(ROLES)}", role)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 1:
        raise _fail(source, f"{where}.weight", "a number with 0 < weight <= 1", weight)
    return Signature(pattern, role, float(weight), regex)


def _string_list(source: str, field: str, raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(item, str) and item for item in raw):
        raise _fail(source, field, "a non-empty list of non-empty strings", raw)
    return tuple(raw)


def parse_incident(raw: Any, source: str, expected_id: str | None = None) -> Incident:
    """Validate one parsed yaml document and return the :class:`Incident`.

    Example::

        >>> parse_incident({"id": "x"}, "x.yaml")
        Traceback (most recent call last):
        ...
        production_playbooks.incident_format.IncidentFormatError: x.yaml: field 'fields': ...
    """
    if not isinstance(raw, dict):
        raise _fail(source, "(document)", "a mapping", type(raw).__name__)
    if sorted(raw) != sorted(FIELDS):
        raise _fail(source, "fields", f"exactly {sorted(FIELDS)}", sorted(raw))
    incident_id = raw["id"]
    if not isinstance(incident_id, str) or not KEBAB_CASE.match(incident_id):
        raise _fail(source, "id", "a kebab-case id", incident_id)
    if expected_id is not None and incident_id != expected_id:
        raise _fail(source, "id", f"the file's name {expected_id!r}", incident_id)
    if not isinstance(raw["title"], str) or not raw["title"].strip():
        raise _fail(source, "title", "a non-empty string", raw["title"])
    expected_playbook = f"docs/playbooks/{incident_id}.md"
    if raw["playbook"] != expected_playbook:
        raise _fail(source, "playbook", repr(expected_playbook), raw["playbook"])
    if not isinstance(raw["signatures"], list) or not raw["signatures"]:
        raise _fail(source, "signatures", "a non-empty list", raw["signatures"])
    signatures = tuple(_signature(source, i, item) for i, item in enumerate(raw["signatures"]))
    if not any(signature.role == "cause" for signature in signatures):
        raise _fail(source, "signatures", "at least one signature with role 'cause'",
                    [signature.role for signature in signatures])
    reproduced_by = raw["reproduced_by"]
    if not isinstance(reproduced_by, str) or not REPRODUCED_BY.match(reproduced_by):
        raise _fail(source, "reproduced_by", "'tests/incidents/<file>.py::<test name>'", reproduced_by)
    return Incident(
        id=incident_id,
        title=raw["title"].strip(),
        playbook=expected_playbook,
        signatures=signatures,
        first_commands=_string_list(source, "first_commands", raw["first_commands"]),
        reproduced_by=reproduced_by,
    )


def load_incident_file(path: str | Path) -> Incident:
    """Read and validate one ``<id>.yaml`` file."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise IncidentFormatError(f"{path.name}: expected valid yaml, found a parse error: {error}") from error
    return parse_incident(raw, path.name, expected_id=path.stem)


def _shipped_incident_files() -> Iterable[Path]:
    folder = resources.files("production_playbooks") / "incidents"
    return sorted(Path(str(item)) for item in folder.iterdir() if item.name.endswith(".yaml"))


def load_incidents(folder: str | Path | None = None) -> dict[str, Incident]:
    """Load every ``*.yaml`` in ``folder`` (default: the incidents shipped with the package), by id.

    Example::

        >>> "kafka-sasl-wrong-password" in load_incidents()
        True
    """
    files = sorted(Path(folder).glob("*.yaml")) if folder is not None else _shipped_incident_files()
    incidents = [load_incident_file(path) for path in files]
    if not incidents:
        raise IncidentFormatError(f"expected at least one incident yaml in {folder or 'the package'}, found none")
    return {incident.id: incident for incident in incidents}
