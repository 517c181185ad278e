"""Named errors of the change-data-capture apply step."""
from __future__ import annotations


class CdcError(Exception):
    """Base class: the apply step refused its input or its options."""


class InvalidCdcOptionsError(CdcError, ValueError):
    """An option of :class:`CdcTarget` is not one the apply step accepts."""


class MissingKeyColumnsError(CdcError):
    """The events' schema lacks a key column the target is keyed on."""


class ColumnTypeChangedError(CdcError):
    """A source column arrived with a type other than the one the Delta table has."""
