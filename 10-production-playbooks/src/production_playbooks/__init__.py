"""Playbooks for recurring streaming incidents and a diagnoser that names the playbook for a log.

The diagnoser (``diagnose_file`` and friends, which also recognises Databricks-only errors listed in
``databricks_errors.yaml``) and the fixes the playbooks run: a Delta conflict
retry, restarting a stream from the offsets its sink recorded, a poison-record quarantine, and
small-file and skew checks.

Example::

    from production_playbooks import diagnose_file, format_diagnosis
    print(format_diagnosis(diagnose_file("driver.log")))
"""
from production_playbooks.databricks_errors import (
    DatabricksError,
    DatabricksErrorFormatError,
    load_databricks_errors,
)
from production_playbooks.delta_retry import (
    ConflictRetriesExhaustedError,
    InvalidRetryPolicyError,
    RetryOutcome,
    RetryPolicy,
    delta_conflict_name,
    run_with_conflict_retry,
)
from production_playbooks.diagnoser import (
    CONFIDENT_SCORE,
    Diagnosis,
    Evidence,
    KnownError,
    diagnose_file,
    diagnose_lines,
    diagnose_text,
    format_diagnosis,
)
from production_playbooks.error_classes import ErrorClass, error_class_of
from production_playbooks.file_health import FileHealth, delta_file_health
from production_playbooks.incident_format import (
    Incident,
    IncidentFormatError,
    Signature,
    load_incident_file,
    load_incidents,
)
from production_playbooks.log_lines import read_log_lines, strip_ansi
from production_playbooks.poison_quarantine import PoisonQuarantineInputError, split_poison_records
from production_playbooks.sink_offsets import (
    MissingOffsetColumnsError,
    next_offsets_in_sink,
    offset_gaps,
    starting_offsets_from_sink,
)
from production_playbooks.skew_report import StageSkew, stage_skew

__all__ = [
    "CONFIDENT_SCORE",
    "ConflictRetriesExhaustedError",
    "DatabricksError",
    "DatabricksErrorFormatError",
    "Diagnosis",
    "ErrorClass",
    "Evidence",
    "FileHealth",
    "Incident",
    "IncidentFormatError",
    "InvalidRetryPolicyError",
    "KnownError",
    "MissingOffsetColumnsError",
    "PoisonQuarantineInputError",
    "RetryOutcome",
    "RetryPolicy",
    "Signature",
    "StageSkew",
    "delta_conflict_name",
    "delta_file_health",
    "diagnose_file",
    "diagnose_lines",
    "diagnose_text",
    "error_class_of",
    "format_diagnosis",
    "load_databricks_errors",
    "load_incident_file",
    "load_incidents",
    "next_offsets_in_sink",
    "offset_gaps",
    "read_log_lines",
    "run_with_conflict_retry",
    "split_poison_records",
    "stage_skew",
    "starting_offsets_from_sink",
    "strip_ansi",
]
