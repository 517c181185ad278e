"""What the validator reports: one finding names the file, the path in the document, expected vs actual.

Example::

    >>> print(Finding("deployment-rule", "prod", "databricks.yml", "targets.prod.mode", "production", "development"))
    databricks.yml: targets.prod.mode: [prod] deployment-rule: expected production, found development
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One problem in the bundle for one target."""

    rule: str
    target: str
    file: str
    path: str
    expected: str
    actual: str

    def __str__(self) -> str:
        return (
            f"{self.file}: {self.path}: [{self.target}] {self.rule}: "
            f"expected {self.expected}, found {self.actual}"
        )


class BundleError(Exception):
    """Base class of the errors this package raises."""


class BundleLoadError(BundleError):
    """The bundle's files cannot be read or parsed."""


class UnknownTargetError(BundleError):
    """A target name the bundle does not define."""

    def __init__(self, target: str, known: list[str]):
        super().__init__(f"target: expected one of {known}, found {target!r}")
        self.target = target


class UnknownJobError(BundleError):
    """A job name the bundle does not define for the target."""

    def __init__(self, job: str, known: list[str]):
        super().__init__(f"job: expected one of {known}, found {job!r}")
        self.job = job


def document_path(parts: tuple[str | int, ...]) -> str:
    """Render a path inside a document: ``("resources", "jobs", "a", "tasks", 0)`` -> ``resources.jobs.a.tasks[0]``.

    Example::

        >>> document_path(("resources", "jobs", "a", "tasks", 0, "max_retries"))
        'resources.jobs.a.tasks[0].max_retries'
    """
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + part
    return text
