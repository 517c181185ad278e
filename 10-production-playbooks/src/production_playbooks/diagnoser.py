"""Name the incident a log shows, with the evidence lines, the playbook and the first commands.

The diagnoser streams the log once (see :mod:`production_playbooks.log_lines`), runs every
incident's compiled signatures against each line that may carry an error, and keeps the
evidence. An incident is named only when its score (the sum of the weights of its distinct
matched signatures) reaches :data:`CONFIDENT_SCORE` and a ``cause`` signature matched; otherwise
the answer is "unknown", with no playbook. When several incidents qualify, the one whose cause
evidence sits deepest in a cause chain wins (the root, not the last wrapper); ties go to the
earliest evidence.

Errors that only a Databricks workspace raises (``databricks_errors.yaml``: Unity Catalog, Auto
Loader, pipeline expectations, job and cluster termination codes) cannot have a reproduced
playbook. A log line naming one is evidence of a *known Databricks-only error*: when it sits deeper
than any named incident's cause (or no incident is named), the answer is that error with its page
in the error reference and the runbooks or folders that apply, and no playbook.

Example::

    >>> diagnosis = diagnose_text("Caused by: org.apache.kafka.common.errors.SaslAuthenticationException: "
    ...     "Authentication failed during authentication due to invalid credentials with SASL "
    ...     "mechanism SCRAM-SHA-512")
    >>> diagnosis.incident_id
    'kafka-sasl-wrong-password'
    >>> diagnose_text("all good").incident_id is None
    True
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from production_playbooks.databricks_errors import (
    DatabricksError,
    databricks_error_regex,
    load_databricks_errors,
    names_in_line,
)
from production_playbooks.error_classes import ErrorClass, error_class_of
from production_playbooks.incident_format import Incident, Signature, load_incidents
from production_playbooks.log_lines import LogLine, read_log_lines

CONFIDENT_SCORE = 1.0
EVIDENCE_PER_SIGNATURE = 3


@dataclass(frozen=True)
class Evidence:
    """A log line a signature matched."""

    line_number: int
    line: str
    pattern: str
    role: str
    depth: int


@dataclass
class Candidate:
    """One incident's matches in one log."""

    incident: Incident
    evidence: list[Evidence] = field(default_factory=list)
    matched_patterns: dict[str, float] = field(default_factory=dict)

    @property
    def score(self) -> float:
        return round(sum(self.matched_patterns.values()), 6)

    @property
    def has_cause(self) -> bool:
        return any(item.role == "cause" for item in self.evidence)

    @property
    def confident(self) -> bool:
        return self.has_cause and self.score >= CONFIDENT_SCORE

    @property
    def root_depth(self) -> int:
        return max(item.depth for item in self.evidence if item.role == "cause")

    @property
    def first_line(self) -> int:
        return min(item.line_number for item in self.evidence if item.role == "cause")


@dataclass
class KnownError:
    """A Databricks-only error named in the log, with the lines that name it."""

    error: DatabricksError
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def root_depth(self) -> int:
        return max(item.depth for item in self.evidence)

    @property
    def first_line(self) -> int:
        return min(item.line_number for item in self.evidence)


@dataclass(frozen=True)
class RootError:
    """The deepest error line seen (named incident or not), with its error class if it prints one."""

    line_number: int
    line: str
    depth: int
    error_class: ErrorClass | None


@dataclass
class Diagnosis:
    """The answer: the incident (None = unknown), its evidence, playbook and first commands."""

    incident: Incident | None
    evidence: list[Evidence]
    score: float
    also_seen: list[str]
    root_error: RootError | None
    lines_read: int
    known_error: KnownError | None = None

    @property
    def incident_id(self) -> str | None:
        return self.incident.id if self.incident else None

    @property
    def known_error_name(self) -> str | None:
        """The Databricks-only error the log shows, when that is the answer (no incident then)."""
        return self.known_error.error.name if self.known_error else None

    @property
    def page(self) -> str | None:
        """The error reference entry for a known Databricks-only error."""
        return self.known_error.error.page if self.known_error else None

    @property
    def playbook(self) -> str | None:
        return self.incident.playbook if self.incident else None

    @property
    def first_commands(self) -> tuple[str, ...]:
        return self.incident.first_commands if self.incident else ()


def _match(line: LogLine, signatures: list[tuple[Incident, Signature]],
           candidates: dict[str, Candidate]) -> None:
    for incident, signature in signatures:
        if signature.regex.search(line.text) is None:
            continue
        candidate = candidates.setdefault(incident.id, Candidate(incident))
        candidate.matched_patterns[signature.pattern] = signature.weight
        found = Evidence(line.number, line.text.strip(), signature.pattern, signature.role, line.depth)
        same_pattern = [i for i, item in enumerate(candidate.evidence) if item.pattern == signature.pattern]
        if len(same_pattern) < EVIDENCE_PER_SIGNATURE:
            candidate.evidence.append(found)
        elif line.depth > candidate.evidence[same_pattern[-1]].depth:
            candidate.evidence[same_pattern[-1]] = found  # keep the deepest match, past the cap too


def _match_known(line: LogLine, regex: re.Pattern[str], errors: Mapping[str, DatabricksError],
                 known: dict[str, KnownError]) -> None:
    for name in names_in_line(line.text, regex):
        found = known.setdefault(name, KnownError(errors[name]))
        if len(found.evidence) < EVIDENCE_PER_SIGNATURE:
            found.evidence.append(Evidence(line.number, line.text.strip(), name, "cause", line.depth))
        elif line.depth > found.evidence[-1].depth:
            found.evidence[-1] = Evidence(line.number, line.text.strip(), name, "cause", line.depth)


