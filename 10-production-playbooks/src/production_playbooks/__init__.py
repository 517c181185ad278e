"""Playbooks for recurring streaming incidents and a diagnoser that names the playbook for a log.

Example::

    from production_playbooks import diagnose_file, format_diagnosis
    print(format_diagnosis(diagnose_file("driver.log")))
"""
from production_playbooks.diagnoser import (
    CONFIDENT_SCORE,
    Diagnosis,
    Evidence,
    diagnose_file,
    diagnose_lines,
    diagnose_text,
    format_diagnosis,
)
from production_playbooks.error_classes import ErrorClass, error_class_of
from production_playbooks.incident_format import (
    Incident,
    IncidentFormatError,
    Signature,
    load_incident_file,
    load_incidents,
)
from production_playbooks.log_lines import read_log_lines, strip_ansi

__all__ = [
    "CONFIDENT_SCORE",
    "Diagnosis",
    "ErrorClass",
    "Evidence",
    "Incident",
    "IncidentFormatError",
    "Signature",
    "diagnose_file",
    "diagnose_lines",
    "diagnose_text",
    "error_class_of",
    "format_diagnosis",
    "load_incident_file",
    "load_incidents",
    "read_log_lines",
    "strip_ansi",
]