def _deeper_root(current: RootError | None, line: LogLine) -> RootError | None:
    if "Exception" not in line.text and "Error" not in line.text and "[" not in line.text:
        return current
    if current is not None and line.depth <= current.depth:
        return current
    return RootError(line.number, line.text.strip(), line.depth, error_class_of(line.text))


def diagnose_lines(lines: Iterable[str], incidents: Mapping[str, Incident] | None = None,
                   databricks_errors: Mapping[str, DatabricksError] | None = None) -> Diagnosis:
    """Diagnose a log given as an iterable of lines (an open file, ``sys.stdin``, a list).

    ``incidents`` and ``databricks_errors`` default to the ones shipped with the package.

    Example::

        >>> with open("driver.log", encoding="utf-8", errors="replace") as log:  # doctest: +SKIP
        ...     print(diagnose_lines(log).incident_id)
    """
    incidents = load_incidents() if incidents is None else incidents
    databricks_errors = load_databricks_errors() if databricks_errors is None else databricks_errors
    signatures = [(incident, signature) for incident in incidents.values() for signature in incident.signatures]
    known_regex = databricks_error_regex(databricks_errors.values())
    candidates: dict[str, Candidate] = {}
    known: dict[str, KnownError] = {}
    root_error: RootError | None = None
    counts = {"lines": 0}
    for line in read_log_lines(lines, counts):
        _match(line, signatures, candidates)
        _match_known(line, known_regex, databricks_errors, known)
        root_error = _deeper_root(root_error, line)
    confident = sorted(
        (candidate for candidate in candidates.values() if candidate.confident),
        key=lambda candidate: (-candidate.root_depth, candidate.first_line, -candidate.score),
    )
    known_seen = sorted(known.values(), key=lambda found: (-found.root_depth, found.first_line))
    best = confident[0] if confident else None
    if known_seen and (best is None or known_seen[0].root_depth > best.root_depth):
        answer = known_seen[0]
        also_seen = [c.incident.id for c in confident] + [f"{k.error.name} (Databricks-only)" for k in known_seen[1:]]
        return Diagnosis(None, sorted(answer.evidence, key=lambda item: item.line_number), CONFIDENT_SCORE,
                         also_seen, root_error, counts["lines"], answer)
    if best is None:
        return Diagnosis(None, [], max((c.score for c in candidates.values()), default=0.0), [],
                         root_error, counts["lines"])
    evidence = sorted(best.evidence, key=lambda item: item.line_number)
    also_seen = [c.incident.id for c in confident[1:]] + [f"{k.error.name} (Databricks-only)" for k in known_seen]
    return Diagnosis(best.incident, evidence, best.score, also_seen, root_error, counts["lines"])


def diagnose_text(text: str, incidents: Mapping[str, Incident] | None = None) -> Diagnosis:
    """Diagnose a pasted log or stack trace given as one string."""
    return diagnose_lines(text.splitlines(), incidents)


def diagnose_file(path: str | Path, incidents: Mapping[str, Incident] | None = None) -> Diagnosis:
    """Diagnose a log file, read line by line (any size; undecodable bytes are replaced)."""
    with open(path, encoding="utf-8", errors="replace") as log:
        return diagnose_lines(log, incidents)


def _format_known(diagnosis: Diagnosis, known: KnownError) -> str:
    error = known.error
    state = f" (SQLSTATE {error.sqlstate})" if error.sqlstate else ""
    lines = [f"incident: none reproduced here; known Databricks-only error {error.name}{state}",
             f"meaning: {error.meaning}", "evidence:"]
    lines += [f"  line {item.line_number} [{item.role}]: {item.line}" for item in diagnosis.evidence]
    lines += ["playbook: none (it needs a Databricks workspace; open the page)", f"page: {error.page}",
              f"source: {error.source}", f"applies: {', '.join(error.applies)}", "first commands:"]
    lines += [f"  {command}" for command in error.first_commands]
    if diagnosis.also_seen:
        lines.append(f"also seen (wrappers or later errors): {', '.join(diagnosis.also_seen)}")
    lines.append(f"lines read: {diagnosis.lines_read}")
    return "\n".join(lines) + "\n"


def format_diagnosis(diagnosis: Diagnosis) -> str:
    """The answer as a person reads it on a terminal."""
    if diagnosis.known_error is not None:
        return _format_known(diagnosis, diagnosis.known_error)
    if diagnosis.incident is None:
        lines = [f"incident: unknown (no incident reached a confident score; best score "
                 f"{diagnosis.score:.2f} of {CONFIDENT_SCORE:.2f})", "playbook: none"]
        if diagnosis.root_error is not None:
            root = diagnosis.root_error
            lines.append(f"deepest error seen: line {root.line_number}: {root.line}")
            if root.error_class is not None:
                lines.append(f"error class: {root.error_class.name}"
                             + (f" (SQLSTATE {root.error_class.sqlstate})" if root.error_class.sqlstate else ""))
        lines.append(f"lines read: {diagnosis.lines_read}")
        return "\n".join(lines) + "\n"
    incident = diagnosis.incident
    lines = [f"incident: {incident.id} ({incident.title})", f"score: {diagnosis.score:.2f}",
             "evidence:"]
    lines += [f"  line {item.line_number} [{item.role}]: {item.line}" for item in diagnosis.evidence]
    lines.append(f"playbook: {incident.playbook}")
    lines.append("first commands:")
    lines += [f"  {command}" for command in incident.first_commands]
    if diagnosis.also_seen:
        lines.append(f"also seen (wrappers or later errors): {', '.join(diagnosis.also_seen)}")
    lines.append(f"lines read: {diagnosis.lines_read}")
    return "\n".join(lines) + "\n"
